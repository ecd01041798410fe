"""The scorecard workbook (XLSX), written by openpyxl in write-only mode.

Write-only worksheets stream each row to a temporary file as it is appended, so a
period of 100,000 evaluations (and two million answers) exports in bounded memory.
What write-only mode allows, and when (read in openpyxl 3.1's
``worksheet/_write_only.py`` and ``_writer.py``):

- column widths and frozen panes are written before the first row: set them before
  the first ``append``;
- the auto-filter, conditional formats and charts are written after the last row:
  set them at any time before the sheet is saved;
- strings are written inline (no shared-string table growing in memory).

So every sheet, the small ones too, is written the same way. A sheet takes at most
1,048,576 rows in Excel: a longer stream goes on in "Answers (2)", next to it.
"""

from __future__ import annotations

import unicodedata
from copy import copy
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .cells import sheet_name, xlsx_text
from .charts import averages_chart, rows_spanned, trend_chart
from .headers import HEADERS, header
from .tables import (
    KINDS, Column, RowProgress, ScorecardExport, StreamTable, Table, as_naive, parameters_rows,
    sections_table, summary_table, trend_table,
)

MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
# Tab order: what a manager opens first, then the detail, then how it was made.
SHEETS = ("summary", "charts", "sections", "evaluations", "answers", "flags", "parameters")
_MAX_WIDTH = 60

# Named: a bold font without a name falls back to a serif face in LibreOffice.
_HEADER_FONT = Font(name="Calibri", size=11, bold=True)
_HEADER_FILL = PatternFill("solid", start_color="FFDDE4EE")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="FF7F8C9D"))
_TOTAL_FONT = _HEADER_FONT
# Excel's own red-amber-green; the bands sit on the centre's thresholds, not on the
# lowest and highest score of the sheet, so a team of good scores is not painted red.
_RED, _AMBER, _GREEN, _WHITE = "FFF8696B", "FFFFEB84", "FF63BE7B", "FFFFFFFF"
_CHANGE_SPAN = 10.0  # percentage points at which a change is fully red or green


def sheet_title(key: str) -> str:
    """The sheet's name in the language in use, as Excel accepts it (the English one
    if a translation leaves nothing)."""
    return sheet_name(header(f"sheet.{key}"), fallback=HEADERS.get(f"sheet.{key}", key))


def _display_width(text: str) -> int:
    # Chinese names are two columns wide per character.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_cell_value(value: object, kind: str) -> object:
    """A domain value as the workbook holds it: user text neutralised, percentages as
    fractions (the 0.0% format shows 87.3 % for 0.873), datetimes without a zone."""
    if value is None:
        return None
    if isinstance(value, str):
        return xlsx_text(value)
    if kind == "percent" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 100.0
    if isinstance(value, datetime):
        return as_naive(value)
    return value


class _Styles:
    """One template cell style per number format: a row copies it instead of looking the
    format up again (the copy is what openpyxl's styled cells cost, and no more)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self._arrays: dict[tuple[str, bool], object] = {}

    def array(self, kind: str, bold: bool = False):
        key = (kind, bold)
        if key not in self._arrays:
            cell = WriteOnlyCell(self.sheet)
            cell.number_format = KINDS.get(kind, KINDS["text"])[0]
            if bold:
                cell.font = _TOTAL_FONT
            self._arrays[key] = cell._style if cell.has_style else None
        return self._arrays[key]

    def cell(self, value: object, kind: str, bold: bool = False):
        value = to_cell_value(value, kind)
        style = self.array(kind, bold)
        if value is None or (style is None and value not in ERROR_CODES):
            return value
        cell = WriteOnlyCell(self.sheet)
        if style is not None:
            cell._style = copy(style)  # the format first: a datetime keeps our date format
        cell.value = value
        if value in ERROR_CODES:
            cell.data_type = "s"  # a name typed as "#N/A" is text, not an error cell
        return cell

    def plain(self, value: object):
        """A value in a General-format column (text, whole numbers, yes/no)."""
        if isinstance(value, str):
            value = xlsx_text(value)
            if value in ERROR_CODES:
                return self.cell(value, "text")
        return value


def _header_row(sheet, columns: tuple[Column, ...]) -> list:
    row = []
    for column in columns:
        cell = WriteOnlyCell(sheet, xlsx_text(column.header))
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
        row.append(cell)
    return row


def _print_setup(sheet) -> None:
    """Landscape, one page wide: a printed or PDF Summary keeps its columns together.
    (The fit-to-page flag is in the sheet properties, written before the first row.)"""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.print_title_rows = "1:1"  # the header row on every printed page


def _value_width(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind in ("datetime", "date"):
        return int(KINDS[kind][1])
    if isinstance(value, str):
        return _display_width(value)
    if kind == "percent":
        return 7
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return len(str(value))


def _set_widths(sheet, columns: tuple[Column, ...], rows: list[tuple] | None) -> None:
    """Widths from the content where it is known (small sheets), else from the column;
    never narrower than the header or the kind's minimum (dates never show as ###).
    Called before the first row: write-only sheets write their columns first."""
    _print_setup(sheet)
    for index, column in enumerate(columns):
        minimum = KINDS.get(column.kind, KINDS["text"])[1]
        width = max(column.width or 0, _display_width(column.header) + 4)  # room for the filter button
        if rows is None:
            width = max(width, minimum)
        else:
            content = max((_value_width(row[index], column.kind) for row in rows if index < len(row)), default=0)
            width = max(width, content + 2, minimum if column.kind in ("datetime", "date") else 6)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(width, _MAX_WIDTH)


def _colour_scales(sheet, columns: tuple[Column, ...], first_row: int, last_row: int, thresholds) -> None:
    if last_row < first_row:
        return
    for index, column in enumerate(columns, 1):
        cells = f"{get_column_letter(index)}{first_row}:{get_column_letter(index)}{last_row}"
        if column.colour == "score":
            rule = ColorScaleRule(
                start_type="num", start_value=thresholds.poor / 100, start_color=_RED,
                mid_type="num", mid_value=(thresholds.poor + thresholds.good) / 200, mid_color=_AMBER,
                end_type="num", end_value=thresholds.good / 100, end_color=_GREEN,
            )
        elif column.colour == "change":
            rule = ColorScaleRule(
                start_type="num", start_value=-_CHANGE_SPAN, start_color=_RED,
                mid_type="num", mid_value=0, mid_color=_WHITE,
                end_type="num", end_value=_CHANGE_SPAN, end_color=_GREEN,
            )
        else:
            continue
        sheet.conditional_formatting.add(cells, rule)


def write_table(sheet, table: Table, thresholds, *, filtered: bool = True) -> int:
    """A small table: header, body under an auto-filter, then the totals in bold. Rows written."""
    all_rows = table.rows + [row for _, row in table.totals]
    _set_widths(sheet, table.columns, all_rows)
    if filtered:
        sheet.freeze_panes = "B2"  # the header row and the names stay in view
    styles = _Styles(sheet)
    kinds = [c.kind for c in table.columns]
    sheet.append(_header_row(sheet, table.columns))
    for row in table.rows:
        sheet.append([styles.cell(v, k) for v, k in zip(row, kinds)])
    last_body = 1 + len(table.rows)
    last_col = get_column_letter(len(table.columns))
    if filtered:
        # The filter covers the body only: sorting or filtering agents leaves the totals alone.
        sheet.auto_filter.ref = f"A1:{last_col}{max(last_body, 2)}"
    last_row = last_body
    if table.totals:
        if table.rows:
            sheet.append([])
            last_row += 1
        for _, row in table.totals:
            sheet.append([styles.cell(v, k, bold=True) for v, k in zip(row, kinds)])
            last_row += 1
    _colour_scales(sheet, table.columns, 2, last_row, thresholds)
    return len(table.rows)


class _StreamWriter:
    """Rows from the database into one sheet, and on into the next past Excel's limit."""

    def __init__(self, wb: Workbook, sheet, stream: StreamTable, thresholds, progress: RowProgress):
        self.wb, self.stream, self.thresholds, self.progress = wb, stream, thresholds, progress
        self.sheet, self.rows_here, self.parts = sheet, 0, 1
        self._start(sheet)

    def _start(self, sheet) -> None:
        self.sheet, self.rows_here = sheet, 0
        _set_widths(sheet, self.stream.columns, None)
        sheet.freeze_panes = "B2"
        sheet.append(_header_row(sheet, self.stream.columns))
        self.styles = _Styles(sheet)

    def _finish(self) -> None:
        last = 1 + self.rows_here
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.stream.columns))}{max(last, 2)}"
        _colour_scales(self.sheet, self.stream.columns, 2, last, self.thresholds)

    def _next_sheet(self) -> None:
        self._finish()
        self.parts += 1
        index = self.wb.sheetnames.index(self.sheet.title) + 1
        title = sheet_name(f"{sheet_title(self.stream.key)[:26]} ({self.parts})")
        self._start(self.wb.create_sheet(title, index))

    def write(self) -> int:
        kinds = [c.kind for c in self.stream.columns]
        plain = {"text", "int", "bool"}  # General format: no style to copy
        total = 0
        for row in self.stream.rows:
            if self.rows_here >= MAX_ROWS - 1:
                self._next_sheet()
            cell, as_is = self.styles.cell, self.styles.plain
            self.sheet.append([as_is(v) if k in plain else cell(v, k) for v, k in zip(row, kinds)])
            self.rows_here += 1
            total += 1
            self.progress.step()
        self._finish()
        return total


def _write_charts(sheet, summary_sheet, summary: Table, export: ScorecardExport, thresholds) -> None:
    trend = trend_table(export.trend_periods, export.trend)
    teams_in_trend = len(export.trend)
    write_table(sheet, trend, thresholds, filtered=False)
    col = len(trend.columns) + 2  # one empty column between the table and the charts
    anchor_row = 1
    values = [p for s in export.trend for p in s.percents if p is not None]
    if teams_in_trend and export.trend_periods:
        chart = trend_chart(sheet, len(export.trend_periods), teams_in_trend, max(values, default=0) / 100)
        sheet.add_chart(chart, f"{get_column_letter(col)}{anchor_row}")
        anchor_row += rows_spanned(chart)
    if summary.rows:
        names = [c.key for c in summary.columns]
        value_col = names.index("average") + 1
        averages = [r[value_col - 1] for r in summary.rows if r[value_col - 1] is not None]
        key = "chart.averages" if export.card.level == "agent" else "chart.team_averages"
        chart = averages_chart(summary_sheet, 2, 1 + len(summary.rows), 1, value_col,
                               header(key, period=export.card.period.label), max(averages, default=0) / 100)
        sheet.add_chart(chart, f"{get_column_letter(col)}{anchor_row}")


def write_lines(sheet, lines: list[tuple[str, object, str]]) -> int:
    """A Parameters sheet: (label, value, kind) per line, each value in its kind's format
    (a date is a date cell, a threshold a percentage) in one column. Lines written."""
    columns = (Column("param.name"), Column("param.value"))
    widths = [(label, value) for label, value, _ in lines]
    _set_widths(sheet, columns, widths)
    sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width, KINDS["datetime"][1])
    sheet.freeze_panes = "A2"
    styles = _Styles(sheet)
    sheet.append(_header_row(sheet, columns))
    for label, value, kind in lines:
        sheet.append([styles.plain(label), styles.cell(value, kind)])
    return len(lines)


def write_workbook(path: Path, export: ScorecardExport, progress: RowProgress) -> dict[str, int]:
    """Write the whole workbook to ``path``; rows written per sheet (data rows, no headers)."""
    wb = Workbook(write_only=True)
    try:
        sheets = {key: wb.create_sheet(sheet_title(key)) for key in SHEETS}
        thresholds = export.parameters.thresholds
        rows: dict[str, int] = {}
        summary = summary_table(export.card, export.other)
        rows["summary"] = write_table(sheets["summary"], summary, thresholds)
        rows["sections"] = write_table(sheets["sections"], sections_table(export.card, export.other), thresholds)
        progress.report()
        for stream in export.streams():
            rows[stream.key] = _StreamWriter(wb, sheets[stream.key], stream, thresholds, progress).write()
        _write_charts(sheets["charts"], sheets["summary"], summary, export, thresholds)
        write_lines(sheets["parameters"], parameters_rows(export, rows))
        wb.save(path)
    except BaseException:
        _discard(wb)
        raise
    return rows


def _discard(wb: Workbook) -> None:
    """Remove the sheets' temporary files of an export that failed or was cancelled.
    openpyxl only removes them when Python exits; the window may run for days."""
    for sheet in wb.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        try:
            rows = getattr(sheet, "_rows", None)
            if rows is not None:
                rows.close()
            writer.close()
            writer.cleanup()
        except Exception:  # best effort: an open generator or a file already gone
            pass


__all__ = ["MAX_ROWS", "SHEETS", "sheet_title", "to_cell_value", "write_lines", "write_table", "write_workbook"]
