"""Download a speech model: Vosk's published list (or any model URL), with progress and Cancel.

The download runs as a job off the GUI thread. A cancelled or dropped download keeps
what already arrived, and downloading the same model again resumes from there; a
file whose size or MD5 is not the published one is never installed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
    QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..jobs import JobContext
from ..transcription import catalog, model_install
from ..transcription.model_errors import ModelError
from ..transcription.speech_models import format_size
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, error_style


class KiBContext(JobContext):
    """A job's context that reports byte progress in KiB.

    The runner's progress signal carries C++ ints: byte counts past 2 GiB (the large
    models) would overflow, KiB never will."""

    def __init__(self, inner: JobContext):
        super().__init__()
        self._inner = inner

    def cancel(self) -> None:
        self._inner.cancel()

    @property
    def cancelled(self) -> bool:
        return self._inner.cancelled

    def check_cancelled(self) -> None:
        self._inner.check_cancelled()

    def status(self, text: str) -> None:
        self._inner.status(text)

    def progress(self, done: int, total: int) -> None:
        self._inner.progress(done >> 10, total >> 10)


class ModelDownloadDialog(QDialog):
    """Pick a published model (or paste a URL) and download it into the models folder."""

    installed = Signal(object)  # the SpeechModel

    def __init__(self, page, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Download a speech model"))
        self.resize(720, 440)
        self._page = page
        self._job: JobRunner | None = None
        self._phases = {
            model_install.PHASE_DOWNLOAD: self.tr("Downloading…"),
            model_install.PHASE_VERIFY: self.tr("Checking…"),
            model_install.PHASE_UNPACK: self.tr("Unpacking…"),
            model_install.PHASE_COPY: self.tr("Copying…"),
        }
        try:
            self.entries = [e for e in catalog.load_catalog() if not e.obsolete]
        except ModelError:
            self.entries = []
        installed = {m.name for m in page.models()}

        self.table = QTableWidget(len(self.entries), 5)
        self.table.setObjectName("catalog")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Model"), self.tr("Language"), self.tr("Size"), self.tr("Type"), self.tr("Installed")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setStyleSheet("QTableView::item { padding-left: 6px; padding-right: 6px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, entry in enumerate(self.entries):
            size = entry.size_text or (format_size(entry.size) if entry.size else "?")
            cells = (entry.name, entry.lang_text, size, entry.type, "✓" if entry.name in installed else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)

        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("modelUrl")
        self.url_edit.setPlaceholderText("https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip")
        self.url_edit.setClearButtonEnabled(True)
        url_row = QHBoxLayout()
        url_row.addWidget(QLabel(self.tr("Or a model URL:")))
        url_row.addWidget(self.url_edit, 1)

        self.progress = QProgressBar()
        self.progress.setObjectName("downloadProgress")
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("downloadStatus")
        self.status.setWordWrap(True)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setObjectName("startDownload")
        self.download_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel download"))
        self.cancel_button.setObjectName("cancelDownload")
        self.cancel_button.hide()
        self.close_button = QPushButton(self.tr("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(url_row)
        column.addWidget(self.progress)
        column.addLayout(buttons)

        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.close_button.clicked.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.url_edit.textChanged.connect(self._update_buttons)
        self._update_buttons()

    def select(self, name: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.name == name:
                self.table.selectRow(row)

    def _selected_entry(self):
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def is_downloading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _update_buttons(self) -> None:
        busy = self.is_downloading()
        chosen = bool(self.url_edit.text().strip()) or self._selected_entry() is not None
        self.download_button.setEnabled(not busy and chosen)
        self.download_button.setVisible(not busy)
        self.cancel_button.setVisible(busy)
        self.table.setEnabled(not busy)
        self.url_edit.setEnabled(not busy)

    def start_download(self) -> None:
        url = self.url_edit.text().strip()
        entry = None if url else self._selected_entry()
        if not url and entry is None:
            return
        try:
            name = model_install.install_name(url) if url else entry.name
        except ModelError as exc:
            self._fail(str(exc))
            return
        replace = self._page.confirm_replace(self, name)
        if replace is None:
            return

        def job(ctx: JobContext):
            scaled = KiBContext(ctx)
            if url:
                return model_install.install_from_url(url, replace=replace, ctx=scaled)
            return model_install.install_from_catalog(entry.name, replace=replace, ctx=scaled)

        self.progress.setRange(0, 0)
        self.progress.show()
        self._show_status(self.tr("Connecting…"), HINT_STYLE)
        self._job = run_job(
            job, on_finished=self._finished, on_failed=self._fail, on_cancelled=self._cancelled,
            on_status=self._phase, on_progress=self._on_progress,
            expected=(ModelError,), name="download speech model",
        )
        self._update_buttons()

    def cancel_download(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._show_status(self.tr("Cancelling…"), HINT_STYLE)

    def reject(self) -> None:
        # Closing the dialog stops the download too (what arrived is kept for a resume).
        self.cancel_download()
        super().reject()

    def _show_status(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def _phase(self, key: str) -> None:
        self._show_status(self._phases.get(key, key), HINT_STYLE)

    def _on_progress(self, done_kib: int, total_kib: int) -> None:
        if total_kib > 0:
            self.progress.setRange(0, total_kib)
            self.progress.setValue(min(done_kib, total_kib))
            self.progress.setFormat(f"%p%  ({format_size(done_kib << 10)} / {format_size(total_kib << 10)})")

    def _finished(self, model: object) -> None:
        self._update_buttons()
        self.progress.hide()
        self.installed.emit(model)
        self.accept()

    def _fail(self, message: str) -> None:
        self._update_buttons()
        self.progress.hide()
        self._show_status(message, error_style())
        QMessageBox.warning(self, self.tr("Download failed"), message)

    def _cancelled(self) -> None:
        self._update_buttons()
        self.progress.hide()
        self._show_status(self.tr(
            "Download cancelled. What was downloaded is kept: downloading the same model again resumes it."
        ), HINT_STYLE)
