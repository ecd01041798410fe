"""The call library as a Qt table model, fetched page by page from the database.

A contact centre's library holds 100,000 calls and more, so the model never loads
them all: it holds the pages the view has scrolled through and asks for the next
one (``canFetchMore``/``fetchMore``) when the view reaches the end. Sorting and
filtering happen in the database; the model resets and starts again from page one.

Pages are fetched through a job, off the GUI thread: a deep page of a large library
sorted by a column without an index can take a second on SQLite, and the window
must not freeze meanwhile. Every reset bumps a generation number so that a page
still in flight for an older filter or sort is dropped when it arrives.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ..durations import format_duration
from ..jobs import JobContext
from ..store.calls import CallFilter, CallRow, count_calls, list_calls
from ..store.database import Database
from .formatting import moment
from .jobs import JobRunner

PAGE_SIZE = 200

# Column order of the library, with the store's sort key for each.
# Queue (skill group, 技能组) and customer number are how reviewers find a call a
# supervisor or a complaint points them to; the file name stays last and widest.
COLUMNS = (
    "agent", "team", "started_at", "duration", "direction", "queue", "customer", "status", "transcript", "file_name",
)
AGENT, TEAM, STARTED, DURATION, DIRECTION, QUEUE, CUSTOMER, STATUS, TRANSCRIPT, FILE = range(len(COLUMNS))
FAILED_COLOUR = QColor("#c53030")

CALL_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _load(db: Database, flt: CallFilter, sort: str, descending: bool, offset: int, with_counts: bool):
    """One page of calls (and, for the first page, the counts). Runs on a worker thread."""
    with db.session() as session:
        rows = list_calls(session, flt, sort=sort, descending=descending, offset=offset, limit=PAGE_SIZE)
        if not with_counts:
            return rows, None, None
        total = count_calls(session, flt)
        # The library's own size tells "no calls yet" (first-run offer) apart from
        # "nothing matches these filters".
        library = total if flt == CallFilter() else count_calls(session, CallFilter())
        return rows, total, library


class CallsTableModel(QAbstractTableModel):
    """Calls matching a filter, in the order the reviewer chose, fetched lazily."""

    # (calls matching the filter, calls in the whole library), after each reset.
    counted = Signal(int, int)
    loading_changed = Signal(bool)
    load_failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None):
        super().__init__(parent)
        self._db = db
        self._filter = CallFilter()
        self._sort = "started_at"
        self._descending = True
        self._rows: list[CallRow] = []
        self._total: int | None = None
        self._library_total: int | None = None
        self._generation = 0
        self._pending: JobRunner | None = None
        self._headers = (
            self.tr("Agent"),
            self.tr("Team"),
            self.tr("Start time"),
            self.tr("Duration"),
            self.tr("Direction"),
            self.tr("Queue"),
            self.tr("Customer"),
            self.tr("Status"),
            self.tr("Transcript"),
            self.tr("File"),
        )
        self._directions = {"inbound": self.tr("Inbound"), "outbound": self.tr("Outbound")}
        self._statuses = {
            "imported": self.tr("Imported"),
            "transcribed": self.tr("Transcribed"),
            "reviewed": self.tr("Reviewed"),
        }
        self._transcript_states = {
            "none": "—",
            "queued": self.tr("Queued"),
            "running": self.tr("Transcribing"),
            "done": self.tr("Done"),
            "failed": self.tr("Failed"),
            "cancelled": self.tr("Cancelled"),
        }

    # --- what the page asks for --------------------------------------------------------

    def set_database(self, db: Database) -> None:
        self._db = db
        self.refresh()

    def set_filter(self, flt: CallFilter) -> None:
        self._filter = flt
        self.refresh()

    def filter(self) -> CallFilter:
        return self._filter

    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def total(self) -> int:
        """Calls matching the current filter (0 until the first page has arrived)."""
        return self._total or 0

    def library_total(self) -> int:
        return self._library_total or 0

    def is_loading(self) -> bool:
        return self._pending is not None

    def is_loaded(self) -> bool:
        """The counts are known and no page is in flight."""
        return self._pending is None and self._total is not None

    def call_id(self, row: int) -> int:
        return self._rows[row].id

    def call_at(self, row: int) -> CallRow:
        return self._rows[row]

    def transcript_column_width(self, metrics) -> int:
        """The widest word the Transcript column can show, in these font metrics."""
        return max(metrics.horizontalAdvance(text) for text in self._transcript_states.values())

    def update_transcript_statuses(self, statuses: dict[int, str]) -> int:
        """New transcript statuses (call id → status) for the loaded rows among them,
        without reloading the library; how many rows changed."""
        changed = 0
        for row, call in enumerate(self._rows):
            status = statuses.get(call.id)
            if status is not None and status != call.transcript_status:
                self._rows[row] = replace(call, transcript_status=status)
                index = self.index(row, TRANSCRIPT)
                self.dataChanged.emit(index, index)
                changed += 1
        return changed

    def refresh(self) -> None:
        """Drop what is loaded and fetch the first page again (new data, filter or sort)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = None
        self.endResetModel()
        self._fetch(offset=0, with_counts=True)

    # --- lazy fetching -------------------------------------------------------------------

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        if parent.isValid() or self._pending is not None or self._total is None:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetch(offset=len(self._rows), with_counts=False)

    def _fetch(self, *, offset: int, with_counts: bool) -> None:
        if self._pending is not None:
            self._pending.cancel()  # its result will be dropped by the generation check
        generation = self._generation
        db, flt, sort, desc = self._db, self._filter, self._sort, self._descending

        def job(ctx: JobContext):
            return generation, _load(db, flt, sort, desc, offset, with_counts)

        runner = JobRunner(job, name="calls page")
        runner.finished.connect(self._page_arrived)
        runner.failed.connect(self._page_failed)
        self._pending = runner
        self.loading_changed.emit(True)
        runner.start()

    def _page_arrived(self, result: object) -> None:
        generation, (rows, total, library) = result
        if generation != self._generation:
            return  # a page for a filter or sort the reviewer has since changed
        self._pending = None
        if total is not None:
            self._total, self._library_total = total, library
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        elif self._total is not None and len(self._rows) < self._total:
            # The library shrank under us (calls deleted elsewhere): stop asking.
            self._total = len(self._rows)
        self.loading_changed.emit(False)
        if total is not None:
            self.counted.emit(self._total, self._library_total)

    def _page_failed(self, message: str) -> None:
        if self.sender() is not self._pending:
            return  # a failure of a fetch already superseded by a reset
        self._pending = None
        self.loading_changed.emit(False)
        self.load_failed.emit(message)

    # --- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            if section == DURATION:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        call = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(call, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return call.file_path
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DURATION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == TRANSCRIPT and call.transcript_status == "failed":
            return FAILED_COLOUR
        if role == Qt.ItemDataRole.ForegroundRole and self._display(call, column) == "—":
            return QApplication.palette().brush(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        if role == CALL_ID_ROLE:
            return call.id
        return None

    def _display(self, call: CallRow, column: int) -> str:
        if column == AGENT:
            return call.agent or "—"
        if column == TEAM:
            return call.team or "—"
        if column == STARTED:
            # The store sorts by the stored time, never by this text.
            return moment(call.started_at) if call.started_at else "—"
        if column == DURATION:
            return format_duration(call.duration)
        if column == DIRECTION:
            return self._directions.get(call.direction or "", call.direction or "—")
        if column == QUEUE:
            return call.queue or "—"
        if column == CUSTOMER:
            return call.customer_ref or "—"
        if column == STATUS:
            return self._statuses.get(call.status, call.status)
        if column == TRANSCRIPT:
            return self._transcript_states.get(call.transcript_status, call.transcript_status)
        return call.file_name

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (COLUMNS[column], descending) == (self._sort, self._descending) and self._generation:
            return  # the view re-announcing the current order: nothing to fetch again
        self._sort, self._descending = COLUMNS[column], descending
        self.refresh()
