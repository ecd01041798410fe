"""Export a period's scorecards to an Excel workbook or CSV files: the one entry point
the window (from a job) and `qa-desk export scorecards` call.

The format follows the file name (.xlsx or .csv). Files are written under a temporary
name in the target folder and renamed at the end, so an export that fails or is
cancelled leaves no half-written file, and an earlier export of the same name stays
intact until the new one is complete. One database session reads everything, so the
figures, the rows and the counts agree with each other.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..jobs import JobContext
from ..permissions import Actor
from ..scoring.periods import Period, periods_back
from ..scoring.scorecards import DEFAULT_QUOTA, LEVELS, Scorecard, Thresholds
from ..settings import login_name
from ..store import audit
from ..store import scorecards as store
from ..store.users import check
from ..wording import choose, translate
from .csv_export import csv_paths, write_csv
from .headers import header
from .tables import ExportParameters, RowProgress, ScorecardExport, TrendSeries
from .workbook import write_workbook

FORMATS = {".xlsx": "xlsx", ".csv": "csv"}
TREND_PERIODS = 6  # periods on the trend chart, the exported one last


class ExportError(ValueError):
    """The export cannot be written as asked; the message names the file and says why."""


@dataclass(frozen=True)
class ExportReport:
    path: Path  # the file the user named
    paths: tuple[Path, ...]  # every file written (a workbook: just that one)
    format: str  # xlsx | csv
    period: str
    level: str = "agent"
    rows: dict[str, int] = field(default_factory=dict)  # data rows per sheet / file
    seconds: float = 0.0

    def summary(self) -> str:
        """One sentence for the person who asked (the CLI prints it; ``as_dict`` is for scripts)."""
        def count(key: str) -> str:
            return f"{self.rows.get(key, 0):,}"

        n = self.rows.get("summary", 0)
        if self.level == "agent":
            rows = choose(n, translate("Exports", "{0} agent"), translate("Exports", "{0} agents"))
        else:
            rows = choose(n, translate("Exports", "{0} team"), translate("Exports", "{0} teams"))
        rows = rows.format(count("summary"))
        counts = translate("Exports", "{0} evaluations, {1} answers, {2} flags").format(
            count("evaluations"), count("answers"), count("flags"))
        if len(self.paths) > 1:
            text = translate("Exports", "Wrote {path} (and {others} files beside it): scorecards of {period}, "
                                        "{rows}, {counts}, in {seconds} s")
        else:
            text = translate("Exports", "Wrote {path}: scorecards of {period}, {rows}, {counts}, in {seconds} s")
        return text.format(path=self.path, others=len(self.paths) - 1, period=self.period, rows=rows, counts=counts,
                           seconds=f"{self.seconds:.1f}")

    def as_dict(self) -> dict:
        return {
            "path": str(self.path), "paths": [str(p) for p in self.paths], "format": self.format,
            "period": self.period, "level": self.level, "rows": dict(self.rows),
            "seconds": round(self.seconds, 3),
        }


def export_format(path: Path) -> str:
    """"xlsx" or "csv" from the file name; ExportError naming the file otherwise."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        suffix = Path(path).suffix
        if suffix:
            text = translate("Exports", "{path}: cannot export scorecards to a '{suffix}' file; "
                                        "name it .xlsx (Excel workbook) or .csv")
        else:
            text = translate("Exports", "{path}: cannot export scorecards to a file without extension; "
                                        "name it .xlsx (Excel workbook) or .csv")
        raise ExportError(text.format(path=path, suffix=suffix))
    return fmt


def _temp_name(target: Path, token: str) -> Path:
    # Hidden, in the same folder (a rename within one file system is atomic), and not
    # ending in .xlsx/.csv so nothing picks it up as a finished export.
    return target.with_name(f".{target.name}.{token}.part")


def _trend(session, card: Scorecard, teams_card: Scorecard | None, periods: list[Period],
           team: str | None, form_key: str | None) -> tuple[TrendSeries, ...]:
    """The average score per team over ``periods``; the whole centre as well when no team
    filter narrows the export (a line to compare each team with)."""
    team_rows = card.rows if card.level == "team" else (teams_card.rows if teams_card else ())
    series = []
    for row in team_rows:
        if row.id is None:  # "No team" cannot be asked for by id
            continue
        figures = store.figures_by_period(session, periods, team_id=row.id, form_key=form_key)
        series.append(TrendSeries(row.name, tuple(f.percent for f in figures)))
    if team is None:
        figures = store.figures_by_period(session, periods, form_key=form_key)
        series.append(TrendSeries(header("label.all_teams"), tuple(f.percent for f in figures)))
    return tuple(series)


def export_scorecards(db, path: Path, period: Period, *, level: str = "agent", team: str | None = None,
                      form_key: str | None = None, quota_per_month: int = DEFAULT_QUOTA,
                      thresholds: Thresholds = Thresholds(), by: str = "",
                      ctx: JobContext | None = None, actor: Actor | str | None = None) -> ExportReport:
    """Write the scorecards of ``period`` to ``path`` (.xlsx: one workbook; .csv: FILE.csv
    and FILE-sections.csv, … beside it). Raises ExportError for a file or level that
    cannot be used, ``Cancelled`` when ``ctx`` is cancelled; nothing is left behind then.
    Only a manager, lead or admin exports (PermissionDenied before anything is read);
    every export is in the audit log (``by`` may name a stored user instead of ``actor``)."""
    with db.session() as session:
        actor = check(session, actor or by or None, "scorecard.export")
    by = actor.name
    started = time.perf_counter()
    path = Path(path)
    fmt = export_format(path)
    if level not in LEVELS or level == "centre":
        raise ExportError(translate("Exports", "{path}: scorecards are exported per agent or per team, "
                                               "not per '{level}'").format(path=path, level=level))
    if not path.parent.is_dir():
        raise ExportError(translate("Exports", "{path}: the folder {folder} does not exist").format(
            path=path, folder=path.parent))
    if path.is_dir():
        raise ExportError(translate("Exports", "{path}: is a folder, not a file name").format(path=path))
    ctx = ctx or JobContext()
    ctx.check_cancelled()
    ctx.status(translate("Exports", "Reading the scorecards of {0}").format(period.label))
    ctx.progress(0, 1)
    targets = csv_paths(path) if fmt == "csv" else {"workbook": path}
    token = secrets.token_hex(4)
    temps = {key: _temp_name(target, token) for key, target in targets.items()}
    try:
        with db.session() as session:
            other_level = "team" if level == "agent" else "agent"
            card = store.scorecard(session, period, level=level, team=team, form_key=form_key,
                                   quota_per_month=quota_per_month)
            other = store.scorecard(session, period, level=other_level, team=team, form_key=form_key,
                                    quota_per_month=quota_per_month)
            trend_periods = periods_back(period, TREND_PERIODS)
            trend = _trend(session, card, other, trend_periods, team, form_key)
            counts = store.count_rows(session, period, team=team, form_key=form_key)
            ctx.check_cancelled()
            export = ScorecardExport(
                card=card, other=other,
                parameters=ExportParameters(
                    period=period, level=level, team=team, form_key=form_key, quota_per_month=quota_per_month,
                    thresholds=thresholds, generated_by=by or login_name(), application=f"QA Desk {__version__}",
                ),
                trend_periods=tuple(trend_periods), trend=trend,
                evaluations=store.evaluation_rows(session, period, team=team, form_key=form_key),
                answers=store.answer_rows(session, period, team=team, form_key=form_key),
                flags=store.flag_rows(session, period, team=team),
                expected_rows=sum(counts.values()),
            )
            progress = RowProgress(ctx, export.expected_rows)
            ctx.status(translate("Exports", "Writing {0}").format(path.name))
            try:
                if fmt == "xlsx":
                    rows = write_workbook(temps["workbook"], export, progress)
                else:
                    rows = write_csv(temps, export, progress)
            except OSError as exc:
                raise ExportError(translate("Exports", "{path}: cannot write the export ({reason})").format(
                    path=path, reason=exc.strerror or exc)) from exc
        ctx.check_cancelled()
        for key, target in targets.items():
            try:
                os.replace(temps[key], target)
            except OSError as exc:
                raise ExportError(translate(
                    "Exports", "{path}: cannot replace the file ({reason}); is it open in another program?"
                ).format(path=target, reason=exc.strerror or exc)) from exc
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    progress.done = progress.total = max(progress.done, 1)
    ctx.progress(progress.done, progress.total)
    with db.session() as session:  # after the file is in place: the log says what was really exported
        audit.record(session, actor, "export.scorecards", "export", None, None,
                     {"path": str(path), "period": period.label, "level": level, "team": team, "form": form_key,
                      "rows": rows}, f"scorecards {period.label} ({level}) → {path.name}")
    return ExportReport(path=path, paths=tuple(targets.values()), format=fmt, period=period.label,
                        level=level, rows=rows, seconds=time.perf_counter() - started)


__all__ = ["ExportError", "ExportReport", "FORMATS", "TREND_PERIODS", "export_format", "export_scorecards"]
