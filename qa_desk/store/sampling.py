"""Sampling rules as stored, and their runs: which calls go into whose review queue.

The picking itself is pure (``qa_desk.scoring.sampling``); this module feeds it the
period's calls from one SQL query, and writes a run (``SamplingRun``) with its
``ReviewAssignment`` rows in the caller's transaction, so a run is stored whole or not
at all. Every run keeps its seed and the rule as it was run: ``rerun`` repeats it on
today's data and, where the data has not changed, picks exactly the same calls.

Only a lead or an admin manages rules and runs (``sampling.manage``): the check is made
here, not only in the UI, so the CLI and scripts go through it too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from ..permissions import Actor, require
from ..scoring.periods import Period, parse_period
from ..scoring.sampling import Assignment, Candidate, SamplingRule, assign, due_date, select_calls
from ..scoring.scorecards import COUNTED_STATUSES
from ..wording import translate
from .audit import record
from .models import Agent, Call, Evaluation, Flag, ReviewAssignment, SamplingRun, Team
from .models import SamplingRule as RuleRow

# Seeds fit a 32-bit INTEGER column on every backend.
_SEED_RANGE = 2**31 - 1


class RuleNameTaken(ValueError):
    """Another sampling rule has the name (the CLI offers --replace)."""


@dataclass(frozen=True)
class RuleView:
    id: int
    name: str
    rule: SamplingRule
    active: bool
    created_by: str
    updated_at: datetime | None


@dataclass(frozen=True)
class RunReport:
    """What a run picked and gave to whom; ``run_id`` is None for a preview (nothing written)."""

    run_id: int | None
    rule: SamplingRule
    period: Period
    seed: int
    reviewers: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    due_on: date
    candidates: int  # the period's calls the query found (before the rule's filters)
    load_before: dict[str, int] = field(default_factory=dict)

    @property
    def picked(self) -> int:
        return len(self.assignments)

    def per_reviewer(self) -> dict[str, int]:
        out = {name: 0 for name in self.reviewers}
        for a in self.assignments:
            out[a.reviewer] = out.get(a.reviewer, 0) + 1
        return out

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "rule": self.rule.name, "period": self.period.label, "seed": self.seed,
            "reviewers": list(self.reviewers), "due_on": self.due_on.isoformat(), "picked": self.picked,
            "candidates": self.candidates, "per_reviewer": self.per_reviewer(),
            "assignments": [{"call_id": a.call_id, "reviewer": a.reviewer, "agent": a.pick.agent_name,
                             "reason": a.pick.reason} for a in self.assignments],
        }


def _audit(session: Session, actor: Actor, action: str, entity: str, entity_id, old=None, new=None,
           summary: str = "") -> None:
    record(session, actor, action, entity, entity_id, old=old, new=new, summary=summary)


def _view(row: RuleRow) -> RuleView:
    return RuleView(row.id, row.name, SamplingRule.from_dict(row.definition), bool(row.active), row.created_by,
                    row.updated_at)


def list_rules(session: Session, *, include_inactive: bool = False) -> list[RuleView]:
    query = select(RuleRow).order_by(RuleRow.name)
    if not include_inactive:
        query = query.where(RuleRow.active.is_(True))
    return [_view(r) for r in session.scalars(query)]


def get_rule(session: Session, rule_id: int) -> RuleView:
    row = session.get(RuleRow, rule_id)
    if row is None:
        raise LookupError(_no_rule(rule_id))
    return _view(row)


def find_rule(session: Session, key: str) -> RuleView:
    """A rule by id or by name (as the CLI is given it)."""
    row = session.get(RuleRow, int(key)) if str(key).isdigit() else None
    if row is None:
        row = session.scalars(select(RuleRow).where(RuleRow.name == str(key).strip())).first()
    if row is None:
        raise LookupError(translate("Errors", "There is no sampling rule '{rule}': check its name or id in the list of "
                                              "rules.").format(rule=key))
    return _view(row)


def _no_rule(rule_id: int) -> str:
    return translate("Errors", "There is no sampling rule {rule}: it may have been removed. Reload the list of "
                               "rules.").format(rule=rule_id)


def save_rule(session: Session, definition: dict | SamplingRule, *, actor: Actor,
              rule_id: int | None = None) -> RuleView:
    """Create a rule, or (``rule_id``) replace its definition; the name is the rule's own.
    SamplingRuleError names every problem of a bad definition before anything is written."""
    require(actor, "sampling.manage")
    rule = definition if isinstance(definition, SamplingRule) else SamplingRule.from_dict(definition)
    clash = session.scalars(select(RuleRow).where(RuleRow.name == rule.name)).first()
    if clash is not None and clash.id != rule_id:
        raise RuleNameTaken(translate("Errors", "A sampling rule named '{name}' already exists: choose another name, or "
                                                "change that rule.").format(name=rule.name))
    if rule_id is None:
        row = RuleRow(name=rule.name, definition=rule.to_dict(), active=True, created_by=actor.name)
        session.add(row)
        session.flush()
        _audit(session, actor, "sampling_rule.created", "sampling_rule", row.id, new=rule.to_dict(),
               summary=f"sampling rule '{rule.name}' created")
    else:
        row = session.get(RuleRow, rule_id)
        if row is None:
            raise LookupError(_no_rule(rule_id))
        old = dict(row.definition)
        row.name, row.definition, row.active = rule.name, rule.to_dict(), True
        session.flush()
        _audit(session, actor, "sampling_rule.changed", "sampling_rule", row.id, old=old, new=rule.to_dict(),
               summary=f"sampling rule '{rule.name}' changed")
    return _view(row)


def deactivate_rule(session: Session, rule_id: int, *, actor: Actor) -> None:
    """Retire a rule; its runs and the calls they queued stay (they are the audit trail)."""
    require(actor, "sampling.manage")
    row = session.get(RuleRow, rule_id)
    if row is None:
        raise LookupError(_no_rule(rule_id))
    if row.active:
        row.active = False
        session.flush()
        _audit(session, actor, "sampling_rule.deactivated", "sampling_rule", row.id, old={"active": True},
               new={"active": False}, summary=f"sampling rule '{row.name}' deactivated")


# --- candidates, in one query ---------------------------------------------------------

def candidates(session: Session, period: Period) -> list[Candidate]:
    """The period's calls with what a rule ranks or filters by, in one query."""
    critical = (select(func.count(Flag.id))
                .where(Flag.call_id == Call.id, Flag.severity == "critical", Flag.status != "dismissed")
                .correlate(Call).scalar_subquery())
    reviewed = exists().where(Evaluation.call_id == Call.id, Evaluation.status.in_(COUNTED_STATUSES),
                              Evaluation.calibration_session_id.is_(None))
    # Dead air is kept in the call's metrics JSON; read in Python (JSON paths differ by backend).
    started = func.coalesce(Call.started_at, Call.imported_at)
    query = (select(Call.id, Call.agent_id, Agent.name, started, Call.duration, Team.name, Call.queue,
                    Call.metrics, critical, case((reviewed, True), else_=False), Agent.hired_on)
             .outerjoin(Agent, Agent.id == Call.agent_id).outerjoin(Team, Team.id == Agent.team_id)
             .where(and_(started >= period.first_moment, started < period.after))
             .order_by(Call.id))
    out = []
    for (call_id, agent_id, agent, at, duration, team, queue, metrics, flags, was_reviewed,
         hired) in session.execute(query):
        dead_air = (metrics or {}).get("silence_total") if isinstance(metrics, dict) else None
        out.append(Candidate(call_id, agent_id, agent or "", at, float(duration or 0), team, queue,
                             float(dead_air) if dead_air is not None else None, int(flags or 0),
                             bool(was_reviewed), hired.date() if isinstance(hired, datetime) else hired))
    return out


def open_assignments(session: Session) -> set[int]:
    """Calls already in someone's queue (assigned or done): a run never queues them again."""
    return set(session.scalars(select(ReviewAssignment.call_id).where(ReviewAssignment.status != "cancelled")))


def open_load(session: Session) -> dict[str, int]:
    """Reviewer → calls waiting in their queue, the load a run evens out."""
    rows = session.execute(select(ReviewAssignment.reviewer_name, func.count())
                           .where(ReviewAssignment.status == "assigned")
                           .group_by(ReviewAssignment.reviewer_name))
    return {name: int(n) for name, n in rows}


def _quota_used(session: Session, rule_id: int | None, period: Period) -> dict[int, int]:
    """Agent → calls this rule already queued for them in this period (a re-run tops up)."""
    if rule_id is None:
        return {}
    rows = session.execute(
        select(Call.agent_id, func.count()).select_from(ReviewAssignment)
        .join(SamplingRun, SamplingRun.id == ReviewAssignment.run_id).join(Call, Call.id == ReviewAssignment.call_id)
        .where(SamplingRun.rule_id == rule_id, SamplingRun.period == period.label,
               ReviewAssignment.status != "cancelled", Call.agent_id.is_not(None))
        .group_by(Call.agent_id))
    return {agent: int(n) for agent, n in rows}


def new_seed() -> int:
    return random.SystemRandom().randint(1, _SEED_RANGE)


def _plan(session: Session, rule: SamplingRule, rule_id: int | None, period: Period, reviewers, seed: int,
          today: date, *, top_up: bool = True) -> RunReport:
    found = candidates(session, period)
    load = open_load(session)
    names = tuple(dict.fromkeys(r.strip() for r in reviewers if r and r.strip()))
    picks = select_calls(rule, found, seed=seed, period=period, already_assigned=open_assignments(session),
                         quota_used=_quota_used(session, rule_id, period) if top_up else None)
    assignments = assign(picks, names, current_load={n: load.get(n, 0) for n in names}, seed=seed)
    return RunReport(None, rule, period, seed, names, tuple(assignments), due_date(period, assigned_on=today),
                     len(found), {n: load.get(n, 0) for n in names})


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def preview(session: Session, rule_id: int, period: Period | str, *, reviewers, seed: int | None = None,
            today: date | None = None) -> RunReport:
    """What ``run_rule`` would write, written nowhere (the UI shows it before the lead confirms)."""
    view = get_rule(session, rule_id)
    return _plan(session, view.rule, view.id, _period(period), reviewers, new_seed() if seed is None else seed,
                 today or date.today())


def run_rule(session: Session, rule_id: int, period: Period | str, *, reviewers, actor: Actor,
             seed: int | None = None, today: date | None = None) -> RunReport:
    """Pick the period's calls by the rule, share them out and queue them: one run, one transaction."""
    require(actor, "sampling.manage")
    view = get_rule(session, rule_id)
    if not view.active:
        raise ValueError(translate("Errors", "The sampling rule '{name}' is no longer active: choose an active "
                                             "rule.").format(name=view.name))
    return _write(session, view.rule, view.id, _period(period), reviewers, actor,
                  new_seed() if seed is None else seed, today or date.today())


def _write(session: Session, rule: SamplingRule, rule_id: int | None, period: Period, reviewers, actor: Actor,
           seed: int, today: date) -> RunReport:
    plan = _plan(session, rule, rule_id, period, reviewers, seed, today)
    run = SamplingRun(rule_id=rule_id, rule_definition=rule.to_dict(), period=period.label, seed=seed,
                      reviewers=list(plan.reviewers), picked=plan.picked, ran_by=actor.name,
                      ran_at=datetime.now(timezone.utc).replace(tzinfo=None))
    session.add(run)
    session.flush()
    session.add_all(ReviewAssignment(call_id=a.call_id, reviewer_name=a.reviewer, run_id=run.id,
                                     reason=a.pick.reason, due_on=plan.due_on, status="assigned",
                                     assigned_by=actor.name) for a in plan.assignments)
    session.flush()
    _audit(session, actor, "sampling.run", "sampling_run", run.id,
           new={"rule": rule.name, "period": period.label, "seed": seed, "reviewers": list(plan.reviewers),
                "picked": plan.picked, "load_before": plan.load_before},
           summary=f"ran '{rule.name}' for {period.label} (seed {seed}): {plan.picked} calls queued")
    return RunReport(run.id, rule, period, seed, plan.reviewers, plan.assignments, plan.due_on, plan.candidates,
                     plan.load_before)


def replay(session: Session, run_id: int, *, today: date | None = None,
           current_load: dict[str, int] | None = None) -> RunReport:
    """A stored run worked out again with its own rule, seed and reviewers, written nowhere:
    on unchanged data, the same picks (the calls it queued are not 'already queued' here).
    Who got which call also depends on the reviewers' open load at the time, which the
    audit entry of the run keeps (``load_before``); pass it as ``current_load`` to check
    the shares too."""
    run = session.get(SamplingRun, run_id)
    if run is None:
        raise LookupError(_no_run(run_id))
    rule = SamplingRule.from_dict(run.rule_definition)
    period = parse_period(run.period)
    found = candidates(session, period)
    queued_elsewhere = set(session.scalars(select(ReviewAssignment.call_id).where(
        ReviewAssignment.status != "cancelled", ReviewAssignment.run_id.is_distinct_from(run_id))))
    picks = select_calls(rule, found, seed=run.seed, period=period, already_assigned=queued_elsewhere)
    assignments = assign(picks, run.reviewers, current_load=current_load, seed=run.seed)
    return RunReport(None, rule, period, run.seed, tuple(run.reviewers), tuple(assignments),
                     due_date(period, assigned_on=today or run.ran_at), len(found))


def _no_run(run_id: int) -> str:
    return translate("Errors", "There is no sampling run {run}: check the run's id.").format(run=run_id)


def rerun(session: Session, run_id: int, *, actor: Actor, today: date | None = None) -> RunReport:
    """Run a stored run's rule again for its period with its seed and reviewers (a top-up
    after late imports: calls already queued stay, each agent's quota is filled up)."""
    require(actor, "sampling.manage")
    run = session.get(SamplingRun, run_id)
    if run is None:
        raise LookupError(_no_run(run_id))
    return _write(session, SamplingRule.from_dict(run.rule_definition), run.rule_id, parse_period(run.period),
                  run.reviewers, actor, run.seed, today or date.today())


@dataclass(frozen=True)
class RunView:
    id: int
    rule: str
    period: str
    seed: int
    reviewers: tuple[str, ...]
    picked: int
    ran_by: str
    ran_at: datetime


def list_runs(session: Session, *, limit: int = 50) -> list[RunView]:
    rows = session.scalars(select(SamplingRun).order_by(SamplingRun.id.desc()).limit(limit))
    return [RunView(r.id, (r.rule_definition or {}).get("name", "?"), r.period, r.seed, tuple(r.reviewers or ()),
                    r.picked, r.ran_by, r.ran_at) for r in rows]


def known_reviewers(session: Session) -> list[str]:
    """Names a lead can queue calls for: active users who score calls, and anyone who has."""
    from .models import User

    names = set(session.scalars(select(User.name).where(User.active.is_(True),
                                                        User.role.in_(("reviewer", "lead", "admin")))))
    names |= {n for n in session.scalars(select(Evaluation.reviewer_name).distinct()) if n}
    names |= set(session.scalars(select(ReviewAssignment.reviewer_name).distinct()))
    return sorted(names)


__all__ = [
    "RuleNameTaken", "RuleView", "RunReport", "RunView", "candidates", "deactivate_rule", "find_rule", "get_rule",
    "known_reviewers", "list_rules", "list_runs", "new_seed", "open_assignments", "open_load", "preview", "replay", "rerun", "run_rule",
    "save_rule",
]
