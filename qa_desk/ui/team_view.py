"""The team view: the scorecard's agents (or teams) side by side, and how scores spread.

Left, one horizontal bar a row, best score at the top, coloured by the thresholds,
with the average of everyone shown as a dashed line: who pulls the team down is
visible at a glance. Double-click a bar to open that agent (or team). Right, the
distribution of the period's evaluation scores in 10-point bands. The bars come from
the scorecard already loaded; only the distribution is asked of the database (a job).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QSplitter, QWidget

from ..scoring.scorecards import Scorecard, ScorecardRow, Thresholds
from .formatting import number, percent
from .jobs import JobRunner, run_job
from .scorecard_filters import period_text
from .trend_charts import BAND_STRONG, TEAM_COLOUR, ChartPanel, percent_text

ROW_HEIGHT = 26  # pixels a bar gets: names stay readable with 50 agents (the panel scrolls)
BUCKET = 10


def load_distribution(db, card: Scorecard) -> dict[int, int]:
    """Runs on a worker thread, with its own session."""
    from ..store.scorecards import score_distribution

    with db.session() as session:
        return score_distribution(session, card.period, team=card.team, form_key=card.form_key, bucket=BUCKET)


class RowBarsChart(ChartPanel):
    """One horizontal bar per scorecard row."""

    row_activated = Signal(object)  # the ScorecardRow double-clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Average score"), parent=parent)
        self.rows: list = []  # ScorecardRow, top bar first
        self.plot.getAxis("bottom").setLabel(self.tr("Score %"))
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        # One line of legend: a wrapping label inside the scroll area asks for height by width,
        # and the scroll bar it brings makes it wrap (a scroll bar for 3 pixels).
        self.legend.setWordWrap(False)

    def show_rows(self, card: Scorecard, thresholds: Thresholds,
                  name_of: Callable[[ScorecardRow], str] = lambda row: row.name) -> None:
        """``name_of``: how a row is named (as in the table: "No team" translated)."""
        scored = sorted((r for r in card.rows if r.current.percent is not None), key=lambda r: -r.current.percent)
        unscored = [r for r in card.rows if r.current.percent is None]
        self.rows = scored + unscored
        if not scored:
            self.show_empty(self.tr("No scores in this period."))
            return
        self._start()
        count = len(self.rows)
        ys = np.arange(count)[::-1].astype(float)  # the first row at the top
        widths = np.array([r.current.percent or 0.0 for r in scored])
        brushes = [pg.mkBrush(BAND_STRONG[thresholds.band(r.current.percent)]) for r in scored]
        self.plot.addItem(pg.BarGraphItem(x0=np.zeros(len(scored)), y=ys[:len(scored)], width=widths, height=0.66,
                                          brushes=brushes, pen=pg.mkPen(None)))
        text_colour = self.palette().text().color()
        muted = self.palette().placeholderText().color()
        # Labels on the background colour: readable where they cross the average line.
        fill = pg.mkBrush(self.palette().base().color())
        for i, row in enumerate(self.rows):
            name = name_of(row)
            if row.current.percent is None:
                label = pg.TextItem(self.tr("no evaluations"), color=muted, anchor=(0, 0.5))
                label.setPos(1, ys[i])
                tip = self.tr("{0}: no evaluations in the period").format(name)
            else:
                label = pg.TextItem(percent_text(row.current.percent), color=text_colour, anchor=(0, 0.5),
                                    fill=fill)
                label.setPos(row.current.percent + 1, ys[i])
                tip = self.tr("{0}: {1} over {2} evaluations").format(name, percent_text(row.current.percent),
                                                                       number(row.current.evaluations))
                if row.change is not None:
                    tip += "\n" + self.tr("{0} points against {1}").format(
                        f"{'+' if row.change >= 0 else '−'}{number(abs(row.change), 1)}",
                        card.previous_period.label)
            self.plot.addItem(label)
            self.tips.add_rect(0, ys[i] - 0.4, 112, ys[i] + 0.4, tip + "\n" + self.tr("Double-click to open"))
        average = card.centre.current.percent
        if average is not None:
            line = pg.InfiniteLine(average, angle=90, movable=False,
                                   pen=pg.mkPen(TEAM_COLOUR, width=2, style=Qt.PenStyle.DashLine))
            line.setZValue(-5)  # under the bars' value labels
            self.plot.addItem(line)
        left = self.plot.getAxis("left")
        left.setTicks([[(ys[i], name_of(r)) for i, r in enumerate(self.rows)]])
        self.plot.setXRange(0, 112, padding=0)
        self.plot.setYRange(-0.6, count - 0.4, padding=0)
        self.setMinimumHeight(count * ROW_HEIGHT + 110)
        who = card.team or self.tr("Centre")
        self.set_legend([
            (BAND_STRONG["good"], self.tr("Good ≥ {0}").format(percent_text(thresholds.good)), "■"),
            (BAND_STRONG["watch"], self.tr("Watch"), "■"),
            (BAND_STRONG["poor"], self.tr("Poor < {0}").format(percent_text(thresholds.poor)), "■"),
            (TEAM_COLOUR, self.tr("{0} average {1}").format(who, percent_text(average)), "┅"),
        ])

    def row_at(self, y: float):
        """The row whose bar is at height ``y`` (data coordinates), or None."""
        index = len(self.rows) - 1 - int(round(y))
        return self.rows[index] if 0 <= index < len(self.rows) and abs(y - round(y)) <= 0.4 else None

    def _clicked(self, event) -> None:
        if not event.double() or not self.rows:
            return
        vb = self.plot.getViewBox()
        if vb.sceneBoundingRect().contains(event.scenePos()):
            row = self.row_at(vb.mapSceneToView(event.scenePos()).y())
            if row is not None:
                self.row_activated.emit(row)


class DistributionChart(ChartPanel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Distribution of scores"), parent=parent)
        self.plot.getAxis("bottom").setLabel(self.tr("Score %"))
        self.plot.getAxis("left").setLabel(self.tr("Evaluations"))

    def show_counts(self, counts: dict[int, int], thresholds: Thresholds) -> None:
        total = sum(counts.values())
        if not total:
            self.show_empty(self.tr("No scores in this period."))
            return
        self._start()
        lows = sorted(counts)
        # 10-point bands side by side; "exactly 100 %" as a narrower bar after them.
        x0 = np.array([float(low) for low in lows])
        widths = np.array([BUCKET * 0.5 if low >= 100 else BUCKET * 0.92 for low in lows])
        heights = np.array([counts[low] for low in lows], dtype=float)
        brushes = [pg.mkBrush(BAND_STRONG[thresholds.band(min(low + BUCKET / 2, 100))]) for low in lows]
        self.plot.addItem(pg.BarGraphItem(x0=x0 + BUCKET * 0.04, width=widths, height=heights, y0=0,
                                          brushes=brushes, pen=pg.mkPen(None)))
        for low, left, width, height in zip(lows, x0, widths, heights):
            band = percent(100, 0) if low >= 100 else f"{number(low)}–{percent(low + BUCKET, 0)}"
            share = percent(100.0 * height / total, 0)
            self.tips.add_rect(left, 0, left + width + BUCKET * 0.04, max(height, 0.3),
                               self.tr("{0}: {1} evaluations ({2})").format(band, number(int(height)), share))
        self.plot.getAxis("bottom").setTicks([[(v, str(v)) for v in range(0, 101, 10)]])
        self.plot.setXRange(0, 106, padding=0)
        self.plot.setYRange(0, max(1.0, heights.max() * 1.15), padding=0)
        self.set_legend([(BAND_STRONG["good"], self.tr("{0} evaluations").format(number(total)), "■")])


class TeamView(QWidget):
    agent_requested = Signal(str, object)  # level and id of the row double-clicked
    message = Signal(str)

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._job: JobRunner | None = None
        self._thresholds = Thresholds()
        self.bars = RowBarsChart()
        self.bars.setObjectName("teamBars")
        self.distribution = DistributionChart()
        self.distribution.setObjectName("scoreDistribution")
        for chart in (self.bars, self.distribution):
            chart.message.connect(self.message)
        self.bars.row_activated.connect(lambda row: self.agent_requested.emit(row.level, row.id))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.bars)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("teamViewSplitter")
        splitter.addWidget(self.scroll)
        splitter.addWidget(self.distribution)
        splitter.setSizes([560, 440])
        splitter.setChildrenCollapsible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 6, 0, 0)
        row.addWidget(splitter)

    def set_scorecard(self, card: Scorecard, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        label = self.tr("Agents") if card.level == "agent" else self.tr("Teams")
        self.bars.title.setText(self.tr("{0}: average score, {1}").format(label, period_text(card.period)))
        self.bars.file_name = f"team-{card.team or 'centre'}-{card.period.label}.png"
        self.bars.show_rows(card, thresholds, self._name)
        self.distribution.title.setText(self.tr("Distribution of scores, {0}").format(period_text(card.period)))
        self.distribution.file_name = f"distribution-{card.team or 'centre'}-{card.period.label}.png"
        self.distribution.show_empty(self.tr("Loading…"))
        if self._job is not None:
            self._job.abandon()
        db = self._services.db
        self._job = run_job(lambda ctx: load_distribution(db, card), on_finished=self._distributed,
                            on_failed=self._failed, name="score distribution")

    def _name(self, row: ScorecardRow) -> str:
        return self.tr("No team") if row.level == "team" and row.id is None else row.name

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _distributed(self, counts: object) -> None:
        self.distribution.show_counts(counts, self._thresholds)

    def _failed(self, message: str) -> None:
        self.distribution.show_empty(self.tr("Could not load the distribution: {0}").format(message))


__all__ = ["DistributionChart", "RowBarsChart", "TeamView", "load_distribution"]
