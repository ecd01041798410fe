"""Which rulebook a workstation's checks use: a lead's or admin's decision, audited.

The choice itself lives in the settings (``rulebook_path``: the file a centre keeps, or
the shipped default), so it is made per installation; what matters for everyone is
who switched the rules calls are checked by, to which content, and when. Activating
stores the rulebook's version (as a scan would) and logs it, after the permission check.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..permissions import Actor
from . import audit
from .flags import ensure_rulebook
from .users import check


def activate_rulebook(session: Session, actor: Actor | str | None, *, path: str | None, rulebook=None,
                      previous: str | None = None) -> int | None:
    """Check that ``actor`` may change the rulebook (lead or admin) and log the change;
    the stored version's id when the rulebook's content is given."""
    actor = check(session, actor, "rulebook.edit")
    new: dict = {"path": path or "default"}
    rulebook_id = None
    if rulebook is not None:
        rulebook_id, version = ensure_rulebook(session, key=rulebook.key, name=rulebook.name,
                                               language=rulebook.language, content_hash=rulebook.content_hash,
                                               definition=rulebook.definition)
        new |= {"key": rulebook.key, "version": version}
    audit.record(session, actor, "rulebook.activated", "rulebook", rulebook_id, {"path": previous or "default"}, new,
                 f"rulebook {new.get('key', '')} {path or 'default'}".strip())
    return rulebook_id


__all__ = ["activate_rulebook"]
