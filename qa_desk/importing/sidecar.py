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
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..audio.probe import AUDIO_EXTENSIONS
from .metadata import CallMetadata, MetadataError, normalise_direction, parse_start_time

__all__ = ["DEFAULT_COLUMNS", "Sidecar"]

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
        table = _read_xlsx(path) if _is_excel(path) else _read_csv(path)
        header_at = next((i for i, (_, cells) in enumerate(table) if any(_cell_text(c) for c in cells)), None)
        if header_at is None:
            raise MetadataError(f"{path.name}: the file has no header row", source=path)
        header_row, headers = table[header_at]
        columns, indexes = _match_columns(path, [_cell_text(h) or "" for h in headers], mapping or {})
        rows = [row for number, cells in table[header_at + 1:]
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
                raise MetadataError(f"{self.path.name} row {row.number}: {row.problem}",
                                    source=self.path, row=row.number)
        if any(row.metadata != best[0].metadata for row in best[1:]):
            numbers = " and ".join(str(row.number) for row in best)
            raise MetadataError(f"{self.path.name} rows {numbers} all list {PurePath(parts[-1]).name} "
                                "with different details; keep one row or give the folder too",
                                source=self.path, row=best[0].number)
        return best[0].metadata


def _shared_tail(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    count = 0
    while count < min(len(left), len(right)) and left[-1 - count] == right[-1 - count]:
        count += 1
    return count


def _is_excel(path: Path) -> bool:
    if path.suffix.lower() == ".xls":
        raise MetadataError(f"{path.name}: old .xls workbooks cannot be read; save it as .xlsx or CSV",
                            source=path)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        return True
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"PK\x03\x04"  # an XLSX saved under another name
    except OSError as exc:
        raise MetadataError(f"{path.name}: cannot be read ({exc.strerror or exc})", source=path) from None


def _read_csv(path: Path) -> list[tuple[int, list]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MetadataError(f"{path.name}: cannot be read ({exc.strerror or exc})", source=path) from None
    text = _decode(path, raw)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    excel_hint = re.fullmatch(r"sep=(.)", first_line)  # Excel's "sep=;" first line
    # Otherwise the header line is the most reliable sample: it has one
    # delimiter between every column and no free text.
    delimiter = excel_hint.group(1) if excel_hint else max(
        _DELIMITERS, key=lambda d: len(next(csv.reader([first_line], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # line_num is the line the record ends on, which is the Excel row for
        # everything but cells with line breaks in them.
        table = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise MetadataError(f"{path.name} line {reader.line_num}: not a readable CSV file ({exc})",
                            source=path, row=reader.line_num) from None
    if excel_hint:  # the hint is the first non-blank line; the header comes after it
        del table[next(i for i, (_, cells) in enumerate(table) if any(c.strip() for c in cells))]
    return table


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")  # Excel's "Unicode text" export
    if b"\x00" in raw:
        raise MetadataError(f"{path.name}: this is not a CSV text file", source=path)
    # UTF-8 first (it rarely decodes anything else by accident), then GB18030,
    # a superset of the GBK that Chinese recorders and Excel export.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MetadataError(f"{path.name}: the text is neither UTF-8 nor GBK; save it as UTF-8 CSV", source=path)


def _read_xlsx(path: Path) -> list[tuple[int, list]]:
    import openpyxl  # only XLSX sidecars need it; keeps CSV imports light

    try:
        # read_only streams the sheet; data_only gives formulas' saved values.
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise MetadataError(f"{path.name}: cannot be read as an Excel workbook ({exc})", source=path) from None
    try:
        sheet = book.worksheets[0]
        return [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    except Exception as exc:
        raise MetadataError(f"{path.name}: the first sheet cannot be read ({exc})", source=path) from None
    finally:
        book.close()  # read_only mode keeps the file open (and locked on Windows) until closed


def _match_columns(path: Path, headers: list[str], mapping: dict) -> tuple[dict[str, str], dict[str, int]]:
    unknown = sorted(set(mapping) - set(DEFAULT_COLUMNS))
    if unknown:
        raise MetadataError(f"{path.name}: cannot map unknown field(s) {', '.join(unknown)}; "
                            f"the fields are {', '.join(DEFAULT_COLUMNS)}", source=path)
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        positions.setdefault(_header_key(header), index)
    listed = ", ".join(repr(h) for h in headers if h)
    columns: dict[str, str] = {}
    indexes: dict[str, int] = {}
    for field, names in DEFAULT_COLUMNS.items():
        if field in mapping:
            wanted = mapping[field]
            if wanted is None:
                continue
            if _header_key(wanted) not in positions:
                raise MetadataError(f"{path.name}: column {wanted!r} (mapped to {field}) is not in the "
                                    f"header row; the columns are {listed}", source=path)
            index = positions[_header_key(wanted)]
        else:
            index = next((positions[_header_key(n)] for n in names if _header_key(n) in positions), None)
            if index is None:
                continue
        columns[field], indexes[field] = headers[index], index
    if "file" not in indexes:
        raise MetadataError(f"{path.name}: no column names the recording file (expected one of "
                            f"{', '.join(DEFAULT_COLUMNS['file'])}); the columns are {listed}. "
                            "Map the file column in the import settings", source=path)
    return columns, indexes


def _make_row(path: Path, number: int, cells: list, indexes: dict[str, int]) -> _Row | None:
    def cell(field):
        index = indexes.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    file_text = _cell_text(cell("file"))
    if not file_text:
        return None  # blank or totals row: nothing could ever look it up
    parts = _path_parts(file_text)
    if not parts:
        return None
    values: dict = {f: _cell_text(cell(f)) for f in ("agent", "agent_id", "team", "queue", "customer_ref")}
    problems = []
    started = cell("started_at")
    if _cell_text(started) is not None:
        try:
            values["started_at"] = parse_start_time(started)
        except ValueError as exc:
            problems.append(str(exc))
    try:
        values["direction"] = normalise_direction(cell("direction"))
    except ValueError as exc:
        problems.append(str(exc))
    by_stem = PurePath(parts[-1]).suffix not in AUDIO_EXTENSIONS
    problem = "; ".join(problems) or None
    return _Row(number, parts, by_stem, None if problem else CallMetadata(**values), problem)
