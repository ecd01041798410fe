"""Trend charts for the scorecards, drawn with pyqtgraph.

Each chart is a ``ChartPanel``: a title, an "Export PNG…" button, the plot and a
legend written under it (a legend inside the plot would sit on the lines near 100 %).
Hovering a point or a bar shows its value and its date or period; the charts do not
pan or zoom, since a lead reads them, not explores them.

- ``ScoreTrendChart``: every evaluation as a point on a date axis, coloured by its band,
  the moving average of the last few evaluations, and the team's average per period.
- ``SectionTrendChart``: each form section's average per period, one line a section.
- ``FlagTrendChart``: confirmed flags per call per period, stacked by category.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..scoring.scorecards import Thresholds
from .flag_dialogs import category_name
from .formatting import moment, number
from .formatting import percent as _percent  # "percent" is the charts' word for a value

SERIES_COLOURS = ("#3182ce", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#e53e3e",
                  "#5a67d8", "#718096")
BAND_STRONG = {"good": "#38a169", "watch": "#d69e2e", "poor": "#e53e3e"}  # read on light and dark
AVERAGE_COLOUR = "#3182ce"
TEAM_COLOUR = "#805ad5"
HOVER_RADIUS = 10  # pixels from a point that still count as "on" it
MOVING_AVERAGE = 5  # evaluations in the moving average


WORD_JOINER = "\u2060"  # no line break here (and nothing shown)


def percent_text(value: float | None) -> str:
    """A score in percent to one decimal, "—" for none."""
    return _percent(value, 1)


class HoverTips:
    """What to say when the pointer is over a point or inside a rectangle (data coordinates)."""

    def __init__(self):
        self.points: list[tuple[float, float, str]] = []
        self.rects: list[tuple[float, float, float, float, str]] = []

    def clear(self) -> None:
        self.points.clear()
        self.rects.clear()

    def add_point(self, x: float, y: float, text: str) -> None:
        if not (math.isnan(x) or math.isnan(y)):
            self.points.append((x, y, text))

    def add_rect(self, x0: float, y0: float, x1: float, y1: float, text: str) -> None:
        self.rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), text))

    def text_at(self, x: float, y: float, pixel: tuple[float, float] = (1.0, 1.0)) -> str | None:
        """The tip for the pointer at (x, y); ``pixel``: the data size of one pixel (x, y).
        Points close together (two evaluations on one day) are all named."""
        px, py = (abs(p) or 1.0 for p in pixel)
        near = sorted((math.hypot((x - px_) / px, (y - py_) / py), text) for px_, py_, text in self.points)
        texts = list(dict.fromkeys(text for distance, text in near if distance <= HOVER_RADIUS))
        if texts:
            return "\n\n".join(texts[:4])
        for x0, y0, x1, y1, text in self.rects:
            if x0 <= x <= x1 and y0 <= y <= y1:
                return text
        return None


class ChartPanel(QWidget):
    """A titled plot with hover tips, a legend line and "Export PNG…"."""

    message = Signal(str)
    _last_folder: str = ""  # where the last chart was exported, for the next one

    def __init__(self, title: str, *, date_axis: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.file_name = "chart.png"  # the owner names the file after what is shown
        self.tips = HoverTips()
        self.legend_entries: list[str] = []
        self.title = QLabel(title)
        self.title.setObjectName("chartTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.export_button = QToolButton()
        self.export_button.setObjectName("exportPng")
        self.export_button.setText(self.tr("Export PNG…"))
        self.export_button.setAutoRaise(True)
        self.export_button.setToolTip(self.tr("Save this chart as a PNG image"))
        self.export_button.clicked.connect(lambda: self.export_png())

        axes = {"bottom": pg.DateAxisItem(orientation="bottom")} if date_axis else {}
        self.plot = pg.PlotWidget(axisItems=axes)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(100)  # a short window (a laptop at 150 %) still fits two charts
        item = self.plot.getPlotItem()
        # As in the waveform: give pyqtgraph's parentless menu and state group a Qt parent so
        # that they are deleted with the plot on the GUI thread, never by a job's thread's GC.
        item.ctrlMenu.setParent(self.plot, item.ctrlMenu.windowFlags())
        item.stateGroup.setParent(self.plot)
        self.plot.showGrid(x=False, y=True, alpha=0.15)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

        self.empty = QLabel()
        self.empty.setObjectName("chartEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body = QStackedWidget()
        self.body.addWidget(self.plot)
        self.body.addWidget(self.empty)
        self.legend = QLabel()
        self.legend.setObjectName("chartLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend_height = -1  # the legend's height at the chart's width (see minimumSizeHint)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title, 1)
        header.addWidget(self.export_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(2)
        column.addLayout(header)
        column.addWidget(self.body, 1)
        column.addWidget(self.legend)
        self._style()

    # --- size --------------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        # The legend wraps onto a second line in a narrow chart: counted here, or a short
        # window squeezes the chart below its plot and the legend covers the axis's labels.
        hint = super().minimumSizeHint()
        if not self.legend.isHidden() and self.legend.width() > 0:
            extra = self.legend.heightForWidth(self.legend.width()) - self.legend.minimumSizeHint().height()
            hint.setHeight(hint.height() + max(0, extra))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(event)
        lines = self.legend.heightForWidth(self.legend.width()) if self.legend.width() > 0 else -1
        if lines != self._legend_height:  # the legend wraps differently: the minimum changed
            self._legend_height = lines
            self.updateGeometry()

    # --- look --------------------------------------------------------------------------------

    def _style(self) -> None:
        palette = self.palette()
        self.plot.setBackground(palette.base().color())
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(palette.mid().color()))
            axis.setTextPen(pg.mkPen(palette.text().color()))
        self.empty.setStyleSheet("QLabel { color: palette(placeholder-text); }")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the user switched to a dark theme
            self._style()

    def set_legend(self, entries: list[tuple[str, str, str]]) -> None:
        """(colour, text, mark) entries; mark "●" for points, "━" for lines, "┅" for dashes, "■" for bars."""
        self.legend_entries = [text for _colour, text, _mark in entries]
        # Non-breaking inside an entry: the legend wraps between entries, never inside one
        # (a word joiner between the characters: Chinese would otherwise break anywhere,
        # "良" at the end of a line and "好 ≥ 90.0%" on the next).
        parts = [f'<span style="color:{colour}; font-size:large">{mark}</span>&nbsp;'
                 f'{_escape(WORD_JOINER.join(text)).replace(" ", "&nbsp;")}' for colour, text, mark in entries]
        self.legend.setText("&nbsp;&nbsp;&nbsp; ".join(parts))
        self.legend.setVisible(bool(entries))

    def show_empty(self, text: str) -> None:
        self.plot.clear()
        self.tips.clear()
        self.set_legend([])
        self.empty.setText(text)
        self.body.setCurrentWidget(self.empty)
        self.export_button.setEnabled(False)

    def _start(self) -> None:
        self.plot.clear()
        self.tips.clear()
        self.body.setCurrentWidget(self.plot)
        self.export_button.setEnabled(True)

    def has_data(self) -> bool:
        return self.body.currentWidget() is self.plot

    # --- hover -------------------------------------------------------------------------------

    def hover_text(self, x: float, y: float) -> str | None:
        """The tip at (x, y) in data coordinates, as the pointer there would show it."""
        return self.tips.text_at(x, y, self.plot.getViewBox().viewPixelSize())

    def _mouse_moved(self, pos: QPointF) -> None:
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            QToolTip.hideText()
            return
        point = vb.mapSceneToView(pos)
        text = self.hover_text(point.x(), point.y())
        if text:
            where = self.plot.viewport().mapToGlobal(self.plot.mapFromScene(pos))
            QToolTip.showText(where, text, self.plot)
        else:
            QToolTip.hideText()

    # --- export ------------------------------------------------------------------------------

    def image(self) -> QPixmap:
        """The chart as shown (title, plot, legend), without the export button."""
        self.export_button.hide()
        try:
            return self.grab()
        finally:
            self.export_button.show()

    def export_png(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            folder = ChartPanel._last_folder or str(Path.home())
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export chart"), str(Path(folder) / self.file_name),
                                                    self.tr("PNG images (*.png)"))
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        if not self.image().save(str(path), "PNG"):
            QMessageBox.warning(self, self.tr("Export chart"),
                                self.tr("The chart could not be saved to {0}. Check that the folder exists and "
                                        "can be written to.").format(path))
            return None
        ChartPanel._last_folder = str(path.parent)
        self.message.emit(self.tr("Chart saved to {0}").format(path))
        return path


class ScoreTrendChart(ChartPanel):
    """Each evaluation a point; the moving average; the team's average per period."""

    point_clicked = Signal(object)  # the ScorePoint clicked
    point_activated = Signal(object)  # the ScorePoint double-clicked: open its call

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Score over time"), date_axis=True, parent=parent)
        self.plot.getAxis("left").setLabel(self.tr("Score %"))
        self.points_item: pg.ScatterPlotItem | None = None

    def show_points(self, points: list, steps: list[tuple], thresholds: Thresholds, *, comparison: str,
                    first: datetime, after: datetime) -> None:
        """``points``: ScorePoint, oldest first; ``steps``: (Period, percent or None) of the comparison
        (team or centre) named ``comparison``; the x axis runs from ``first`` to ``after``."""
        if not points:
            self.show_empty(self.tr("No submitted evaluations in these periods."))
            return
        self._start()
        x = np.array([p.at.timestamp() for p in points], dtype=float)
        y = np.array([p.percent for p in points], dtype=float)
        # Team average as steps over each period, broken where the team had no score.
        sx: list[float] = []
        sy: list[float] = []
        for period, percent in steps:
            if percent is None:
                sx.append(math.nan)
                sy.append(math.nan)
                continue
            x0, x1 = period.first_moment.timestamp(), period.after.timestamp()
            sx += [x0, x1]
            sy += [percent, percent]
            self.tips.add_rect(x0, percent - 1.2, x1, percent + 1.2,
                               self.tr("{0} average, {1}: {2}").format(comparison, period.label, percent_text(percent)))
        if sx:
            self.plot.addItem(pg.PlotDataItem(sx, sy, connect="finite",
                                              pen=pg.mkPen(TEAM_COLOUR, width=2, style=Qt.PenStyle.DashLine)))
        for value, band in ((thresholds.good, "good"), (thresholds.poor, "poor")):
            self.plot.addItem(pg.InfiniteLine(value, angle=0, movable=False,
                                              pen=pg.mkPen(BAND_STRONG[band], width=1, style=Qt.PenStyle.DotLine)))
        window = [float(np.mean(y[max(0, i - MOVING_AVERAGE + 1):i + 1])) for i in range(len(y))]
        self.plot.addItem(pg.PlotDataItem(x, window, pen=pg.mkPen(AVERAGE_COLOUR, width=2)))
        brushes = [pg.mkBrush(BAND_STRONG[thresholds.band(p.percent)]) for p in points]
        symbols = ["x" if p.auto_failed else "o" for p in points]
        self.points_item = pg.ScatterPlotItem(x=x, y=y, data=list(points), brush=brushes, symbol=symbols, size=10,
                                              pen=pg.mkPen(self.palette().base().color(), width=1))
        self.points_item.sigClicked.connect(self._clicked)
        self.plot.addItem(self.points_item)
        for i, p in enumerate(points):
            lines = [f"{moment(p.at)} · {percent_text(p.percent)}", p.form_key]
            if p.auto_failed:
                lines.append(self.tr("Failed on a critical item"))
            lines.append(self.tr("Moving average: {0}").format(percent_text(window[i])))
            self.tips.add_point(x[i], y[i], "\n".join(lines))
        top = max(105.0, float(np.nanmax(y)) + 5)
        self.plot.setYRange(-4, top, padding=0)  # below 0: a zeroed evaluation's mark shows whole
        self.plot.setXRange(first.timestamp(), after.timestamp(), padding=0.01)
        self.set_legend([
            (BAND_STRONG["good"], self.tr("Evaluation (✕: failed on a critical item)"), "●"),
            (AVERAGE_COLOUR, self.tr("Moving average of {0}").format(MOVING_AVERAGE), "━"),
            (TEAM_COLOUR, self.tr("{0} average").format(comparison), "┅"),
            (BAND_STRONG["poor"], self.tr("Good ≥ {0} · poor < {1}").format(
                percent_text(thresholds.good), percent_text(thresholds.poor)), "┈"),
        ])

    def _clicked(self, _item, spots, event) -> None:
        if not len(spots):
            return
        point = spots[0].data()
        (self.point_activated if event.double() else self.point_clicked).emit(point)


def period_tick(period) -> str:
    """A short name for a period on an axis: 2026-11, W45, 2026-Q4, 10-01…"""
    if period.kind == "week":
        return f"W{period.start.isocalendar()[1]:02d}"
    if period.kind == "range":
        return f"{period.start:%m-%d}"
    return period.label


class _PeriodChart(ChartPanel):
    """A chart with one slot per period on the x axis."""

    _ticks: list[str] = []

    def _axis(self, periods: list) -> None:
        self._ticks = [period_tick(p) for p in periods]
        self._label_ticks()
        self.plot.setXRange(-0.6, len(periods) - 0.4, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(event)
        self._label_ticks()

    def _label_ticks(self) -> None:
        """Every period's name when they fit side by side, else every second (third…) one,
        the others a bare tick: in a narrow chart the names must not run into each other."""
        if not self._ticks:
            return
        metrics = QFontMetrics(self.plot.font())
        wide = max(metrics.horizontalAdvance(text) for text in self._ticks) + 12
        room = max(self.plot.width() - self.plot.getAxis("left").width(), 1)
        stride = max(1, math.ceil(len(self._ticks) * wide / room))
        named = [(i, text) for i, text in enumerate(self._ticks) if i % stride == 0]
        bare = [(i, "") for i in range(len(self._ticks)) if i % stride]
        self.plot.getAxis("bottom").setTicks([named, bare])


class SectionTrendChart(_PeriodChart):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Section scores by period"), parent=parent)
        self.plot.getAxis("left").setLabel(self.tr("Score %"))

    def show_periods(self, periods: list, figures: list, titles: dict[str, str]) -> None:
        keys = [k for k in titles if any(k in f.sections and f.sections[k].percent is not None for f in figures)]
        if not keys:
            self.show_empty(self.tr("No section scores in these periods."))
            return
        self._start()
        self._axis(periods)
        legend = []
        low, top = 100.0, 0.0
        for n, key in enumerate(keys):
            colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
            values = []
            for i, (period, fig) in enumerate(zip(periods, figures)):
                section = fig.sections.get(key)
                value = section.percent if section is not None and section.percent is not None else math.nan
                values.append(value)
                if section is not None and section.percent is not None:
                    self.tips.add_point(i, value, self.tr("{0} · {1}: {2} ({3} evaluations)").format(
                        titles[key], period.label, percent_text(value), number(section.evaluations)))
            if not all(map(math.isnan, values)):
                low, top = min(low, float(np.nanmin(values))), max(top, float(np.nanmax(values)))
            self.plot.addItem(pg.PlotDataItem(list(range(len(periods))), values, connect="finite",
                                              pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=7,
                                              symbolBrush=colour, symbolPen=None))
            legend.append((colour, titles[key], "━"))
        # From a round number under the lowest score: sections are often all in the 80s and 90s,
        # and a 0-based axis would press their lines into one.
        self.plot.setYRange(max(0.0, math.floor((low - 5) / 10) * 10) - 1, max(100.0, top) + 4, padding=0)
        self.set_legend(legend)


class FlagTrendChart(_PeriodChart):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Confirmed flags per call by period"), parent=parent)
        self.plot.getAxis("left").setLabel(self.tr("Flags per call"))

    def show_periods(self, periods: list, figures: list) -> None:
        totals: dict[str, float] = {}
        for fig in figures:
            for category, rate in fig.flags_per_call.items():
                totals[category] = totals.get(category, 0.0) + rate
        categories = [c for c, t in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if t > 0]
        if not any(f.scanned_calls for f in figures):
            self.show_empty(self.tr("No calls of these periods were checked against the rulebook."))
            return
        self._start()
        self._axis(periods)
        bottoms = np.zeros(len(periods))
        legend = []
        for n, category in enumerate(categories):
            colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
            heights = np.array([f.flags_per_call.get(category, 0.0) if f.scanned_calls else 0.0 for f in figures])
            self.plot.addItem(pg.BarGraphItem(x=np.arange(len(periods)), height=heights, y0=bottoms, width=0.6,
                                              brush=colour, pen=pg.mkPen(self.palette().base().color())))
            name = category_name(category)
            for i, height in enumerate(heights):
                if height > 0:
                    self.tips.add_rect(i - 0.3, bottoms[i], i + 0.3, bottoms[i] + height,
                                       self.tr("{0} · {1}: {2} per call").format(
                                           periods[i].label, name, number(float(height), 2)))
            bottoms = bottoms + heights
            legend.append((colour, name, "■"))
        for i, (period, fig) in enumerate(zip(periods, figures)):
            self.tips.add_rect(i - 0.3, bottoms[i], i + 0.3, bottoms[i] + max(0.02, bottoms.max() * 0.04),
                               self.tr("{0}: {1} flags per call over {2} checked calls").format(
                                   period.label, number(float(bottoms[i]), 2), number(fig.scanned_calls)))
        self.plot.setYRange(0, max(0.5, float(bottoms.max()) * 1.15), padding=0)
        self.set_legend(legend)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["BAND_STRONG", "ChartPanel", "FlagTrendChart", "HoverTips", "ScoreTrendChart", "SectionTrendChart",
           "period_tick", "percent_text"]
