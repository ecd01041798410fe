"""The Forms area: the evaluation forms in the database, their versions, and the builder.

The shipped forms are stored the first time the area is shown on a database (an
install is a no-op for content already stored), so a new centre starts with them.
A form is listed by its newest version; selecting it lists every version, each with
the number of evaluations scored on it, and shows it as the reviewer will see it.

Forms come in from a YAML file (checked first; a file with mistakes is refused with
every problem and its line) and go out as one, so a centre can keep its forms in its
own version control or share them between databases.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..scoring.form_yaml import form_to_yaml
from ..scoring.forms import FormError, known_rule_ids, load_form, shipped_forms
from .acting import gate, permitted
from .area_page import AreaPage
from .form_builder import FormBuilder
from .form_preview import FormPreview
from .formatting import moment
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, error_style, ok_style

_ROLE = Qt.ItemDataRole.UserRole


def _load(db, install: bool, rulebook: Path | None):
    """Off the GUI thread: the rule ids forms may name, the shipped forms stored (first
    time on a database) and the newest version of every form."""
    from ..store.forms import install_forms, latest_forms

    known = known_rule_ids(rulebook)
    with db.session() as session:
        report = install_forms(session, shipped_forms(), known) if install else None
        return known, report, latest_forms(session)


class FormsPage(QWidget):
    """The list of forms with versions and preview, or the builder on one form."""

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._job: JobRunner | None = None
        self._installed_on = None  # the database the shipped forms were installed on
        self._known: set[str] = set()
        self._forms: list = []  # FormVersion, newest of each key
        self._versions: list = []  # FormVersion of the selected form, newest first
        self._select_after: tuple[str, int | None] | None = None

        self.builder = FormBuilder(services)
        self.builder.saved.connect(self._saved)
        self.builder.closed.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_browser())
        self.stack.addWidget(self.builder)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack)

    # --- building -----------------------------------------------------------------------------------

    def _build_browser(self) -> QWidget:
        page = QWidget()
        self.new_button = QPushButton(self.tr("New form"))
        self.new_button.setObjectName("newForm")
        self.duplicate_button = QPushButton(self.tr("Duplicate"))
        self.duplicate_button.setObjectName("duplicateForm")
        self.edit_button = QPushButton(self.tr("Edit"))
        self.edit_button.setObjectName("editForm")
        self.import_button = QPushButton(self.tr("Import YAML…"))
        self.import_button.setObjectName("importForm")
        self.export_button = QPushButton(self.tr("Export YAML…"))
        self.export_button.setObjectName("exportForm")
        title = QLabel(self.tr("Evaluation forms"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        toolbar = QHBoxLayout()
        toolbar.addWidget(title)
        toolbar.addStretch(1)
        for button in (self.new_button, self.duplicate_button, self.edit_button, self.import_button,
                       self.export_button):
            toolbar.addWidget(button)

        self.message = QLabel()
        self.message.setObjectName("formsMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("importProblems")
        self.problems.setReadOnly(True)
        self.problems.setStyleSheet("QPlainTextEdit { color: #b3261e; }")
        self.problems.setFixedHeight(self.fontMetrics().lineSpacing() * 6 + 14)
        self.problems.hide()

        self.form_list = QListWidget()
        self.form_list.setObjectName("formList")
        self.form_list.setSpacing(2)
        self.form_list.setWordWrap(True)
        self.version_list = QListWidget()
        self.version_list.setObjectName("versionList")
        self.version_list.setWordWrap(True)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(QLabel(self.tr("Forms (newest version of each):")))
        left_column.addWidget(self.form_list, 3)
        left_column.addWidget(QLabel(self.tr("Versions of the selected form:")))
        left_column.addWidget(self.version_list, 2)
        self.preview = FormPreview(self.tr("Select a form to see it as reviewers will."))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("formsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([380, 700])

        self.empty = AreaPage(
            self.tr("No evaluation forms yet"),
            self.tr("Reviewers score calls on a form: sections of questions, each with its answers and points. "
                    "Click New form to build one, or Import YAML… to bring in a form file."),
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.empty_new_button = self.empty.add_action(self.tr("New form"), primary=True)
        self.empty_new_button.clicked.connect(self.new_form)
        self.empty_import_button = self.empty.add_action(self.tr("Import YAML…"))
        self.empty_import_button.clicked.connect(lambda: self.import_file())
        self.loading = QLabel(self.tr("Reading the forms…"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setStyleSheet(HINT_STYLE)
        self.content = QStackedWidget()
        for widget in (self.loading, splitter, self.empty):
            self.content.addWidget(widget)

        column = QVBoxLayout(page)
        column.setContentsMargins(12, 10, 12, 10)
        column.addLayout(toolbar)
        column.addWidget(self.message)
        column.addWidget(self.problems)
        column.addWidget(self.content, 1)

        self.new_button.clicked.connect(self.new_form)
        self.duplicate_button.clicked.connect(self.duplicate)
        self.edit_button.clicked.connect(self.edit)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.export_button.clicked.connect(lambda: self.export_file())
        self.form_list.currentRowChanged.connect(self._form_selected)
        self.version_list.currentRowChanged.connect(self._version_selected)
        self.form_list.itemActivated.connect(lambda _item: self.edit())
        self._enable()
        return page

    # --- loading ------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        # Read again each time: reviewers score calls on these forms meanwhile, and the
        # "used by" counts are what a lead looks at before changing a form.
        self.refresh()

    def refresh(self, select: tuple[str, int | None] | None = None) -> None:
        """Read the forms again (storing the shipped ones first on a database not seen yet)."""
        if self._job is not None:
            self._job.abandon()
        db = self._services.db
        install = self._installed_on is not db
        self._installed_on = db
        current = self.current_version()
        if select is None and current is not None:
            # An older version stays shown; the newest one is followed to a newer one.
            older = bool(self._versions) and current.version != self._versions[0].version
            select = (current.key, current.version if older else None)
        self._select_after = select
        if not self._forms:
            self.content.setCurrentWidget(self.loading)
        path = (self._services.settings.rulebook_path or "").strip()
        rulebook = Path(path).expanduser() if path else None
        self._job = run_job(lambda ctx: _load(db, install, rulebook), on_finished=self._loaded,
                            on_failed=self._load_failed, name="read forms")
        self._enable()

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _loaded(self, result: object) -> None:
        self._known, report, self._forms = result
        self.builder.set_known_rules(self._known)
        self.builder.set_forms({v.key: v.name for v in self._forms})
        if report is not None and report.failed:
            self._say(self.tr("Some shipped forms could not be stored: {0}").format(
                "; ".join(f"{name}: {why}" for name, why in report.failed.items())), error_style())
        self._fill_list()
        self._enable()

    def _load_failed(self, message: str) -> None:
        self._installed_on = None  # try again when the area is next shown
        self._say(self.tr("The forms could not be read: {0}").format(message), error_style())
        self._fill_list()
        self._enable()

    def _fill_list(self) -> None:
        wanted = self._select_after
        self.form_list.blockSignals(True)
        self.form_list.clear()
        for version in self._forms:
            item = QListWidgetItem(f"{version.name}\n{version.key} · " + self._version_facts(version))
            item.setData(_ROLE, version.key)
            item.setSizeHint(QSize(0, self._text_height(item.text()) + 12))
            self.form_list.addItem(item)
        keys = [v.key for v in self._forms]
        row = keys.index(wanted[0]) if wanted and wanted[0] in keys else (0 if keys else -1)
        self.form_list.setCurrentRow(row)
        self.form_list.blockSignals(False)
        self.content.setCurrentIndex(1 if self._forms else 2)
        self._form_selected(row, wanted[1] if wanted and row >= 0 and keys[row] == wanted[0] else None)

    def _text_height(self, text: str) -> int:
        """The height the text takes: the list's own measure leaves too little for a line of
        Chinese (the fallback font's lines are taller) and cuts the second line off."""
        label = QLabel(text)
        label.setFont(self.form_list.font())
        return label.sizeHint().height()

    def _version_facts(self, version) -> str:
        return self.tr("version {0}").format(version.version) + " · " + self.tr(
            "used by %n evaluation(s)", "", version.evaluations)

    # --- the selected form --------------------------------------------------------------------------

    def forms(self) -> list:
        """The listed forms (FormVersion, newest version of each)."""
        return list(self._forms)

    def versions(self) -> list:
        return list(self._versions)

    def select_form(self, key: str) -> None:
        keys = [v.key for v in self._forms]
        self.form_list.setCurrentRow(keys.index(key))

    def current_version(self):
        """The version shown (FormVersion), or None."""
        row = self.version_list.currentRow()
        return self._versions[row] if 0 <= row < len(self._versions) else None

    def _form_selected(self, row: int, version: int | None = None) -> None:
        from ..store.forms import form_versions

        self._versions = []
        if 0 <= row < len(self._forms):
            with self._services.db.session() as session:
                self._versions = form_versions(session, self._forms[row].key)
        self.version_list.blockSignals(True)
        self.version_list.clear()
        for v in self._versions:
            when = f" · {moment(v.created_at)}" if v.created_at else ""
            self.version_list.addItem(self.tr("Version {0}").format(v.version) + when + " · " + self.tr(
                "used by %n evaluation(s)", "", v.evaluations))
        self.version_list.blockSignals(False)
        numbers = [v.version for v in self._versions]
        self.version_list.setCurrentRow(numbers.index(version) if version in numbers else (0 if numbers else -1))
        self._version_selected(self.version_list.currentRow())

    def _version_selected(self, row: int) -> None:
        self._enable()
        version = self.current_version()
        if version is None:
            self.preview.show_form(None)
            return
        newest = self._versions[0].version
        note = "" if version.version == newest else self.tr(
            "Version {0}: an older version, kept for the evaluations scored on it (the newest is {1}).").format(
            version.version, newest)
        self.preview.show_form(self.stored(version.id), note)

    def stored(self, form_id: int):
        from ..store.forms import stored_form

        with self._services.db.session() as session:
            return stored_form(session, form_id)

    def _enable(self) -> None:
        ready = not self.is_loading()
        chosen = ready and self.current_version() is not None
        # Forms are a lead's (the store refuses others); everyone may read and export them.
        edit, refusal = permitted(self._services, "form.edit"), self.tr("Only a team lead or an admin edits forms")
        for button in (self.new_button, self.import_button):
            gate(button, ready, edit, refusal)
        for button in (self.duplicate_button, self.edit_button):
            gate(button, chosen, edit, refusal)
        self.export_button.setEnabled(chosen)
        # No form yet: the way to make one, for those who may; the others are told who does.
        for button in (self.empty_new_button, self.empty_import_button):
            button.setVisible(edit)
        self.empty.set_text(
            self.tr("Reviewers score calls on a form: sections of questions, each with its answers and points. "
                    "Click New form to build one, or Import YAML… to bring in a form file.") if edit else
            self.tr("Reviewers score calls on a form: sections of questions, each with its answers and points. "
                    "A team lead or an administrator builds the forms, or imports them from a file."))

    def apply_role(self) -> None:
        """Another person signed in: offer what their role allows."""
        self._enable()

    # --- actions ------------------------------------------------------------------------------------

    def _open_builder(self, definition: dict | None, *, original_key: str | None, title: str) -> FormBuilder:
        self.problems.hide()
        language = "zh-CN" if self._services.settings.call_language.startswith("zh") else "en"
        self.builder.open_definition(definition, original_key=original_key, title=title, language=language)
        self.stack.setCurrentWidget(self.builder)
        return self.builder

    def new_form(self) -> FormBuilder:
        return self._open_builder(None, original_key=None, title=self.tr("New form"))

    def edit(self) -> FormBuilder | None:
        version = self.current_version()
        if version is None:
            return None
        return self._open_builder(self.stored(version.id).definition, original_key=version.key,
                                  title=self.tr("Editing {0} ({1}, version {2})").format(
                                      version.name, version.key, version.version))

    def duplicate(self) -> FormBuilder | None:
        version = self.current_version()
        if version is None:
            return None
        definition = copy.deepcopy(self.stored(version.id).definition)
        keys = {v.key for v in self._forms}
        key, number = f"{version.key}-copy", 2
        while key in keys:
            key, number = f"{version.key}-copy{number}", number + 1
        definition["key"] = key
        definition["name"] = self.tr("{0} (copy)").format(definition["name"])
        return self._open_builder(definition, original_key=None, title=self.tr("Copy of {0}").format(version.name))

    def import_file(self, path: str | Path | None = None) -> FormBuilder | None:
        """Check a form file and open it in the builder (its problems listed if it has any)."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, self.tr("Import a form"), "",
                                                        self.tr("Forms (*.yaml *.yml);;All files (*)"))
            if not path:
                return None
        path = Path(path)
        try:
            form = load_form(path, self._known or None)
        except FormError as exc:
            self._say(self.tr("{0} was not imported: %n problem(s) to correct in the file first.", "",
                              len(exc.problems)).format(path.name), error_style())
            self.problems.setPlainText("\n".join(exc.problems))
            self.problems.show()
            return None
        self._say("")
        known = {v.key for v in self._forms}
        builder = self._open_builder(form.definition, original_key=form.key if form.key in known else None,
                                     title=self.tr("Imported from {0}").format(path.name))
        builder.say(self.tr("Check the form, then Save to store it."), HINT_STYLE)
        return builder

    def export_file(self, path: str | Path | None = None) -> Path | None:
        """Write the version shown as a YAML form file."""
        version = self.current_version()
        if version is None:
            return None
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export the form"), f"{version.key}.yaml",
                                                        self.tr("Forms (*.yaml *.yml)"))
            if not path:
                return None
        path = Path(path)
        try:
            path.write_text(form_to_yaml(self.stored(version.id).definition), encoding="utf-8")
        except OSError as exc:
            self._say(self.tr("Could not write {0}: {1}").format(path, exc.strerror or exc), error_style())
            return None
        self._say(self.tr("Exported {0} version {1} to {2}.").format(version.key, version.version, path), ok_style())
        return path

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)

    def _saved(self, version: object, message: str) -> None:
        self.show_list()
        self._say(message, ok_style())
        self.problems.hide()
        self.refresh(select=(version.key, version.version))

    def _say(self, text: str, style: str = HINT_STYLE) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)
        self.message.setVisible(bool(text))
