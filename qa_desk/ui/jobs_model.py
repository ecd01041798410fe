"""The transcription jobs as a table model, and the progress bar drawn in its cells.

The Jobs panel hands the model a fresh snapshot of the queue twice a second. The
model works out what changed against the rows it shows (jobs gone, jobs moved,
jobs new, jobs whose progress moved) and tells the view only that, so the reviewer's
selection and scroll position survive every refresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionProgressBar, QStyleOptionViewItem

from ..durations import format_duration
from .formatting import moment, percent, time_of_day

if TYPE_CHECKING:
    from ..transcription.service import JobRow

COLUMNS = ("call", "status", "progress", "duration", "model", "worker", "started", "finished", "error")
CALL, STATUS, PROGRESS, DURATION, MODEL, WORKER, STARTED, FINISHED, ERROR = range(len(COLUMNS))

JOB_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2  # 0..1, or None where no bar is drawn
FAILED_COLOUR = QColor("#c53030")


def _time(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.date() == datetime.now().date():
        return time_of_day(at, seconds=True)
    return moment(at)


def short_error(job: JobRow) -> str:
    """The error on one line, without the recording's path in front (the Call column
    names it; the tooltip has the whole text)."""
    text = " ".join((job.error or "").split())
    head, sep, rest = text.partition(": ")
    if sep and rest and job.file_name and head.endswith(job.file_name):
        return rest
    return text


class JobsTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[JobRow] = []
        self._headers = (
            self.tr("Call"), self.tr("Status"), self.tr("Progress"), self.tr("Length"), self.tr("Model"),
            self.tr("Worker"), self.tr("Started"), self.tr("Finished"), self.tr("Error"),
        )
        self._statuses = {
            "queued": self.tr("Queued"),
            "running": self.tr("Transcribing"),
            "done": self.tr("Done"),
            "failed": self.tr("Failed"),
            "cancelled": self.tr("Cancelled"),
        }

    def status_text(self, status: str) -> str:
        return self._statuses.get(status, status)

    # --- rows --------------------------------------------------------------------------

    def job(self, row: int) -> JobRow:
        return self._rows[row]

    def jobs(self) -> list[JobRow]:
        return list(self._rows)

    def row_of(self, job_id: int) -> int | None:
        for row, job in enumerate(self._rows):
            if job.id == job_id:
                return row
        return None

    def set_jobs(self, jobs: tuple[JobRow, ...] | list[JobRow]) -> None:
        """Show these jobs in this order, telling the view only what changed."""
        new = list(jobs)
        new_ids = [j.id for j in new]
        wanted = set(new_ids)
        # 1. Jobs no longer in the snapshot (cleared, or pushed out of the recent ones).
        row = len(self._rows) - 1
        while row >= 0:
            if self._rows[row].id in wanted:
                row -= 1
                continue
            last = row
            while row >= 0 and self._rows[row].id not in wanted:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, last)
            del self._rows[row + 1:last + 1]
            self.endRemoveRows()
        # 2. The jobs kept, in their new order (a queued job starts running and moves up).
        by_id = {j.id: j for j in new}
        have = {j.id for j in self._rows}
        order = [i for i in new_ids if i in have]
        if order != [j.id for j in self._rows]:
            self.layoutAboutToBeChanged.emit()
            position = {job_id: place for place, job_id in enumerate(order)}
            old_rows = {j.id: r for r, j in enumerate(self._rows)}
            persistent = self.persistentIndexList()
            moved = []
            for index in persistent:
                job_id = self._rows[index.row()].id
                moved.append(self.index(position[job_id], index.column()))
            self._rows = [self._rows[old_rows[i]] for i in order]
            self.changePersistentIndexList(persistent, moved)
            self.layoutChanged.emit()
        # 3. New jobs where the snapshot has them.
        place = 0
        while place < len(new_ids):
            if place < len(self._rows) and self._rows[place].id == new_ids[place]:
                place += 1
                continue
            first = place
            while place < len(new_ids) and new_ids[place] not in have:
                place += 1
            self.beginInsertRows(QModelIndex(), first, place - 1)
            self._rows[first:first] = [by_id[i] for i in new_ids[first:place]]
            self.endInsertRows()
        # 4. Jobs whose status, progress, worker… changed.
        last_column = len(COLUMNS) - 1
        for row, job in enumerate(self._rows):
            fresh = by_id[job.id]
            if fresh != job:
                self._rows[row] = fresh
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))

    # --- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == ERROR and job.error:
                return job.error
            if column == WORKER:
                return job.worker
            return job.file_name
        if role == Qt.ItemDataRole.ForegroundRole and job.status == "failed" and column in (STATUS, ERROR):
            return FAILED_COLOUR
        if role == Qt.ItemDataRole.ForegroundRole and column in (MODEL, WORKER) and not (
            job.model_name if column == MODEL else job.worker
        ):
            return QApplication.palette().brush(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DURATION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PROGRESS_ROLE and column == PROGRESS:
            if job.status == "running":
                return job.progress
            return 1.0 if job.status == "done" else None  # waiting, failed, cancelled: no bar
        if role == JOB_ID_ROLE:
            return job.id
        return None

    def _display(self, job: JobRow, column: int) -> str:
        if column == CALL:
            return job.file_name
        if column == STATUS:
            return self.status_text(job.status)
        if column == PROGRESS:
            if job.status in ("running", "done"):
                return percent(round((1.0 if job.status == 'done' else job.progress) * 100), 0)
            return ""
        if column == DURATION:
            return format_duration(job.duration)
        if column == MODEL:
            return job.model_name or "—"
        if column == WORKER:
            return job.worker or "—"
        if column == STARTED:
            return _time(job.started_at)
        if column == FINISHED:
            return _time(job.finished_at)
        if column == ERROR:
            return short_error(job)
        return ""


class ErrorDelegate(QStyledItemDelegate):
    """An error reads from its start: cut at the end, not in the middle like file names."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class ProgressDelegate(QStyledItemDelegate):
    """A progress bar in a cell (the style's own, so it looks native everywhere)."""

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        # The row's selection background first, then the bar inset a little.
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, option.widget)
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(4, 3, -4, -3))
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int(round(float(value) * 1000))
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        bar.fontMetrics = option.fontMetrics
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)
