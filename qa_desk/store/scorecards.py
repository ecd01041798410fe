"""Scorecard figures, trends and export rows, computed with aggregate queries.

INTERFACE DRAFT (being implemented): signatures and return shapes are fixed; the
bodies are filled in by the store work of the scorecards issue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..scoring.periods import Period
from ..scoring.scorecards import DEFAULT_QUOTA, Figures, Scorecard


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
    raise NotImplementedError


def figures_by_period(session: Session, periods: list[Period], *, agent_id: int | None = None,
                      team_id: int | None = None, form_key: str | None = None) -> list[Figures]:
    """The figures of one agent (or team, or the centre when both are None) for each period,
    in order: section scores over periods and flags per call over time on trend charts."""
    raise NotImplementedError


def score_points(session: Session, period: Period, *, agent_id: int | None = None,
                 team_id: int | None = None, form_key: str | None = None) -> list[ScorePoint]:
    """Each counted evaluation of the period as a point, oldest first."""
    raise NotImplementedError


def score_distribution(session: Session, period: Period, *, team: str | None = None,
                       form_key: str | None = None, bucket: int = 10) -> dict[int, int]:
    """How many counted evaluations scored in each ``bucket``-wide band: {0: n, 10: n, ... 100: n}
    (100 holds exactly 100 % and above)."""
    raise NotImplementedError


def teams(session: Session) -> list[TeamRef]:
    """Teams by name, for filters."""
    raise NotImplementedError


def form_keys(session: Session) -> list[tuple[str, str]]:
    """(key, name of the newest version) of every stored form, for filters."""
    raise NotImplementedError


# --- rows for the exports (streamed: a large centre has 100,000 evaluations a period) ---------


EVALUATION_COLUMNS = (
    "evaluation_id", "call_id", "call_date", "agent", "team", "reviewer", "form", "form_version",
    "status", "score", "max_score", "percent", "critical_failures", "auto_failed", "submitted_at",
)
ANSWER_COLUMNS = (
    "evaluation_id", "call_id", "agent", "section", "item", "value", "points", "suggested_value",
    "changed_from_suggestion", "comment",
)
FLAG_COLUMNS = (
    "flag_id", "call_id", "call_date", "agent", "team", "rule", "title", "category", "severity",
    "kind", "status", "speaker", "start", "end", "matched_text", "decided_by", "note",
)


def evaluation_rows(session: Session, period: Period, *, team: str | None = None,
                    form_key: str | None = None, batch: int = 2000) -> Iterator[tuple]:
    """Counted evaluations of the period as tuples in EVALUATION_COLUMNS order, by call date."""
    raise NotImplementedError


def answer_rows(session: Session, period: Period, *, team: str | None = None,
                form_key: str | None = None, batch: int = 5000) -> Iterator[tuple]:
    """Item-level answers of the counted evaluations, in ANSWER_COLUMNS order."""
    raise NotImplementedError


def flag_rows(session: Session, period: Period, *, team: str | None = None,
              batch: int = 5000) -> Iterator[tuple]:
    """Flags on the calls of the period (open, confirmed and dismissed), in FLAG_COLUMNS order."""
    raise NotImplementedError


def count_rows(session: Session, period: Period, *, team: str | None = None,
               form_key: str | None = None) -> dict[str, int]:
    """{"evaluations": n, "answers": n, "flags": n}: the export's progress total."""
    raise NotImplementedError


__all__ = [
    "ANSWER_COLUMNS", "EVALUATION_COLUMNS", "FLAG_COLUMNS", "ScorePoint", "TeamRef", "answer_rows",
    "count_rows", "evaluation_rows", "figures_by_period", "flag_rows", "form_keys", "score_distribution",
    "score_points", "scorecard", "teams",
]
