"""A scorecard as a Qt table: one row per agent (or team), one column per figure.

The columns follow the scorecard: the sections of the forms in it (``section_titles``)
and the flag categories that have confirmed flags get a column each. Sorting is done
here, by the figures themselves rather than their text (``9.5 %`` before ``10 %``), and
a row without a figure always sorts last, whichever way the column is sorted: a lead
sorting by score wants the weakest agents at the top, not the agents with no score.

Scores are coloured by the centre's thresholds (good / watch / poor); the colours
are chosen for the palette in use so that they read on a light and on a dark theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QCollator, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ..durations import format_duration
from ..scoring.scorecards import Figures, Scorecard, ScorecardRow, Thresholds
from .formatting import number, percent

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ScorecardRow of a row
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # the number (or text) a column sorts by
BAND_ROLE = Qt.ItemDataRole.UserRole + 3  # good / watch / poor / behind, or None

# (light theme, dark theme) backgrounds; the text on them is dark, resp. light.
BAND_COLOURS = {
    "good": ("#d3f2dc", "#1e4a2b"),
    "watch": ("#fdefc3", "#5c4711"),
    "poor": ("#fbd9d7", "#6e2222"),
    "behind": ("#fde3c8", "#66380f"),
}
TEXT_ON_BAND = ("#1a202c", "#f7fafc")
CHANGE_COLOURS = {"up": ("#276749", "#68d391"), "down": ("#c53030", "#fc8181")}

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def band_colour(band: str, dark: bool | None = None) -> QColor:
    """The background of a band (good / watch / poor / behind) on this theme."""
    return QColor(BAND_COLOURS[band][1 if (is_dark() if dark is None else dark) else 0])


def band_text_colour(dark: bool | None = None) -> QColor:
    """The text colour on a band's background on this theme."""
    return QColor(TEXT_ON_BAND[1 if (is_dark() if dark is None else dark) else 0])


@dataclass(frozen=True)
class Column:
    # name, team, agents, evaluations, behind, percent, change, section:<key>, critical, flags, flags:<cat>, ...
    key: str
    header: str
    tip: str
    kind: str  # text, count, percent, change, rate, ratio, seconds, duration
    measure: Callable[[Figures], float | None] | None = None  # the figure, from one period's Figures
    banded: bool = False  # coloured by the thresholds


class ScorecardModel(QAbstractTableModel):
    """The rows of one scorecard; ``set_scorecard`` replaces them and rebuilds the columns."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._card: Scorecard | None = None
        self._rows: list[ScorecardRow] = []
        self._columns: list[Column] = self._build_columns(None)
        self._thresholds = Thresholds()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._collator = QCollator(QLocale())
        self._collator.setNumericMode(True)

    # --- what the page asks for --------------------------------------------------------------

    def set_scorecard(self, card: Scorecard | None, thresholds: Thresholds | None = None) -> None:
        self.beginResetModel()
        self._card = card
        self._thresholds = thresholds or self._thresholds
        self._rows = list(card.rows) if card else []
        self._columns = self._build_columns(card)
        if self._sort is not None and self._sort[0] < len(self._columns):
            self._sort_rows(*self._sort)
        self.endResetModel()

    def scorecard(self) -> Scorecard | None:
        return self._card

    def thresholds(self) -> Thresholds:
        return self._thresholds

    def row_at(self, row: int) -> ScorecardRow:
        return self._rows[row]

    def columns(self) -> list[Column]:
        return list(self._columns)

    def column_of(self, key: str) -> int:
        """The column showing ``key`` (see Column.key); -1 when the scorecard has none."""
        return next((i for i, c in enumerate(self._columns) if c.key == key), -1)

    def text(self, row: int, key: str) -> str:
        """What a cell shows, by column key (for tests and the team view's labels)."""
        return self.data(self.index(row, self.column_of(key))) or ""

    # --- columns -----------------------------------------------------------------------------

    def _build_columns(self, card: Scorecard | None) -> list[Column]:
        level = card.level if card else "agent"
        cols = [Column("name", self.tr("Agent") if level == "agent" else self.tr("Team"), "", "text")]
        if level == "agent":
            cols.append(Column("team", self.tr("Team"), "", "text"))
        else:
            cols.append(Column("agents", self.tr("Agents"), self.tr("Agents counted in the team"), "count"))
        cols += [
            Column("evaluations", self.tr("Evaluations"),
                   self.tr("Submitted evaluations of the period's calls, against the monitoring quota"), "count",
                   lambda f: f.evaluations),
            Column("percent", self.tr("Score"), self.tr("Average evaluation score"), "percent",
                   lambda f: f.percent, banded=True),
            Column("change", self.tr("Change"), self.tr("Score change against the previous period, in points"),
                   "change"),
        ]
        if level == "agent":  # the quota is per agent: a team is never "behind"
            cols.insert(3, Column("behind", self.tr("Behind"),
                                  self.tr("Evaluations still missing against the monitoring quota"), "count"))
        for key, title in (card.section_titles if card else {}).items():
            cols.append(Column(f"section:{key}", title, self.tr("Average score of the section “{0}”").format(title),
                               "percent", _section(key), banded=True))
        cols.append(Column("critical", self.tr("Critical fails"),
                           self.tr("Evaluations with at least one failed critical item"), "count",
                           lambda f: f.critical_failures if f.evaluations else None))
        cols.append(Column("flags", self.tr("Flags/call"),
                           self.tr("Confirmed flags per call checked against the rulebook"), "rate", _flags(None)))
        if card is not None:
            from .flag_dialogs import category_name  # the names the flags pane uses (imported late: pyqtgraph)

            for category in _categories(card):
                name = category_name(category)
                cols.append(Column(f"flags:{category}", name,
                                   self.tr("Confirmed “{0}” flags per checked call").format(name), "rate",
                                   _flags(category)))
        cols += [
            Column("talk_ratio", self.tr("Talk ratio"), self.tr("Agent talk time / customer talk time"), "ratio",
                   lambda f: f.metrics.talk_ratio),
            Column("dead_air", self.tr("Dead air"), self.tr("Silence of 3 s or more, seconds per call"), "seconds",
                   lambda f: f.metrics.dead_air),
            Column("overtalk", self.tr("Overtalk"), self.tr("Both speaking at once, seconds per call"), "seconds",
                   lambda f: f.metrics.overtalk),
            Column("handle_time", self.tr("Handle time"), self.tr("Average call length"), "duration",
                   lambda f: f.metrics.handle_time),
        ]
        return cols

    # --- values ------------------------------------------------------------------------------

    def _value(self, row: ScorecardRow, column: Column, figures: Figures | None = None):
        """The figure itself: a number, a text, or None when there is none."""
        figures = figures or row.current
        if column.key == "name":
            return self._name(row)
        if column.key == "team":
            return row.team
        if column.key == "agents":
            return row.agents
        if column.key == "behind":
            return row.behind if row.quota is not None else None
        if column.key == "change":
            return row.change
        return column.measure(figures) if column.measure else None

    def _name(self, row: ScorecardRow) -> str:
        if row.level == "team" and row.id is None:
            return self.tr("No team")
        return row.name

    def format(self, value, kind: str) -> str:
        if value is None:
            return "—"
        if kind == "text":
            return str(value)
        if kind == "count":
            return number(int(value))
        if kind == "percent":
            return percent(value, 1)
        if kind == "change":
            if abs(value) < 0.05:
                return "±" + number(0.0, 1)
            arrow = "▲" if value > 0 else "▼"
            return f"{arrow} {number(abs(float(value)), 1)}"
        if kind == "rate" or kind == "ratio":
            return number(float(value), 2)
        if kind == "seconds":
            return self.tr("{0} s").format(number(float(value), 1))
        if kind == "duration":
            return format_duration(value)
        return str(value)

    def _display(self, row: ScorecardRow, column: Column) -> str:
        value = self._value(row, column)
        if column.key == "evaluations" and row.quota is not None:
            return f"{number(int(value))} / {number(row.quota)}"
        if column.key == "behind":
            return number(value) if value else ""  # quiet unless someone is behind
        if column.key == "team" and value is None:
            return "—"
        return self.format(value, column.kind)

    def _band(self, row: ScorecardRow, column: Column) -> str | None:
        if column.banded:
            return self._thresholds.band(self._value(row, column))
        if column.key in ("behind", "evaluations") and row.behind > 0:
            return "behind"
        return None

    def _tooltip(self, row: ScorecardRow, column: Column) -> str:
        card = self._card
        if card is None or column.kind == "text" or column.key == "agents":
            return self._name(row) if column.key == "name" else ""
        now, before = card.period.label, card.previous_period.label
        if column.key in ("evaluations", "behind"):
            lines = [self.tr("{0}: {1} evaluations").format(now, number(row.current.evaluations)),
                     self.tr("{0}: {1} evaluations").format(before, number(row.previous.evaluations))]
            if row.quota is not None:
                lines.append(self.tr("Quota: {0} for the period").format(number(row.quota)))
                if row.behind:
                    lines.append(self.tr("{0} behind").format(number(row.behind)))
            return "\n".join(lines)
        if column.key == "change":
            if row.change is None:
                return self.tr("No score to compare in {0} or {1}").format(before, now)
            return self.tr("{0} → {1}: {2} → {3}").format(
                before, now, self.format(row.previous.percent, "percent"), self.format(row.current.percent, "percent"))
        current = self.format(self._value(row, column), column.kind)
        previous = self.format(self._value(row, column, row.previous), column.kind)
        lines = [column.tip, f"{now}: {current}", f"{before}: {previous}"]
        if column.key.startswith("section:"):
            section = row.current.sections.get(column.key.split(":", 1)[1])
            if section is not None:
                lines.append(self.tr("{0} evaluations scored the section").format(number(section.evaluations)))
                if section.failed:
                    lines.append(self.tr("{0} zeroed by a critical item").format(section.failed))
        if column.key == "flags" and row.current.flags_per_call:
            from .flag_dialogs import category_name

            lines += [f"  {category_name(c)}: {self.format(v, 'rate')}"
                      for c, v in sorted(row.current.flags_per_call.items(), key=lambda kv: -kv[1])]
        return "\n".join(line for line in lines if line)

    # --- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column.kind == "text" else _RIGHT
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._value(row, column)
        if role == ROW_ROLE:
            return row
        if role == BAND_ROLE:
            return self._band(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column.kind == "text" else _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            band = self._band(row, column)
            return QBrush(band_colour(band)) if band else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.FontRole and column.key == "behind" and row.behind:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _foreground(self, row: ScorecardRow, column: Column):
        dark = is_dark()
        if self._band(row, column):
            return QBrush(band_text_colour(dark))
        if column.key == "change" and row.change is not None and abs(row.change) >= 0.05:
            return QBrush(QColor(CHANGE_COLOURS["up" if row.change > 0 else "down"][1 if dark else 0]))
        if column.key == "critical" and row.current.critical_failures:
            return QBrush(QColor(CHANGE_COLOURS["down"][1 if dark else 0]))
        if self._display(row, column) == "—":
            return QApplication.palette().brush(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows(column, order)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        col = self._columns[column]
        descending = order == Qt.SortOrder.DescendingOrder
        present = [r for r in self._rows if self._value(r, col) is not None]
        missing = [r for r in self._rows if self._value(r, col) is None]
        if col.kind == "text":
            key = self._collator.sortKey
            present.sort(key=lambda r: key(str(self._value(r, col))), reverse=descending)
        else:
            present.sort(key=lambda r: float(self._value(r, col)), reverse=descending)
        # Python's sort is stable: rows with equal figures keep the store's team-then-name order.
        self._rows = present + missing


def _section(key: str) -> Callable[[Figures], float | None]:
    def measure(figures: Figures) -> float | None:
        section = figures.sections.get(key)
        return section.percent if section is not None else None
    return measure


def _flags(category: str | None) -> Callable[[Figures], float | None]:
    def measure(figures: Figures) -> float | None:
        if not figures.scanned_calls:
            return None  # no call was checked: "no flags" would be a claim we cannot make
        if category is None:
            return sum(figures.flags_per_call.values())
        return figures.flags_per_call.get(category, 0.0)
    return measure


def _categories(card: Scorecard) -> list[str]:
    """Flag categories with confirmed flags in the period, the most frequent first."""
    totals: dict[str, float] = {}
    for row in card.rows:
        for category, rate in row.current.flags_per_call.items():
            totals[category] = totals.get(category, 0.0) + rate
    return [c for c, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if total > 0]


__all__ = ["BAND_COLOURS", "BAND_ROLE", "Column", "ROW_ROLE", "SORT_ROLE", "ScorecardModel", "band_colour",
           "band_text_colour", "is_dark"]
