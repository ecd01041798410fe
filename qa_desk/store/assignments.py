"""Review queues: the calls assigned to each reviewer, what is done and what is overdue.

An assignment is done when its reviewer has submitted a counted evaluation of the call
(not a calibration score). That is worked out from the evaluations themselves, so this
module needs nothing from the evaluation store; reading a queue also marks such rows
``done`` with the evaluation's id, so the stored status catches up for reports and SQL.

Which assignments belong to a period ("7 of 12 done this month"): those of the period's
calls, as a sampling run of a period samples that period's calls. A November run made on
2 December (due a few days later) is still November's monitoring in the overview.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from ..permissions import Actor, require
from ..scoring.periods import Period
from ..scoring.scorecards import COUNTED_STATUSES
from ..wording import translate
from .audit import record
from .models import Agent, Call, Evaluation, ReviewAssignment


@dataclass(frozen=True)
class QueueItem:
    id: int  # the assignment
    call_id: int
    call_name: str
    agent: str
    started_at: datetime | None
    duration: float
    due_on: date | None
    reason: str
    status: str  # assigned | done | cancelled
    reviewer: str
    evaluation_id: int | None
    overdue: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "call_id": self.call_id, "call": self.call_name, "agent": self.agent,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "duration": self.duration, "due_on": self.due_on.isoformat() if self.due_on else None,
                "reason": self.reason, "status": self.status, "reviewer": self.reviewer,
                "evaluation_id": self.evaluation_id, "overdue": self.overdue}


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # assigned or done in the period (cancelled ones are nobody's work)
    overdue: int


@dataclass(frozen=True)
class OverviewRow:
    name: str  # reviewer or agent
    assigned: int  # all not cancelled, done included
    done: int
    overdue: int

    @property
    def open(self) -> int:
        return self.assigned - self.done


@dataclass(frozen=True)
class Overview:
    period: Period
    reviewers: list[OverviewRow]
    agents: list[OverviewRow]


def _submitted(evaluation=Evaluation):
    """A counted evaluation of the assignment's call by the assigned reviewer."""
    return and_(evaluation.call_id == ReviewAssignment.call_id,
                evaluation.reviewer_name == ReviewAssignment.reviewer_name,
                evaluation.status.in_(COUNTED_STATUSES), evaluation.calibration_session_id.is_(None))


def mark_done(session: Session) -> int:
    """Mark assigned rows whose reviewer has since submitted the call; how many changed."""
    first = (select(func.min(Evaluation.id)).where(_submitted()).correlate(ReviewAssignment).scalar_subquery())
    result = session.execute(update(ReviewAssignment).where(ReviewAssignment.status == "assigned",
                                                            first.is_not(None))
                             .values(status="done", evaluation_id=first)
                             .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount or 0


def _in_period(period: Period):
    started = func.coalesce(Call.started_at, Call.imported_at)
    return and_(started >= period.first_moment, started < period.after)


def _items(session: Session, where, today: date) -> list[QueueItem]:
    query = (select(ReviewAssignment, Call.file_name, Agent.name, Call.started_at, Call.duration)
             .join(Call, Call.id == ReviewAssignment.call_id).outerjoin(Agent, Agent.id == Call.agent_id)
             .where(*where)
             .order_by(ReviewAssignment.status != "assigned", ReviewAssignment.due_on.is_(None),
                       ReviewAssignment.due_on, ReviewAssignment.id))
    return [QueueItem(a.id, a.call_id, name, agent or "", started, float(duration or 0), a.due_on, a.reason or "",
                      a.status, a.reviewer_name, a.evaluation_id,
                      a.status == "assigned" and a.due_on is not None and a.due_on < today)
            for a, name, agent, started, duration in session.execute(query)]


def my_queue(session: Session, reviewer: str, *, include_done: bool = True, period: Period | None = None,
             today: date | None = None) -> list[QueueItem]:
    """The reviewer's assigned calls, open ones first by due date, then the done ones."""
    mark_done(session)
    where = [ReviewAssignment.reviewer_name == reviewer, ReviewAssignment.status != "cancelled"]
    if not include_done:
        where.append(ReviewAssignment.status == "assigned")
    if period is not None:
        where.append(_in_period(period))
    return _items(session, where, today or date.today())


def progress(session: Session, reviewer: str, period: Period, *, today: date | None = None) -> Progress:
    """How far the reviewer is with the period's queue: done of total, and overdue."""
    items = my_queue(session, reviewer, period=period, today=today)
    return Progress(sum(i.status == "done" for i in items), len(items), sum(i.overdue for i in items))


def all_items(session: Session, period: Period | None = None, *, today: date | None = None) -> list[QueueItem]:
    """Every reviewer's queue (a lead's view), optionally only the period's."""
    mark_done(session)
    where = [ReviewAssignment.status != "cancelled"]
    if period is not None:
        where.append(_in_period(period))
    return _items(session, where, today or date.today())


def overview(session: Session, period: Period, *, today: date | None = None) -> Overview:
    """Per reviewer and per agent: assigned, done and overdue in the period."""
    items = all_items(session, period, today=today)

    def rows(key) -> list[OverviewRow]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for item in items:
            c = counts[key(item) or "—"]
            c[0] += 1
            c[1] += item.status == "done"
            c[2] += item.overdue
        return [OverviewRow(name, *c) for name, c in sorted(counts.items())]

    return Overview(period, rows(lambda i: i.reviewer), rows(lambda i: i.agent))


def _load(session: Session, assignment_id: int) -> ReviewAssignment:
    row = session.get(ReviewAssignment, assignment_id)
    if row is None:
        raise LookupError(translate("Errors", "There is no review assignment {id}: it may have been removed. Reload "
                                              "the queue.").format(id=assignment_id))
    return row


def _audit(session, actor, action, entity_id, old, new, summary) -> None:
    record(session, actor, action, "review_assignment", entity_id, old=old, new=new, summary=summary)


def reassign(session: Session, assignment_id: int, to_reviewer: str, *, actor: Actor) -> QueueItem:
    """Move an open assignment to another reviewer (holiday, sickness, a too-full queue)."""
    require(actor, "sampling.manage")
    to_reviewer = (to_reviewer or "").strip()
    if not to_reviewer:
        raise ValueError(translate("Errors", "Reassign to whom? The reviewer's name is empty: choose a reviewer."))
    mark_done(session)
    row = _load(session, assignment_id)
    if row.status == "done":
        raise ValueError(translate("Errors", "Call {call} is already reviewed in {reviewer}'s queue; only an open "
                                             "assignment can move.").format(call=row.call_id, reviewer=row.reviewer_name))
    if row.status != "assigned":
        raise ValueError(translate("Errors", "Call {call} was taken out of {reviewer}'s queue; only an open "
                                             "assignment can move. Assign the call again instead.").format(
            call=row.call_id, reviewer=row.reviewer_name))
    old = row.reviewer_name
    if old != to_reviewer:
        row.reviewer_name, row.assigned_by = to_reviewer, actor.name
        session.flush()
        _audit(session, actor, "review.reassigned", row.id, {"reviewer": old}, {"reviewer": to_reviewer},
               f"call {row.call_id} moved from {old} to {to_reviewer}")
    return _items(session, [ReviewAssignment.id == row.id], date.today())[0]


def assign_call(session: Session, call_id: int, reviewer: str, *, actor: Actor, due_on: date | None = None,
                reason: str | None = None) -> QueueItem:
    """Put one call in a reviewer's queue by hand; a call is in at most one open queue."""
    require(actor, "sampling.manage")
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ValueError(translate("Errors", "Assign to whom? The reviewer's name is empty: choose a reviewer."))
    if session.get(Call, call_id) is None:
        raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(call=call_id))
    held = session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call_id,
                                                          ReviewAssignment.status == "assigned")).first()
    if held is not None:
        raise ValueError(translate("Errors", "Call {call} is already in {reviewer}'s queue: reassign it from there "
                                             "instead.").format(call=call_id, reviewer=held.reviewer_name))
    row = ReviewAssignment(call_id=call_id, reviewer_name=reviewer, reason=reason or f"assigned by {actor.name}",
                           due_on=due_on, status="assigned", assigned_by=actor.name)
    session.add(row)
    session.flush()
    _audit(session, actor, "review.assigned", row.id, None, {"call_id": call_id, "reviewer": reviewer},
           f"call {call_id} assigned to {reviewer}")
    return _items(session, [ReviewAssignment.id == row.id], date.today())[0]


def cancel(session: Session, assignment_id: int, *, actor: Actor) -> None:
    """Take an open call out of the queue (a wrong pick, a call that cannot be judged)."""
    require(actor, "sampling.manage")
    row = _load(session, assignment_id)
    if row.status == "cancelled":
        return
    if row.status == "done":
        raise ValueError(translate("Errors", "Call {call} is already reviewed; a done assignment stays in the "
                                             "queue.").format(call=row.call_id))
    row.status = "cancelled"
    session.flush()
    _audit(session, actor, "review.cancelled", row.id, {"status": "assigned"}, {"status": "cancelled"},
           f"call {row.call_id} taken out of {row.reviewer_name}'s queue")


__all__ = ["Overview", "OverviewRow", "Progress", "QueueItem", "all_items", "assign_call", "cancel", "mark_done",
           "my_queue", "overview", "progress", "reassign"]
