"""Calibration sessions: a lead has several reviewers score the same calls blind on one form.

A session is a name, one form version, its calls, the invited reviewers and the
reference (what counts as "right"):

- ``lead``: the lead who started the session scores the calls too; their sheet is the
  reference. They are made a participant (they must score like everyone else).
- ``expert``: a named reviewer's sheet is the reference (a quality expert); they are
  made a participant too.
- ``median``: nobody's sheet; the median percentage and each item's modal answer.

Calibration evaluations are ordinary evaluation rows with ``calibration_session_id``
set: the evaluation store scores, saves and submits them as any other, while scorecards,
``list_evaluations`` and the call's normal review (``qa_desk.reviewing``) leave them out,
so they never count toward an agent's scorecard.

They start blank, without the answers the call's flags would suggest: calibration
measures the reviewers' own judgement, and identical pre-filled answers would make
the room look more in agreement than it is.

Who sees what is decided here, in ``calibration_results.session_view``, not in the UI.
Permissions: starting and closing a session needs ``calibration.manage`` (lead, admin;
closing: the session's creator or an admin); scoring needs ``calibration.score`` and an
invitation.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..permissions import Actor, PermissionDenied, can, require, role_name
from ..wording import translate
from . import audit
from . import evaluations as evaluation_store
from .models import (
    Agent, Call, CalibrationCall, CalibrationParticipant, CalibrationSession, Evaluation, User,
)
from .models import Form as FormRow

REFERENCES = ("lead", "expert", "median")
SUBMITTED = ("submitted", "acknowledged", "disputed", "resolved")  # anything past draft is a score


class CalibrationSessionError(ValueError):
    """A session that cannot be started, scored or closed as asked; the message says why."""


@dataclass(frozen=True)
class SessionCall:
    call_id: int
    file_name: str
    agent: str | None
    started_at: datetime | None

    @property
    def label(self) -> str:
        when = f" {self.started_at:%Y-%m-%d %H:%M}" if self.started_at else ""
        agent = f" · {self.agent}" if self.agent else ""
        return f"#{self.call_id} {self.file_name}{agent}{when}"


@dataclass(frozen=True)
class SessionSummary:
    id: int
    name: str
    form_id: int
    form_key: str
    form_name: str
    form_version: int
    reference: str  # lead | expert | median
    reference_reviewer: str | None  # whose sheet is the reference (None: the median)
    status: str  # open | closed
    created_by: str
    created_at: datetime | None
    closed_at: datetime | None
    calls: tuple[SessionCall, ...]
    participants: tuple[str, ...]
    submitted: int  # submitted sheets, all participants and calls
    my_submitted: int | None  # the asking actor's submitted calls; None: not invited

    @property
    def expected(self) -> int:
        return len(self.calls) * len(self.participants)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _load(session: Session, session_id: int) -> CalibrationSession:
    row = session.get(CalibrationSession, session_id)
    if row is None:
        raise LookupError(translate("Errors", "There is no calibration session {id}: it may have been removed. "
                                              "Reload the list of sessions.").format(id=session_id))
    return row


def _participants(session: Session, session_id: int) -> list[str]:
    return list(session.execute(
        select(CalibrationParticipant.reviewer_name).where(CalibrationParticipant.session_id == session_id)
        .order_by(CalibrationParticipant.id)).scalars())


def session_calls(session: Session, session_id: int) -> list[SessionCall]:
    rows = session.execute(
        select(Call.id, Call.file_name, Agent.name, Call.started_at)
        .join(CalibrationCall, CalibrationCall.call_id == Call.id).outerjoin(Agent, Agent.id == Call.agent_id)
        .where(CalibrationCall.session_id == session_id).order_by(CalibrationCall.id)).all()
    return [SessionCall(*row) for row in rows]


def is_participant(session: Session, session_id: int, name: str) -> bool:
    return name in _participants(session, session_id)


def _clean_names(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        clean = (name or "").strip()
        if clean and clean not in seen:
            seen.append(clean)
    return seen


def _check_invitees(session: Session, names: list[str]) -> None:
    """A stored user must be active and allowed to score calibration; a name with no
    user row is a local reviewer (a single-user SQLite library has no users table rows)."""
    users = {u.name: u for u in session.execute(select(User).where(User.name.in_(names))).scalars()}
    for name in names:
        user = users.get(name)
        if user is None:
            continue
        if not user.active:
            raise CalibrationSessionError(translate(
                "Errors", "{name} is not an active user and cannot be invited: invite someone else, or ask an "
                "administrator to reactivate {name}.").format(name=name))
        if not can(Actor(user.name, user.role), "calibration.score"):
            raise CalibrationSessionError(translate(
                "Errors", "{name} ({role}) may not score calibration sessions: invite reviewers or team "
                "leads.").format(name=name, role=role_name(user.role)))


def start_session(session: Session, actor: Actor, *, name: str, form_id: int, call_ids: Iterable[int],
                  reviewers: Iterable[str], reference: str = "median",
                  reference_reviewer: str | None = None) -> SessionSummary:
    """A new open session. ``reference`` is lead (the actor scores as the reference),
    expert (``reference_reviewer`` does) or median. The reference scorer is invited
    whether or not they were listed. At least two people must score."""
    require(actor, "calibration.manage")
    name = (name or "").strip()
    if not name:
        raise CalibrationSessionError(translate("Errors", "A calibration session needs a name: give it one."))
    if reference not in REFERENCES:
        raise CalibrationSessionError(translate("Errors", "Unknown reference '{reference}': use {choices}.").format(
            reference=reference, choices=", ".join(REFERENCES)))
    if session.get(FormRow, form_id) is None:
        raise LookupError(translate("Errors", "There is no form version {id}: choose another form.").format(id=form_id))
    calls = list(dict.fromkeys(int(c) for c in call_ids))
    if not calls:
        raise CalibrationSessionError(translate("Errors", "A calibration session needs at least one call: choose the "
                                                          "calls to score."))
    known = set(session.execute(select(Call.id).where(Call.id.in_(calls))).scalars())
    missing = [c for c in calls if c not in known]
    if missing:
        raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(
            call=", ".join(map(str, missing))))
    invited = _clean_names(reviewers)
    if reference == "lead":
        reference_reviewer = actor.name
    elif reference == "expert":
        reference_reviewer = (reference_reviewer or "").strip()
        if not reference_reviewer:
            raise CalibrationSessionError(translate("Errors", "An expert reference needs the expert's name: name "
                                                              "the expert, or choose another reference."))
    else:
        reference_reviewer = None
    if reference_reviewer and reference_reviewer not in invited:
        invited.insert(0, reference_reviewer)  # the reference scores the calls like everyone else
    if len(invited) < 2:
        raise CalibrationSessionError(translate("Errors", "A calibration needs at least two people scoring the calls: "
                                                          "invite more reviewers."))
    _check_invitees(session, invited)
    row = CalibrationSession(name=name[:300], form_id=form_id, reference=reference,
                             reference_reviewer=reference_reviewer, status="open", created_by=actor.name,
                             created_at=_now())
    session.add(row)
    session.flush()
    session.add_all(CalibrationCall(session_id=row.id, call_id=c) for c in calls)
    session.add_all(CalibrationParticipant(session_id=row.id, reviewer_name=n) for n in invited)
    session.flush()
    audit.record(session, actor, "calibration.started", "calibration_session", row.id, None,
                 {"name": row.name, "form_id": form_id, "calls": list(calls), "reviewers": list(invited),
                  "reference": reference, "reference_reviewer": reference_reviewer}, row.name)
    return _summaries(session, [row], actor)[0]


def _summaries(session: Session, rows: list[CalibrationSession], actor: Actor) -> list[SessionSummary]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    forms = {f.id: f for f in session.execute(
        select(FormRow).where(FormRow.id.in_({r.form_id for r in rows}))).scalars()}
    people: dict[int, list[str]] = {i: [] for i in ids}
    for sid, name in session.execute(
            select(CalibrationParticipant.session_id, CalibrationParticipant.reviewer_name)
            .where(CalibrationParticipant.session_id.in_(ids)).order_by(CalibrationParticipant.id)):
        people[sid].append(name)
    submitted: dict[int, int] = {i: 0 for i in ids}
    mine: dict[int, int] = {i: 0 for i in ids}
    for sid, reviewer, count in session.execute(
            select(Evaluation.calibration_session_id, Evaluation.reviewer_name, func.count())
            .where(Evaluation.calibration_session_id.in_(ids), Evaluation.status.in_(SUBMITTED))
            .group_by(Evaluation.calibration_session_id, Evaluation.reviewer_name)):
        if reviewer in people[sid]:
            submitted[sid] += count
        if reviewer == actor.name:
            mine[sid] = count
    out = []
    for r in rows:
        form = forms[r.form_id]
        out.append(SessionSummary(
            r.id, r.name, r.form_id, form.key, form.name, form.version, r.reference, r.reference_reviewer,
            r.status, r.created_by, r.created_at, r.closed_at, tuple(session_calls(session, r.id)),
            tuple(people[r.id]), submitted[r.id], mine[r.id] if actor.name in people[r.id] else None))
    return out


def list_sessions(session: Session, actor: Actor, *, status: str | None = None) -> list[SessionSummary]:
    """Newest first. A lead or admin sees every session; anyone else the sessions they
    are invited to (with their own progress in ``my_submitted``)."""
    query = select(CalibrationSession)
    if not can(actor, "calibration.manage"):
        require(actor, "calibration.score")
        query = query.join(CalibrationParticipant, CalibrationParticipant.session_id == CalibrationSession.id) \
            .where(CalibrationParticipant.reviewer_name == actor.name)
    if status:
        query = query.where(CalibrationSession.status == status)
    rows = list(session.execute(query.order_by(CalibrationSession.created_at.desc(),
                                               CalibrationSession.id.desc())).scalars())
    return _summaries(session, rows, actor)


def get_session(session: Session, session_id: int, actor: Actor) -> SessionSummary:
    """One session, for a lead/admin or a participant (PermissionDenied for anyone else)."""
    row = _load(session, session_id)
    if not can(actor, "calibration.manage") and not is_participant(session, session_id, actor.name):
        raise PermissionDenied(_not_invited(actor, row))
    return _summaries(session, [row], actor)[0]


def _not_invited(actor: Actor, row: CalibrationSession) -> str:
    return translate("Errors", "{name} is not invited to the calibration session '{session}': ask {lead}, who "
                               "started it, for an invitation.").format(name=actor.name, session=row.name,
                                                                        lead=row.created_by)


def _own_evaluation(session: Session, session_id: int, call_id: int, reviewer: str) -> int | None:
    return session.execute(
        select(Evaluation.id).where(Evaluation.calibration_session_id == session_id, Evaluation.call_id == call_id,
                                    Evaluation.reviewer_name == reviewer)
        .order_by(Evaluation.id).limit(1)).scalar()


def calibration_evaluation(session: Session, session_id: int, call_id: int,
                           actor: Actor) -> evaluation_store.EvaluationView:
    """The actor's evaluation of ``call_id`` in the session: their existing one (draft or
    submitted), else a new blank draft on the session's form version. Only an invited
    reviewer gets one, and a new one only while the session is open."""
    require(actor, "calibration.score")
    row = _load(session, session_id)
    if not is_participant(session, session_id, actor.name):
        raise PermissionDenied(_not_invited(actor, row))
    if call_id not in {c.call_id for c in session_calls(session, session_id)}:
        raise LookupError(translate("Errors", "Call {call} is not in the calibration session '{session}': choose one "
                                              "of the session's calls.").format(call=call_id, session=row.name))
    existing = _own_evaluation(session, session_id, call_id, actor.name)
    if existing is not None:
        return evaluation_store.get_evaluation(session, existing, actor)
    if row.status != "open":
        raise CalibrationSessionError(translate("Errors", "The calibration session '{session}' is closed: no new "
                                                          "scores. Its results can be viewed.").format(session=row.name))
    # start_evaluation's own signature, then the marker on the same row in this transaction:
    # the row is never visible (committed) as an ordinary evaluation.
    started = _start(session, call_id, row.form_id, actor)
    ev = session.get(Evaluation, started.id)
    ev.calibration_session_id = session_id
    session.flush()
    return evaluation_store.get_evaluation(session, ev.id, actor)


def _start(session: Session, call_id: int, form_id: int, actor: Actor):
    """The evaluation store's start by keyword, passing ``actor`` and/or ``reviewer`` as
    its signature asks (the permissions work adds an ``actor`` argument to the store)."""
    params = inspect.signature(evaluation_store.start_evaluation).parameters
    who: dict = {}
    if "actor" in params:
        who["actor"] = actor
    if "reviewer" in params:
        who["reviewer"] = actor.name
    return evaluation_store.start_evaluation(session, call_id=call_id, form_id=form_id, suggestions={}, **who)


def calibration_session_of(session: Session, evaluation_id: int) -> int | None:
    """The session an evaluation belongs to; None for an ordinary evaluation."""
    return session.execute(select(Evaluation.calibration_session_id)
                           .where(Evaluation.id == evaluation_id)).scalar()


def close_session(session: Session, session_id: int, actor: Actor) -> SessionSummary:
    """Close the session: no new sheets, and every participant sees the results. The
    creator or an admin closes it."""
    require(actor, "calibration.manage")
    row = _load(session, session_id)
    if actor.role != "admin" and actor.name != row.created_by:
        raise PermissionDenied(translate("Errors", "Only {lead} (who started it) or an administrator may close the "
                                               "calibration session '{session}': ask them to close it.").format(
            lead=row.created_by, session=row.name))
    if row.status != "closed":
        row.status, row.closed_at = "closed", _now()
        session.flush()
        audit.record(session, actor, "calibration.closed", "calibration_session", row.id, {"status": "open"},
                     {"status": "closed"}, row.name)
    return _summaries(session, [row], actor)[0]


__all__ = [
    "REFERENCES", "SUBMITTED", "CalibrationSessionError", "SessionCall", "SessionSummary", "calibration_evaluation",
    "calibration_session_of", "close_session", "get_session", "is_participant", "list_sessions", "session_calls",
    "start_session",
]
