"""Scorecard figures, trends and export rows, computed with aggregate queries.

The figures come from a handful of GROUP BY queries (``scorecard_sql``), never from
loading evaluations into Python: a large centre has 100,000 evaluations a period.
The export rows (``scorecard_rows``, importable from here) are streamed in batches.
The rules the figures follow are in ``qa_desk.scoring.scorecards``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..scoring.periods import Period
from ..scoring.scorecards import DEFAULT_QUOTA, Figures, FormVersionUsed, Scorecard, ScorecardRow
from ..wording import translate
from .models import Agent, Call, Evaluation, Team
from .models import Form as FormRow
from .scorecard_rows import (
    ANSWER_COLUMNS, EVALUATION_COLUMNS, FLAG_COLUMNS, answer_rows, count_rows, evaluation_rows, flag_rows,
)
from .scorecard_sql import CALL_DATE, Scope, forms_used, in_period, scoped_evaluations, sums, total

CENTRE = "Centre"  # the centre row's name (English, as every name the store gives; the UI translates)
NO_TEAM = "No team"


@dataclass(frozen=True)
class ScorePoint:
    """One counted evaluation on a trend chart."""

    evaluation_id: int
    call_id: int
    agent_id: int | None
    at: datetime  # the call's date (import date when unknown)
    percent: float
    form_key: str
    auto_failed: bool


@dataclass(frozen=True)
class TeamRef:
    id: int | None
    name: str


def scorecard(session: Session, period: Period, *, level: str = "agent", team: str | None = None,
              form_key: str | None = None, quota_per_month: int = DEFAULT_QUOTA,
              include_inactive: bool = False) -> Scorecard:
    """The scorecard of ``period`` (and the previous period for the change).

    ``level`` "agent": one row per agent (active agents, plus inactive ones with calls in
    the period), each with its team; "team": one row per team (and "No team" when agents
    have none). ``team`` keeps one team (by name); ``form_key`` keeps evaluations on that
    form's versions. Rows are sorted by team then name; ``centre`` covers every row.
    """
    if level not in ("agent", "team"):
        raise ValueError(translate("Errors", "A scorecard lists agents or teams, not '{level}': choose agent or "
                                             "team.").format(level=level))
    previous = period.previous()
    periods = [period, previous]
    scope = Scope(team=team, form_key=form_key)
    agents = _agents(session, period, team, include_inactive)
    forms = forms_used(session, periods, scope)
    titles = forms.titles()
    parts = sums(session, periods, level, scope)

    def both(key) -> tuple[Figures, Figures]:
        return tuple(parts[(i, key)].figures(titles) if (i, key) in parts else _EMPTY for i in (0, 1))

    if level == "agent":
        quota = period.quota(quota_per_month)
        rows = [ScorecardRow("agent", agent_id, name, team_name, *both(agent_id), quota=quota)
                for agent_id, name, _team_id, team_name in agents]
        rows.sort(key=lambda r: (r.team is None, r.team or "", r.name, r.id))
    else:
        members: dict[int | None, list] = {}
        for _agent_id, _name, team_id, team_name in agents:
            members.setdefault(team_id, [team_name or NO_TEAM, 0])[1] += 1
        rows = [ScorecardRow("team", team_id, name, None, *both(team_id), agents=count)
                for team_id, (name, count) in members.items()]
        rows.sort(key=lambda r: (r.id is None, r.name, r.id or 0))
    # The centre adds up every group, also agents gone since the previous period (not
    # rows now): that is what the centre was then, and what its trend chart shows.
    centre = ScorecardRow("centre", None, CENTRE, None, total(parts, 0).figures(titles),
                          total(parts, 1).figures(titles), agents=len(agents))
    return Scorecard(
        period=period, previous_period=previous, level=level, rows=tuple(rows), centre=centre, team=team,
        form_key=form_key, quota_per_month=quota_per_month, form_versions=_form_versions(forms),
        section_titles=titles,
    )


_EMPTY = Figures()


def _agents(session: Session, period: Period, team: str | None, include_inactive: bool) -> list[tuple]:
    """(agent id, name, team id, team name) of the agents a scorecard lists."""
    query = select(Agent.id, Agent.name, Team.id, Team.name).outerjoin(Team, Team.id == Agent.team_id)
    if not include_inactive:
        with_calls = select(Call.agent_id).where(in_period(period), Call.agent_id.isnot(None))
        query = query.where(Agent.active.isnot(False) | Agent.id.in_(with_calls))
    if team is not None:
        query = query.where(Team.name == team)
    return [tuple(row) for row in session.execute(query)]


def _form_versions(forms) -> tuple[FormVersionUsed, ...]:
    """The versions with counted evaluations in the period (not the previous one), by key and version."""
    used = [FormVersionUsed(key, version, name, forms.counts[(0, form_id)])
            for form_id, key, version, name, _definition in forms.versions if (0, form_id) in forms.counts]
    return tuple(sorted(used, key=lambda v: (v.key, v.version)))


def figures_by_period(session: Session, periods: list[Period], *, agent_id: int | None = None,
                      team_id: int | None = None, form_key: str | None = None) -> list[Figures]:
    """The figures of one agent (or team, or the centre when both are None) for each period,
    in order: section scores over periods and flags per call over time on trend charts."""
    if not periods:
        return []
    ordered = sorted(periods)
    if any(later.start <= earlier.end for earlier, later in zip(ordered, ordered[1:])):
        # One pass files each call under one period; overlapping periods (a quarter and
        # its months) each need their own.
        return [figures_by_period(session, [p], agent_id=agent_id, team_id=team_id, form_key=form_key)[0]
                for p in periods]
    scope = Scope(team_id=team_id, agent_id=agent_id, form_key=form_key)
    titles = forms_used(session, periods, scope).titles()
    parts = sums(session, periods, None, scope)
    return [parts[(i, None)].figures(titles) if (i, None) in parts else _EMPTY for i in range(len(periods))]


def score_points(session: Session, period: Period, *, agent_id: int | None = None,
                 team_id: int | None = None, form_key: str | None = None) -> list[ScorePoint]:
    """Each counted evaluation of the period as a point, oldest first."""
    scope = Scope(team_id=team_id, agent_id=agent_id, form_key=form_key)
    query = scoped_evaluations(
        select(Evaluation.id, Evaluation.call_id, Call.agent_id, CALL_DATE, Evaluation.percent, FormRow.key,
               Evaluation.auto_failed)
        .select_from(Evaluation).join(FormRow, FormRow.id == Evaluation.form_id), [period], scope,
    ).where(Evaluation.percent.isnot(None)).order_by(CALL_DATE, Evaluation.id)
    return [ScorePoint(i, call, agent, at, float(percent), key, bool(auto))
            for i, call, agent, at, percent, key, auto in session.execute(query)]


def score_distribution(session: Session, period: Period, *, team: str | None = None,
                       form_key: str | None = None, bucket: int = 10) -> dict[int, int]:
    """How many counted evaluations scored in each ``bucket``-wide band: {0: n, 10: n, ... 100: n}
    (100 holds exactly 100 % and above)."""
    if not 1 <= bucket <= 100:
        raise ValueError(translate("Errors", "A score band is 1 to 100 points wide, not {width}.").format(width=bucket))
    bands = [*range(0, 100, bucket), 100]
    # A CASE, not floor(percent / bucket): SQLite has no floor() everywhere, and a cast
    # to integer truncates on SQLite but rounds on PostgreSQL.
    band = case(*[(Evaluation.percent >= low, low) for low in reversed(bands[1:])], else_=0).label("band")
    inner = scoped_evaluations(select(band).select_from(Evaluation), [period], Scope(team=team, form_key=form_key)
                               ).where(Evaluation.percent.isnot(None)).subquery()
    counts = dict(session.execute(select(inner.c.band, func.count()).group_by(inner.c.band)).all())
    return {low: int(counts.get(low, 0)) for low in bands}


def teams(session: Session) -> list[TeamRef]:
    """Teams by name, for filters."""
    return [TeamRef(i, name) for i, name in session.execute(select(Team.id, Team.name).order_by(Team.name, Team.id))]


def form_keys(session: Session) -> list[tuple[str, str]]:
    """(key, name of the newest version) of every stored form, for filters."""
    newest = select(FormRow.key, func.max(FormRow.version).label("version")).group_by(FormRow.key).subquery()
    rows = session.execute(
        select(FormRow.key, FormRow.name)
        .join(newest, (FormRow.key == newest.c.key) & (FormRow.version == newest.c.version))
        .order_by(FormRow.name, FormRow.key)
    )
    return [(key, name) for key, name in rows]


__all__ = [
    "ANSWER_COLUMNS", "EVALUATION_COLUMNS", "FLAG_COLUMNS", "ScorePoint", "TeamRef", "answer_rows",
    "count_rows", "evaluation_rows", "figures_by_period", "flag_rows", "form_keys", "score_distribution",
    "score_points", "scorecard", "teams",
]
