"""The call recorder's export that lists each recording with its call details.

Recorders and ACDs export a CSV or XLSX next to the recordings: one row per
call, with the recording's file name and columns such as agent, 工号, start
time. Column names differ between vendors and languages, so we recognise the
common ones (English and Chinese) and let the supervisor map the rest.

A bad value in one row must not stop a thousand-call import: the row's
problem is kept and reported only for the recording it describes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePath

from ..audio.probe import AUDIO_EXTENSIONS
from ..wording import translate
from .metadata import CallMetadata, MetadataError, normalise_direction, parse_start_time

__all__ = ["DEFAULT_COLUMNS", "PreviewRow", "SheetSample", "Sidecar", "detect_columns", "preview",
           "read_headers", "read_sample"]

# Our field -> header names recorders use for it, most specific first.
# Headers are compared ignoring case, spaces, "_", "-" and ".".
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "file name", "file path", "path", "recording", "recording file",
             "recording name", "文件名", "录音文件", "录音文件名", "录音名称", "录音路径", "文件路径"),
    "agent": ("agent", "agent name", "坐席", "坐席姓名", "坐席名称", "客服", "客服姓名", "员工姓名"),
    "agent_id": ("agent id", "agent number", "agent no", "employee id", "工号", "坐席工号", "客服工号", "员工工号"),
    "team": ("team", "team name", "group", "班组", "组别", "小组"),
    "started_at": ("start time", "started", "started at", "call time", "call start", "开始时间",
                   "通话开始时间", "呼叫时间", "呼叫开始时间"),
    "direction": ("direction", "call direction", "呼叫方向", "呼叫类型", "通话方向"),
    "queue": ("queue", "queue name", "skill group", "skill", "队列", "技能组", "技能队列"),
    "customer_ref": ("customer", "customer number", "customer phone", "customer ref", "ani", "caller",
                     "caller id", "calling number", "客户号码", "主叫号码", "客户电话", "客户编号"),
}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = (",", ";", "\t", "|")


def _header_key(text) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "")).casefold()


def _cell_text(value) -> str | None:
    """A cell as text: XLSX gives numbers for ids and phone numbers."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _path_parts(text: str) -> tuple[str, ...]:
    # Exports made on Windows use backslashes; compare paths the same way everywhere.
    return tuple(part.casefold() for part in re.split(r"[\\/]+", text) if part not in ("", "."))


@dataclass(frozen=True)
class _Row:
    number: int                  # as the analyst sees it in Excel: the header is row 1 or below
    parts: tuple[str, ...]       # the file value, split and casefolded
    by_stem: bool                # listed without an audio extension, so match the stem
    metadata: CallMetadata | None
    problem: str | None


class Sidecar:
    """A loaded recorder export; look recordings up in it with :meth:`lookup`."""

    def __init__(self, path: Path, rows: list[_Row], columns: dict[str, str]):
        self.path = path
        self.columns = columns  # our field -> the header actually used, for the import screen
        self._rows = rows
        self._by_last_part: dict[str, list[_Row]] = {}
        for row in rows:
            self._by_last_part.setdefault(row.parts[-1], []).append(row)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"Sidecar({str(self.path)!r}, {len(self)} rows)"

    @classmethod
    def load(cls, path, mapping: dict[str, str | None] | None = None) -> Sidecar:
        """Read a CSV or XLSX export. ``mapping`` overrides DEFAULT_COLUMNS per
        field (field -> header; None ignores that field)."""
        path = Path(path)
        with closing(_open_table(path)) as table:
            headers = _header_row(path, table)
            columns, indexes = _match_columns(path, headers, mapping or {})
            rows = [row for number, cells in table
                    if (row := _make_row(path, number, cells, indexes)) is not None]
        return cls(path, rows, columns)

    def lookup(self, recording_path) -> CallMetadata | None:
        """The details of the row listing this recording, or None if none does.

        A row matches by full path, by a relative path that ends the
        recording's path, or by base name, ignoring case; a row listing the
        name without extension matches any extension. Rows written with the
        recorder's own paths (D:\\Recordings\\...) still match by name; the row
        sharing the most trailing folders with the recording wins.
        """
        parts = _path_parts(str(recording_path))
        if not parts:
            return None
        stem = PurePath(parts[-1]).stem
        best: list[_Row] = []
        best_depth = 0
        for row in self._by_last_part.get(parts[-1], []) + self._by_last_part.get(stem, []):
            wanted = (*parts[:-1], stem) if row.by_stem else parts
            depth = _shared_tail(wanted, row.parts)
            if depth == 0 or depth < best_depth or row in best:
                continue
            if depth > best_depth:
                best, best_depth = [], depth
            best.append(row)
        if not best:
            return None
        for row in best:
            if row.problem:
                raise MetadataError(translate("Errors", "{file} row {row}: {problem}").format(
                    file=self.path.name, row=row.number, problem=row.problem), source=self.path, row=row.number)
        if any(row.metadata != best[0].metadata for row in best[1:]):
            numbers = ", ".join(str(row.number) for row in best)
            raise MetadataError(translate(
                "Errors", "{file} rows {rows} all list {recording} with different details; "
                "keep one row or give the folder too").format(
                file=self.path.name, rows=numbers, recording=PurePath(parts[-1]).name),
                source=self.path, row=best[0].number)
        return best[0].metadata


# --- looking at a sheet before importing with it (the column mapping screen) ---------

def read_headers(path) -> list[str]:
    """The header row of a CSV/XLSX as Sidecar.load sees it; a blank header cell is ""."""
    return list(read_sample(path, rows=0).headers)


def detect_columns(headers: list[str], mapping: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """For every field, the header that holds it: the user's mapping first, then
    DEFAULT_COLUMNS; None when the sheet has no such column or the mapping says None.

    A mapped header this sheet does not have is passed over (the field is
    recognised as if unmapped): a mapping remembered for another recorder's
    export must not hide a column we would find. Sidecar.load refuses such a
    mapping instead, so pass it only what this function returns.
    """
    mapping = mapping or {}
    positions = _header_positions(headers)
    found: dict[str, str | None] = {}
    for field_name in DEFAULT_COLUMNS:
        if field_name in mapping and mapping[field_name] is None:
            found[field_name] = None
            continue
        wanted = mapping.get(field_name)
        index = positions.get(_header_key(wanted)) if wanted else None
        if index is None:
            index = _recognised(field_name, positions)
        found[field_name] = headers[index] if index is not None else None
    return found


@dataclass(frozen=True)
class PreviewRow:
    """One sheet row as the import would read it, field by field."""

    number: int                                  # the row as the analyst sees it in Excel
    values: dict[str, object]                    # field -> text, datetime or "inbound"/"outbound"; None if blank
    problems: dict[str, str] = field(default_factory=dict)  # field -> why the import refuses its value


@dataclass(frozen=True)
class SheetSample:
    """A sheet's header row and first rows, read once.

    Reading a large XLSX takes seconds (openpyxl parses all its shared strings
    before the first row), so the mapping screen reads a sample once and
    previews every mapping the user tries from it.
    """

    path: Path
    headers: tuple[str, ...]
    rows: tuple[tuple[int, list], ...]  # (row number, cells) of the first non-blank rows

    def preview(self, mapping: dict[str, str | None] | None = None, rows: int = 3) -> list[PreviewRow]:
        """The first data rows as Sidecar.load with this mapping reads them.

        Unlike load, a sheet without a file column is still previewed (every
        non-blank row), so the user sees what the other columns hold.
        """
        _, indexes = _match_columns(self.path, list(self.headers), mapping or {}, require_file=False)
        found: list[PreviewRow] = []
        for number, cells in self.rows:
            if len(found) >= rows:
                break
            file_text = _cell_text(_cell(cells, indexes, "file"))
            if "file" in indexes and not (file_text and _path_parts(file_text)):
                continue  # load skips these rows too (blank or totals rows)
            values, problems = _read_fields(cells, indexes)
            found.append(PreviewRow(number, {"file": file_text, "started_at": None, **values}, problems))
        return found


def read_sample(path, rows: int = 20) -> SheetSample:
    """The header row and up to ``rows`` non-blank rows under it; MetadataError naming
    the file when it cannot be read."""
    path = Path(path)
    with closing(_open_table(path)) as table:
        headers = _header_row(path, table)
        sample = islice(((n, cells) for n, cells in table if any(_cell_text(c) for c in cells)), rows)
        return SheetSample(path, tuple(headers), tuple(sample))


def preview(path, mapping: dict[str, str | None] | None = None, rows: int = 3) -> list[PreviewRow]:
    """The first ``rows`` data rows of a sheet as the import would read them."""
    return read_sample(path).preview(mapping, rows)


def _shared_tail(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    count = 0
    while count < min(len(left), len(right)) and left[-1 - count] == right[-1 - count]:
        count += 1
    return count


def _is_excel(path: Path) -> bool:
    if path.suffix.lower() == ".xls":
        raise MetadataError(translate(
            "Errors", "{file}: old .xls workbooks cannot be read; save it as .xlsx or CSV").format(
            file=path.name), source=path)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        return True
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"PK\x03\x04"  # an XLSX saved under another name
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: OSError) -> MetadataError:
    return MetadataError(translate(
        "Errors", "{file}: cannot be read ({detail}); close it in Excel or check that it is still there"
    ).format(file=path.name, detail=exc.strerror or exc), source=path)


def _open_table(path: Path) -> Iterator[tuple[int, list]]:
    """The sheet's rows as (row number, cells), read as they are consumed."""
    return _read_xlsx(path) if _is_excel(path) else _read_csv(path)


def _header_row(path: Path, table: Iterator[tuple[int, list]]) -> list[str]:
    """Consume the table up to its first non-blank row, the header, and return it."""
    for _, cells in table:
        if any(_cell_text(c) for c in cells):
            return [_cell_text(h) or "" for h in cells]
    raise MetadataError(translate(
        "Errors", "{file}: the file has no header row; the first row must name the columns "
        "(file name, agent, start time…)").format(file=path.name), source=path)


def _read_csv(path: Path) -> Iterator[tuple[int, list]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    text = _decode(path, raw)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    excel_hint = re.fullmatch(r"sep=(.)", first_line)  # Excel's "sep=;" first line
    # Otherwise the header line is the most reliable sample: it has one
    # delimiter between every column and no free text.
    delimiter = excel_hint.group(1) if excel_hint else max(
        _DELIMITERS, key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    skip_hint = bool(excel_hint)  # the hint is the first non-blank line; the header comes after it
    try:
        for cells in reader:
            if skip_hint and any(c.strip() for c in cells):
                skip_hint = False
                continue
            # line_num is the line the record ends on, which is the Excel row for
            # everything but cells with line breaks in them.
            yield reader.line_num, cells
    except csv.Error as exc:
        raise MetadataError(translate(
            "Errors", "{file} line {line}: not a readable CSV file ({detail}); save it again as CSV from Excel"
        ).format(file=path.name, line=reader.line_num, detail=exc), source=path, row=reader.line_num) from None


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")  # Excel's "Unicode text" export
    if b"\x00" in raw:
        raise MetadataError(translate(
            "Errors", "{file}: this is not a CSV text file; choose the CSV or XLSX sheet the recorder exported"
        ).format(file=path.name), source=path)
    # UTF-8 first (it rarely decodes anything else by accident), then GB18030,
    # a superset of the GBK that Chinese recorders and Excel export.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MetadataError(translate(
        "Errors", "{file}: the text is neither UTF-8 nor GBK; save it as UTF-8 CSV").format(file=path.name),
        source=path)


def _read_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    import openpyxl  # only XLSX sidecars need it; keeps CSV imports light

    try:
        # read_only streams the sheet; data_only gives formulas' saved values.
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise MetadataError(translate(
            "Errors", "{file}: cannot be read as an Excel workbook ({detail}); open it in Excel and save it "
            "again as .xlsx or CSV").format(file=path.name, detail=exc), source=path) from None
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    except Exception as exc:
        raise MetadataError(translate(
            "Errors", "{file}: the first sheet cannot be read ({detail}); open it in Excel and save it "
            "again as .xlsx or CSV").format(file=path.name, detail=exc), source=path) from None
    finally:
        book.close()  # read_only mode keeps the file open (and locked on Windows) until closed


def _header_positions(headers: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        positions.setdefault(_header_key(header), index)  # a repeated header: the first one counts
    return positions


def _recognised(field_name: str, positions: dict[str, int]) -> int | None:
    """The column DEFAULT_COLUMNS finds for a field, most specific name first."""
    return next((positions[key] for name in DEFAULT_COLUMNS[field_name]
                 if (key := _header_key(name)) in positions), None)


def _match_columns(path: Path, headers: list[str], mapping: dict,
                   require_file: bool = True) -> tuple[dict[str, str], dict[str, int]]:
    unknown = sorted(set(mapping) - set(DEFAULT_COLUMNS))
    if unknown:
        raise MetadataError(translate(
            "Errors", "{file}: cannot map unknown field(s) {unknown}; the fields are {known}").format(
            file=path.name, unknown=", ".join(unknown), known=", ".join(DEFAULT_COLUMNS)), source=path)
    positions = _header_positions(headers)
    listed = ", ".join(repr(h) for h in headers if h)
    columns: dict[str, str] = {}
    indexes: dict[str, int] = {}
    for field_name in DEFAULT_COLUMNS:
        if field_name in mapping:
            wanted = mapping[field_name]
            if wanted is None:
                continue
            if _header_key(wanted) not in positions:
                raise MetadataError(translate(
                    "Errors", "{file}: column '{column}' (mapped to {field}) is not in the header row; "
                    "the columns are {columns}. Choose one of them in the column mapping").format(
                    file=path.name, column=wanted, field=field_name, columns=listed), source=path)
            index = positions[_header_key(wanted)]
        else:
            index = _recognised(field_name, positions)
            if index is None:
                continue
        columns[field_name], indexes[field_name] = headers[index], index
    if require_file and "file" not in indexes:
        raise MetadataError(translate(
            "Errors", "{file}: no column names the recording file (expected one of {expected}); "
            "the columns are {columns}. Map the file column in the import settings").format(
            file=path.name, expected=", ".join(DEFAULT_COLUMNS["file"]), columns=listed), source=path)
    return columns, indexes


def _cell(cells: list, indexes: dict[str, int], field_name: str):
    index = indexes.get(field_name)
    return cells[index] if index is not None and index < len(cells) else None


def _read_fields(cells: list, indexes: dict[str, int]) -> tuple[dict, dict[str, str]]:
    """Every field but the file as the import stores it, and, per field, why a value
    cannot be used (the import and the preview read rows the same way)."""
    values: dict = {f: _cell_text(_cell(cells, indexes, f)) for f in ("agent", "agent_id", "team", "queue",
                                                                      "customer_ref")}
    problems: dict[str, str] = {}
    started = _cell(cells, indexes, "started_at")
    if _cell_text(started) is not None:
        try:
            values["started_at"] = parse_start_time(started)
        except ValueError as exc:
            problems["started_at"] = str(exc)
    try:
        values["direction"] = normalise_direction(_cell(cells, indexes, "direction"))
    except ValueError as exc:
        problems["direction"] = str(exc)
    return values, problems


def _make_row(path: Path, number: int, cells: list, indexes: dict[str, int]) -> _Row | None:
    file_text = _cell_text(_cell(cells, indexes, "file"))
    if not file_text:
        return None  # blank or totals row: nothing could ever look it up
    parts = _path_parts(file_text)
    if not parts:
        return None
    values, problems = _read_fields(cells, indexes)
    by_stem = PurePath(parts[-1]).suffix not in AUDIO_EXTENSIONS
    problem = "; ".join(problems.values()) or None
    return _Row(number, parts, by_stem, None if problem else CallMetadata(**values), problem)
