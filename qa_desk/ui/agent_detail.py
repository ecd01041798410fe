"""One agent's scorecard: the evaluations of the period and the trends behind the figures.

Reached from a row of the scorecard table. On the left, the agent's counted
evaluations of the period (the ones the scorecard's figures are made of); double-click
or Enter opens the call. On the right, the trends over the last few periods: every
evaluation's score with a moving average and the team's average, each section's
score per period, and confirmed flags per call per period.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..scoring.periods import Period, periods_back
from ..scoring.scorecards import Scorecard, ScorecardRow, Thresholds
from .acting import permitted
from .formatting import moment, number
from .jobs import JobRunner, run_job
from .scorecard_filters import period_text
from .scorecards_model import band_colour, band_text_colour
from .trend_charts import FlagTrendChart, ScoreTrendChart, SectionTrendChart, percent_text

# How far back the trends look, by the kind of period on screen.
TREND_PERIODS = {"week": 12, "month": 6, "quarter": 4, "range": 6}
CALL_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
DATE, FORM, REVIEWER, STATUS, SCORE = range(5)


@dataclass(frozen=True)
class AgentTrends:
    """What the detail shows, loaded in one job."""

    periods: list  # Period, oldest first; the last is the scorecard's period
    points: list  # ScorePoint over all the periods
    figures: list  # Figures of the agent per period
    comparison: list  # Figures of the team (or the centre) per period
    summaries: dict  # evaluation id → EvaluationSummary (reviewer, status, version)
    form_names: dict  # form key → name


def load_trends(db, agent: ScorecardRow, team_id: int | None, period: Period, form_key: str | None) -> AgentTrends:
    """Runs on a worker thread, with its own session."""
    from ..store.evaluations import list_evaluations
    from ..store.scorecards import figures_by_period, form_keys, score_points

    periods = periods_back(period, TREND_PERIODS.get(period.kind, 6))
    span = Period(periods[0].start, period.end, "range")
    with db.session() as session:
        points = score_points(session, span, agent_id=agent.id, form_key=form_key)
        figures = figures_by_period(session, periods, agent_id=agent.id, form_key=form_key)
        comparison = figures_by_period(session, periods, team_id=team_id, form_key=form_key)
        # The store lists evaluations by agent name or 工号; the ids of the points keep only this
        # agent's (two agents may share a name).
        summaries = {e.id: e for e in list_evaluations(session, agent=agent.name, since=period.start,
                                                        until=period.end)}
        names = dict(form_keys(session))
    return AgentTrends(periods, points, figures, comparison, summaries, names)


class _Item(QTreeWidgetItem):
    """Sorts by the number or date behind a cell, not by its text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        mine, theirs = self.data(column, SORT_ROLE), other.data(column, SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return mine < theirs


class AgentDetail(QWidget):
    back_requested = Signal()
    call_requested = Signal(int)
    message = Signal(str)

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._job: JobRunner | None = None
        self._row: ScorecardRow | None = None
        self._card: Scorecard | None = None
        self._thresholds = Thresholds()
        self._comparison_name = ""
        self._statuses = {"submitted": self.tr("Submitted"), "acknowledged": self.tr("Acknowledged"),
                          "disputed": self.tr("Disputed"), "resolved": self.tr("Resolved")}

        self.back_button = QToolButton()
        self.back_button.setObjectName("backToScorecards")
        self.back_button.setText(self.tr("Scorecards"))
        self.back_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setAutoRaise(True)
        self.back_button.clicked.connect(self.back_requested)
        self.name = QLabel()
        self.name.setObjectName("agentName")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.name.setFont(font)
        self.where = QLabel()
        self.where.setObjectName("agentWhere")
        self.summary = QLabel()
        self.summary.setObjectName("agentSummary")
        self.summary.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(8)
        header.addWidget(self.name)
        header.addSpacing(8)
        header.addWidget(self.where, 1)

        self.list_title = QLabel()
        self.list_title.setObjectName("evaluationsTitle")
        self.list_title.setWordWrap(True)  # a narrow window: two lines, not a wider list
        self.evaluations = QTreeWidget()
        self.evaluations.setObjectName("agentEvaluations")
        self.evaluations.setRootIsDecorated(False)
        self.evaluations.setAlternatingRowColors(True)
        self.evaluations.setUniformRowHeights(True)
        self.evaluations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.evaluations.setHeaderLabels([self.tr("Call date"), self.tr("Form"), self.tr("Reviewer"),
                                          self.tr("Status"), self.tr("Score")])
        self.evaluations.headerItem().setTextAlignment(SCORE, Qt.AlignmentFlag.AlignRight
                                                       | Qt.AlignmentFlag.AlignVCenter)
        columns = self.evaluations.header()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(FORM, QHeaderView.ResizeMode.Stretch)  # the form name gives way, the score stays
        columns.setStretchLastSection(False)
        self.evaluations.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.evaluations.setSortingEnabled(True)
        self.evaluations.sortByColumn(DATE, Qt.SortOrder.DescendingOrder)
        self.evaluations.itemActivated.connect(self._activated)
        self.open_hint = hint = QLabel(self.tr("Double-click an evaluation, or press Enter, to open its call."))
        hint.setWordWrap(True)
        hint.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        # No counted evaluation in the period: why the list is empty, and where to look instead.
        self.no_evaluations = QLabel()
        self.no_evaluations.setObjectName("agentNoEvaluations")
        self.no_evaluations.setWordWrap(True)
        self.no_evaluations.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.no_evaluations.setStyleSheet("QLabel { color: palette(placeholder-text); padding: 12px 4px; }")
        self.no_evaluations.hide()
        left_column.addWidget(self.list_title)
        left_column.addWidget(self.evaluations, 1)
        left_column.addWidget(self.no_evaluations, 1)
        left_column.addWidget(hint)

        self.score_chart = ScoreTrendChart()
        self.section_chart = SectionTrendChart()
        self.flag_chart = FlagTrendChart()
        for chart in (self.score_chart, self.section_chart, self.flag_chart):
            chart.message.connect(self.message)
        self.score_chart.point_clicked.connect(self._point_clicked)
        self.score_chart.point_activated.connect(lambda point: self.call_requested.emit(point.call_id))
        self.chart_tabs = QTabWidget()
        self.chart_tabs.setObjectName("agentChartTabs")
        self.chart_tabs.addTab(self.section_chart, self.tr("Sections"))
        self.chart_tabs.addTab(self.flag_chart, self.tr("Flags"))
        charts = QSplitter(Qt.Orientation.Vertical)
        charts.setObjectName("agentChartsSplitter")
        charts.addWidget(self.score_chart)
        charts.addWidget(self.chart_tabs)
        charts.setSizes([380, 300])
        charts.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("agentSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(charts)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([400, 680])
        self.splitter.setChildrenCollapsible(False)
        self._split_once = False  # the list's share is set when first shown (see showEvent)

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 12)
        column.setSpacing(8)
        column.addLayout(header)
        column.addWidget(self.summary)
        column.addWidget(self.splitter, 1)

    # --- showing an agent --------------------------------------------------------------------

    def show_agent(self, row: ScorecardRow, card: Scorecard, *, team_id: int | None,
                   thresholds: Thresholds | None = None) -> None:
        self._row, self._card = row, card
        self._thresholds = thresholds or Thresholds()
        # Compared with the agent's team; with the whole centre when the agent has none.
        self._comparison_name = row.team if row.team and team_id is not None else self.tr("Centre")
        period = card.period
        self.name.setText(row.name)
        self.where.setText(" · ".join(t for t in (row.team, period_text(period)) if t))
        self.summary.setText(self._summary(row, card))
        self.list_title.setText(self.tr("Evaluations in {0} (counted in the scorecard)").format(period_text(period)))
        self.evaluations.clear()
        self.evaluations.show()
        self.open_hint.show()
        self.no_evaluations.hide()
        for chart in (self.score_chart, self.section_chart, self.flag_chart):
            chart.show_empty(self.tr("Loading…"))
            chart.file_name = f"{row.name}-{period.label}.png"
        self.score_chart.file_name = f"{row.name}-score-{period.label}.png"
        self.section_chart.file_name = f"{row.name}-sections-{period.label}.png"
        self.flag_chart.file_name = f"{row.name}-flags-{period.label}.png"
        if self._job is not None:
            self._job.abandon()
        db = self._services.db
        form_key = card.form_key
        self._job = run_job(lambda ctx: load_trends(db, row, team_id, period, form_key),
                            on_finished=self._loaded, on_failed=self._failed, name="agent trends")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's virtual
        super().showEvent(event)
        # 400 pixels for the list leaves the charts too little on a narrow window (a laptop
        # at 125 % or 150 %): at most 40 % of the width there. The lead's own split after that.
        if not self._split_once:
            self._split_once = True
            width = max(self.splitter.width(), self.width() - 24)
            left = min(400, int(width * 0.4))
            self.splitter.setSizes([left, width - left])

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def agent(self) -> ScorecardRow | None:
        return self._row

    def _summary(self, row: ScorecardRow, card: Scorecard) -> str:
        fig = row.current
        parts = [self.tr("1 evaluation") if fig.evaluations == 1 else
                 self.tr("{0} evaluations").format(number(fig.evaluations))]
        if row.quota is not None:
            parts[0] += " " + (self.tr("({0} behind the quota of {1})").format(number(row.behind), number(row.quota))
                               if row.behind else self.tr("(quota of {0} met)").format(number(row.quota)))
        if fig.percent is not None:
            score = self.tr("score {0}").format(percent_text(fig.percent))
            if row.change is not None:
                score += " " + self.tr("({0} points against {1})").format(
                    f"{'+' if row.change >= 0 else '−'}{number(abs(row.change), 1)}",
                    card.previous_period.label)
            parts.append(score)
        if fig.critical_failures:
            parts.append(self.tr("{0} failed on a critical item").format(number(fig.critical_failures)))
        if fig.scanned_calls:
            parts.append(self.tr("{0} confirmed flags per call").format(
                number(float(sum(fig.flags_per_call.values())), 2)))
        return " · ".join(parts)

    def _loaded(self, trends: object) -> None:
        card, row = self._card, self._row
        if card is None or row is None:
            return
        self._fill_list(trends, card.period)
        steps = [(p, f.percent) for p, f in zip(trends.periods, trends.comparison)]
        self.score_chart.show_points(trends.points, steps, self._thresholds, comparison=self._comparison_name,
                                     first=trends.periods[0].first_moment, after=card.period.after)
        # The scorecard's section order, with the titles of the agent's own forms: two forms may
        # share a section key under different titles (问题解决 / Resolution), and the newest of
        # the whole centre's is not necessarily this agent's.
        own = {key: section.title for fig in trends.figures for key, section in fig.sections.items()}
        titles = {key: own[key] for key in card.section_titles if key in own}
        titles.update({key: title for key, title in own.items() if key not in titles})
        self.section_chart.show_periods(trends.periods, trends.figures, titles)
        self.flag_chart.show_periods(trends.periods, trends.figures)

    def _failed(self, message: str) -> None:
        for chart in (self.score_chart, self.section_chart, self.flag_chart):
            chart.show_empty(self.tr("Could not load the trends: {0}").format(message))
        self.message.emit(self.tr("Could not load the agent's trends: {0}").format(message))

    def _fill_list(self, trends: AgentTrends, period: Period) -> None:
        self.evaluations.setSortingEnabled(False)
        self.evaluations.clear()
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for point in trends.points:
            if not period.contains(point.at):
                continue
            summary = trends.summaries.get(point.evaluation_id)
            form = trends.form_names.get(point.form_key, point.form_key)
            if summary is not None:
                form = self.tr("{0} (v{1})").format(form, summary.form_version)
            status = summary.status if summary else ""
            item = _Item([moment(point.at), form, (summary.reviewer if summary else "") or "—",
                          self._statuses.get(status, status), percent_text(point.percent)])
            item.setData(DATE, SORT_ROLE, point.at.timestamp())
            item.setData(SCORE, SORT_ROLE, float(point.percent))
            item.setData(DATE, CALL_ROLE, point.call_id)
            item.setData(FORM, CALL_ROLE, point.evaluation_id)
            item.setTextAlignment(SCORE, right)
            band = self._thresholds.band(point.percent)
            if band:
                item.setBackground(SCORE, band_colour(band))
                item.setForeground(SCORE, band_text_colour())
            tip = self.tr("{0}\nEvaluation {1} of call {2}").format(form, point.evaluation_id, point.call_id)
            if point.auto_failed:
                tip += "\n" + self.tr("Failed on a critical item")
            for column in range(5):
                item.setToolTip(column, tip)
            self.evaluations.addTopLevelItem(item)
        self.evaluations.setSortingEnabled(True)
        if not self.evaluations.topLevelItemCount():
            self.list_title.setText(self.tr("No counted evaluations in {0}").format(period_text(period)))
            self.evaluations.hide()
            self.open_hint.hide()  # nothing to double-click
            self.no_evaluations.show()
            self.no_evaluations.setText(self.tr(
                "No evaluation of this agent was submitted in {0}, so the scorecard has no figures for them. "
                "The trends beside cover earlier periods too. Pick another period in Scorecards, or score one "
                "of the agent's calls (filter the calls by agent in Calls).").format(period_text(period))
                if permitted(self._services, "evaluation.score") else self.tr(
                "No evaluation of this agent was submitted in {0}, so the scorecard has no figures for them. "
                "The trends beside cover earlier periods too; pick another period in Scorecards to see "
                "more.").format(period_text(period)))

    # --- drill-down --------------------------------------------------------------------------

    def evaluation_items(self) -> list[QTreeWidgetItem]:
        return [self.evaluations.topLevelItem(i) for i in range(self.evaluations.topLevelItemCount())]

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        call_id = item.data(DATE, CALL_ROLE)
        if call_id is not None:
            self.call_requested.emit(int(call_id))

    def _point_clicked(self, point) -> None:
        for item in self.evaluation_items():
            if item.data(FORM, CALL_ROLE) == point.evaluation_id:
                self.evaluations.setCurrentItem(item)
                self.evaluations.scrollToItem(item)
                return
        self.message.emit(self.tr("That evaluation is from an earlier period: double-click the point to open "
                                  "its call."))


__all__ = ["AgentDetail", "AgentTrends", "TREND_PERIODS", "load_trends"]
