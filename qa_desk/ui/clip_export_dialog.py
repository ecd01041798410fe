"""Export a clip or a playlist for a training session: audio, transcript excerpts, an index.

Anonymised by default (the agent's name becomes a label, numbers a caller reads out
are beeped or silenced): a training export leaves the building, the recordings do not.
The export runs as a job with a progress bar and a Cancel button; the export module
writes beside the target and renames at the end, so a cancelled export leaves nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QProgressBar, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from ..jobs import JobContext
from ..store.database import Database
from .jobs import JobRunner, run_job

FORMAT_NAMES = {"wav": "WAV", "flac": "FLAC", "mp3": "MP3"}


def default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


class ClipExportDialog(QDialog):
    exported = Signal(object)  # the ClipExportReport

    def __init__(self, db: Database, *, name: str, clip_id: int | None = None, playlist_id: int | None = None,
                 language: str = "en", folder: Path | None = None, actor: object = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._actor = actor  # who exports (a trainer, manager or admin; the export refuses anyone else)
        from ..audio.clip_audio import clip_audio_formats
        from ..reports.clip_files import safe_file_name

        if (clip_id is None) == (playlist_id is None):
            raise ValueError("export a clip or a playlist")
        self.setObjectName("clipExportDialog")
        self._db, self._clip_id, self._playlist_id, self._language = db, clip_id, playlist_id, language
        self._job: JobRunner | None = None
        self._report = None
        self.setWindowTitle(self.tr("Export playlist") if playlist_id else self.tr("Export clip"))
        self.setMinimumWidth(560)

        what = QLabel(self.tr("Playlist \u201c{0}\u201d: every clip in its order, with an index page and workbook.")
                      .format(name) if playlist_id else self.tr("Clip \u201c{0}\u201d").format(name))
        what.setWordWrap(True)
        self.audio_format = QComboBox()
        self.audio_format.setObjectName("exportFormat")
        for fmt in clip_audio_formats():
            self.audio_format.addItem(FORMAT_NAMES.get(fmt, fmt.upper()), fmt)
        self.anonymise = QCheckBox(self.tr("Anonymise: the agent's name becomes a label, numbers read out are hidden"))
        self.anonymise.setObjectName("exportAnonymise")
        self.anonymise.setChecked(True)
        self.beep, self.silence = QRadioButton(self.tr("Beep")), QRadioButton(self.tr("Silence"))
        self.beep.setChecked(True)
        self._hide = QButtonGroup(self)
        hide_row = QHBoxLayout()
        for button in (self.beep, self.silence):
            self._hide.addButton(button)
            hide_row.addWidget(button)
        hide_row.addStretch(1)
        self.as_folder, self.as_zip = QRadioButton(self.tr("A new folder")), QRadioButton(self.tr("One zip file"))
        self.as_folder.setChecked(True)
        self._shape = QButtonGroup(self)
        shape_row = QHBoxLayout()
        for button in (self.as_folder, self.as_zip):
            self._shape.addButton(button)
            shape_row.addWidget(button)
        shape_row.addStretch(1)
        self.target = QLineEdit(str((folder or default_folder()) / safe_file_name(name, fallback="clips")))
        self.target.setObjectName("exportTarget")
        self.choose_button = QPushButton(self.tr("Choose…"))
        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.choose_button)

        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.setObjectName("startExport")
        self.export_button.setDefault(True)
        self.open_button = QPushButton(self.tr("Show files"))
        self.open_button.hide()
        self.close_button = QPushButton(self.tr("Close"))

        form = QFormLayout()
        form.addRow(what)
        form.addRow(self.tr("Audio"), self.audio_format)
        form.addRow("", self.anonymise)
        form.addRow(self.tr("Hide numbers with"), hide_row)
        form.addRow(self.tr("Save as"), shape_row)
        form.addRow(self.tr("Where"), target_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addLayout(buttons)

        self.anonymise.toggled.connect(self.beep.setEnabled)
        self.anonymise.toggled.connect(self.silence.setEnabled)
        self.as_zip.toggled.connect(self._zip_toggled)
        self.choose_button.clicked.connect(self._choose)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._close_or_cancel)
        self.open_button.clicked.connect(self._show_files)

    # --- options ---------------------------------------------------------------------------

    def target_path(self) -> Path:
        return Path(self.target.text().strip()).expanduser()

    def _zip_toggled(self, zipped: bool) -> None:
        path = self.target_path()
        if zipped and path.suffix.lower() != ".zip":
            self.target.setText(str(path.with_name(path.name + ".zip")))
        elif not zipped and path.suffix.lower() == ".zip":
            self.target.setText(str(path.with_suffix("")))

    def _choose(self) -> None:
        path = self.target_path()
        if self.as_zip.isChecked():
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export to zip file"), str(path),
                                                    self.tr("Zip files (*.zip)"))
        else:
            # A new folder of this name is made in the one chosen.
            parent = QFileDialog.getExistingDirectory(self, self.tr("Export into folder"), str(path.parent))
            chosen = str(Path(parent) / path.name) if parent else ""
        if chosen:
            self.target.setText(chosen)

    # --- the job ------------------------------------------------------------------------------

    def start(self) -> None:
        from ..reports.clip_export import ClipExportError, export_clip, export_playlist

        if self._job is not None and not self._job.is_done():
            return
        db, target = self._db, self.target_path()
        options = dict(audio_format=self.audio_format.currentData(), anonymise=self.anonymise.isChecked(),
                       hide_with="beep" if self.beep.isChecked() else "silence", as_zip=self.as_zip.isChecked(),
                       language=self._language, actor=self._actor)
        clip_id, playlist_id = self._clip_id, self._playlist_id

        def job(ctx: JobContext):
            if playlist_id is not None:
                return export_playlist(db, playlist_id, target, ctx=ctx, **options)
            return export_clip(db, clip_id, target, ctx=ctx, **options)

        self._set_running(True)
        self.status.setText(self.tr("Exporting…"))
        self._job = run_job(job, on_finished=self._done, on_failed=self._failed, on_cancelled=self._cancelled,
                            on_progress=self._progress, on_status=self.status.setText,
                            expected=(ClipExportError, OSError), name="export clips")

    def is_running(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _set_running(self, running: bool) -> None:
        for widget in (self.export_button, self.audio_format, self.anonymise, self.target, self.choose_button,
                       self.as_folder, self.as_zip):
            widget.setEnabled(not running)
        self.close_button.setText(self.tr("Cancel") if running else self.tr("Close"))
        self.progress.setVisible(running or self.progress.value() > 0)
        if running:
            self.progress.setRange(0, 0)
            self.open_button.hide()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: object) -> None:
        self._report = report
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        lines = [self.tr("Exported {0} clip(s) to {1}").format(len(report.clips), report.target)]
        if report.anonymised:
            lines.append(self.tr("Anonymised; {0} number(s) hidden.").format(report.hidden))
        lines += [self.tr("Not exported: {0}").format(failure) for failure in report.failures]
        self.status.setText("\n".join(lines))
        self.open_button.show()
        self.exported.emit(report)

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self.progress.hide()
        self.status.setText(self.tr("Nothing was exported: {0}").format(message))

    def _cancelled(self) -> None:
        self._set_running(False)
        self.progress.hide()
        self.status.setText(self.tr("The export was cancelled; nothing was written."))

    def report(self):
        return self._report

    def _close_or_cancel(self) -> None:
        if self.is_running():
            self.status.setText(self.tr("Cancelling…"))
            self._job.cancel()
        else:
            self.accept()

    def _show_files(self) -> None:
        if self._report is not None:
            target = Path(self._report.target)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target.parent if target.is_file() else target)))

    def reject(self) -> None:  # Escape cancels a running export first, as the button does
        if self.is_running():
            self._close_or_cancel()
        else:
            super().reject()
