"""The Review area: a reviewer's queue, and for leads the overview and the sampling rules.

Tabs: "My queue" for everyone; "Overview" and "Sampling rules" are shown to all but
only a lead or admin can change anything in them (``sampling.manage``). Other areas
add their own tabs with ``add_tab`` (calibration). Who is acting is the window's
signed-in user (``acting.signed_in``); the window hands over a new one with ``set_actor``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ..permissions import Actor
from .acting import signed_in
from .review_overview import ReviewOverview
from .review_queue import MyQueueView
from .sampling_rules_view import SamplingRulesView


class ReviewPage(QWidget):
    call_requested = Signal(int)
    message = Signal(str)
    area_requested = Signal(str)  # another area of the window (an empty tab's next step: "calls")

    def __init__(self, services, *, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.actor = signed_in(services)
        db = lambda: services.db  # noqa: E731 - read at each load: the window can reconnect
        self.queue = MyQueueView(db, self.actor.name if self.actor else "", today=today)
        self.queue.set_actor(self.actor)
        self.overview = ReviewOverview(db, self.actor, today=today)
        self.rules = SamplingRulesView(db, self.actor, today=today)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.queue, self.tr("My queue"))
        self.tabs.addTab(self.overview, self.tr("Overview"))
        self.tabs.addTab(self.rules, self.tr("Sampling rules"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)

        self.queue.call_requested.connect(self.call_requested)
        self.queue.go_to.connect(self.go_to)
        self.overview.call_requested.connect(self.call_requested)
        self.overview.go_to.connect(self.go_to)
        self.overview.message.connect(self.message)
        self.rules.message.connect(self.message)
        self.rules.queues_changed.connect(self._queues_changed)
        self.tabs.currentChanged.connect(self._tab_shown)
        self._loaded: set[int] = set()

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Another part of reviewing (calibration) as a tab of this area."""
        return self.tabs.addTab(widget, title)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        """Each of this page's tabs reads the database when it is first shown (and on Refresh)."""
        widget = self.tabs.widget(index)
        if index in self._loaded or not hasattr(widget, "refresh"):
            return
        self._loaded.add(index)
        widget.refresh()

    def _queues_changed(self) -> None:
        self._loaded.discard(self.tabs.indexOf(self.queue))
        self._loaded.discard(self.tabs.indexOf(self.overview))

    def set_actor(self, actor: Actor | None) -> None:
        """Another person signed in (or nobody): every tab shows what they may see, read afresh."""
        self.actor = actor
        self.queue.set_actor(actor)
        self.overview.set_actor(actor)
        self.rules.set_actor(actor)
        self._loaded.clear()
        if self.isVisible():
            self._tab_shown(self.tabs.currentIndex())

    def go_to(self, where: str) -> None:
        """An empty tab's next step: another tab of this area, or another area ("calls")."""
        tabs = {"rules": self.rules, "overview": self.overview, "queue": self.queue}
        if where in tabs:
            self.tabs.setCurrentWidget(tabs[where])
        else:
            self.area_requested.emit(where)

    def refresh(self) -> None:
        for view in (self.queue, self.overview, self.rules):
            view.refresh()
