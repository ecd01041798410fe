"""Importing recordings: choose files and folders, say how to read their details, run.

The dialog only gathers choices into ``ImportOptions`` and runs the importer as a job;
reading audio and writing calls is the importer's work. A setup the importer refuses
(a bad pattern, an unreadable metadata sheet) comes back as a message under the
form, with everything the user chose still in place. When a metadata sheet is
chosen, its columns are shown for the user to map (see ``column_mapping``).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..audio.probe import AUDIO_EXTENSIONS
from ..importing.importer import ImportOptions, ImportSetupError, import_recordings
from ..settings import AGENT_CHANNELS
from .column_mapping import ColumnMappingEditor
from .import_report import ImportReportPanel
from .jobs import JobRunner, run_job
from .pattern_edit import PatternEdit, error_style
from .services import Services

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SAMPLE_SCAN_LIMIT = 2000  # entries looked at to find a file for the preview, at most


def first_recording(paths: list[Path]) -> Path | None:
    """The first recording among the chosen files and folders (for the name preview)."""
    for path in paths:
        if path.is_file():
            return path
        if path.is_dir():
            seen = 0
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                        return Path(root) / name
                seen += len(files) + len(dirs)
                if seen > SAMPLE_SCAN_LIMIT:
                    break
    return None


class ImportDialog(QDialog):
    """Choose recordings and import them, with live progress and a per-file report."""

    library_changed = Signal()  # an import ended (calls may have been added)

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._runner: JobRunner | None = None
        self._close_when_done = False
        self.report = None
        self.setWindowTitle(self.tr("Import recordings"))
        self.setAcceptDrops(True)
        self.resize(920, 640)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_setup())
        self.pages.addWidget(self._build_run())

        self.error_label = QLabel()
        self.error_label.setObjectName("importError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(error_style())
        self.error_label.hide()
        self.columns.mapping_changed.connect(self.error_label.hide)  # it was about the columns before

        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setObjectName("startImport")
        self.import_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.more_button = QPushButton(self.tr("Import more…"))
        self.close_button = QPushButton(self.tr("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 10)
        buttons.addStretch(1)  # buttons keep their natural width, on the right
        for button in (self.import_button, self.cancel_button, self.more_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.more_button.clicked.connect(self._import_more)
        self.close_button.clicked.connect(self.reject)
        self._show_page(0)

    # --- building -----------------------------------------------------------------------------

    def _build_setup(self) -> QWidget:
        style = self.style()
        self.sources = QListWidget()
        self.sources.setObjectName("importSources")
        self.sources.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.sources.setToolTip(self.tr("Drop recordings or folders here"))
        add_files = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), self.tr("Add files…"))
        add_folder = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_DirIcon), self.tr("Add folder…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        add_files.clicked.connect(self._choose_files)
        add_folder.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.sources.itemSelectionChanged.connect(self._update_buttons)
        side = QVBoxLayout()
        for button in (add_files, add_folder, self.remove_button):
            side.addWidget(button)
        side.addStretch(1)
        recordings = QGroupBox(self.tr("Recordings"))
        row = QHBoxLayout(recordings)
        row.addWidget(self.sources, 1)
        row.addLayout(side)

        settings = self._services.settings
        self.metadata_edit = QLineEdit()
        self.metadata_edit.setObjectName("metadataFile")
        self.metadata_edit.setPlaceholderText(self.tr("None — call details come from the file names"))
        self.metadata_edit.setClearButtonEnabled(True)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._choose_metadata)
        metadata_row = QHBoxLayout()
        metadata_row.addWidget(self.metadata_edit, 1)
        metadata_row.addWidget(browse)
        self.columns = ColumnMappingEditor()  # its "Remember these columns" is saved by start_import
        self.columns.sheet_read.connect(self._make_room)
        self.metadata_edit.textChanged.connect(self._metadata_changed)

        self.use_pattern = QCheckBox(self.tr("Read agent, start time and customer from the file names"))
        self.use_pattern.setObjectName("usePattern")
        self.use_pattern.setChecked(True)
        self.pattern = PatternEdit()
        self.pattern.setText(settings.filename_pattern)
        self.use_pattern.toggled.connect(self.pattern.setEnabled)
        # With a metadata sheet the file names are only a fallback (and a red "does not
        # match" would alarm for nothing): name-reading follows the sheet until the
        # reviewer sets it by hand. `clicked` fires for the user only, not setChecked.
        self._pattern_chosen_by_hand = False
        self.use_pattern.clicked.connect(lambda: setattr(self, "_pattern_chosen_by_hand", True))

        self.channel = QComboBox()
        self.channel.setObjectName("agentChannel")
        for key, label in zip(AGENT_CHANNELS, (self.tr("Left"), self.tr("Right"), self.tr("Mono (mixed)"))):
            self.channel.addItem(label, key)
        self.channel.setCurrentIndex(max(0, self.channel.findData(settings.agent_channel)))

        details = QGroupBox(self.tr("Call details"))
        form = self._details_form = QFormLayout(details)
        form.addRow(self.tr("Metadata sheet (CSV/XLSX):"), metadata_row)
        form.addRow("", self.columns)
        form.addRow(self.use_pattern)
        form.addRow(self.tr("File-name pattern:"), self.pattern)
        form.addRow(self.tr("Agent's channel:"), self.channel)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(recordings, 1)
        column.addWidget(details)
        self._metadata_changed("")
        return page

    def _build_run(self) -> QWidget:
        self.status_label = QLabel()
        self.status_label.setObjectName("importStatus")
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.report_panel = ImportReportPanel()
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status_label)
        column.addWidget(self.progress)
        column.addWidget(self.report_panel, 1)
        return page

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        running = self.is_running()
        self.import_button.setVisible(index == 0)
        self.cancel_button.setVisible(running)
        self.more_button.setVisible(index == 1 and not running)
        self.close_button.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.sources.selectedItems()))
        self.import_button.setEnabled(self.sources.count() > 0 and not self.is_running())

    # --- choosing recordings --------------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> None:
        known = set(self.chosen_paths())
        style = self.style()
        for path in map(Path, paths):
            if path in known:
                continue
            known.add(path)
            icon = QStyle.StandardPixmap.SP_DirIcon if path.is_dir() else QStyle.StandardPixmap.SP_FileIcon
            item = QListWidgetItem(style.standardIcon(icon), str(path))
            item.setData(PATH_ROLE, str(path))
            self.sources.addItem(item)
        self._sources_changed()

    def remove_selected(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))
        self._sources_changed()

    def chosen_paths(self) -> list[Path]:
        return [Path(self.sources.item(i).data(PATH_ROLE)) for i in range(self.sources.count())]

    def _sources_changed(self) -> None:
        self.pattern.set_sample(first_recording(self.chosen_paths()))
        self.error_label.hide()
        self._update_buttons()

    def _choose_files(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in sorted(AUDIO_EXTENSIONS))
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose recordings"), "",
            self.tr("Recordings ({0});;All files (*)").format(patterns),
        )
        self.add_paths([Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder of recordings"))
        if folder:
            self.add_paths([Path(folder)])

    def _choose_metadata(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the call recorder's metadata sheet"), "",
            self.tr("Metadata sheets (*.csv *.xlsx);;All files (*)"),
        )
        if name:
            self.metadata_edit.setText(name)

    def _metadata_changed(self, text: str) -> None:
        """A sheet that exists gets its columns shown (typing a path shows them once it is whole)."""
        sheet = Path(text.strip()) if text.strip() and Path(text.strip()).is_file() else None
        if sheet != self.columns.sheet():
            self.columns.set_sheet(sheet, self._services.settings.metadata_columns)
        self._details_form.setRowVisible(self.columns, sheet is not None)
        if not self._pattern_chosen_by_hand:
            self.use_pattern.setChecked(sheet is None)
        self._make_room()

    def _make_room(self) -> None:
        # The columns need some 250 px: grow (within the screen) rather than squeeze the recordings.
        if self.columns.sheet() is not None and self.height() < self.sizeHint().height():
            self.resize(self.width(), min(self.sizeHint().height(), self.screen().availableGeometry().height()))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.pages.currentIndex() == 0:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.add_paths([Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()

    # --- running the import -------------------------------------------------------------------

    def options(self) -> ImportOptions:
        metadata = self.metadata_edit.text().strip()
        return ImportOptions(
            agent_channel=self.channel.currentData(),
            pattern=self.pattern.text() if self.use_pattern.isChecked() else None,
            metadata=Path(metadata) if metadata else None,
            metadata_columns=self.columns.mapping() if metadata else {},
        )

    def _setup_problem(self) -> str | None:
        if not self.sources.count():
            return self.tr("Add recordings or a folder of recordings first.")
        if self.use_pattern.isChecked() and not self.pattern.is_valid():
            return self.tr("The file-name pattern is not valid; correct it or untick “Read … from the file names”.")
        metadata = self.metadata_edit.text().strip()
        if metadata and not Path(metadata).is_file():
            return self.tr("The metadata sheet does not exist: {0}").format(metadata)
        return self.columns.problem() if metadata else None

    def _remember_columns(self) -> bool:
        """Keep the chosen columns in the settings; False (and a message) if they cannot be saved."""
        settings = self._services.settings
        previous = settings.metadata_columns
        settings.metadata_columns = self.columns.mapping()
        try:
            self._services.save_settings()
        except OSError as exc:
            settings.metadata_columns = previous
            self._show_error(self.tr("Could not remember the columns: {0}").format(exc))
            return False
        return True

    def start_import(self) -> None:
        problem = self._setup_problem()
        if problem:
            self._show_error(problem)
            return
        if self.columns.remember.isChecked() and self.columns.headers() and not self._remember_columns():
            return
        self.error_label.hide()
        db, paths, options = self._services.db, self.chosen_paths(), self.options()
        self.report = None
        self.report_panel.clear()
        self.progress.setRange(0, 0)  # busy until the importer knows how many files there are
        self.status_label.setText(self.tr("Starting the import…"))
        self._runner = run_job(
            lambda ctx: import_recordings(db, paths, options, ctx),
            on_status=self.status_label.setText,
            on_progress=self._progress,
            on_partial=self.report_panel.add,
            on_finished=self._finished,
            on_failed=self._failed,
            on_cancelled=self._cancelled,
            expected=(ImportSetupError,),
            name="import recordings",
        )
        self._show_page(1)

    def is_running(self) -> bool:
        return self._runner is not None and not self._runner.is_done()

    def cancel_import(self) -> None:
        if self.is_running():
            self._runner.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText(self.tr("Cancelling after the current file…"))

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: object) -> None:
        self.report = report
        self.report_panel.show_report(report)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        cancelled = getattr(report, "cancelled", False)
        self.status_label.setText(self.tr("Import cancelled.") if cancelled else self.tr("Import finished."))
        self._job_ended()

    def _failed(self, message: str) -> None:
        self._job_ended()
        self._back_to_setup(keep_sources=True)
        self._show_error(message)

    def _cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.status_label.setText(self.tr("Import cancelled."))
        self._job_ended()

    def _job_ended(self) -> None:
        self.cancel_button.setEnabled(True)
        self._show_page(self.pages.currentIndex())
        self.library_changed.emit()
        if self._close_when_done:
            super().reject()

    def _import_more(self) -> None:
        self._back_to_setup(keep_sources=False)

    def _back_to_setup(self, keep_sources: bool = False) -> None:
        if not keep_sources:
            self.sources.clear()
            self._sources_changed()
        self._show_page(0)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def reject(self) -> None:
        # Closing while importing stops the import cleanly first: calls already
        # imported stay, the file in progress is finished or left untouched.
        if self.is_running():
            self._close_when_done = True
            self.cancel_import()
            return
        super().reject()
