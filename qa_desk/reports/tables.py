"""The tables of a scorecard export, the same for the XLSX and the CSV writer.

A table is columns (each with a kind: what the value is and how it reads) and rows of
plain values as the domain has them — percentages as 0..100, seconds, datetimes.
Each writer turns a kind into its own form: the workbook writes a percentage as the
fraction 0.873 with the format 0.0 %, the CSV file writes 87.3 under "Score (%)".

Summary and Sections have a body (one row per agent, or per team) and totals under it
(each team, then the whole centre): the workbook puts the totals below the filtered
range, the CSV file marks every row with its level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..jobs import JobContext
from ..scoring.periods import Period
from ..scoring.rule_schema import CATEGORIES
from ..scoring.scorecards import Scorecard, ScorecardRow, Thresholds
from ..store.scorecards import ANSWER_COLUMNS, EVALUATION_COLUMNS, FLAG_COLUMNS
from .headers import category_name, header

# kind → (Excel number format, width in characters when the content does not say)
KINDS: dict[str, tuple[str, float]] = {
    "text": ("General", 16),
    "int": ("0", 10),
    "number": ("0.0", 10),  # points
    "percent": ("0.0%", 10),  # values 0..100, written as fractions
    "change": ("+0.0;-0.0;0.0", 10),  # percentage points
    "seconds": ("0.0", 10),
    "ratio": ("0.00", 10),
    "datetime": ("yyyy-mm-dd hh:mm", 18),  # 16 characters: 18 so it never shows as ###
    "date": ("yyyy-mm-dd", 12),
    "bool": ("General", 8),
}


@dataclass(frozen=True)
class Column:
    key: str  # a HEADERS key (or a section / category key with ``title`` set)
    kind: str = "text"
    title: str = ""  # the header when it is not HEADERS[key] (sections, teams)
    width: float | None = None  # for streamed sheets, where the content is not seen first
    colour: str | None = None  # "score": red-amber-green at the thresholds; "change": red-white-green

    @property
    def header(self) -> str:
        return self.title or header(self.key)


@dataclass
class Table:
    key: str  # the sheet: summary, sections, trend, ...
    columns: tuple[Column, ...]
    rows: list[tuple]
    body_level: str = "agent"
    totals: list[tuple[str, tuple]] = field(default_factory=list)  # (level, row) under the body


@dataclass(frozen=True)
class StreamTable:
    """A table too large to hold: rows are written as they come from the database."""

    key: str
    columns: tuple[Column, ...]
    rows: Iterable[tuple]


def _columns(keys: tuple[str, ...], kinds: dict[str, str], widths: dict[str, float],
             colours: dict[str, str] | None = None) -> tuple[Column, ...]:
    colours = colours or {}
    return tuple(
        Column(k, kinds.get(k, "text"), width=widths.get(k), colour=colours.get(k)) for k in keys
    )


# Kinds and widths of the store's export rows; anything not named is text of width 16.
_STREAM_KINDS = {
    "evaluation_id": "int", "call_id": "int", "flag_id": "int", "call_date": "datetime",
    "submitted_at": "datetime", "form_version": "int", "score": "number", "max_score": "number",
    "percent": "percent", "critical_failures": "int", "auto_failed": "bool", "points": "number",
    "changed_from_suggestion": "bool", "start": "seconds", "end": "seconds",
}
_STREAM_WIDTHS = {
    "agent": 18, "team": 16, "reviewer": 16, "form": 20, "section": 22, "item": 30, "comment": 50,
    "title": 28, "rule": 20, "category": 20, "matched_text": 30, "decided_by": 16, "note": 40,
    "value": 12, "suggested_value": 12, "changed_from_suggestion": 12, "status": 12,
}


def evaluation_columns() -> tuple[Column, ...]:
    return _columns(EVALUATION_COLUMNS, _STREAM_KINDS, _STREAM_WIDTHS, {"percent": "score"})


def answer_columns() -> tuple[Column, ...]:
    return _columns(ANSWER_COLUMNS, _STREAM_KINDS, _STREAM_WIDTHS)


def flag_columns() -> tuple[Column, ...]:
    return _columns(FLAG_COLUMNS, _STREAM_KINDS, _STREAM_WIDTHS)


@dataclass(frozen=True)
class TrendSeries:
    name: str  # the team (or "All agents")
    percents: tuple[float | None, ...]  # one per trend period, oldest first


@dataclass(frozen=True)
class ExportParameters:
    period: Period
    level: str = "agent"
    team: str | None = None
    form_key: str | None = None
    quota_per_month: int = 4
    thresholds: Thresholds = Thresholds()
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    generated_by: str = ""
    application: str = ""


@dataclass
class ScorecardExport:
    """Everything one export writes. ``card`` is at the level asked for; ``other`` is the
    same period at the other level (team totals under agents; agents' quotas for teams).
    The row iterables are read once, as the writer goes."""

    card: Scorecard
    parameters: ExportParameters
    other: Scorecard | None = None
    trend_periods: tuple[Period, ...] = ()
    trend: tuple[TrendSeries, ...] = ()
    evaluations: Iterable[tuple] = ()
    answers: Iterable[tuple] = ()
    flags: Iterable[tuple] = ()
    expected_rows: int = 0  # evaluations + answers + flags, for the progress bar

    def streams(self) -> list[StreamTable]:
        return [
            StreamTable("evaluations", evaluation_columns(), self.evaluations),
            StreamTable("answers", answer_columns(), self.answers),
            StreamTable("flags", flag_columns(), self.flags),
        ]


class RowProgress:
    """Counts written rows; every few hundred it reports progress and lets a cancel in.
    (JobContext throttles repaints itself; this keeps the per-row cost to an addition.)"""

    EVERY = 500

    def __init__(self, ctx: JobContext | None, total: int):
        self.ctx, self.total, self.done = ctx, max(total, 1), 0
        self._next = self.EVERY

    def step(self, rows: int = 1) -> None:
        self.done += rows
        if self.done >= self._next:
            self._next = self.done + self.EVERY
            self.report()

    def report(self) -> None:
        if self.ctx is not None:
            self.ctx.check_cancelled()
            self.ctx.progress(min(self.done, self.total), max(self.total, self.done))


# --- Summary and Sections ---------------------------------------------------------------


def _level_label(level: str) -> str:
    return header(f"label.{level}")


def _team_name(row: ScorecardRow) -> str:
    return row.team or header("label.no_team")


def _name(row: ScorecardRow) -> str:
    """An agent's or team's name; the store names the team row of agents without one in
    English (NO_TEAM), which reads in the language in use here."""
    return header("label.no_team") if row.level == "team" and row.id is None else row.name


def _categories(rows: list[ScorecardRow]) -> list[str]:
    seen = {c for row in rows for c in row.current.flags_per_call}
    known = [c for c in CATEGORIES if c in seen]
    return known + sorted(seen - set(known))


def _quota_by_team(agents: Scorecard | None) -> dict[object, tuple[int, int]] | None:
    """(quota, behind) summed per team name (None: no team), and under "*" the centre."""
    if agents is None or agents.level != "agent":
        return None
    sums: dict[object, tuple[int, int]] = {}
    for row in agents.rows:
        if row.quota is None:
            continue
        for key in (row.team, "*"):
            quota, behind = sums.get(key, (0, 0))
            sums[key] = (quota + row.quota, behind + row.behind)
    return sums


def summary_table(card: Scorecard, other: Scorecard | None = None) -> Table:
    """One row per agent (sorted by team, then name, with the team beside the name) or per
    team; under it each team's totals (for agents) and the centre's.

    A Team column rather than a heading row per team: in Excel an auto-filter or a sort
    over rows mixed with headings scrambles them, while a column filters by team."""
    by_agent = card.level == "agent"
    rows = list(card.rows)
    totals_rows = list(other.rows) if by_agent and other is not None else []
    categories = _categories(rows + totals_rows + [card.centre])
    names = [Column("agent"), Column("team")] if by_agent else [Column("team"), Column("agents", "int")]
    columns = (
        *names,
        Column("evaluations", "int"), Column("quota", "int"), Column("behind", "int"),
        Column("average", "percent", colour="score"), Column("previous_average", "percent", colour="score"),
        Column("change", "change", colour="change"),
        Column("critical_failures", "int"), Column("auto_failed", "int"),
        Column("calls", "int"), Column("scanned_calls", "int"), Column("flags_per_call", "ratio"),
        *(Column(f"flags.{c}", "ratio", title=header("flags_per_call_in", category=category_name(c)))
          for c in categories),
        Column("talk_ratio", "ratio"), Column("dead_air", "seconds"), Column("hold", "seconds"),
        Column("overtalk", "seconds"), Column("interruptions", "ratio"), Column("handle_time", "seconds"),
    )
    quotas = _quota_by_team(card if by_agent else other)

    def values(row: ScorecardRow, first: str, second: object, quota: tuple[int, int] | None) -> tuple:
        f, m = row.current, row.current.metrics
        flags = [f.flags_per_call.get(c) for c in categories]
        known = [x for x in flags if x is not None]
        return (
            first, second, f.evaluations, *(quota or (None, None)),
            f.percent, row.previous.percent, row.change, f.critical_failures, f.auto_failed,
            f.calls, f.scanned_calls, sum(known) if f.scanned_calls else None, *flags,
            m.talk_ratio, m.dead_air, m.hold, m.overtalk, m.interruptions, m.handle_time,
        )

    def team_quota(row: ScorecardRow) -> tuple[int, int] | None:
        if quotas is None:
            return None
        return quotas.get(row.name if row.id is not None else None, (0, 0))

    if by_agent:
        body = [values(r, _name(r), _team_name(r), (r.quota, r.behind) if r.quota is not None else None)
                for r in rows]
        totals = [("team", values(r, header("label.all_agents"), _name(r), team_quota(r))) for r in totals_rows]
        centre = values(card.centre, header("label.all_agents"), header("label.all_teams"),
                        quotas.get("*") if quotas else None)
    else:
        body = [values(r, _name(r), r.agents, team_quota(r)) for r in rows]
        totals = []
        centre = values(card.centre, header("label.all_teams"), card.centre.agents,
                        quotas.get("*") if quotas else None)
    totals.append(("centre", centre))
    return Table("summary", columns, body, card.level, totals)


def _section_keys(card: Scorecard, rows: list[ScorecardRow]) -> dict[str, str]:
    titles = dict(card.section_titles)
    for row in rows:
        for key, figure in row.current.sections.items():
            titles.setdefault(key, figure.title or key)
    return titles


def sections_table(card: Scorecard, other: Scorecard | None = None) -> Table:
    """Agent (or team) × section: each section's average score, in the form's order."""
    by_agent = card.level == "agent"
    rows = list(card.rows)
    totals_rows = list(other.rows) if by_agent and other is not None else []
    titles = _section_keys(card, rows + totals_rows + [card.centre])
    names = [Column("agent"), Column("team")] if by_agent else [Column("team")]
    columns = (
        *names, Column("evaluations", "int"),
        *(Column(f"section.{key}", "percent", title=title, colour="score") for key, title in titles.items()),
    )

    def values(row: ScorecardRow, *first: object) -> tuple:
        sections = row.current.sections
        return (*first, row.current.evaluations,
                *(sections[k].percent if k in sections else None for k in titles))

    if by_agent:
        body = [values(r, _name(r), _team_name(r)) for r in rows]
        totals = [("team", values(r, header("label.all_agents"), _name(r))) for r in totals_rows]
        totals.append(("centre", values(card.centre, header("label.all_agents"), header("label.all_teams"))))
    else:
        body = [values(r, _name(r)) for r in rows]
        totals = [("centre", values(card.centre, header("label.all_teams")))]
    return Table("sections", columns, body, card.level, totals)


def trend_table(periods: tuple[Period, ...], series: tuple[TrendSeries, ...]) -> Table:
    """Periods down, one column per team: the data behind the trend chart."""
    columns = (Column("period"), *(Column(f"trend.{i}", "percent", title=s.name) for i, s in enumerate(series)))
    rows = [(p.label, *(s.percents[i] if i < len(s.percents) else None for s in series))
            for i, p in enumerate(periods)]
    return Table("trend", columns, rows, "period")


def parameters_rows(export: ScorecardExport, rows_written: dict[str, int]) -> list[tuple[str, object, str]]:
    """(label, value, kind) lines of the Parameters sheet: what was exported, by whom, when."""
    p, card = export.parameters, export.card
    lines: list[tuple[str, object, str]] = [
        (header("param.period"), p.period.label, "text"),
        (header("param.from"), p.period.start, "date"),
        (header("param.to"), p.period.end, "date"),
        (header("param.previous"), card.previous_period.label, "text"),
        (header("param.level"), _level_label(p.level), "text"),
        (header("param.team"), p.team or header("label.all_teams"), "text"),
        (header("param.form"), p.form_key or header("label.all_forms"), "text"),
    ]
    for used in card.form_versions:
        lines.append((header("param.form_version"), header(
            "label.form_version", name=used.name, version=used.version, key=used.key,
            evaluations=used.evaluations), "text"))
    lines += [
        (header("param.quota_per_month"), p.quota_per_month, "int"),
        (header("param.quota"), p.period.quota(p.quota_per_month), "int"),
        (header("param.good"), p.thresholds.good, "percent"),
        (header("param.poor"), p.thresholds.poor, "percent"),
        (header("param.generated_at"), p.generated_at, "datetime"),
        (header("param.generated_by"), p.generated_by, "text"),
        (header("param.application"), p.application, "text"),
    ]
    for sheet, count in rows_written.items():
        lines.append((header("param.rows", sheet=header(f"sheet.{sheet}")), count, "int"))
    lines += [(header("param.note"), note, "text") for note in card.notes]
    return lines


def as_naive(value: datetime) -> datetime:
    """Excel has no time zones: an aware datetime becomes local wall-clock time."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo is not None else value

__all__ = [
    "KINDS", "Column", "ExportParameters", "RowProgress", "ScorecardExport", "StreamTable", "Table",
    "TrendSeries", "answer_columns", "as_naive", "evaluation_columns", "flag_columns",
    "parameters_rows", "sections_table", "summary_table", "trend_table",
]
