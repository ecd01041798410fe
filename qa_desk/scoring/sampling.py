"""Which calls get reviewed, and by whom: a team lead's sampling rules, pure and reproducible.

A ``SamplingRule`` says how many calls per agent a run picks in a period (the monitoring
quota) and how: at random, or targeted (most critical flags, longest dead air, shortest
or longest handle time, calls nobody has reviewed), within some teams or queues, never
a call too short to judge. ``select_calls`` turns the period's ``Candidate`` calls (a
store query fills them) into ``Pick``s; ``assign`` shares the picks out to reviewers.

Both are deterministic: the same rule, candidates and seed give the same picks and the
same reviewers, whatever order the candidates came in, so a run can be repeated and
audited later. Every pick says in words why it was picked.

Decisions a lead can read the run by:

- Randomness is per agent: each agent's calls, in call-id order, are shuffled by
  ``random.Random("<seed>:<agent id>")``. One agent's picks therefore do not change
  when another agent's calls come or go (a re-run after a late import only differs
  where it has to).
- A targeted rule picks only calls that have what it targets (at least one critical
  flag; some dead air measured; not yet reviewed); an agent with fewer such calls gets
  fewer picks. Equal measures are ordered by the same seeded shuffle.
- A call without an agent is nobody's quota and is never picked.
- ``new_agents_first``: an agent is new when hired less than ``new_agent_days`` before
  the period's first day (or during it). New agents' picks come first in the result and,
  when ``max_calls`` caps the run, their whole quota is filled before anyone else's.
  Otherwise a capped run goes round by round (everyone's first pick, then everyone's
  second, ...) in a seeded agent order, so the cap falls fairly.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

from ..wording import choose, translate
from .periods import Period

SELECTIONS = ("random", "critical_flags", "longest_dead_air", "shortest_handle", "longest_handle",
              "never_reviewed")
DEFAULT_NEW_AGENT_DAYS = 90  # a new hire's first three months: the usual probation window


class SamplingRuleError(ValueError):
    """A rule that cannot run; ``problems`` lists every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class AssignmentError(ValueError):
    """Picks that cannot be shared out (no reviewers, or only the agent could review)."""


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _names(value: object) -> tuple[str, ...] | None:
    """A list of team or queue names as a tuple of stripped names; None if it is not one."""
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return tuple(dict.fromkeys(v.strip() for v in value))


@dataclass(frozen=True)
class SamplingRule:
    name: str
    per_agent: int  # calls per agent per run (the period's monitoring quota)
    selection: str = "random"  # one of SELECTIONS
    new_agents_first: bool = False
    new_agent_days: int = DEFAULT_NEW_AGENT_DAYS
    teams: tuple[str, ...] = ()  # empty: every team
    queues: tuple[str, ...] = ()  # empty: every queue
    min_duration: float = 0.0  # seconds; shorter calls are too short to judge
    exclude_reviewed: bool = True  # a call someone already evaluated is not sampled again
    max_calls: int | None = None  # the whole run's cap (reviewers' capacity); None: no cap

    def __post_init__(self) -> None:
        problems: list[str] = []
        named = isinstance(self.name, str) and self.name.strip()
        # Every problem starts with the rule it is about: "<the rule>: <the problem>".
        label = (translate("Sampling", "sampling rule '{name}'").format(name=self.name) if named else
                 translate("Sampling", "sampling rule"))

        def problem(text: str, **values) -> None:
            problems.append(translate("Sampling", "{rule}: {problem}").format(rule=label, problem=text.format(**values)))

        if not named:
            problem(translate("Sampling", "name must be non-empty text"))
        if not _whole(self.per_agent) or self.per_agent < 1:
            problem(translate("Sampling", "calls per agent must be a whole number of 1 or more, not {value!r}"),
                    value=self.per_agent)
        if self.selection not in SELECTIONS:
            problem(translate("Sampling", "selection '{selection}' is not one of {choices}"),
                    selection=self.selection, choices=", ".join(SELECTIONS))
        for flag in ("new_agents_first", "exclude_reviewed"):
            if not isinstance(getattr(self, flag), bool):
                problem(translate("Sampling", "{field} must be true or false, not {value!r}"), field=flag,
                        value=getattr(self, flag))
        if not _whole(self.new_agent_days) or self.new_agent_days < 1:
            problem(translate("Sampling", "the new-agent window must be a whole number of days, 1 or more, "
                                          "not {value!r}"), value=self.new_agent_days)
        for field in ("teams", "queues"):
            names = _names(getattr(self, field))
            if names is None:
                problem(translate("Sampling", "{field} must be a list of names (empty: all), not {value!r}"),
                        field=field, value=getattr(self, field))
            else:
                object.__setattr__(self, field, names)  # a list from JSON becomes a tuple: hashable, frozen
        duration = self.min_duration
        if (isinstance(duration, bool) or not isinstance(duration, (int, float)) or not math.isfinite(duration)
                or duration < 0):
            problem(translate("Sampling", "the minimum duration must be seconds, 0 or more, not {value!r}"),
                    value=duration)
        if self.max_calls is not None and (not _whole(self.max_calls) or self.max_calls < 1):
            problem(translate("Sampling", "the run's cap must be a whole number of calls, 1 or more, or none, "
                                          "not {value!r}"), value=self.max_calls)
        if problems:
            raise SamplingRuleError(problems)

    @classmethod
    def from_dict(cls, data: Mapping) -> SamplingRule:
        """A rule as stored (JSON); unknown fields are a problem, not silently dropped."""
        if not isinstance(data, Mapping):
            raise SamplingRuleError([translate("Sampling", "sampling rule: expected a mapping of fields, not {type}")
                                     .format(type=type(data).__name__)])
        known = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in known]
        problems = [translate("Sampling", "sampling rule: unknown field '{field}' (fields: {fields})").format(
            field=k, fields=", ".join(known)) for k in unknown]
        missing = [k for k in ("name", "per_agent") if k not in data]
        problems += [translate("Sampling", "sampling rule: {field} is missing").format(field=k) for k in missing]
        if problems:
            raise SamplingRuleError(problems)
        return cls(**data)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["teams"], data["queues"] = list(self.teams), list(self.queues)
        return data


@dataclass(frozen=True)
class Candidate:
    """A call a run may pick, as a store query fills it."""

    call_id: int
    agent_id: int | None  # None: the recorder named no agent (never picked)
    agent_name: str
    started_at: datetime  # the call's start (its import time where the recorder gave none)
    duration: float  # seconds: the handle time
    team: str | None = None
    queue: str | None = None
    dead_air: float | None = None  # seconds of dead air; None: no audio metrics yet
    critical_flags: int = 0  # critical-severity flags not dismissed
    reviewed: bool = False  # some evaluation of it exists
    hired_on: date | None = None  # the agent's hire date


@dataclass(frozen=True)
class Pick:
    call_id: int
    agent_id: int
    agent_name: str
    rule: str
    criterion: str  # the rule's selection
    rank: int  # 1: the agent's first call by the criterion
    measure: float | None  # what the criterion ranked by (flags, seconds); None for random picks
    eligible: int  # the agent's calls that passed the rule's filters
    new_agent: bool
    reason: str  # the audit trail, in words


@dataclass(frozen=True)
class Assignment:
    call_id: int
    reviewer: str
    load_before: int  # the reviewer's open reviews (current and this run's) before this one
    pick: Pick


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def is_new_agent(hired_on: date | datetime | None, period: Period, window_days: int) -> bool:
    """New at some time in the period: hired less than ``window_days`` before its first day."""
    hired = _day(hired_on)
    return hired is not None and (period.start - hired).days < window_days


def _eligible(rule: SamplingRule, call: Candidate, period: Period, assigned: set[int]) -> bool:
    return (call.agent_id is not None and period.contains(call.started_at)
            and call.duration >= rule.min_duration
            and (not rule.teams or call.team in rule.teams)
            and (not rule.queues or call.queue in rule.queues)
            and not (rule.exclude_reviewed and call.reviewed)
            and call.call_id not in assigned)


# selection → (does the call have what the rule targets, sort key: smaller first, measure)
_TARGETS = {
    "random": (lambda c: True, lambda c: 0, lambda c: None),
    "never_reviewed": (lambda c: not c.reviewed, lambda c: 0, lambda c: None),
    "critical_flags": (lambda c: c.critical_flags > 0, lambda c: -c.critical_flags, lambda c: c.critical_flags),
    "longest_dead_air": (lambda c: (c.dead_air or 0) > 0, lambda c: -c.dead_air, lambda c: c.dead_air),
    "shortest_handle": (lambda c: True, lambda c: c.duration, lambda c: c.duration),
    "longest_handle": (lambda c: True, lambda c: -c.duration, lambda c: c.duration),
}


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _reason(rule: SamplingRule, call: Candidate, rank: int, eligible: int, seed, period: Period,
            new: bool) -> str:
    values = {"agent": call.agent_name, "eligible": eligible, "period": period.label, "seed": seed, "rank": rank,
              "flags": call.critical_flags, "dead_air": _clock(call.dead_air or 0), "handle": _clock(call.duration)}
    selection = rule.selection
    if selection == "random":
        why = translate("Sampling", "random sample (seed {seed}) of {agent}'s {eligible} eligible calls in {period}")
    elif selection == "never_reviewed":
        why = translate("Sampling", "never reviewed; random (seed {seed}) among {agent}'s {eligible} eligible calls "
                                    "in {period}")
    elif selection == "critical_flags":
        why = choose(call.critical_flags, translate(
            "Sampling", "{flags} critical flag: #{rank} most flagged of {agent}'s {eligible} eligible calls in {period}"
        ), translate(
            "Sampling", "{flags} critical flags: #{rank} most flagged of {agent}'s {eligible} eligible calls in {period}"
        ))
    elif selection == "longest_dead_air":
        why = translate("Sampling", "{dead_air} dead air: #{rank} longest of {agent}'s {eligible} eligible calls in "
                                    "{period}")
    elif selection == "shortest_handle":
        why = translate("Sampling", "handle time {handle}: #{rank} shortest of {agent}'s {eligible} eligible calls in "
                                    "{period}")
    else:
        why = translate("Sampling", "handle time {handle}: #{rank} longest of {agent}'s {eligible} eligible calls in "
                                    "{period}")
    why = why.format(**values)
    if new:
        why = translate("Sampling", "{why}; new agent (hired {hired})").format(why=why, hired=_day(call.hired_on))
    return translate("Sampling", "rule '{rule}': {why}").format(rule=rule.name, why=why)


def _check_seed(seed: object) -> None:
    # random.Random(None) would draw from the clock: a run nobody could repeat.
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise TypeError(f"a sampling seed is a whole number or text, not {seed!r}")


def select_calls(rule: SamplingRule, candidates: Iterable[Candidate], *, seed: int | str, period: Period,
                 already_assigned: Iterable[int] = (), quota_used: Mapping[int, int] | None = None) -> list[Pick]:
    """The calls ``rule`` picks from ``candidates`` in ``period``: at most ``per_agent`` per
    agent (less what ``quota_used`` says this rule already picked for the agent in the
    period, so a re-run tops up rather than doubles), never a call in ``already_assigned``.
    New agents first (when the rule says), then by agent name, each agent's picks by rank."""
    _check_seed(seed)
    calls: dict[int, Candidate] = {}
    for call in candidates:
        if call.call_id in calls and calls[call.call_id] != call:
            raise ValueError(translate("Sampling", "call {call} is among the candidates twice, with different "
                                                   "details").format(call=call.call_id))
        calls[call.call_id] = call
    assigned = set(already_assigned)
    by_agent: dict[int, list[Candidate]] = defaultdict(list)
    for call_id in sorted(calls):  # a stable order before any randomness
        if _eligible(rule, calls[call_id], period, assigned):
            by_agent[calls[call_id].agent_id].append(calls[call_id])

    targets, order, measure = _TARGETS[rule.selection]
    used = quota_used or {}
    ranked: dict[int, list[Pick]] = {}
    for agent_id, agent_calls in by_agent.items():
        quota = rule.per_agent - max(0, used.get(agent_id, 0))
        if quota <= 0:
            continue
        shuffled = list(agent_calls)
        random.Random(f"{seed}:{agent_id}").shuffle(shuffled)
        # The sort is stable: calls the criterion ranks equal keep the seeded order.
        chosen = sorted((c for c in shuffled if targets(c)), key=order)[:quota]
        new = rule.new_agents_first and is_new_agent(agent_calls[0].hired_on, period, rule.new_agent_days)
        ranked[agent_id] = [
            Pick(c.call_id, agent_id, c.agent_name, rule.name, rule.selection, rank, measure(c), len(agent_calls),
                 new, _reason(rule, c, rank, len(agent_calls), seed, period, new))
            for rank, c in enumerate(chosen, 1)
        ]
    picks = _capped(ranked, rule.max_calls, seed)
    return sorted(picks, key=lambda p: (not p.new_agent, p.agent_name, p.agent_id, p.rank))


def _capped(ranked: dict[int, list[Pick]], cap: int | None, seed) -> list[Pick]:
    """Everything when there is no cap; else new agents' whole quota, then round by round."""
    everything = [p for picks in ranked.values() for p in picks]
    if cap is None or len(everything) <= cap:
        return everything
    agents = sorted(ranked)
    random.Random(f"{seed}:agents").shuffle(agents)
    new = [a for a in agents if ranked[a] and ranked[a][0].new_agent]
    rest = [a for a in agents if a not in new]
    out: list[Pick] = []
    for group, whole_quota in ((new, True), (rest, False)):
        if whole_quota:
            out += [p for a in group for p in ranked[a]]
        else:
            deepest = max((len(ranked[a]) for a in group), default=0)
            out += [ranked[a][r] for r in range(deepest) for a in group if r < len(ranked[a])]
    # New agents' quota first, which the cap may cut too (a lead asked for them first).
    return out[:cap]


def same_person(a: str, b: str) -> bool:
    """Reviewer and agent names compared as people type them: width, case and spacing aside."""
    def norm(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return norm(a) == norm(b)


def assign(picks: Sequence[Pick], reviewers: Sequence[str], *, current_load: Mapping[str, int] | None = None,
           seed: int | str, avoid_self: bool = True) -> list[Assignment]:
    """Share ``picks`` out to ``reviewers`` so each ends as close as possible to the same
    number of open reviews, counting ``current_load`` (reviewer → open reviews).

    Each call goes to the reviewer with the fewest open reviews; among equals, to the one
    with fewest of that agent's calls in this run (an agent's calls spread over
    reviewers), then in a seeded reviewer order. With ``avoid_self`` a reviewer whose
    name is the agent's never gets that agent's call; those calls are shared first, so the
    unconstrained ones can even the load out after them. Returned in the picks' order.
    """
    _check_seed(seed)
    if not picks:
        return []
    twice = sorted(c for c, n in Counter(p.call_id for p in picks).items() if n > 1)
    if twice:
        raise AssignmentError(translate("Sampling", "calls {calls} are picked more than once").format(
            calls=", ".join(map(str, twice))))
    names = list(dict.fromkeys(r.strip() for r in reviewers if isinstance(r, str) and r.strip()))
    if not names:
        raise AssignmentError(choose(len(picks), translate("Sampling", "{n} call to review but no reviewers to "
                                                                       "assign it to"),
                                     translate("Sampling", "{n} calls to review but no reviewers to assign them "
                                                           "to")).format(n=len(picks)))
    load: dict[str, int] = {}
    for name in names:
        open_reviews = (current_load or {}).get(name, 0)
        if not _whole(open_reviews) or open_reviews < 0:
            raise AssignmentError(translate("Sampling", "reviewer {name}: open reviews must be a whole number, 0 or "
                                                        "more, not {value!r}").format(name=name, value=open_reviews))
        load[name] = open_reviews
    tie = sorted(names)
    random.Random(f"{seed}:reviewers").shuffle(tie)
    position = {name: i for i, name in enumerate(tie)}

    def allowed(pick: Pick) -> list[str]:
        return [n for n in names if not (avoid_self and same_person(n, pick.agent_name))]

    stranded = [p.call_id for p in picks if not allowed(p)]
    if stranded:
        raise AssignmentError(translate("Sampling", "calls {calls}: the only reviewer is the agent on the call (add "
                                                    "another reviewer)").format(calls=", ".join(map(str, sorted(stranded)))))
    # Constrained calls first; then by agent and call, so a run does not depend on input order.
    order = sorted(picks, key=lambda p: (len(allowed(p)) == len(names), p.agent_id, p.call_id))
    per_agent: dict[tuple[int, str], int] = Counter()
    chosen: dict[int, Assignment] = {}
    for pick in order:
        reviewer = min(allowed(pick), key=lambda n: (load[n], per_agent[pick.agent_id, n], position[n]))
        chosen[pick.call_id] = Assignment(pick.call_id, reviewer, load[reviewer], pick)
        load[reviewer] += 1
        per_agent[pick.agent_id, reviewer] += 1
    return [chosen[p.call_id] for p in picks]


def due_date(period: Period, *, assigned_on: date | datetime | None = None, grace_days: int = 0,
             min_days: int = 3) -> date:
    """When a run's reviews are due: the period's last day plus ``grace_days``, but never
    less than ``min_days`` after ``assigned_on`` (a sample of last month drawn on the 2nd
    still leaves the reviewer time to listen)."""
    due = period.end + timedelta(days=grace_days)
    assigned = _day(assigned_on)
    if assigned is not None:
        due = max(due, assigned + timedelta(days=min_days))
    return due


__all__ = [
    "DEFAULT_NEW_AGENT_DAYS", "SELECTIONS", "Assignment", "AssignmentError", "Candidate", "Pick", "SamplingRule",
    "SamplingRuleError", "assign", "due_date", "is_new_agent", "same_person", "select_calls",
]
