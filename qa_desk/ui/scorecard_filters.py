"""The filter bar above the scorecards: the period, the team, the form, agents or teams.

A period is picked the way a lead thinks of it: a kind (week, month, quarter or a
custom range), then ◀ / ▶ to step through them, or a day picked on the calendar to
jump to the week, month or quarter holding it. A custom range shows two date pickers;
◀ / ▶ then step by a range as long. The bar only says what was picked (``changed``);
loading the scorecard is the page's business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStyle,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ..scoring.periods import KINDS, Period, period_of
from .call_filter_bar import date_edit
from .formatting import day, qdate
from .wrap_layout import WrapLayout

LEVELS = ("agent", "team")
SWITCH_STYLE = (
    "QToolButton { border: 1px solid palette(mid); padding: 3px 12px; background: palette(button); }"
    "QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);"
    " border-color: palette(highlight); }"
    "QToolButton#levelAgents { border-top-left-radius: 4px; border-bottom-left-radius: 4px; }"
    "QToolButton#levelTeams { border-top-right-radius: 4px; border-bottom-right-radius: 4px; }"
)


def _date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class ScorecardFilterBar(QWidget):
    """Period kind · ◀ period ▶ · team · form · Agents|Teams; ``changed`` after any change."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], date] = date.today):
        super().__init__(parent)
        self._quiet = False
        self._today = today
        self._period = period_of("month", today())

        self.kind = QComboBox()
        self.kind.setObjectName("periodKind")
        for key, label in zip(KINDS, (self.tr("Week"), self.tr("Month"), self.tr("Quarter"), self.tr("Custom range"))):
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(KINDS.index("month"))

        style = self.style()
        self.previous_button = QToolButton()
        self.previous_button.setObjectName("previousPeriod")
        self.previous_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.previous_button.setToolTip(self.tr("Previous period"))
        self.next_button = QToolButton()
        self.next_button.setObjectName("nextPeriod")
        self.next_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.next_button.setToolTip(self.tr("Next period"))

        # The period's name; clicking it opens a calendar to jump to another one.
        self.period_button = QToolButton()
        self.period_button.setObjectName("periodPicker")
        self.period_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.period_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.period_button.setMinimumWidth(150)
        # The arrow is in the text: the style's own menu arrow sits in a corner, easy to miss.
        self.period_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.period_button.setToolTip(self.tr("Pick a day: the period holding it is shown"))
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("periodCalendar")
        self.calendar.setGridVisible(True)
        menu = QMenu(self.period_button)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        self.period_button.setMenu(menu)

        self.date_from = date_edit("rangeFrom")
        self.date_to = date_edit("rangeTo")
        self._dash = QLabel("–")

        self.team = QComboBox()
        self.team.setObjectName("scorecardTeam")
        self.team.setMinimumContentsLength(10)
        self.team.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.team.addItem(self.tr("All teams"), None)
        self.form = QComboBox()
        self.form.setObjectName("scorecardForm")
        self.form.setMinimumContentsLength(10)
        self.form.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.form.addItem(self.tr("All forms"), None)

        # Agents | Teams: two buttons side by side, one always down.
        self.agents_button = QToolButton()
        self.agents_button.setObjectName("levelAgents")
        self.agents_button.setText(self.tr("Agents"))
        self.teams_button = QToolButton()
        self.teams_button.setObjectName("levelTeams")
        self.teams_button.setText(self.tr("Teams"))
        self.level_group = QButtonGroup(self)
        for button in (self.agents_button, self.teams_button):
            button.setCheckable(True)
            button.setMinimumWidth(64)
            self.level_group.addButton(button)
        self.agents_button.setChecked(True)
        # A segmented switch: the level in use must read as "on" on any theme, which a plain
        # checked tool button does not on some (Fusion dark).
        for button in (self.agents_button, self.teams_button):
            button.setStyleSheet(SWITCH_STYLE)

        # One line on a wide window; on a narrow one the groups wrap onto a second line
        # (the period's controls, the lists and the switch each stay together).
        row = WrapLayout(self, spacing=12)
        period = QHBoxLayout()
        period.setSpacing(6)
        for widget in (self.kind, self.previous_button, self.period_button, self.date_from, self._dash,
                       self.date_to, self.next_button):
            period.addWidget(widget)
        row.addLayout(period)
        lists = QHBoxLayout()
        lists.setSpacing(6)
        lists.addWidget(self.team)
        lists.addWidget(self.form)
        row.addLayout(lists)
        levels = QHBoxLayout()
        levels.setSpacing(0)  # joined, so they read as one switch
        levels.addWidget(self.agents_button)
        levels.addWidget(self.teams_button)
        row.addLayout(levels)
        row.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.previous_button.clicked.connect(lambda: self.set_period(self._period.previous()))
        self.next_button.clicked.connect(lambda: self.set_period(self._period.next()))
        self.calendar.clicked.connect(self._day_picked)
        self.date_from.dateChanged.connect(self._range_edited)
        self.date_to.dateChanged.connect(self._range_edited)
        self.team.currentIndexChanged.connect(self._emit)
        self.form.currentIndexChanged.connect(self._emit)
        self.level_group.buttonToggled.connect(lambda _button, checked: checked and self._emit())
        self._show_period()

    # --- what the page reads and sets --------------------------------------------------------

    def period(self) -> Period:
        return self._period

    def team_name(self) -> str | None:
        return self.team.currentData()

    def form_key(self) -> str | None:
        return self.form.currentData()

    def level(self) -> str:
        return "team" if self.teams_button.isChecked() else "agent"

    def set_period(self, period: Period) -> None:
        if period == self._period:
            return
        self._period = period
        self._quiet, quiet = True, self._quiet
        self.kind.setCurrentIndex(KINDS.index(period.kind))
        self._quiet = quiet
        self._show_period()
        self._emit()

    def set_level(self, level: str) -> None:
        (self.teams_button if level == "team" else self.agents_button).setChecked(True)

    def set_team(self, name: str | None) -> None:
        index = self.team.findData(name)
        self.team.setCurrentIndex(max(index, 0))

    def set_teams(self, teams: list) -> None:
        """The teams to choose from (TeamRef); the one chosen stays chosen if it still exists."""
        self._refill(self.team, [(t.name, t.name) for t in teams])

    def set_forms(self, forms: list[tuple[str, str]]) -> None:
        """(key, name) of the forms to choose from."""
        self._refill(self.form, [(key, name) for key, name in forms])

    def clear(self) -> None:
        """All teams, all forms (the period stays: it is where the lead is looking)."""
        self._quiet = True
        self.team.setCurrentIndex(0)
        self.form.setCurrentIndex(0)
        self._quiet = False
        self._emit()

    def has_filters(self) -> bool:
        return self.team_name() is not None or self.form_key() is not None

    # --- reacting ----------------------------------------------------------------------------

    def _refill(self, combo: QComboBox, entries: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        self._quiet, quiet = True, self._quiet
        while combo.count() > 1:
            combo.removeItem(1)
        for data, text in entries:
            combo.addItem(text, data)
        index = combo.findData(chosen)
        combo.setCurrentIndex(max(index, 0))
        self._quiet = quiet
        if chosen is not None and index < 0:
            self._emit()  # the chosen team or form is gone: what is shown changed

    def _kind_changed(self) -> None:
        if self._quiet:
            return
        kind = self.kind.currentData()
        if kind == "range":
            # A custom range starts as the period on screen, then the lead moves its ends.
            self._period = Period(self._period.start, self._period.end, "range")
        else:
            # Today's week (month, quarter) when today is in the period on screen, else the one
            # where that period starts: "this month" → "this week", not the month's first week.
            today = self._today()
            self._period = period_of(kind, today if self._period.contains(today) else self._period.start)
        self._show_period()
        self._emit()

    def _day_picked(self, qdate: QDate) -> None:
        self.period_button.menu().hide()
        kind = self._period.kind if self._period.kind != "range" else "month"
        self.set_period(period_of(kind, _date(qdate)))

    def _range_edited(self) -> None:
        if self._quiet:
            return
        start, end = sorted((_date(self.date_from.date()), _date(self.date_to.date())))
        period = Period(start, end, "range")
        if period != self._period:
            self._period = period
            self._emit()

    def _show_period(self) -> None:
        ranged = self._period.kind == "range"
        self.period_button.setVisible(not ranged)
        for widget in (self.date_from, self._dash, self.date_to):
            widget.setVisible(ranged)
        self._quiet, quiet = True, self._quiet
        self.date_from.setDate(qdate(self._period.start))
        self.date_to.setDate(qdate(self._period.end))
        self.calendar.setSelectedDate(qdate(self._period.start))
        self._quiet = quiet
        self.period_button.setText(f"{period_text(self._period)}  ▾")

    def _emit(self) -> None:
        if not self._quiet:
            self.changed.emit()



def period_text(period: Period) -> str:
    """A period as a lead names it: "November 2026", "Q4 2026", "Week 45, 2026 (11-02 – 11-08)"."""
    locale = QLocale()
    if period.kind == "month":
        # A QLocale date format, translated: "MMMM yyyy" is "November 2026", Chinese
        # writes "yyyy年M月" (2026年11月), not the month's name before the year.
        month_format = QCoreApplication.translate("ScorecardFilterBar", "MMMM yyyy", "date format of a month")
        return locale.toString(qdate(period.start), month_format)
    if period.kind == "quarter":
        return QCoreApplication.translate("ScorecardFilterBar", "Q{quarter} {year}").format(quarter=(period.start.month - 1) // 3 + 1, year=period.start.year)
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        return QCoreApplication.translate("ScorecardFilterBar", "Week {week}, {year} ({start} – {end})").format(
            week=week, year=year, start=f"{period.start:%m-%d}", end=f"{period.end:%m-%d}")
    return f"{day(period.start)} – {day(period.end)}"


__all__ = ["KINDS", "ScorecardFilterBar", "period_text"]
