"""The Clips area's search and filters: words, tag, kind, agent, team, form section, date.

It only turns what the trainer picks into a ``ClipFilter``; ``find_clips`` does the
finding. The words are looked for in the title, notes, tags, agent and the clip's own
transcript lines; typing waits for a short pause before it searches. Agents and teams
are the names the clips were saved with (a clip keeps them when the call is deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..store.clips import KINDS
from .call_filter_bar import PERIODS, date_edit, period_range
from .clip_words import kind_name

SEARCH_DELAY_MS = 300


@dataclass(frozen=True)
class ClipFilter:
    text: str | None = None
    tag: str | None = None
    kind: str | None = None
    agent: str | None = None
    team: str | None = None
    section_key: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive, as find_clips takes it

    def arguments(self) -> dict:
        """Keyword arguments for store.clips.find_clips."""
        return dict(text=self.text, tags=(self.tag,) if self.tag else (), kind=self.kind, agent=self.agent,
                    team=self.team, section_key=self.section_key, since=self.since, until=self.until)


@dataclass(frozen=True)
class FilterChoices:
    tags: list  # (tag, clips)
    agents: list[str]
    teams: list[str]
    sections: list  # (section key, "Form › Section")


def filter_choices(db) -> FilterChoices:
    from ..store.clips import find_clips, tag_counts
    from .form_part_picker import form_parts

    with db.session() as session:
        clips = find_clips(session)
        sections = [(p.section_key, p.label) for p in form_parts(session) if p.item_key is None]
        return FilterChoices(tag_counts(session), sorted({c.agent_name for c in clips if c.agent_name}),
                             sorted({c.team_name for c in clips if c.team_name}), sections)


def _combo(name: str, everything: str, width: int = 12) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem(everything, None)
    box.setMinimumContentsLength(width)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return box


class ClipFilterBar(QWidget):
    filter_changed = Signal(object)  # ClipFilter

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], date] = date.today):
        super().__init__(parent)
        self._today = today
        self._last = ClipFilter()
        self.search = QLineEdit()
        self.search.setObjectName("clipSearch")
        self.search.setPlaceholderText(self.tr("Search titles, notes, tags and what was said…"))
        self.search.setClearButtonEnabled(True)
        self.tag = _combo("tagFilter", self.tr("All tags"))
        self.kind = _combo("kindFilter", self.tr("All kinds"))
        for kind in KINDS:
            self.kind.addItem(kind_name(kind), kind)
        self.agent = _combo("clipAgentFilter", self.tr("All agents"))
        self.team = _combo("clipTeamFilter", self.tr("All teams"))
        self.section = _combo("sectionFilter", self.tr("Any form section"), 18)
        self.period = QComboBox()
        self.period.setObjectName("clipPeriodFilter")
        labels = (self.tr("Calls of any date"), self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"),
                  self.tr("This month"), self.tr("Custom…"))
        for key, label in zip(PERIODS, labels):
            self.period.addItem(label, key)
        self.date_from, self.date_to = date_edit("clipDateFrom"), date_edit("clipDateTo")
        self._dash = QLabel("–")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)

        first = QHBoxLayout()
        first.setSpacing(8)
        first.addWidget(self.search, 1)
        first.addWidget(self.tag)
        first.addWidget(self.kind)
        second = QHBoxLayout()
        second.setSpacing(8)
        for widget in (self.agent, self.team, self.section, self.period, self.date_from, self._dash, self.date_to):
            second.addWidget(widget)
        second.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(first)
        column.addLayout(second)
        self._show_dates(False)

        self.search.textChanged.connect(self._debounce.start)
        self._debounce.timeout.connect(self._changed)
        for box in (self.tag, self.kind, self.agent, self.team, self.section):
            box.currentIndexChanged.connect(self._changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(self._changed)
        self.date_to.dateChanged.connect(self._changed)

    def _show_dates(self, visible: bool) -> None:
        for widget in (self.date_from, self._dash, self.date_to):
            widget.setVisible(visible)

    def _period_changed(self) -> None:
        self._show_dates(self.period.currentData() == "custom")
        self._changed()

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the lists from the library, keeping what the trainer chose where it still exists."""
        lists = (
            (self.tag, [(self.tr("{0} ({1})").format(tag, count), tag) for tag, count in choices.tags]),
            (self.agent, [(name, name) for name in choices.agents]),
            (self.team, [(name, name) for name in choices.teams]),
            (self.section, [(label, key) for key, label in choices.sections]),
        )
        for box, entries in lists:
            keep = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for label, value in entries:
                box.addItem(label, value)
            box.setCurrentIndex(max(box.findData(keep), 0) if keep is not None else 0)
            box.blockSignals(False)
        self._changed()  # a choice that has gone falls back to "all"

    def current_filter(self) -> ClipFilter:
        since, until = period_range(self.period.currentData(), self._today(), self.date_from.date().toPython(),
                                    self.date_to.date().toPython())
        return ClipFilter(
            text=self.search.text().strip() or None, tag=self.tag.currentData(), kind=self.kind.currentData(),
            agent=self.agent.currentData(), team=self.team.currentData(), section_key=self.section.currentData(),
            since=since.date() if since else None, until=(until - timedelta(days=1)).date() if until else None,
        )

    def is_filtered(self) -> bool:
        return self.current_filter() != ClipFilter()

    def clear(self) -> None:
        for box in (self.tag, self.kind, self.agent, self.team, self.section, self.period):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._show_dates(False)
        self._changed()

    def _changed(self) -> None:
        self._debounce.stop()
        current = self.current_filter()
        if current != self._last:
            self._last = current
            self.filter_changed.emit(current)
