"""The index of an exported playlist as a workbook (XLSX): one row per clip, for the
trainer who plans sessions in a spreadsheet.

Every text a person typed (titles, notes, tags, transcripts) goes through
``cells.xlsx_text``: a title starting with "=" stays text, never a formula. The audio
and transcript files are linked relatively, so the links work wherever the export
folder is copied. A second sheet says which playlist, when, and whether anonymised.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .cells import sheet_name, xlsx_text
from .clip_files import clock, words_for
from .playlist_index import ExportIndex

_HEADER_FONT = Font(name="Calibri", size=11, bold=True)
_HEADER_FILL = PatternFill("solid", start_color="FFDDE4EE")
_LINK_FONT = Font(name="Calibri", size=11, color="FF2F6DB5", underline="single")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
# (word key, column width): the transcript column is wide and wraps; the rest fit their content.
_COLUMNS = (("number", 6), ("title", 36), ("kind", 16), ("tags", 20), ("agent", 14), ("team", 14),
            ("call_date", 17), ("start_in_call", 13), ("duration", 11), ("hidden", 10), ("notes", 36),
            ("entry_notes", 30), ("audio", 30), ("txt", 30), ("text", 80))


def _text(value) -> str:
    return xlsx_text(str(value or ""))


def index_workbook(index: ExportIndex) -> Workbook:
    words = words_for(index.language)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(words["sheet_clips"])
    sheet.append([words[key] for key, _ in _COLUMNS])
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _TOP
    for position, (_, width) in enumerate(_COLUMNS, 1):
        sheet.column_dimensions[sheet.cell(1, position).column_letter].width = width
    for entry in index.entries:
        sheet.append([
            entry.number, _text(entry.title), _text(words.get(entry.kind, entry.kind)), _text(", ".join(entry.tags)),
            _text(entry.agent), _text(entry.team), entry.call_started_at,
            f"{clock(entry.start_in_call)}–{clock(entry.end_in_call)}", round(entry.duration, 1), entry.hidden,
            _text(entry.notes), _text(entry.entry_notes), _text(entry.audio_file), _text(entry.txt_file),
            _text(entry.text),
        ])
        row = sheet.max_row
        for cell in sheet[row]:
            cell.alignment = _WRAP
        sheet.cell(row, 7).number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row, 9).number_format = "0.0"
        for column, name in ((13, entry.audio_file), (14, entry.txt_file)):
            # A relative target: the link opens the file beside the workbook, wherever it was copied.
            sheet.cell(row, column).hyperlink = name
            sheet.cell(row, column).font = _LINK_FONT
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(1, len(_COLUMNS)).column_letter}{max(1, sheet.max_row)}"

    about = book.create_sheet(sheet_name(words["sheet_playlist"]))
    rows = [
        (words["name"], _text(index.title)),
        (words["notes"], _text(index.notes)),
        (words["author"], _text(index.author)),
        (words["exported_at"], index.exported_at.replace(microsecond=0)),
        (words["anonymised_short"], words["yes"] if index.anonymised else words["no"]),
        (words["clip_count"], len(index.entries)),
    ]
    for label, value in rows:
        about.append([label, value])
        about.cell(about.max_row, 1).font = _HEADER_FONT
        about.cell(about.max_row, 2).alignment = _WRAP
    about.cell(4, 2).number_format = "yyyy-mm-dd hh:mm"
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 70
    book.properties.title = _text(index.title)
    book.properties.creator = "QA Desk"
    return book


def write_index_xlsx(path, index: ExportIndex) -> Path:
    """The workbook at ``path``, written beside it and renamed (complete or not at all)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        index_workbook(index).save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


__all__ = ["index_workbook", "write_index_xlsx"]
