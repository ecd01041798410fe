"""The scorecard export as CSV files: the same tables as the workbook, one file each.

``FILE.csv`` holds the Summary (what someone who asked for "the scorecard as CSV"
opens), and beside it ``FILE-sections.csv``, ``FILE-evaluations.csv``,
``FILE-answers.csv``, ``FILE-flags.csv``, ``FILE-trend.csv`` and
``FILE-parameters.csv``. Flat files rather than a zip: every spreadsheet program and
script reads them directly, and the names sort together in a folder.

- UTF-8 with a byte-order mark: without it Excel reads Chinese names as mojibake.
- Comma-separated, CRLF line ends, fields quoted where needed (RFC 4180); a comment
  with line breaks stays one field.
- Numbers as plain numbers with a point: percentages as 87.3 under "Score (%)" (a
  fraction 0.873 would read as a ratio to someone opening the file), seconds to a
  tenth; dates as 2026-10-03 09:30:00, which Excel and pandas read as dates.
- Every text neutralised against formula injection (``qa_desk.reports.cells``).
- Summary and Sections rows carry a Level column (agent / team / centre): in a CSV
  file the totals are rows like any other, and a script summing agents must be
  able to leave them out. So the level is its code, the same in every language, as
  are the file names (by table key) and TRUE / FALSE; the headers and the labels we
  write (All agents, the Parameters lines) are in the language in use (``headers``).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from ..wording import translate
from .cells import neutralise
from .headers import header
from .tables import (
    Column, RowProgress, ScorecardExport, Table, as_naive, parameters_rows, sections_table,
    summary_table, trend_table,
)

ENCODING = "utf-8-sig"  # UTF-8 with a BOM
# The files of one export, by table; "summary" is the file the user named.
FILES = ("summary", "sections", "evaluations", "answers", "flags", "trend", "parameters")
_DECIMALS = {"percent": 2, "change": 2, "seconds": 1, "ratio": 2, "number": 2}


def csv_paths(path: Path) -> dict[str, Path]:
    """FILE.csv and its siblings FILE-sections.csv, … in the same folder."""
    return {key: path if key == "summary" else path.with_name(f"{path.stem}-{key}{path.suffix}")
            for key in FILES}


def csv_value(value: object, kind: str = "text") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return as_naive(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if kind == "int" and value.is_integer():
            return str(int(value))
        text = f"{value:.{_DECIMALS.get(kind, 4)}f}"
        # 87.30 → 87.3, 91.00 → 91: what a person would type.
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def csv_header(column: Column) -> str:
    text = column.header
    if column.kind == "percent":
        text = translate("Exports", "{0} (%)").format(text)  # 得分（%）: full-width in Chinese
    return neutralise(text)  # section titles and team names are users' text too


def _open(path: Path):
    return path.open("w", encoding=ENCODING, newline="")


def _write_table(path: Path, table: Table, *, levels: bool) -> int:
    kinds = [c.kind for c in table.columns]
    with _open(path) as out:
        writer = csv.writer(out)
        first = [neutralise(header("level"))] if levels else []
        writer.writerow(first + [csv_header(c) for c in table.columns])
        for row in table.rows:  # the level's code, not its label: scripts filter on it
            writer.writerow(([table.body_level] if levels else []) + [csv_value(v, k) for v, k in zip(row, kinds)])
        for row_level, row in table.totals:
            writer.writerow(([row_level] if levels else []) + [csv_value(v, k) for v, k in zip(row, kinds)])
    return len(table.rows)


def _write_stream(path: Path, columns: tuple[Column, ...], rows, progress: RowProgress) -> int:
    kinds = [c.kind for c in columns]
    count = 0
    with _open(path) as out:
        writer = csv.writer(out)
        writer.writerow([csv_header(c) for c in columns])
        for row in rows:
            writer.writerow([csv_value(v, k) for v, k in zip(row, kinds)])
            count += 1
            progress.step()
    return count


def write_csv(paths: dict[str, Path], export: ScorecardExport, progress: RowProgress) -> dict[str, int]:
    """Write every table to its file in ``paths`` (keys of FILES); data rows per table."""
    rows: dict[str, int] = {}
    rows["summary"] = _write_table(paths["summary"], summary_table(export.card, export.other), levels=True)
    rows["sections"] = _write_table(paths["sections"], sections_table(export.card, export.other), levels=True)
    progress.report()
    for stream in export.streams():
        rows[stream.key] = _write_stream(paths[stream.key], stream.columns, stream.rows, progress)
    _write_table(paths["trend"], trend_table(export.trend_periods, export.trend), levels=False)
    lines = parameters_rows(export, rows)
    with _open(paths["parameters"]) as out:
        writer = csv.writer(out)
        writer.writerow([neutralise(header("param.name")), neutralise(header("param.value"))])
        for label, value, kind in lines:
            # A threshold reads 90% here: the file has no column header to say "(%)".
            writer.writerow([neutralise(label), csv_value(value, kind) + ("%" if kind == "percent" else "")])
    return rows


__all__ = ["ENCODING", "FILES", "csv_header", "csv_paths", "csv_value", "write_csv"]
