"""Settings → Speech models: which Vosk models QA Desk transcribes with, and how.

Lists every model found (our models folder, VOSK_MODEL_PATH, added folders) with its
language, size, location and whether it is its language's default; installs from a
folder, a zip or a download; removes our own copies; and holds the two transcription
settings (the language calls are in, parallel workers). Everything here takes effect
at once: installs and removals cannot wait for a Save button, so neither do the rest.
Installs run as jobs off the GUI thread, with progress and Cancel.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QMessageBox, QProgressBar, QPushButton, QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..jobs import JobContext
from ..transcription import catalog, model_install
from ..transcription import speech_models as sm
from ..transcription.model_errors import ModelError
from .jobs import JobRunner, run_job
from .model_download_dialog import KiBContext, ModelDownloadDialog
from .pattern_edit import HINT_STYLE, error_style, ok_style

COLUMNS = ("name", "language", "size", "location", "default")
# Air inside the cells: sized-to-content columns otherwise put texts edge to edge.
CELL_PADDING = "QTableView::item { padding-left: 6px; padding-right: 6px; }"


def _natural(field: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field)
    row.addStretch(1)
    return row


class SpeechModelsPage(QGroupBox):
    """The "Speech models" group of the Settings page."""

    models_changed = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Speech models"))
        self._services = services
        self._job: JobRunner | None = None
        self._models: list[sm.SpeechModel] = []
        self.download_dialog: ModelDownloadDialog | None = None
        self._language_names = {
            "zh": self.tr("Chinese"), "en": self.tr("English"), "ko": self.tr("Korean"),
            "ja": self.tr("Japanese"), "ru": self.tr("Russian"), "fr": self.tr("French"),
            "de": self.tr("German"), "es": self.tr("Spanish"), "pt": self.tr("Portuguese"),
            "it": self.tr("Italian"), "vi": self.tr("Vietnamese"), "unknown": self.tr("Unknown"),
        }

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("speechModels")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Language"), self.tr("Size"), self.tr("Location"), self.tr("Default")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(150)
        self.table.setStyleSheet(CELL_PADDING)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # No model: the table gives way to why calls are not transcribed and what to do.
        self.empty_hint = self._label(self.tr(
            "No speech model is installed on this computer, so calls cannot be transcribed here yet. "
            "Download one with Download… (the small Chinese model is 42 MB), or install one you have "
            "as a folder or a zip."
        ), "")
        self.empty_hint.setObjectName("noSpeechModel")

        self.install_folder_button = self._button(self.tr("Install from folder…"), "installFolder", self.install_from_folder)
        self.install_zip_button = self._button(self.tr("Install from zip…"), "installZip", self.install_from_zip)
        self.download_button = self._button(self.tr("Download…"), "downloadModel", self.open_download_dialog)
        self.remove_button = self._button(self.tr("Remove"), "removeModel", self.remove_selected)
        self.default_button = self._button(self.tr("Set as default"), "setDefault", self.set_selected_default)
        self.add_folder_button = self._button(self.tr("Add folder…"), "addFolder", self.add_folder)
        self.catalog_button = self._button(
            self.tr("Refresh catalogue from file…"), "refreshCatalog", self.refresh_catalog
        )
        install_row = QHBoxLayout()
        for button in (self.install_folder_button, self.install_zip_button, self.download_button):
            install_row.addWidget(button)
        install_row.addStretch(1)
        manage_row = QHBoxLayout()
        for button in (self.default_button, self.remove_button, self.add_folder_button, self.catalog_button):
            manage_row.addWidget(button)
        manage_row.addStretch(1)

        self.progress = QProgressBar()
        self.progress.setObjectName("installProgress")
        self.progress_label = QLabel()
        self.cancel_button = self._button(self.tr("Cancel"), "cancelInstall", self.cancel_install)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()
        self.result = self._label("", HINT_STYLE)
        self.result.setObjectName("modelsResult")

        self.call_language = QComboBox()
        self.call_language.setObjectName("callLanguage")
        self.workers = QSpinBox()
        self.workers.setObjectName("transcriptionWorkers")
        self.workers.setRange(0, 64)
        self.workers.setSpecialValueText(self.tr("Automatic ({0} cores)").format(os.cpu_count() or 1))
        form = QFormLayout()
        # A language and a number: fields at their natural size, not stretched across.
        form.addRow(self.tr("Language of calls:"), _natural(self.call_language))
        form.addRow("", self._label(self.tr(
            "Calls are transcribed with this language's default model unless a model is chosen."
        ), HINT_STYLE))
        form.addRow(self.tr("Parallel workers:"), _natural(self.workers))
        self.folder_hint = self._label("", HINT_STYLE)
        self.folder_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        column = QVBoxLayout(self)
        column.setSpacing(8)
        column.addWidget(self.table)
        column.addWidget(self.empty_hint)
        column.addLayout(install_row)
        column.addLayout(manage_row)
        column.addWidget(self.progress_box)
        column.addWidget(self.result)
        column.addLayout(form)
        column.addWidget(self.folder_hint)

        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.call_language.currentIndexChanged.connect(self._save_transcription_settings)
        self.workers.valueChanged.connect(self._save_transcription_settings)
        self.reload()

    # --- building blocks ---------------------------------------------------------------------

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def _label(self, text: str, style: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(style)
        return label

    def language_name(self, code: str) -> str:
        name = self._language_names.get(code)
        return f"{name} ({code})" if name and code != "unknown" else (name or code)

    def _location(self, model: sm.SpeechModel) -> str:
        if model.location == sm.LOCATION_INSTALLED:
            return self.tr("Installed")
        if model.location == sm.LOCATION_ENV:
            return "VOSK_MODEL_PATH"
        return self.tr("Added folder")

    # --- showing -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the models found now and the saved transcription settings."""
        settings = self._services.settings
        selected = self.selected_model()
        self._models = sm.list_models(settings)
        defaults = {m.path for m in sm.default_models(settings, self._models).values()}
        self.table.setRowCount(len(self._models))
        for row, model in enumerate(self._models):
            cells = (
                model.name, self.language_name(model.language), sm.format_size(model.size_bytes),
                self._location(model), "✓" if model.path in defaults else "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(model.path) if col in (0, 3) else "")
                if col in (2, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter if col == 4 else
                                          Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
            if selected is not None and model.path == selected.path:
                self.table.selectRow(row)
        self.empty_hint.setVisible(not self._models)
        self.table.setVisible(bool(self._models))
        for col in range(1, len(COLUMNS)):
            self.table.resizeColumnToContents(col)
        self.folder_hint.setText(self.tr("Models are installed in {0}").format(sm.models_dir()))
        self._fill_languages()
        self.workers.blockSignals(True)
        self.workers.setValue(settings.transcription_workers)
        self.workers.blockSignals(False)
        self._update_buttons()

    def _fill_languages(self) -> None:
        codes = {"zh", "en", self._services.settings.call_language}
        codes |= {m.language for m in self._models if m.language != "unknown"}
        try:
            codes |= {e.language for e in catalog.load_catalog() if not e.obsolete}
        except ModelError:
            pass
        ordered = sorted(codes - {"zh", "en"}, key=self.language_name)
        self.call_language.blockSignals(True)
        self.call_language.clear()
        for code in ["zh", "en", *ordered]:
            self.call_language.addItem(self.language_name(code), code)
        self.call_language.setCurrentIndex(self.call_language.findData(self._services.settings.call_language))
        self.call_language.blockSignals(False)

    def models(self) -> list[sm.SpeechModel]:
        return list(self._models)

    def selected_model(self) -> sm.SpeechModel | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._models):
            return None
        return self._models[rows[0].row()]

    def select(self, name: str) -> None:
        for row, model in enumerate(self._models):
            if model.name == name:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        busy = self.is_busy()
        model = self.selected_model()
        for button in (self.install_folder_button, self.install_zip_button, self.download_button, self.add_folder_button):
            button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and model is not None)
        self.default_button.setEnabled(not busy and model is not None and model.language != "unknown")

    def _say(self, text: str, style: str | None = None) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(ok_style() if style is None else style)

    def _error(self, title: str, message: str) -> None:
        self._say(message, error_style())
        QMessageBox.warning(self, title, message)

    # --- settings --------------------------------------------------------------------------------

    def _save_settings(self) -> bool:
        try:
            self._services.save_settings()
        except OSError as exc:
            self._error(self.tr("Settings not saved"), self.tr("Could not save the settings: {0}").format(exc))
            return False
        return True

    def _save_transcription_settings(self) -> None:
        settings = self._services.settings
        settings.call_language = self.call_language.currentData() or settings.call_language
        settings.transcription_workers = self.workers.value()
        if self._save_settings():
            self._say(self.tr("Saved."))

    # --- install ---------------------------------------------------------------------------------

    def install_from_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Install a speech model from a folder"))
        if folder:
            self.install_source(folder)

    def install_from_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Install a speech model from a zip"), "", self.tr("Vosk model (*.zip)")
        )
        if path:
            self.install_source(path)

    def install_source(self, source: str) -> None:
        """Install from a folder or zip as a job, asking first before replacing a model."""
        try:
            name = model_install.install_name(source)
        except ModelError as exc:
            self._error(self.tr("Cannot install"), str(exc))
            return
        replace = self.confirm_replace(self, name)
        if replace is None:
            return
        path = Path(source)

        def job(ctx: JobContext):
            scaled = KiBContext(ctx)
            if path.is_dir():
                return model_install.install_from_folder(path, replace=replace, ctx=scaled)
            return model_install.install_from_zip(path, replace=replace, ctx=scaled)

        self.progress.setRange(0, 0)
        self.progress_label.setText(self.tr("Installing {0}…").format(name))
        self.progress_box.show()
        self._say("")
        self._job = run_job(
            job, on_finished=self._installed, on_failed=self._install_failed,
            on_cancelled=self._install_cancelled, on_progress=self._on_progress,
            expected=(ModelError,), name="install speech model",
        )
        self._update_buttons()

    def confirm_replace(self, parent: QWidget, name: str) -> bool | None:
        """False when the name is free, True to replace, None when the user declined."""
        if not (sm.models_dir() / name).exists():
            return False
        answer = QMessageBox.question(
            parent, self.tr("Replace model?"),
            self.tr("A model named {0} is already installed. Replace it?").format(name),
        )
        return True if answer == QMessageBox.StandardButton.Yes else None

    def is_busy(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def cancel_install(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _job_over(self) -> None:
        self.progress_box.hide()
        self._update_buttons()

    def _installed(self, model: object) -> None:
        self._job_over()
        self.after_install(model)

    def after_install(self, model) -> None:
        self.reload()
        self.select(model.name)
        self._say(self.tr("Installed {0} ({1}).").format(model.name, sm.format_size(model.size_bytes)))
        self.models_changed.emit()

    def _install_failed(self, message: str) -> None:
        self._job_over()
        self._error(self.tr("Install failed"), message)

    def _install_cancelled(self) -> None:
        self._job_over()
        self._say(self.tr("Install cancelled; nothing was installed."), HINT_STYLE)

    def open_download_dialog(self) -> ModelDownloadDialog:
        """Non-blocking (open, not exec), so the page and tests keep running meanwhile."""
        dialog = ModelDownloadDialog(self, self)
        dialog.installed.connect(self.after_install)
        dialog.finished.connect(self._update_buttons)
        self.download_dialog = dialog
        dialog.open()
        return dialog

    # --- remove / default / folders / catalogue ---------------------------------------------------

    def remove_selected(self) -> None:
        model = self.selected_model()
        if model is None:
            return
        if not model.removable:
            if model.location == sm.LOCATION_ENV:
                found = self.tr("found through VOSK_MODEL_PATH ({0})").format(model.source)
            else:
                found = self.tr("in the folder {0} added here").format(model.source)
            QMessageBox.information(self, self.tr("Cannot remove"), self.tr(
                "{0} is not in QA Desk's models folder, so QA Desk does not remove it. It is at {1}, "
                "{2}. Delete it there if it is no longer needed."
            ).format(model.name, model.path, found))
            return
        answer = QMessageBox.question(self, self.tr("Remove model?"), self.tr(
            "Remove {0} ({1})? Its files are deleted from {2}."
        ).format(model.name, sm.format_size(model.size_bytes), model.path))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            sm.remove_model(model.name, self._services.settings)
        except ModelError as exc:
            self._error(self.tr("Remove failed"), str(exc))
            return
        self._save_settings()
        self.reload()
        self._say(self.tr("Removed {0}.").format(model.name))
        self.models_changed.emit()

    def set_selected_default(self) -> None:
        model = self.selected_model()
        if model is None:
            return
        try:
            sm.set_default(model.name, self._services.settings)
        except ModelError as exc:
            self._error(self.tr("Cannot set the default"), str(exc))
            return
        if self._save_settings():
            self.reload()
            self._say(self.tr("{0} is now the default model for {1}.").format(
                model.name, self.language_name(model.language)))
            self.models_changed.emit()

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder with speech models"))
        if not folder:
            return
        settings = self._services.settings
        if folder not in settings.model_folders:
            settings.model_folders = [*settings.model_folders, folder]
            if not self._save_settings():
                return
        before = len(self._models)
        self.reload()
        found = len(self._models) - before
        if found:
            self._say(self.tr("Added {0}: {1} model(s) found.").format(folder, found))
        else:
            self._say(self.tr("Added {0}, but no Vosk model was found in it.").format(folder), error_style())
        self.models_changed.emit()

    def refresh_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Vosk model list"), "", self.tr("Model list (*.json)")
        )
        if not path:
            return
        try:
            entries = catalog.refresh_catalog(Path(path))
        except ModelError as exc:
            self._error(self.tr("Model list not updated"), str(exc))
            return
        self.reload()
        self._say(self.tr("Model list updated: {0} published models.").format(len(entries)))
