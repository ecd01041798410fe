"""Evaluation form versions in the database.

A form version is a row that never changes: saving a form's new content adds the key's
next version, saving the same content again finds the version it already has. Every
evaluation points at the version it was scored on, so it is always shown and
recomputed with that version, whatever the form became later. The form builder asks
``evaluations_using`` before saving, to tell the lead that a form in use gets a new
version (the old one stays with its evaluations).

Saving a form's new version needs a lead or admin (checked here, whatever the caller)
and is audited. The one exception is the app seeding a database with its own shipped
forms on first use: that is not anyone's edit, and it is logged as QA Desk's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..permissions import Actor
from ..scoring.forms import Form, FormError, forms_dir, load_form
from ..wording import translate
from . import audit
from .models import Evaluation
from .users import check
from .models import Form as FormRow
from .versions import store_version


@dataclass(frozen=True)
class FormVersion:
    id: int
    key: str
    version: int
    name: str
    language: str | None
    content_hash: str
    created_at: datetime | None
    evaluations: int  # how many evaluations were scored on this version


def _version(row: FormRow, evaluations: int) -> FormVersion:
    return FormVersion(row.id, row.key, row.version, row.name, row.language, row.content_hash, row.created_at,
                       evaluations)


def _counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Evaluation.form_id, func.count()).where(Evaluation.form_id.in_(ids)).group_by(Evaluation.form_id)
    ).all()
    return dict(rows)


# Who stores the shipped forms on a new database (never handed to callers).
_SHIPPED = Actor("QA Desk (shipped forms)", "admin")


def save_form(session: Session, form: Form, *, actor: Actor | str | None) -> FormVersion:
    """The stored version of ``form``'s content: the existing one, or the key's next
    (a new version needs a lead or admin, and is audited)."""
    return _save(session, form, check(session, actor, "form.edit"))


def _save(session: Session, form: Form, actor: Actor) -> FormVersion:
    known = session.execute(select(FormRow.id).where(FormRow.key == form.key,
                                                     FormRow.content_hash == form.content_hash)).first()
    row = store_version(session, FormRow, form.key, form.content_hash, lambda version: FormRow(
        key=form.key, version=version, name=form.name[:300], language=form.language,
        definition=form.definition, content_hash=form.content_hash,
    ))
    if known is None:
        audit.record(session, actor, "form.version_saved", "form", row.id, None,
                     {"key": row.key, "version": row.version, "content_hash": row.content_hash},
                     f"form {row.key} version {row.version}")
    return _version(row, _counts(session, [row.id]).get(row.id, 0))


def form_versions(session: Session, key: str) -> list[FormVersion]:
    """Every version of one form, newest first."""
    rows = session.execute(select(FormRow).where(FormRow.key == key).order_by(FormRow.version.desc())).scalars().all()
    counts = _counts(session, [r.id for r in rows])
    return [_version(r, counts.get(r.id, 0)) for r in rows]


def latest_forms(session: Session) -> list[FormVersion]:
    """The newest version of every form, by name."""
    newest = select(FormRow.key, func.max(FormRow.version).label("version")).group_by(FormRow.key).subquery()
    rows = session.execute(
        select(FormRow).join(newest, (FormRow.key == newest.c.key) & (FormRow.version == newest.c.version))
        .order_by(FormRow.name, FormRow.key)
    ).scalars().all()
    counts = _counts(session, [r.id for r in rows])
    return [_version(r, counts.get(r.id, 0)) for r in rows]


def evaluations_using(session: Session, form_id: int) -> int:
    return _counts(session, [form_id]).get(form_id, 0)


def stored_form(session: Session, form_id: int) -> Form:
    """The form exactly as that version defined it (LookupError if there is no such version)."""
    row = session.get(FormRow, form_id)
    if row is None:
        raise LookupError(translate("Errors", "There is no form version {id}: choose another form.").format(id=form_id))
    return Form.from_definition(row.definition, f"{row.key} v{row.version}")


@dataclass
class InstallReport:
    stored: list[FormVersion]
    failed: dict[str, str]  # file name → why it was not stored


def _shipped(path: Path) -> bool:
    return Path(path).resolve().parent == forms_dir().resolve()


def install_forms(session: Session, paths: list[Path], known_rules: set[str] | None = None, *,
                  actor: Actor | str | None = None) -> InstallReport:
    """Store each form file's content (a no-op for content already stored). A broken
    file is reported by name and the others are still stored. Only the shipped forms
    may be installed without an ``actor``; any other file is a lead's or admin's edit."""
    if actor is not None or not all(_shipped(p) for p in paths):
        actor = check(session, actor, "form.edit")
    report = InstallReport([], {})
    for path in paths:
        try:
            form = load_form(path, known_rules)
        except FormError as exc:
            report.failed[Path(path).name] = "\n".join(exc.problems)
            continue
        report.stored.append(_save(session, form, actor or _SHIPPED))
    return report
