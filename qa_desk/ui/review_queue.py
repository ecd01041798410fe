"""'My queue': the calls assigned to the signed-in reviewer, and how far they are.

Open calls come first by due date, done ones after; an overdue call is highlighted. A
double-click opens the call (``call_requested``). Reading the queue also marks calls the
reviewer has since submitted as done (see ``qa_desk.store.assignments``), so the list is
loaded as a job with its own session, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QStyle, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..permissions import Actor, can
from ..scoring.periods import month_of
from ..store import assignments
from .area_page import AreaPage
from .formatting import day, moment
from .jobs import run_job
from .review_tab import ReviewTab

OVERDUE = QColor(255, 228, 225)  # a soft red behind an overdue row: noticed, not alarming
DONE = QColor(110, 110, 110)  # done rows step back


def clock(seconds: float) -> str:
    whole = int(round(seconds or 0))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60}:{whole % 60:02d}"


def make_table(headers: list[str], *, stretch: int | None = None) -> QTableWidget:
    """A read-only table, whole rows selected; column ``stretch`` (default: the last) takes the room."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill_row(table: QTableWidget, row: int, cells: list[str], *, key=None, overdue: bool = False,
             done: bool = False, numbers_from: int | None = None) -> None:
    """One row of text cells; ``key`` rides on the first cell (the assignment or call id);
    cells from column ``numbers_from`` on are counts, right-aligned to compare at a glance."""
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if numbers_from is not None and column >= numbers_from:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == 0 and key is not None:
            item.setData(Qt.ItemDataRole.UserRole, key)
        if overdue:
            item.setBackground(QBrush(OVERDUE))
        elif done:
            item.setForeground(QBrush(DONE))
        table.setItem(row, column, item)


def load_queue(db, reviewer: str, today: date):
    with db.session() as session:
        items = assignments.my_queue(session, reviewer, today=today)
        progress = assignments.progress(session, reviewer, month_of(today), today=today)
    return items, progress


class MyQueueView(ReviewTab):
    call_requested = Signal(int)
    # An empty queue's next step: "calls" (the library), "rules" or "overview" (tabs of this area).
    go_to = Signal(str)

    def __init__(self, db, reviewer: str, *, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(db, today, parent)
        self.reviewer = reviewer
        self.actor: Actor | None = None  # None: only the name is known (the role is not checked)
        self._items: list[assignments.QueueItem] = []

        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.set_reviewer(reviewer)
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(False)
        self.show_done = QCheckBox(self.tr("Show done"))
        self.show_done.setChecked(True)
        self.show_done.toggled.connect(self._show)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.table = make_table([self.tr("Call"), self.tr("Agent"), self.tr("Date"), self.tr("Duration"),
                                 self.tr("Due"), self.tr("Status"), self.tr("Why this call")])
        self.table.cellDoubleClicked.connect(self._open_row)
        # An empty queue says why and offers the next step the role may take (see _show_empty).
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.empty.setObjectName("queueEmpty")
        self.rules_button = self.empty.add_action(self.tr("Sampling rules"), primary=True)
        self.overview_button = self.empty.add_action(self.tr("Overview"))
        self.show_done_button = self.empty.add_action(self.tr("Show done calls"))
        self.calls_button = self.empty.add_action(self.tr("Go to Calls"))
        self.rules_button.clicked.connect(lambda: self.go_to.emit("rules"))
        self.overview_button.clicked.connect(lambda: self.go_to.emit("overview"))
        self.show_done_button.clicked.connect(lambda: self.show_done.setChecked(True))
        self.calls_button.clicked.connect(lambda: self.go_to.emit("calls"))
        self.empty.hide()

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.progress_label)
        top.addWidget(self.progress_bar)
        top.addSpacing(12)
        top.addWidget(self.show_done)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.hint = QLabel(self.tr("Double-click a call to open it and score it; it counts as done once you submit."))
        self.hint.setEnabled(False)
        layout.addWidget(self.hint)

    def set_reviewer(self, reviewer: str) -> None:
        """Another person signed in (a database switch): their queue from the next refresh."""
        self.reviewer = reviewer
        self.title.setText(self.tr("Calls assigned to {0}").format(reviewer))

    def set_actor(self, actor: Actor | None) -> None:
        """Who is signed in: their queue, and the next steps their role may take when it is empty."""
        self.actor = actor
        self.set_reviewer(actor.name if actor else "")

    def refresh(self) -> None:
        if self.is_loading():
            return
        db, reviewer, today = self.db, self.reviewer, self._today()
        self.refresh_button.setEnabled(False)
        self._job = run_job(lambda ctx: load_queue(db, reviewer, today), on_finished=self._loaded,
                            on_failed=self._failed, name="review queue")

    def _loaded(self, result: object) -> None:
        self._items, progress = result
        self.refresh_button.setEnabled(True)
        text = self.tr("{0} of {1} done this month").format(progress.done, progress.total)
        if progress.overdue:
            text += " · " + self.tr("{0} overdue").format(progress.overdue)
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, max(progress.total, 1))
        self.progress_bar.setValue(progress.done)
        self._show()

    def _failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.progress_label.setText(self.tr("The queue could not be read: {0}").format(message))

    def status_text(self, item: assignments.QueueItem) -> str:
        if item.overdue:
            return self.tr("Overdue")
        return {"assigned": self.tr("To do"), "done": self.tr("Done"), "cancelled": self.tr("Cancelled")}.get(
            item.status, item.status)

    def shown_items(self) -> list[assignments.QueueItem]:
        return [i for i in self._items if self.show_done.isChecked() or i.status != "done"]

    def _show(self) -> None:
        items = self.shown_items()
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            fill_row(self.table, row, [
                f"#{item.call_id}  {item.call_name}", item.agent,
                moment(item.started_at), clock(item.duration), day(item.due_on), self.status_text(item), item.reason,
            ], key=item.call_id, overdue=item.overdue, done=item.status == "done")
        self.table.setVisible(bool(items))
        self.hint.setVisible(bool(items))
        self.empty.setVisible(not items)
        if not items:
            self._show_empty()

    def _show_empty(self) -> None:
        """Why the queue is empty, and what to do meanwhile; only steps the role may take."""
        actor, all_done = self.actor, bool(self._items)
        scores = actor is None or can(actor, "evaluation.score")
        manages = actor is not None and can(actor, "sampling.manage")
        offer = set()
        if not self.reviewer:
            title, text = self.tr("Nobody is signed in"), self.tr("Sign in to see the calls assigned to you.")
        elif all_done:
            title = self.tr("Every call in your queue is done")
            text = self.tr("Done calls are hidden: tick “Show done” to see them again. New calls arrive when "
                           "a sampling rule is run; meanwhile, pick any call in Calls.")
            offer = {self.show_done_button, self.calls_button}
        elif manages:
            title = self.tr("No calls in your queue")
            text = self.tr("Calls reach a queue when a sampling rule is run: set one up in Sampling rules and "
                           "run it for this month. Meanwhile, pick any call in Calls and score it.")
            offer = {self.rules_button, self.calls_button}
        elif scores:
            title = self.tr("No calls in your queue")
            text = self.tr("Your team lead assigns calls to you with a sampling rule. Meanwhile, pick any call "
                           "in Calls and score it: open it, then use its Evaluation tab.")
            offer = {self.calls_button}
        else:
            title = self.tr("No review queue for your role")
            text = self.tr("Queues hold the calls reviewers and team leads are to score; your role does not "
                           "score calls. See how far the reviewers are in Overview.")
            offer = {self.overview_button}
        self.empty.set_title(title)
        self.empty.set_text(text)
        for button in (self.rules_button, self.overview_button, self.show_done_button, self.calls_button):
            button.setVisible(button in offer)

    def _open_row(self, row: int, _column: int) -> None:
        cell = self.table.item(row, 0)
        if cell is not None:
            self.call_requested.emit(int(cell.data(Qt.ItemDataRole.UserRole)))
