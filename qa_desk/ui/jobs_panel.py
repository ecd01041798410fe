"""The Jobs panel: the transcription queue at the bottom of the window.

Hidden until there is work (or the reviewer opens it from the View menu or the
status bar): an overall progress bar with the batch's count and time left, the jobs
with their own progress, the error of a failed one, and the buttons that cancel,
retry and tidy up. Double-clicking a job opens its call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .jobs_model import (
    CALL,
    DURATION,
    ERROR,
    FINISHED,
    MODEL,
    PROGRESS,
    STARTED,
    STATUS,
    WORKER,
    ErrorDelegate,
    JobsTableModel,
    ProgressDelegate,
)

if TYPE_CHECKING:
    from ..transcription.service import QueueSnapshot
    from .transcription_control import TranscriptionControl

ACTIVE = ("queued", "running")
# The table lists at most this many jobs (running first, then waiting, then the latest
# finished): a whole library queued at once must not make every refresh slow.
MAX_ROWS = 2000


class JobsPanel(QDockWidget):
    call_requested = Signal(int)  # a job was double-clicked: open its call

    def __init__(self, control: TranscriptionControl, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("jobsPanel")
        self.setWindowTitle(self.tr("Transcription jobs"))
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.TopDockWidgetArea)
        self.control = control
        self._snapshot: QueueSnapshot | None = None

        self.overall = QProgressBar()
        self.overall.setObjectName("overallProgress")
        self.overall.setRange(0, 1000)
        self.overall.setMinimumWidth(220)
        self.overall.setMaximumWidth(420)
        self.summary = QLabel()
        self.summary.setObjectName("jobsSummary")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counts = QLabel()
        self.counts.setObjectName("jobsCounts")
        self.counts.setStyleSheet("color: palette(placeholder-text);")

        self.model = JobsTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("jobsTable")
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.view))
        self.view.setItemDelegateForColumn(ERROR, ErrorDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)  # the error text takes what is left
        self._size_columns()

        self.cancel_button = self._button(self.tr("Cancel selected"), "cancelSelected", self.cancel_selected)
        self.cancel_all_button = self._button(self.tr("Cancel all"), "cancelAll", self.cancel_all)
        self.retry_button = self._button(self.tr("Retry selected"), "retrySelected", self.retry_selected)
        self.retry_failed_button = self._button(self.tr("Retry all failed"), "retryFailed", self.retry_failed)
        self.clear_button = self._button(self.tr("Clear finished"), "clearFinished", self.control.clear_finished)
        self.cancel_button.setToolTip(self.tr("Stop the selected calls; a call being transcribed stops within a second"))
        self.retry_button.setToolTip(self.tr("Queue the selected failed or cancelled calls again"))
        self.clear_button.setToolTip(self.tr("Remove finished jobs from this list (transcripts stay)"))

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.overall)
        top.addWidget(self.summary, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for widget in (self.cancel_button, self.cancel_all_button, None, self.retry_button,
                       self.retry_failed_button, None, self.clear_button):
            if widget is None:
                buttons.addSpacing(12)
            else:
                buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.counts)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 6, 10, 8)
        column.setSpacing(6)
        # No job: the table gives way to how calls get here.
        self.empty = QLabel(self.tr(
            "Calls are transcribed when you choose Transcribe: in Calls, for the calls selected (or every call "
            "not transcribed yet), or in a call you opened. Each one then shows here with its progress; "
            "double-click it to open the call."))
        self.empty.setObjectName("jobsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.empty)
        column.addLayout(top)
        column.addWidget(self.pages, 1)
        column.addLayout(buttons)
        self.setWidget(body)

        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        control.snapshot_changed.connect(self.show_snapshot)
        self.show_snapshot(None)

    def _size_columns(self) -> None:
        """Widths from what the columns hold (the words of the language in use, a
        time, a worker's name), never narrower than their heading."""
        metrics = self.view.fontMetrics()
        em = metrics.horizontalAdvance("M")
        status = max(metrics.horizontalAdvance(self.model.status_text(s))
                     for s in ("queued", "running", "done", "failed", "cancelled"))
        moment = metrics.horizontalAdvance("2026-11-03 09:15")
        widths = {
            CALL: 28 * em, STATUS: status, PROGRESS: 8 * em, DURATION: metrics.horizontalAdvance("00:00:00"),
            MODEL: 14 * em, WORKER: metrics.horizontalAdvance("qa-pc-07:12345:0"), STARTED: moment,
            FINISHED: moment, ERROR: 20 * em,
        }
        header = self.view.horizontalHeader()
        for column, width in widths.items():
            header.resizeSection(column, max(width + 16, header.sectionSizeFromContents(column).width() + 8))
        self.view.setColumnHidden(MODEL, True)  # until a job names its model

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # --- what the queue looks like -------------------------------------------------------

    def show_snapshot(self, snapshot: QueueSnapshot | None) -> None:
        self._snapshot = snapshot
        jobs = snapshot.jobs if snapshot else ()
        jobs = jobs[:MAX_ROWS]
        self.model.set_jobs(jobs)
        self.pages.setCurrentWidget(self.view if jobs else self.empty)
        # Jobs queued without naming a model take the default of the computer running
        # them: the column only says something when a job names one.
        self.view.setColumnHidden(MODEL, not any(j.model_name for j in jobs))
        progress = snapshot.progress if snapshot and snapshot.active else 0.0
        self.overall.setValue(int(round(progress * 1000)))
        self.overall.setFormat(f"{round(progress * 100)}%")  # as in the status bar
        self.overall.setEnabled(bool(snapshot and snapshot.active))
        self.summary.setText(self.summary_text())
        self.summary.setToolTip(self.summary.text())
        self.counts.setText(self.counts_text())
        self._update_buttons()

    def batch(self) -> tuple[int, int]:
        """(finished, total) jobs of the batch going on: jobs seen waiting or running
        since the queue was last empty."""
        snapshot = self._snapshot
        if snapshot is None or not snapshot.active:
            return 0, 0
        return snapshot.batch_done, snapshot.batch_total

    def summary_text(self) -> str:
        """'3 of 8 calls transcribed · 2 running · about 1 min left', or how it ended."""
        snapshot = self._snapshot
        if snapshot is None:
            return self.tr("No transcription jobs")
        if not snapshot.active:
            if not snapshot.jobs:
                return self.tr("No transcription jobs")
            return self.tr("All queued calls are finished.")
        done, total = self.batch()
        parts = [self.tr("{0} of {1} calls finished").format(done, total)]
        running = snapshot.counts.get("running", 0)
        if running:
            parts.append(self.tr("{0} transcribing").format(running))
        if snapshot.eta_seconds is not None:
            parts.append(self.eta_text(snapshot.eta_seconds))
        return " · ".join(parts)

    def counts_text(self) -> str:
        counts = self._snapshot.counts if self._snapshot else {}
        names = (("queued", self.tr("Queued")), ("running", self.tr("Transcribing")), ("done", self.tr("Done")),
                 ("failed", self.tr("Failed")), ("cancelled", self.tr("Cancelled")))
        return "   ".join(self.tr("{0}: {1}").format(name, counts[key]) for key, name in names if counts.get(key))

    def status_text(self) -> str:
        """For the status-bar button: 'Transcription: 3 of 8 · 42% · about 1 min left'."""
        snapshot = self._snapshot
        if snapshot is None or not snapshot.jobs:
            return self.tr("Transcription")
        if snapshot.active:
            done, total = self.batch()
            parts = [self.tr("Transcription: {0} of {1}").format(done, total), f"{round(snapshot.progress * 100)}%"]
            if snapshot.eta_seconds is not None:
                parts.append(self.eta_text(snapshot.eta_seconds))
            return " · ".join(parts)
        failed = snapshot.counts.get("failed", 0)
        if failed:
            return self.tr("Transcription: {0} failed").format(failed)
        return self.tr("Transcription: done")

    def eta_text(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("less than a minute left")
        minutes = int(round(seconds / 60))
        if minutes < 90:
            return self.tr("about {0} min left").format(minutes)
        return self.tr("about {0} h {1} min left").format(minutes // 60, minutes % 60)

    # --- acting on jobs ------------------------------------------------------------------

    def selected_jobs(self):
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.job(row) for row in rows]

    def _update_buttons(self) -> None:
        selected = self.selected_jobs()
        counts = self._snapshot.counts if self._snapshot else {}
        self.cancel_button.setEnabled(any(j.status in ACTIVE for j in selected))
        self.cancel_all_button.setEnabled(bool(self._snapshot and self._snapshot.active))
        self.retry_button.setEnabled(any(j.status in ("failed", "cancelled") for j in selected))
        self.retry_failed_button.setEnabled(bool(counts.get("failed")))
        self.clear_button.setEnabled(any(counts.get(s) for s in ("done", "failed", "cancelled")))

    def cancel_selected(self) -> None:
        ids = [j.id for j in self.selected_jobs() if j.status in ACTIVE]
        if ids:
            self.control.cancel(ids)

    def cancel_all(self) -> None:
        self.control.cancel(None)

    def retry_selected(self) -> None:
        ids = [j.id for j in self.selected_jobs() if j.status in ("failed", "cancelled")]
        if ids:
            self.control.retry(ids)

    def retry_failed(self) -> None:
        counts = self._snapshot.counts if self._snapshot else {}
        if not counts.get("cancelled"):
            self.control.retry(None)  # every failed job, also those older than the list shows
            return
        ids = [j.id for j in self.model.jobs() if j.status == "failed"]
        if ids:
            self.control.retry(ids)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.call_requested.emit(self.model.job(index.row()).call_id)
