"""Content-versioned definitions (rulebooks, evaluation forms): one row per version.

A definition is stored once per content: saving the same content again finds its row,
and new content becomes the key's next version. Rows are never changed afterwards,
so every flag and evaluation keeps pointing at exactly what produced it.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..wording import translate


def store_version(session: Session, model, key: str, content_hash: str, make_row: Callable[[int], object]):
    """The row of ``model`` with this key and content, added as the next version
    (``make_row(version)``) when there is none. Content seen before (an edit undone)
    gets its old row back."""
    where = (model.key == key, model.content_hash == content_hash)
    for _attempt in range(3):
        found = session.execute(select(model).where(*where).order_by(model.version)).scalars().first()
        if found is not None:
            return found
        latest = session.execute(select(func.max(model.version)).where(model.key == key)).scalar()
        row = make_row((latest or 0) + 1)
        if session.get_bind().dialect.name == "sqlite":
            # SQLite lets one writer at a time in, so no one else can take this version
            # (and pysqlite's SAVEPOINT would end the caller's transaction early).
            session.add(row)
            session.flush()
            return row
        try:
            # Someone else may store the same new version at the same moment: the
            # unique (key, version) refuses one of us, who then reads it again.
            with session.begin_nested():
                session.add(row)
            return row
        except IntegrityError:
            continue
    raise RuntimeError(translate("Errors", "Could not store a new version of '{key}': others kept saving one at the "
                                           "same moment. Try again.").format(key=key))
