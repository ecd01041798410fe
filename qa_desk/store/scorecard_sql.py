"""The aggregate queries behind scorecards: four GROUP BY queries per scorecard, however
many evaluations the periods hold.

Each query reads the calls of one or more periods (by the call's date: its start, or its
import when the recorder gave none), tags every row with the index of its period (a
CASE over the periods) and with the group it counts for (the call's agent, the agent's
team, or nothing), and lets the database COUNT and SUM:

- counted evaluations: number, sum and count of percentages, critical failures, auto-fails;
- their sections (``evaluation_sections``) per section key: sum and count of the
  percentages of the evaluations that scored the section, how often a critical item zeroed it;
- the calls: how many, how many scanned, sums and counts of the audio metrics' scalar
  summaries (JSON indexing, which SQLite and PostgreSQL both do);
- confirmed flags (not stale) on scanned calls, per category.

Sums and counts rather than averages, because they add up: a team's or the centre's
figures are the sum of its groups' (``Sums.add``), so the centre costs no second pass
over the rows, and the means are divided out at the end.

The tagging happens in a subquery and the grouping outside it: PostgreSQL binds each
parameter of a CASE separately, so the same CASE in SELECT and GROUP BY would not be
"the same expression" to it; grouping by the subquery's columns is.

A scorecard is about agents: calls no agent is known for are on none. Teams are the
agents' current teams.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Text, and_, case, cast, func, select
from sqlalchemy.orm import Session

from ..scoring.periods import Period
from ..scoring.scorecards import COUNTED_STATUSES, Figures, MetricFigures, SectionFigure
from .models import Agent, Call, Evaluation, EvaluationSection, Flag, Team
from .models import Form as FormRow

# The date a scorecard files a call under.
CALL_DATE = func.coalesce(Call.started_at, Call.imported_at)
GROUPS = ("agent", "team", None)
# Means are rounded here so both databases give the same figures (their float sums
# may differ in the last bits): far below what any report shows.
_DIGITS = 6


def in_period(period: Period) -> ColumnElement[bool]:
    return and_(CALL_DATE >= period.first_moment, CALL_DATE < period.after)


def _span(periods: list[Period]) -> tuple[datetime, datetime]:
    return min(p.first_moment for p in periods), max(p.after for p in periods)


@dataclass(frozen=True)
class Scope:
    """Which calls and evaluations a figure covers, besides the period."""

    team: str | None = None  # by name (a name no team has covers nothing)
    team_id: int | None = None
    agent_id: int | None = None
    form_key: str | None = None  # evaluations on this form's versions (calls and flags are not filtered)

    def calls(self) -> list[ColumnElement[bool]]:
        """Conditions on Call and Agent (which is joined)."""
        out = []
        if self.agent_id is not None:
            out.append(Call.agent_id == self.agent_id)
        if self.team_id is not None:
            out.append(Agent.team_id == self.team_id)
        if self.team is not None:
            out.append(Agent.team_id.in_(select(Team.id).where(Team.name == self.team)))
        return out

    def evaluations(self) -> list[ColumnElement[bool]]:
        # Calibration evaluations measure the reviewers, not the agent: never on a scorecard.
        out = [Evaluation.status.in_(COUNTED_STATUSES), Evaluation.calibration_session_id.is_(None)]
        if self.form_key is not None:
            out.append(Evaluation.form_id.in_(select(FormRow.id).where(FormRow.key == self.form_key)))
        return out


def scoped_calls(query: Select, periods: list[Period], scope: Scope, *, agents: bool = True) -> Select:
    """``query`` (which selects from Call) on the calls of ``periods`` in ``scope``; ``agents``:
    join Agent (needed for its name or team; otherwise only calls with an agent count)."""
    first, after = _span(periods)
    if agents or scope.team is not None or scope.team_id is not None:
        query = query.join(Agent, Agent.id == Call.agent_id)
    else:
        query = query.where(Call.agent_id.isnot(None))
    return query.where(CALL_DATE >= first, CALL_DATE < after, *scope.calls())


def scoped_evaluations(query: Select, periods: list[Period], scope: Scope, *, agents: bool = True) -> Select:
    """``query`` (which selects from Evaluation) on the counted evaluations of ``periods``' calls."""
    return scoped_calls(query.join(Call, Call.id == Evaluation.call_id), periods, scope, agents=agents
                        ).where(*scope.evaluations())


def _tagged(periods: list[Period], group: str | None) -> list:
    index = case(*[(in_period(p), i) for i, p in enumerate(periods)]).label("p")
    if group is None:
        return [index]
    return [index, (Call.agent_id if group == "agent" else Agent.team_id).label("g")]


def _grouped(session: Session, inner: Select, group: str | None, measures, extra: tuple = (),
             materialized: bool = False):
    """Run ``measures(sub)`` grouped by period index, group (and ``extra`` columns).

    ``materialized``: compute the inner rows once (a MATERIALIZED CTE, SQLite 3.35+ and
    PostgreSQL 12+). Otherwise both databases inline the subquery, and a column the
    outer query reads twice (a sum and a count) is computed twice: for JSON metrics
    that is a second parse of every call's metrics.
    """
    sub = inner.cte("tagged").prefix_with("MATERIALIZED") if materialized else inner.subquery()
    keys = [sub.c.p] + ([sub.c.g] if group is not None else []) + [sub.c[name] for name in extra]
    query = select(*keys, *measures(sub)).where(sub.c.p.isnot(None)).group_by(*keys)
    # On the session's connection: plain rows, without the ORM's per-row bookkeeping.
    for row in session.connection().execute(query):
        key = (row[0], row[1] if group is not None else None)
        yield key, row[len(keys) - len(extra):]


def _mean(total, count) -> float | None:
    return round(total / count, _DIGITS) if count else None


def _yes(condition) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _metric(key: str) -> ColumnElement:
    return Call.metrics[key].as_float()


METRICS = ("talk_ratio", "dead_air", "hold", "overtalk", "interruptions", "handle_time")


@dataclass
class Sums:
    """One group's figures as the database summed them. Sums and counts add up across
    groups (a team's or the centre's are its agents'), means do not: the centre is
    added up from the groups' sums instead of reading every row a second time."""

    evaluations: int = 0
    percent: list = field(default_factory=lambda: [0.0, 0])  # sum, count
    critical_failures: int = 0
    auto_failed: int = 0
    sections: dict[str, list] = field(default_factory=dict)  # key → [sum, count, failed]
    calls: int = 0
    scanned_calls: int = 0
    metrics: dict[str, list] = field(default_factory=lambda: {m: [0.0, 0] for m in METRICS})
    flags: dict[str, int] = field(default_factory=dict)  # category → confirmed

    def add(self, other: Sums) -> Sums:
        self.evaluations += other.evaluations
        self.critical_failures += other.critical_failures
        self.auto_failed += other.auto_failed
        self.calls += other.calls
        self.scanned_calls += other.scanned_calls
        for mine, theirs in [(self.percent, other.percent),
                             *((self.metrics[m], other.metrics[m]) for m in METRICS)]:
            mine[0], mine[1] = mine[0] + theirs[0], mine[1] + theirs[1]
        for key, values in other.sections.items():
            self.sections[key] = [a + b for a, b in zip(self.sections.get(key, [0.0, 0, 0]), values)]
        for category, n in other.flags.items():
            self.flags[category] = self.flags.get(category, 0) + n
        return self

    def figures(self, titles: dict[str, str]) -> Figures:
        """The figures; ``titles`` (section key → title) in display order."""
        place = {k: i for i, k in enumerate(titles)}
        order = sorted(self.sections, key=lambda k: (place.get(k, len(place)), k))
        sections = {}
        for key in order:
            total, n, failed = self.sections[key]
            sections[key] = SectionFigure(key, titles.get(key, key), _mean(total, n), n, failed)
        with_metrics = self.metrics["handle_time"][1]
        metrics = MetricFigures(calls=with_metrics, **{m: _mean(*self.metrics[m]) for m in METRICS})
        flags = ({c: round(n / self.scanned_calls, _DIGITS) for c, n in sorted(self.flags.items())}
                 if self.scanned_calls else {})
        return Figures(
            evaluations=self.evaluations, percent=_mean(*self.percent), critical_failures=self.critical_failures,
            auto_failed=self.auto_failed, sections=sections, calls=self.calls, scanned_calls=self.scanned_calls,
            flags_per_call=flags, metrics=metrics,
        )


def sums(session: Session, periods: list[Period], group: str | None, scope: Scope) -> dict[tuple, Sums]:
    """(period index, agent id | team id | None) → Sums, for every pair with any call."""
    if group not in GROUPS:
        raise ValueError(f"unknown scorecard group {group!r}")
    found: dict[tuple, Sums] = defaultdict(Sums)
    tags = _tagged(periods, group)
    agents = group == "team"

    evaluations = scoped_evaluations(
        select(*tags, Evaluation.percent, Evaluation.critical_failures, Evaluation.auto_failed).select_from(Evaluation),
        periods, scope, agents=agents)
    for key, (n, total, scored, critical, auto) in _grouped(session, evaluations, group, lambda s: (
            func.count(), func.sum(s.c.percent), func.count(s.c.percent), _yes(s.c.critical_failures > 0),
            _yes(s.c.auto_failed.is_(True)))):
        figure = found[key]
        figure.evaluations, figure.percent = int(n), [float(total or 0), int(scored)]
        figure.critical_failures, figure.auto_failed = int(critical or 0), int(auto or 0)

    sections = scoped_evaluations(
        select(*tags, EvaluationSection.section_key.label("k"), EvaluationSection.percent, EvaluationSection.failed)
        .select_from(Evaluation).join(EvaluationSection, EvaluationSection.evaluation_id == Evaluation.id),
        periods, scope, agents=agents)
    for key, (section, total, scored, failed) in _grouped(session, sections, group, lambda s: (
            func.sum(s.c.percent), func.count(s.c.percent), _yes(s.c.failed.is_(True))), extra=("k",)):
        found[key].sections[section] = [float(total or 0), int(scored), int(failed or 0)]

    # A call has metrics when its JSON is not null (SQL NULL, or JSON null after a reset);
    # a text comparison, not one more parse of the JSON.
    has_metrics = and_(Call.metrics.isnot(None), cast(Call.metrics, Text) != "null")
    calls = scoped_calls(select(
        *tags, Call.scanned_at, _metric("talk_ratio").label("talk_ratio"), _metric("silence_total").label("dead_air"),
        _metric("hold_total").label("hold"), _metric("overtalk_total").label("overtalk"),
        _metric("interruptions").label("interruptions"), case((has_metrics, Call.duration)).label("handle_time"),
    ).select_from(Call), periods, scope, agents=agents)
    measures = lambda s: (func.count(), func.count(s.c.scanned_at),  # noqa: E731
                          *(f(s.c[m]) for m in METRICS for f in (func.sum, func.count)))
    for key, (n, scanned, *values) in _grouped(session, calls, group, measures, materialized=True):
        figure = found[key]
        figure.calls, figure.scanned_calls = int(n), int(scanned)
        figure.metrics = {m: [float(values[2 * i] or 0), int(values[2 * i + 1])] for i, m in enumerate(METRICS)}

    flags = scoped_calls(
        select(*tags, Flag.category.label("k")).select_from(Call).join(Flag, Flag.call_id == Call.id)
        .where(Flag.status == "confirmed", Flag.stale.is_(False), Call.scanned_at.isnot(None)),
        periods, scope, agents=agents)
    for key, (category, n) in _grouped(session, flags, group, lambda s: (func.count(),), extra=("k",)):
        found[key].flags[category] = int(n)
    return dict(found)


def total(parts: dict[tuple, Sums], period_index: int) -> Sums:
    """The sums of every group of one period (a team's, or the centre's)."""
    out = Sums()
    for (index, _group), part in parts.items():
        if index == period_index:
            out.add(part)
    return out


@dataclass(frozen=True)
class FormsUsed:
    """The form versions counted evaluations of the periods are on, newest stored first."""

    counts: dict[tuple[int, int], int]  # (period index, form id) → counted evaluations
    versions: list[tuple]  # (id, key, version, name, definition), newest first

    def titles(self) -> dict[str, str]:
        """Section key → title in display order: the newest version's sections (its order and
        titles) first, then what older versions add."""
        titles: dict[str, str] = {}
        for _id, _key, _version, _name, definition in self.versions:
            for section in (definition or {}).get("sections") or ():
                titles.setdefault(section["key"], section.get("title") or section["key"])
        return titles


def forms_used(session: Session, periods: list[Period], scope: Scope) -> FormsUsed:
    tagged = scoped_evaluations(select(*_tagged(periods, None), Evaluation.form_id.label("f")).select_from(Evaluation),
                                periods, scope, agents=False)
    counts = {(key[0], form_id): int(n)
              for key, (form_id, n) in _grouped(session, tagged, None, lambda s: (func.count(),), extra=("f",))}
    ids = sorted({form_id for _index, form_id in counts})
    versions = session.execute(
        select(FormRow.id, FormRow.key, FormRow.version, FormRow.name, FormRow.definition)
        .where(FormRow.id.in_(ids)).order_by(FormRow.id.desc())  # the newest stored first
    ).all() if ids else []
    return FormsUsed(counts, [tuple(v) for v in versions])


__all__ = ["CALL_DATE", "FormsUsed", "Scope", "Sums", "forms_used", "in_period", "scoped_calls", "scoped_evaluations",
           "sums", "total"]
