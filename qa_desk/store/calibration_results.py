"""What a calibration session shows to whom, its results per call, and the report over time.

The blind rule (decided here, so the window, the CLI and a script all keep it):

- A participant sees the other sheets of a call only once they have submitted their own
  on that call (or the session is closed). Before that they see their own sheet and who
  has submitted (never a score or an answer of anyone else).
- This holds for the lead too when the lead scores: with the ``lead`` reference the lead
  is a participant, and a reference that had seen the room's answers first would be no
  reference at all.
- A lead or admin who is not scoring sees every submitted sheet at any time: they cannot
  be biased, and they follow the session.
- Drafts are nobody's business but their author's: results use submitted sheets only.

The reference of each call is the session's reference reviewer's submitted sheet; until
it is submitted the call is compared with the median, and ``reference_pending`` says so.
The report over time takes only calls compared with the session's own reference, with at
least two submitted sheets (one sheet compared with itself says nothing), and dates each
call by the day the session was started.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..permissions import Actor, can, require
from ..scoring.calibration import CalibrationResult, ReviewerCalibration, calibrate
from ..scoring.calibration import calibration_report as report_over
from ..scoring.forms import Form
from .calibration import SUBMITTED, SessionCall, SessionSummary, get_session, list_sessions
from .forms import stored_form
from .models import Answer, CalibrationSession, Evaluation


@dataclass(frozen=True)
class Sheet:
    """One reviewer's evaluation of one call in the session (what anyone may know of it
    without seeing its answers)."""

    evaluation_id: int
    reviewer: str
    status: str
    percent: float | None

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED


@dataclass(frozen=True)
class CallScores:
    call: SessionCall
    mine: Sheet | None  # the asking actor's own sheet (None: not started, or not a participant)
    submitted_by: tuple[str, ...]  # who has submitted, in invitation order (names only)
    revealed: bool  # the asking actor may see everyone's submitted answers on this call
    result: CalibrationResult | None  # None while blind, or before anyone submitted
    reference_pending: bool  # the reference reviewer has not submitted: compared with the median


@dataclass(frozen=True)
class SessionView:
    summary: SessionSummary
    form: Form
    calls: tuple[CallScores, ...]
    is_participant: bool
    can_manage: bool  # may close the session (creator or admin)

    @property
    def revealed_results(self) -> list[CalibrationResult]:
        return [c.result for c in self.calls if c.result is not None]


def _sheets(session: Session, session_id: int, participants: tuple[str, ...]
            ) -> dict[int, dict[str, tuple[Sheet, dict[str, str | None]]]]:
    """call → reviewer → (sheet, answers): every participant's evaluation in the session
    (the first one each started on a call, as ``calibration_evaluation`` returns it)."""
    rows = session.execute(
        select(Evaluation.id, Evaluation.call_id, Evaluation.reviewer_name, Evaluation.status, Evaluation.percent)
        .where(Evaluation.calibration_session_id == session_id).order_by(Evaluation.id)).all()
    ids = [r[0] for r in rows]
    answers: dict[int, dict[str, str | None]] = defaultdict(dict)
    if ids:
        for evaluation_id, key, value in session.execute(
                select(Answer.evaluation_id, Answer.item_key, Answer.value).where(Answer.evaluation_id.in_(ids))):
            answers[evaluation_id][key] = value
    out: dict[int, dict[str, tuple[Sheet, dict]]] = defaultdict(dict)
    for evaluation_id, call_id, reviewer, status, percent in rows:
        if reviewer in participants and reviewer not in out[call_id]:
            out[call_id][reviewer] = (Sheet(evaluation_id, reviewer, status, percent), answers[evaluation_id])
    return out


def _result(form: Form, summary: SessionSummary, call_id: int, sheets: dict[str, tuple[Sheet, dict]]
            ) -> tuple[CalibrationResult | None, bool]:
    """calibrate() over the call's submitted sheets, in invitation order; (result, reference pending)."""
    submitted = {name: sheets[name][1] for name in summary.participants
                 if name in sheets and sheets[name][0].submitted}
    if not submitted:
        return None, summary.reference_reviewer is not None
    reference = summary.reference_reviewer
    pending = reference is not None and reference not in submitted
    held = summary.created_at.date() if summary.created_at else None
    return calibrate(form, submitted, reference=None if pending else reference, call_id=call_id,
                     held_on=held), pending


def session_view(session: Session, session_id: int, actor: Actor) -> SessionView:
    """The session as ``actor`` may see it (the blind rule above). PermissionDenied for
    someone neither invited nor a lead/admin."""
    summary = get_session(session, session_id, actor)
    form = stored_form(session, summary.form_id)
    participant = actor.name in summary.participants
    manager = can(actor, "calibration.manage")
    all_sheets = _sheets(session, session_id, summary.participants)
    calls = []
    for call in summary.calls:
        sheets = all_sheets.get(call.call_id, {})
        mine = sheets.get(actor.name, (None, None))[0] if participant else None
        if participant:
            revealed = summary.status == "closed" or (mine is not None and mine.submitted)
        else:
            revealed = manager
        result, pending = _result(form, summary, call.call_id, sheets) if revealed else (None, False)
        submitted_by = tuple(n for n in summary.participants if n in sheets and sheets[n][0].submitted)
        calls.append(CallScores(call, mine, submitted_by, revealed, result, pending))
    closer = manager and (actor.role == "admin" or actor.name == summary.created_by)
    return SessionView(summary, form, tuple(calls), participant, closer)


@dataclass(frozen=True)
class CalibrationReport:
    since: date | None
    until: date | None
    sessions: tuple[SessionSummary, ...]  # the sessions held in the period, newest first
    results: tuple[tuple[int, CalibrationResult], ...]  # (session id, result) of every call counted
    reviewers: tuple[ReviewerCalibration, ...]


def calibration_report(session: Session, actor: Actor, *, since: date | None = None,
                       until: date | None = None, session_ids: list[int] | None = None) -> CalibrationReport:
    """Each reviewer's average deviation and agreement rate across the sessions started
    from ``since`` to ``until`` (both included; None: no bound), or across ``session_ids``.
    A lead's or admin's view: it shows everyone's figures."""
    require(actor, "calibration.manage")
    query = select(CalibrationSession.id)
    if since:
        query = query.where(CalibrationSession.created_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(CalibrationSession.created_at <= datetime.combine(until, time.max))
    if session_ids is not None:
        query = query.where(CalibrationSession.id.in_(session_ids))
    wanted = set(session.execute(query).scalars())
    summaries = [s for s in list_sessions(session, actor) if s.id in wanted]
    results: list[tuple[int, CalibrationResult]] = []
    for summary in reversed(summaries):  # oldest first: the report reads as time goes
        form = stored_form(session, summary.form_id)
        sheets = _sheets(session, summary.id, summary.participants)
        for call in summary.calls:
            result, pending = _result(form, summary, call.call_id, sheets.get(call.call_id, {}))
            if result is not None and not pending and len(result.reviewers) >= 2:
                results.append((summary.id, result))
    return CalibrationReport(since, until, tuple(summaries), tuple(results),
                             tuple(report_over(r for _, r in results)))


__all__ = ["CalibrationReport", "CallScores", "SessionView", "Sheet", "calibration_report", "session_view"]
