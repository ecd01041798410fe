"""The audit log: who changed what, when, old → new — written in the caller's transaction.

``record`` only adds a row to the session the change is made in, so the change and its
entry commit together or roll back together: the log never claims a change that did not
happen, nor misses one that did. The log is append-only for every role: this module has
no update or delete, and the database's own triggers (migration 0007) refuse UPDATE and
DELETE even to someone who bypasses QA Desk with the database's credentials.

Evaluations keep their own ``EvaluationEvent`` history (the evaluation panel shows it);
each step that matters (created, submitted, acknowledged, disputed, re-scored, resolved)
is *also* written here, so the audit view shows an evaluation's life next to the
flags, forms, exports and user changes around it, in one place and with one filter.

An entry is dated when it is recorded, except inside ``recorded_at``: the demo centre
writes months of past reviewing through the same store functions, and its history
must read as it is told (a dispute on 3 June, resolved on 5 June), not as all done the
minute the demo was built. Entries cannot be re-dated afterwards: the log is append-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..permissions import Actor
from .models import AuditEntry, User

# Entities the log names (the audit view's filter offers these).
ENTITIES = ("evaluation", "flag", "form", "rulebook", "clip", "playlist", "export", "user")


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    user_name: str
    action: str
    entity: str
    entity_id: int | None
    old: dict | None
    new: dict | None
    summary: str


def _now() -> datetime:
    return _dated.get() or datetime.now(timezone.utc).replace(tzinfo=None)


_dated: ContextVar[datetime | None] = ContextVar("audit_dated", default=None)


@contextmanager
def recorded_at(at: datetime) -> Iterator[None]:
    """Date the entries recorded inside this block ``at`` (a naive UTC time): history
    written after the fact (the demo centre), never a change made now."""
    token = _dated.set(at.replace(microsecond=0))
    try:
        yield
    finally:
        _dated.reset(token)


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: int | None,
           old: dict | None = None, new: dict | None = None, summary: str = "") -> None:
    """One audit entry in the session's transaction (committed with the change it records)."""
    user_id = actor.user_id
    if user_id is not None:  # an Actor from another database (the window reconnected) keeps only its name
        user = session.get(User, user_id)
        user_id = user_id if user is not None and user.name == actor.name else None
    session.add(AuditEntry(at=_now(), user_id=user_id, user_name=actor.name[:200], action=action[:60],
                           entity=entity[:40], entity_id=entity_id, old=old, new=new, summary=summary or None))


def _view(row: AuditEntry) -> AuditView:
    return AuditView(row.id, row.at, row.user_name, row.action, row.entity, row.entity_id, row.old, row.new,
                     row.summary or "")


def _start(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime.combine(day, time.min)


def _end(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime.combine(day, time.max)


def audit_entries(session: Session, *, entity: str | None = None, entity_id: int | None = None,
                  user: str | None = None, action: str | None = None, since: date | datetime | None = None,
                  until: date | datetime | None = None, limit: int | None = 1000) -> list[AuditView]:
    """Entries, newest first; a date ``until`` includes that whole day."""
    query = select(AuditEntry)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if user:
        query = query.where(AuditEntry.user_name == user)
    if action:
        query = query.where(AuditEntry.action == action)
    if since:
        query = query.where(AuditEntry.at >= _start(since))
    if until:
        query = query.where(AuditEntry.at <= _end(until))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit:
        query = query.limit(limit)
    return [_view(row) for row in session.execute(query).scalars()]


def evaluation_history(session: Session, evaluation_id: int) -> list[AuditView]:
    """An evaluation's whole life in the log, oldest first: created, submitted,
    disputed, re-scored, resolved — what the audit view shows for one dispute."""
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.entity == "evaluation", AuditEntry.entity_id == evaluation_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).scalars()
    return [_view(row) for row in rows]


def actions(session: Session) -> list[str]:
    """Every action the log holds (for the audit view's filter)."""
    return list(session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())


__all__ = ["ENTITIES", "AuditView", "actions", "audit_entries", "evaluation_history", "record", "recorded_at"]
