"""Calibration results and the report over time as an Excel workbook (XLSX).

Written with the scorecard export's machinery: openpyxl's write-only workbook,
``workbook.write_table`` (header style, column widths from the content, frozen header,
auto-filter, number formats per kind, every string through ``cells.xlsx_text`` so a
reviewer named "=HYPERLINK(…)" stays text), and the same complete-or-nothing write: the
file is written under a hidden temporary name beside the target and renamed at the end.

Sheets, in the order a lead reads them:

- Reviewers: each reviewer's calls, mean distance from the reference, signed mean
  deviation and agreement rate over the period (the reference's own rows left out);
- By month: the same per month;
- Scores: one row per reviewer per calibrated call (percent, deviation, items differing);
- Items: one row per item per call, each reviewer's answer in a column of their own,
  the reference answer and the item's agreement;
- Spread: per call, the low, high, range, mean and standard deviation of the percentages;
- Parameters: which sessions, which period, when and by whom.

Percentages are 0..100 in the domain and fractions with the 0.0 % format in the cells,
as in the scorecard workbook; deviations are percentage points.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from .. import __version__
from ..jobs import JobContext
from ..permissions import Actor
from ..scoring.scorecards import Thresholds
from ..store import audit
from ..store.calibration_results import CalibrationReport, calibration_report
from ..wording import QT_TRANSLATE_NOOP, choose, translate
from .cells import sheet_name
from .tables import Column, Table
from .workbook import _discard, write_lines, write_table

# Column and sheet titles: English sources, looked up in the language in use when the
# workbook is written (``title``), as the scorecard workbook's headers.py.
TITLES: dict[str, str] = {
    "sheet.reviewers": QT_TRANSLATE_NOOP("Exports", "Reviewers"),
    "sheet.months": QT_TRANSLATE_NOOP("Exports", "By month"),
    "sheet.scores": QT_TRANSLATE_NOOP("Exports", "Scores"),
    "sheet.items": QT_TRANSLATE_NOOP("Exports", "Items"),
    "sheet.spread": QT_TRANSLATE_NOOP("Exports", "Spread"),
    "sheet.parameters": QT_TRANSLATE_NOOP("Exports", "Parameters"),
    "reviewer": QT_TRANSLATE_NOOP("Exports", "Reviewer"),
    "month": QT_TRANSLATE_NOOP("Exports", "Month"),
    "calls": QT_TRANSLATE_NOOP("Exports", "Calls"),
    "mean_abs_deviation": QT_TRANSLATE_NOOP("Exports", "Mean distance (points)"),
    "mean_deviation": QT_TRANSLATE_NOOP("Exports", "Mean deviation (points)"),
    "agreement_rate": QT_TRANSLATE_NOOP("Exports", "Agreement rate"),
    "items_compared": QT_TRANSLATE_NOOP("Exports", "Items compared"),
    "items_matched": QT_TRANSLATE_NOOP("Exports", "Items matched"),
    "session_id": QT_TRANSLATE_NOOP("Exports", "Session"),
    "session": QT_TRANSLATE_NOOP("Exports", "Session name"),
    "held_on": QT_TRANSLATE_NOOP("Exports", "Held on"),
    "call_id": QT_TRANSLATE_NOOP("Exports", "Call"),
    "is_reference": QT_TRANSLATE_NOOP("Exports", "Reference"),
    "percent": QT_TRANSLATE_NOOP("Exports", "Score"),
    "deviation": QT_TRANSLATE_NOOP("Exports", "Deviation (points)"),
    "items_differing": QT_TRANSLATE_NOOP("Exports", "Items differing"),
    "critical_differing": QT_TRANSLATE_NOOP("Exports", "Critical items differing"),
    "item": QT_TRANSLATE_NOOP("Exports", "Item"),
    "question": QT_TRANSLATE_NOOP("Exports", "Question"),
    "critical": QT_TRANSLATE_NOOP("Exports", "Critical"),
    "reference_answer": QT_TRANSLATE_NOOP("Exports", "Reference answer"),
    "modal": QT_TRANSLATE_NOOP("Exports", "Most common answer"),
    "agreement": QT_TRANSLATE_NOOP("Exports", "Agreement"),
    "contested": QT_TRANSLATE_NOOP("Exports", "Contested"),
    "sheets": QT_TRANSLATE_NOOP("Exports", "Sheets"),
    "reference": QT_TRANSLATE_NOOP("Exports", "Reference"),
    "reference_percent": QT_TRANSLATE_NOOP("Exports", "Reference score"),
    "low": QT_TRANSLATE_NOOP("Exports", "Lowest"),
    "high": QT_TRANSLATE_NOOP("Exports", "Highest"),
    "range": QT_TRANSLATE_NOOP("Exports", "Range (points)"),
    "mean": QT_TRANSLATE_NOOP("Exports", "Mean"),
    "stdev": QT_TRANSLATE_NOOP("Exports", "Standard deviation (points)"),
    "mean_agreement": QT_TRANSLATE_NOOP("Exports", "Mean item agreement"),
    "param.name": QT_TRANSLATE_NOOP("Exports", "Parameter"),
    "param.value": QT_TRANSLATE_NOOP("Exports", "Value"),
    "param.from": QT_TRANSLATE_NOOP("Exports", "From"),
    "param.to": QT_TRANSLATE_NOOP("Exports", "To (included)"),
    "param.sessions": QT_TRANSLATE_NOOP("Exports", "Sessions"),
    "param.calls": QT_TRANSLATE_NOOP("Exports", "Calibrated calls"),
    "param.generated_at": QT_TRANSLATE_NOOP("Exports", "Generated at"),
    "param.generated_by": QT_TRANSLATE_NOOP("Exports", "Generated by"),
    "param.application": QT_TRANSLATE_NOOP("Exports", "Generated with"),
    "label.median": QT_TRANSLATE_NOOP("Exports", "median"),
    "label.all_time": QT_TRANSLATE_NOOP("Exports", "all time"),
    "label.yes": QT_TRANSLATE_NOOP("Exports", "yes"),
    "label.no": QT_TRANSLATE_NOOP("Exports", "no"),
}
SHEETS = ("reviewers", "months", "scores", "items", "spread", "parameters")


class CalibrationExportError(ValueError):
    """The workbook cannot be written as asked; the message names the file."""


@dataclass(frozen=True)
class CalibrationExportReport:
    path: Path
    rows: dict[str, int]
    sessions: int
    calls: int

    def summary(self) -> str:
        sessions = choose(self.sessions, translate("Exports", "{0} calibration session"),
                          translate("Exports", "{0} calibration sessions")).format(self.sessions)
        calls = choose(self.calls, translate("Exports", "{0} calibrated call"),
                       translate("Exports", "{0} calibrated calls")).format(self.calls)
        reviewers = self.rows.get("reviewers", 0)
        reviewers_text = choose(reviewers, translate("Exports", "{0} reviewer"),
                                translate("Exports", "{0} reviewers")).format(reviewers)
        return translate("Exports", "Wrote {path}: {sessions}, {calls}, {reviewers}").format(
            path=self.path, sessions=sessions, calls=calls, reviewers=reviewers_text)


def title(key: str) -> str:
    """The title of ``key`` in the language in use."""
    return translate("Exports", TITLES[key])  # registered by QT_TRANSLATE_NOOP in TITLES


def _col(key: str, kind: str = "text", colour: str | None = None) -> Column:
    return Column(key, kind, title=title(key), colour=colour)


def _share(value: float | None) -> float | None:
    """An agreement (0..1) as the workbook's percentages (0..100)."""
    return None if value is None else value * 100.0


def _yes(flag: bool) -> str:
    return title("label.yes") if flag else title("label.no")


def _figure_columns() -> tuple[Column, ...]:
    # Made when the workbook is written, not at import: the titles are in the language in use.
    return (_col("calls", "int"), _col("mean_abs_deviation", "number"), _col("mean_deviation", "change"),
            _col("agreement_rate", "percent", "score"), _col("items_compared", "int"), _col("items_matched", "int"))


def _figures(f) -> tuple:
    return (f.calls, f.mean_abs_deviation, f.mean_deviation, _share(f.agreement_rate), f.items_compared,
            f.items_matched)


def reviewer_tables(report: CalibrationReport) -> tuple[Table, Table]:
    overall = Table("reviewers", (_col("reviewer"),) + _figure_columns(),
                    [(r.reviewer,) + _figures(r.overall) for r in report.reviewers])
    months = Table("months", (_col("reviewer"), _col("month")) + _figure_columns(),
                   [(r.reviewer, period.label) + _figures(f) for r in report.reviewers for period, f in r.months])
    return overall, months


def call_tables(report: CalibrationReport) -> tuple[Table, Table, Table]:
    """Scores, Items and Spread: the calls of the report, oldest session first."""
    names = {s.id: s for s in report.sessions}
    reviewers: list[str] = []  # every reviewer of the export, in order of first appearance
    for _, result in report.results:
        reviewers += [r.reviewer for r in result.reviewers if r.reviewer not in reviewers]
    where = (_col("session_id", "int"), _col("session"), _col("held_on", "date"), _col("call_id", "int"))
    scores, items, spread = [], [], []
    for session_id, result in report.results:
        lead = (session_id, names[session_id].name, result.held_on, result.call_id)
        for r in result.reviewers:
            scores.append(lead + (r.reviewer, _yes(r.is_reference), r.percent, r.deviation, r.items_compared,
                                  r.items_matched, _share(r.agreement_rate), ", ".join(r.items_differing),
                                  ", ".join(r.critical_differing)))
        for item in result.items:
            items.append(lead + (item.key, item.question, _yes(item.critical), item.reference, item.modal,
                                 _share(item.agreement), _yes(item.contested))
                         + tuple(item.answers.get(name) for name in reviewers))
        s = result.spread
        spread.append(lead + (len(result.reviewers), result.reference or title("label.median"),
                              result.reference_percent, s.low, s.high, s.range, s.mean, s.stdev,
                              _share(result.agreement)))
    score_cols = where + (_col("reviewer"), _col("is_reference"), _col("percent", "percent", "score"),
                          _col("deviation", "change"), _col("items_compared", "int"), _col("items_matched", "int"),
                          _col("agreement_rate", "percent", "score"), _col("items_differing"),
                          _col("critical_differing"))
    item_cols = where + (_col("item"), _col("question"), _col("critical"), _col("reference_answer"), _col("modal"),
                         _col("agreement", "percent", "score"), _col("contested")) \
        + tuple(Column(f"answer.{name}", "text", title=name) for name in reviewers)
    spread_cols = where + (_col("sheets", "int"), _col("reference"), _col("reference_percent", "percent"),
                           _col("low", "percent"), _col("high", "percent"), _col("range", "number"),
                           _col("mean", "percent"), _col("stdev", "number"), _col("mean_agreement", "percent", "score"))
    return Table("scores", score_cols, scores), Table("items", item_cols, items), Table("spread", spread_cols, spread)


def _parameters(report: CalibrationReport, by: str) -> list[tuple[str, object, str]]:
    """(label, value, kind) lines: dates are date cells (each value has its own format)."""
    def day(value: date | None) -> tuple[object, str]:
        return (value, "date") if value else (title("label.all_time"), "text")

    return [
        (title("param.from"), *day(report.since)),
        (title("param.to"), *day(report.until)),
        (title("param.sessions"), "; ".join(f"{s.id} {s.name}" for s in reversed(report.sessions)), "text"),
        (title("param.calls"), len(report.results), "int"),
        (title("param.generated_at"), datetime.now().replace(microsecond=0), "datetime"),
        (title("param.generated_by"), by, "text"),
        (title("param.application"), f"QA Desk {__version__}", "text"),
    ]


def _sheet(wb: Workbook, key: str):
    return wb.create_sheet(sheet_name(title(f"sheet.{key}"), fallback=TITLES[f"sheet.{key}"]))


def write_calibration_workbook(path: Path, report: CalibrationReport, by: str = "",
                               ctx: JobContext | None = None) -> dict[str, int]:
    """Write the workbook to ``path`` as it is (no temporary name); data rows per sheet.
    Progress is counted in sheets; ``Cancelled`` between two sheets when ``ctx`` is cancelled."""
    ctx = ctx or JobContext()
    wb = Workbook(write_only=True)
    thresholds = Thresholds()  # agreement coloured red-amber-green at the usual 75 % / 90 %
    try:
        rows = {}
        tables = (*reviewer_tables(report), *call_tables(report))
        steps = len(tables) + 2  # the tables, the parameters, saving
        for done, table in enumerate(tables):
            ctx.check_cancelled()
            ctx.progress(done, steps)
            rows[table.key] = write_table(_sheet(wb, table.key), table, thresholds)
        rows["parameters"] = write_lines(_sheet(wb, "parameters"), _parameters(report, by))
        ctx.check_cancelled()
        ctx.progress(steps - 1, steps)
        wb.save(path)
    except BaseException:
        _discard(wb)
        raise
    return rows


def export_calibration(db, path: Path, actor: Actor, *, since: date | None = None, until: date | None = None,
                       session_ids: list[int] | None = None, ctx: JobContext | None = None) -> CalibrationExportReport:
    """The calibration workbook of the sessions held from ``since`` to ``until`` (or of
    ``session_ids``) at ``path``, complete or not at all. Needs ``calibration.manage``.
    ``Cancelled`` when ``ctx`` is cancelled: nothing is left behind then."""
    ctx = ctx or JobContext()
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise CalibrationExportError(translate(
            "Exports", "{path}: calibration exports are Excel workbooks; name the file .xlsx").format(path=path))
    if not path.parent.is_dir():
        raise CalibrationExportError(translate("Exports", "{path}: the folder {folder} does not exist").format(
            path=path, folder=path.parent))
    ctx.status(translate("Exports", "Reading the calibration sessions…"))
    with db.session() as session:
        report = calibration_report(session, actor, since=since, until=until, session_ids=session_ids)
    ctx.check_cancelled()
    ctx.status(translate("Exports", "Writing {0}").format(path.name))
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")  # hidden, same folder: an atomic rename
    try:
        rows = write_calibration_workbook(temp, report, actor.name, ctx)
        ctx.check_cancelled()
        os.replace(temp, path)
        ctx.progress(1, 1)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise CalibrationExportError(translate(
            "Exports", "{path}: cannot write the workbook ({reason}); is it open in another program?"
        ).format(path=path, reason=exc.strerror or exc)) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    with db.session() as session:  # after the file is in place: the log says what was really exported
        audit.record(session, actor, "export.calibration", "export", None, None,
                     {"path": str(path), "since": str(since) if since else None,
                      "until": str(until) if until else None, "sessions": [s.id for s in report.sessions],
                      "rows": rows}, f"calibration report ({len(report.sessions)} sessions) → {path.name}")
    return CalibrationExportReport(path, rows, len(report.sessions), len(report.results))


__all__ = ["CalibrationExportError", "CalibrationExportReport", "SHEETS", "TITLES", "call_tables",
           "export_calibration", "reviewer_tables", "title", "write_calibration_workbook"]
