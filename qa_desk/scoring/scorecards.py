"""What a scorecard says about an agent, a team or the centre over a period: plain data.

The figures are computed in the database (``qa_desk.store.scorecards``); this module
holds their shape and the rules a team lead reads them by:

- Everything on a scorecard is about the calls of the period (the call's date; its
  import date when the recorder gave none): their evaluations, flags and audio metrics.
- Only evaluations that have been submitted count (submitted, acknowledged, disputed,
  resolved); drafts do not.
- Evaluations on different forms or form versions combine by percentage. Section
  figures combine only sections with the same key, and ``Scorecard.notes`` says so when
  more than one form version is in the figures.
- The monitoring quota is N evaluations per agent per month (a setting), scaled to the
  period; an agent with fewer is "behind".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .periods import Period

COUNTED_STATUSES = ("submitted", "acknowledged", "disputed", "resolved")
DEFAULT_QUOTA = 4  # evaluations per agent per month
LEVELS = ("agent", "team", "centre")


@dataclass(frozen=True)
class Thresholds:
    """Where a score turns from good to watch to poor (percent; configurable in Settings)."""

    good: float = 90.0  # at or above: good
    poor: float = 75.0  # below: poor; between the two: watch

    def band(self, percent: float | None) -> str | None:
        if percent is None:
            return None
        if percent >= self.good:
            return "good"
        if percent < self.poor:
            return "poor"
        return "watch"


@dataclass(frozen=True)
class SectionFigure:
    key: str
    title: str  # the title on the newest form version that has the section
    percent: float | None  # mean of the section's percentage over the evaluations that scored it
    evaluations: int  # how many evaluations scored this section (N/A throughout leaves it out)
    failed: int = 0  # evaluations where a critical item zeroed this section


@dataclass(frozen=True)
class MetricFigures:
    """Means over the calls of the period that have audio metrics (None: none have)."""

    calls: int = 0  # calls with metrics
    talk_ratio: float | None = None  # agent talk / customer talk
    dead_air: float | None = None  # seconds of silence ≥ 3 s per call
    hold: float | None = None  # seconds of hold-like silence per call
    overtalk: float | None = None  # seconds of both talking per call
    interruptions: float | None = None  # overtalk the agent started, per call
    handle_time: float | None = None  # call duration, seconds


@dataclass(frozen=True)
class Figures:
    """One period's figures for one agent, team or the centre."""

    evaluations: int = 0
    percent: float | None = None  # mean evaluation percentage
    critical_failures: int = 0  # evaluations with at least one failed critical item
    auto_failed: int = 0  # evaluations a fail_all item zeroed
    sections: dict[str, SectionFigure] = field(default_factory=dict)
    calls: int = 0  # calls of the period
    scanned_calls: int = 0  # of which checked against the rulebook
    # Confirmed flags per scanned call, by category (forbidden_phrase: 0.4 ...).
    flags_per_call: dict[str, float] = field(default_factory=dict)
    metrics: MetricFigures = field(default_factory=MetricFigures)


@dataclass(frozen=True)
class ScorecardRow:
    level: str  # agent | team | centre
    id: int | None  # the agent's or team's id; None for the centre and "no team"
    name: str
    team: str | None  # the agent's team (agents), None otherwise
    current: Figures
    previous: Figures  # the period before, for the change
    quota: int | None = None  # evaluations the quota asks for (agents), None for teams/centre
    agents: int = 1  # agents counted (teams, centre)

    @property
    def behind(self) -> int:
        """Evaluations still missing against the quota (0 when met or no quota)."""
        if self.quota is None:
            return 0
        return max(0, self.quota - self.current.evaluations)

    @property
    def change(self) -> float | None:
        """Percentage points against the previous period (None when either has no score)."""
        if self.current.percent is None or self.previous.percent is None:
            return None
        return self.current.percent - self.previous.percent


@dataclass(frozen=True)
class FormVersionUsed:
    key: str
    version: int
    name: str
    evaluations: int


@dataclass(frozen=True)
class Scorecard:
    period: Period
    previous_period: Period
    level: str  # the rows' level: agent or team
    rows: tuple[ScorecardRow, ...]
    centre: ScorecardRow
    team: str | None = None  # the team filter, if any
    form_key: str | None = None  # the form filter, if any
    quota_per_month: int = DEFAULT_QUOTA
    form_versions: tuple[FormVersionUsed, ...] = ()
    # Section keys in display order (the newest form version's order first) → title.
    section_titles: dict[str, str] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """What a reader needs to know to read the figures right (English; the UI translates)."""
        notes = []
        if len(self.form_versions) > 1:
            names = ", ".join(f"{v.name} v{v.version}" for v in self.form_versions)
            notes.append(
                f"Evaluations on {len(self.form_versions)} form versions ({names}) are combined by "
                f"percentage; section figures combine only sections with the same key."
            )
        return notes

    def behind_quota(self) -> list[ScorecardRow]:
        return [row for row in self.rows if row.level == "agent" and row.behind > 0]


__all__ = [
    "COUNTED_STATUSES", "DEFAULT_QUOTA", "LEVELS", "Figures", "FormVersionUsed", "MetricFigures",
    "Scorecard", "ScorecardRow", "SectionFigure", "Thresholds",
]
