"""The filter bar above the call library: agent, team, period and a text search.

It only turns what the reviewer picks into a ``CallFilter``; the query is the
store's business. Typing in the search box waits for a short pause before it
filters, so a 100,000-call library is not queried on every keystroke.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QWidget

from ..store.calls import AgentRow, CallFilter
from .wrap_layout import WrapLayout

SEARCH_DELAY_MS = 300

# Periods offered, by key; "custom" shows the two date pickers.
PERIODS = ("any", "today", "7d", "30d", "month", "custom")


def date_edit(name: str) -> QDateEdit:
    """A date picker for a custom period, starting at today."""
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate.currentDate())
    return edit


def period_range(period: str, today: date, start: date | None = None, end: date | None = None):
    """(since, until) for a period; until is exclusive, like the store's filter."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time())

    tomorrow = midnight(today + timedelta(days=1))
    if period == "today":
        return midnight(today), tomorrow
    if period == "7d":
        return midnight(today - timedelta(days=6)), tomorrow
    if period == "30d":
        return midnight(today - timedelta(days=29)), tomorrow
    if period == "month":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return midnight(first), midnight(following)
    if period == "custom" and start and end:
        low, high = min(start, end), max(start, end)
        return midnight(low), midnight(high + timedelta(days=1))
    return None, None


class CallFilterBar(QWidget):
    """Agent · team · period · search; emits the resulting filter when it changes."""

    filter_changed = Signal(object)  # CallFilter

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], date] = date.today):
        super().__init__(parent)
        self._today = today
        self._last = CallFilter()

        self.agent = QComboBox()
        self.agent.setObjectName("agentFilter")
        self.agent.setEditable(True)
        self.agent.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.agent.setMinimumContentsLength(16)
        self.agent.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.agent.lineEdit().setPlaceholderText(self.tr("All agents"))
        # A centre with 2,000 agents: typing any part of a name or 工号 finds them.
        completer = QCompleter(self.agent.model(), self.agent)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.agent.setCompleter(completer)
        self.agent.addItem(self.tr("All agents"), None)

        self.team = QComboBox()
        self.team.setObjectName("teamFilter")
        self.team.setMinimumContentsLength(14)
        self.team.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.team.addItem(self.tr("All teams"), None)

        self.period = QComboBox()
        self.period.setObjectName("periodFilter")
        for key, label in zip(
            PERIODS,
            (
                self.tr("Any time"),
                self.tr("Today"),
                self.tr("Last 7 days"),
                self.tr("Last 30 days"),
                self.tr("This month"),
                self.tr("Custom…"),
            ),
        ):
            self.period.addItem(label, key)

        self.date_from = date_edit("dateFrom")
        self.date_to = date_edit("dateTo")
        self._dash = QLabel("–")
        self._show_dates(False)

        self.search = QLineEdit()
        self.search.setObjectName("callSearch")
        self.search.setPlaceholderText(self.tr("Search file, agent, customer, queue…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)

        # One line on a wide window; on a narrow one (a laptop at 125 % or 150 %) the
        # search goes under the lists rather than making the window wider than the screen.
        row = WrapLayout(self, spacing=8)
        for widget in (self.agent, self.team, self.period):
            row.addWidget(widget)
        dates = QHBoxLayout()  # the custom period's two ends stay together
        dates.setSpacing(8)
        for widget in (self.date_from, self._dash, self.date_to):
            dates.addWidget(widget)
        row.addLayout(dates)
        row.addWidget(self.search, 1)

        self.agent.activated.connect(self._changed)
        self.agent.lineEdit().editingFinished.connect(self._changed)
        self.team.currentIndexChanged.connect(self._changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(self._changed)
        self.date_to.dateChanged.connect(self._changed)
        self.search.textChanged.connect(self._debounce.start)
        self._debounce.timeout.connect(self._changed)

    def _show_dates(self, visible: bool) -> None:
        for widget in (self.date_from, self._dash, self.date_to):
            widget.setVisible(visible)

    def _period_changed(self) -> None:
        self._show_dates(self.period.currentData() == "custom")
        self._changed()

    # --- lists from the library ------------------------------------------------------------

    def set_agents(self, agents: list[AgentRow]) -> None:
        """Fill the agent list, keeping the reviewer's choice when that agent is still there."""
        keep = self.agent.currentText()
        self.agent.blockSignals(True)
        while self.agent.count() > 1:
            self.agent.removeItem(1)
        for agent in agents:
            label = f"{agent.name} ({agent.external_id})" if agent.external_id else agent.name
            self.agent.addItem(label, str(agent.id))
        self.agent.setEditText(keep)
        self.agent.blockSignals(False)

    def set_teams(self, teams: list[tuple[int, str]]) -> None:
        keep = self.team.currentData()
        self.team.blockSignals(True)
        while self.team.count() > 1:
            self.team.removeItem(1)
        for team_id, name in teams:
            self.team.addItem(name, str(team_id))
        index = self.team.findData(keep) if keep is not None else 0
        self.team.setCurrentIndex(max(index, 0))
        self.team.blockSignals(False)
        if index < 0:
            self._changed()  # the chosen team is gone: the filter falls back to all teams

    # --- the filter --------------------------------------------------------------------------

    def _agent_key(self) -> str | None:
        text = self.agent.currentText().strip()
        if not text or self.agent.findText(text, Qt.MatchFlag.MatchFixedString) == 0:
            return None
        index = self.agent.findText(text, Qt.MatchFlag.MatchFixedString)
        # A listed agent is named by id; typed text goes to the store as a name or 工号.
        return self.agent.itemData(index) if index > 0 else text

    def current_filter(self) -> CallFilter:
        since, until = period_range(
            self.period.currentData(),
            self._today(),
            self.date_from.date().toPython(),
            self.date_to.date().toPython(),
        )
        text = self.search.text().strip()
        return CallFilter(
            agent=self._agent_key(),
            team=self.team.currentData(),
            since=since,
            until=until,
            text=text or None,
        )

    def is_filtered(self) -> bool:
        return self.current_filter() != CallFilter()

    def clear(self) -> None:
        for widget in (self.agent, self.team, self.period, self.search):
            widget.blockSignals(True)
        self.agent.setCurrentIndex(0)
        self.team.setCurrentIndex(0)
        self.period.setCurrentIndex(0)
        self.search.clear()
        for widget in (self.agent, self.team, self.period, self.search):
            widget.blockSignals(False)
        self._debounce.stop()
        self._show_dates(False)
        self._changed()

    def _changed(self) -> None:
        self._debounce.stop()
        current = self.current_filter()
        if current != self._last:
            self._last = current
            self.filter_changed.emit(current)
