"""Text from users made safe for a spreadsheet cell (formula / CSV injection).

Agent names, comments, notes, reviewer names and matched phrases are typed by people
(or come from a recorder's metadata file). A spreadsheet program treats text starting
with ``=``, ``+``, ``-`` or ``@`` as a formula when it opens a CSV file, and when a
user edits the cell in Excel; ``=HYPERLINK(...)`` or ``=cmd|...`` is then a live link
or worse (OWASP "CSV Injection"). Tab and carriage return are on OWASP's list too:
some programs drop them and read the next character as the start of the cell.

What we do, in both the XLSX and the CSV export, with this one function:

- Such text gets a leading apostrophe: ``=HYPERLINK("x")`` is written as
  ``'=HYPERLINK("x")``. This is OWASP's recommendation. The text stays readable (the
  apostrophe shows, which is the point: the reader sees it is text), nothing is
  removed, and the cell is text in every program that reads the file — including
  when the value is copied out of our workbook into another spreadsheet or saved
  again as CSV, which Excel's "quotePrefix" cell style would not survive.
  A leading space or tab instead of the apostrophe was rejected: several programs
  trim leading blanks on import, which brings the formula back.
- Text whose first non-blank character is a trigger (`` =1+1``) is treated the same,
  since importers that trim blanks would otherwise see ``=1+1``.
- The full-width forms (＝ ＋ － ＠) are included: Chinese input methods type them,
  and some spreadsheet programs read them as their ASCII twins.

Only strings are touched: numbers (a negative change of score, say) are numbers.
In the XLSX writer a neutralised string never starts with ``=``, so openpyxl stores
it as a string cell, never as a formula; the writer also never sets a formula type.

Sheet names have rules of their own, which a translated name must keep too (``sheet_name``).
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these may be read as a formula (or, for tab and CR,
# by a program that then reads the next character as the start).
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
_BLANKS = " \t\r\n\u3000"
EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in one cell
SHEET_NAME_LIMIT = 31  # UTF-16 code units in a sheet's name
# What Excel refuses in a sheet's name, as the full-width twins Excel accepts: a translated
# name ("评估：明细") stays readable instead of losing its punctuation.
_SHEET_NAME_SWAPS = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"})


def needs_neutralising(text: str) -> bool:
    if not text:
        return False
    if text[0] in FORMULA_TRIGGERS:
        return True
    rest = text.lstrip(_BLANKS)
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` as it is safe to put in a spreadsheet cell (see the module docstring)."""
    return "'" + text if needs_neutralising(text) else text


def xlsx_text(text: str) -> str:
    """Neutralised text that an XLSX cell can hold: XML 1.0 cannot carry most control
    characters (a comment pasted from a terminal can have them; openpyxl would refuse
    the whole row), and Excel cuts a cell at 32,767 characters (we cut first, so the
    file does not need repairing on open)."""
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def sheet_name(text: str, fallback: str = "Sheet") -> str:
    """``text`` as a name Excel opens a workbook with: none of []:*?/\\ (their full-width
    forms instead), no control characters, no apostrophe at either end, at most 31
    UTF-16 units (a character outside the BMP counts twice), never blank. The names
    are translated, so a translator cannot know these rules."""
    name = ILLEGAL_CHARACTERS_RE.sub("", text.translate(_SHEET_NAME_SWAPS)).strip().strip("'").strip()
    while len(name.encode("utf-16-le")) > 2 * SHEET_NAME_LIMIT:
        name = name[:-1]
    name = name.rstrip().rstrip("'")
    return name or fallback


__all__ = [
    "EXCEL_CELL_LIMIT", "FORMULA_TRIGGERS", "SHEET_NAME_LIMIT", "needs_neutralising", "neutralise", "sheet_name",
    "xlsx_text",
]
