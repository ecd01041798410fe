"""A lead's overview of the review queues in a period: per reviewer and per agent
(assigned, done, overdue), and every queued call, which a lead can move to another
reviewer or take out of the queue.

Only a lead or admin may move calls (``sampling.manage``); for anyone else the buttons
are greyed out, and the store refuses anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QSplitter, QStackedWidget, QStyle,
    QVBoxLayout, QWidget,
)

from ..permissions import Actor, can
from ..scoring.periods import PeriodError, month_of, parse_period
from ..store import assignments
from ..store.sampling import known_reviewers
from .area_page import AreaPage
from .formatting import day, number
from .jobs import run_job
from .review_queue import clock, fill_row, make_table
from .review_tab import ReviewTab


def load_overview(db, period, today: date):
    with db.session() as session:
        return (assignments.overview(session, period, today=today),
                assignments.all_items(session, period, today=today), known_reviewers(session))


class ReviewOverview(ReviewTab):
    call_requested = Signal(int)
    go_to = Signal(str)  # an empty period's next step: "rules" (a tab of this area)

    def __init__(self, db, actor: Actor, *, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(db, today, parent)
        self.actor = actor
        self._items: list[assignments.QueueItem] = []
        self.reviewer_names: list[str] = []
        self.may_manage = can(actor, "sampling.manage")

        self.period_edit = QLineEdit(month_of(today()).label)
        self.period_edit.setMaximumWidth(200)
        self.period_edit.setPlaceholderText(self.tr("2026-11, 2026-Q4, 2026-W44"))
        self.period_edit.returnPressed.connect(self.refresh)
        self.refresh_button = QPushButton(self.tr("Show"))
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel()
        self.reviewers = make_table([self.tr("Reviewer"), self.tr("Assigned"), self.tr("Done"), self.tr("Open"),
                                     self.tr("Overdue")], stretch=0)
        self.agents = make_table([self.tr("Agent"), self.tr("Assigned"), self.tr("Done"), self.tr("Open"),
                                  self.tr("Overdue")], stretch=0)
        self.calls = make_table([self.tr("Reviewer"), self.tr("Call"), self.tr("Agent"), self.tr("Date"),
                                 self.tr("Duration"), self.tr("Due"), self.tr("Status"), self.tr("Why")])
        self.calls.cellDoubleClicked.connect(self._open_row)
        self.calls.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.calls.customContextMenuRequested.connect(self._menu)
        self.calls.itemSelectionChanged.connect(self._selection_changed)
        self.reassign_button = QPushButton(self.tr("Reassign…"))
        self.reassign_button.clicked.connect(self.reassign_selected)
        self.cancel_button = QPushButton(self.tr("Take out of queue"))
        self.cancel_button.clicked.connect(self.cancel_selected)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Period:")))
        top.addWidget(self.period_edit)
        top.addWidget(self.refresh_button)
        top.addSpacing(12)
        top.addWidget(self.status, 1)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.setObjectName("overviewTablesSplitter")
        for title, table in ((self.tr("Per reviewer"), self.reviewers), (self.tr("Per agent"), self.agents)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(table)
            tables.addWidget(box)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<b>{0}</b>".format(self.tr("Queued calls"))))
        buttons.addStretch(1)
        buttons.addWidget(self.reassign_button)
        buttons.addWidget(self.cancel_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.calls)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("overviewSplitter")
        split.addWidget(tables)
        split.addWidget(lower)
        split.setStretchFactor(1, 2)
        # A period without queued calls: why, and the next step (see _show_empty).
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogListView))
        self.empty.setObjectName("overviewEmpty")
        self.rules_button = self.empty.add_action(self.tr("Sampling rules"), primary=True)
        self.rules_button.clicked.connect(lambda: self.go_to.emit("rules"))
        self.previous_button = self.empty.add_action(self.tr("Show the previous period"))
        self.previous_button.clicked.connect(self.show_previous_period)
        self.content = QStackedWidget()
        self.content.addWidget(split)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.content, 1)
        self.set_actor(actor)

    def period(self):
        return parse_period(self.period_edit.text())

    def refresh(self) -> None:
        if self.is_loading():
            return
        try:
            period = self.period()
        except PeriodError as exc:
            self.status.setText(self.tr("Not a period: {0}").format(exc))
            return
        db, today = self.db, self._today()
        self.status.setText(self.tr("Loading…"))
        self._job = run_job(lambda ctx: load_overview(db, period, today), on_finished=self._loaded,
                            on_failed=self._failed, name="review overview")

    def _failed(self, message: str) -> None:
        self.status.setText(self.tr("The overview could not be read: {0}").format(message))

    def _loaded(self, result: object) -> None:
        view, self._items, self.reviewer_names = result
        for table, rows in ((self.reviewers, view.reviewers), (self.agents, view.agents)):
            table.setRowCount(len(rows))
            for i, r in enumerate(rows):
                fill_row(table, i, [r.name, *map(number, (r.assigned, r.done, r.open, r.overdue))],
                         overdue=r.overdue > 0, numbers_from=1)
        self.calls.setRowCount(len(self._items))
        for i, item in enumerate(self._items):
            status = self.tr("Overdue") if item.overdue else {"assigned": self.tr("To do"),
                                                              "done": self.tr("Done")}.get(item.status, item.status)
            fill_row(self.calls, i, [
                item.reviewer, f"#{item.call_id}  {item.call_name}", item.agent,
                day(item.started_at), clock(item.duration), day(item.due_on), status, item.reason,
            ], key=item.id, overdue=item.overdue, done=item.status == "done")
        overdue = sum(i.overdue for i in self._items)
        self.status.setText(self.tr("{0} calls queued in {1}, {2} done, {3} overdue").format(
            number(len(self._items)), view.period.label, number(sum(i.status == "done" for i in self._items)),
            number(overdue)))
        self.content.setCurrentIndex(1 if not self._items else 0)
        if not self._items:
            self._show_empty(view.period.label)
        self._selection_changed()

    def _show_empty(self, period: str) -> None:
        self.empty.set_title(self.tr("No calls queued in {0}").format(period))
        self.empty.set_text(self.tr(
            "Calls reach the reviewers' queues when a sampling rule is run for a period. Set up a rule in "
            "Sampling rules and run it, or look at another period.") if self.may_manage else self.tr(
            "Calls reach the reviewers' queues when a team lead runs a sampling rule for a period; none was run "
            "for this one. Look at another period."))
        self.rules_button.setVisible(self.may_manage)

    def show_previous_period(self) -> None:
        try:
            self.period_edit.setText(self.period().previous().label)
        except PeriodError:
            self.period_edit.setText(month_of(self._today()).label)
        self.refresh()

    def set_actor(self, actor: Actor) -> None:
        """Who is looking (again after another sign-in): what they may do with queued calls."""
        self.actor, self.may_manage = actor, can(actor, "sampling.manage")
        tip = "" if self.may_manage else self.tr("Only a lead or an admin can move queued calls")
        for button in (self.reassign_button, self.cancel_button):
            button.setToolTip(tip)
        self.rules_button.setVisible(self.may_manage)
        self._selection_changed()

    def selected_item(self) -> assignments.QueueItem | None:
        rows = self.calls.selectionModel().selectedRows()
        return self._items[rows[0].row()] if rows and rows[0].row() < len(self._items) else None

    def _selection_changed(self) -> None:
        item = self.selected_item()
        movable = self.may_manage and item is not None and item.status == "assigned"
        self.reassign_button.setEnabled(movable)
        self.cancel_button.setEnabled(movable)

    def _menu(self, at: QPoint) -> None:
        if self.calls.itemAt(at) is None:
            return
        menu = QMenu(self)
        menu.addAction(self.tr("Open call"), lambda: self._open_row(self.calls.currentRow(), 0))
        reassign = menu.addAction(self.tr("Reassign…"), self.reassign_selected)
        cancel = menu.addAction(self.tr("Take out of queue"), self.cancel_selected)
        reassign.setEnabled(self.reassign_button.isEnabled())
        cancel.setEnabled(self.cancel_button.isEnabled())
        menu.exec(self.calls.viewport().mapToGlobal(at))

    def _open_row(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._items):
            self.call_requested.emit(self._items[row].call_id)

    def ask_reviewer(self, item: assignments.QueueItem) -> str | None:
        """The reviewer to move the call to (a dialog; tests replace it)."""
        names = [n for n in self.reviewer_names if n != item.reviewer]
        name, ok = QInputDialog.getItem(self, self.tr("Reassign call"),
                                        self.tr("Move call #{0} from {1} to:").format(item.call_id, item.reviewer),
                                        names, 0, True)
        return name.strip() if ok and name.strip() else None

    def reassign_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        to = self.ask_reviewer(item)
        if to:
            self._change(lambda s: assignments.reassign(s, item.id, to, actor=self.actor),
                         self.tr("Call #{0} moved to {1}").format(item.call_id, to), "reassign call")

    def cancel_selected(self) -> None:
        item = self.selected_item()
        if item is None:
            return
        answer = QMessageBox.question(self, self.tr("Take out of queue"),
                                      self.tr("Take call #{0} out of {1}'s queue?").format(item.call_id, item.reviewer))
        if answer == QMessageBox.StandardButton.Yes:
            self._change(lambda s: assignments.cancel(s, item.id, actor=self.actor),
                         self.tr("Call #{0} taken out of the queue").format(item.call_id), "take call out of queue")
