"""The form builder: a QA lead edits a form with widgets and sees it as reviewers will.

Whatever the widgets hold is turned into the mapping a form file would contain and
checked by the same ``check_form`` as a file (a pause in typing after each change), so
the builder cannot save a form the command line would refuse, and its problems read
the same. Save stays disabled while there are any.

Saving stores a version (``save_form``): the same content is the version already
stored; new content is the key's next version. When the latest version has been used
to score calls, the lead is told first that those evaluations keep their version.
"""

from __future__ import annotations

import copy
import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from ..permissions import PermissionDenied
from ..scoring.form_schema import check_form
from ..scoring.forms import Form
from ..scoring.yaml_lines import canonical_json
from ..store.database import DatabaseError
from .acting import gate, permitted
from .form_editors import FormFields, ItemEditor, SectionEditor
from .form_preview import FormPreview
from .form_tree import FormTree
from .pattern_edit import HINT_STYLE, error_style, ok_style
from .wrap_layout import WrapLayout

CHECK_DELAY_MS = 250  # the check waits for a pause in typing
_SOURCE = "form"  # the "file" the builder's problems would name; cut from what is shown
_PREFIX = re.compile(rf"^{_SOURCE}:\d+: ")
_AT_LINE = re.compile(r" at line \d+")  # the builder has no lines to point at


class FormBuilder(QWidget):
    """Edits one form; ``saved`` (FormVersion, message) after a save, ``closed`` when the lead leaves."""

    saved = Signal(object, str)
    closed = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formBuilder")
        self._services = services
        self._known: set[str] = set()
        self._original_key: str | None = None
        self._initial = ""
        self._loading = False
        self._problems: list[str] = []
        self._problem_rows: list[list] = []  # per problem, the outline rows it is about
        self._definition: dict | None = None
        self._form: Form | None = None  # the last form without problems (what the preview shows)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(CHECK_DELAY_MS)
        self._debounce.timeout.connect(self.validate)

        self.heading = QLabel()
        self.heading.setObjectName("builderHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)  # "Editing <a long form name> (<key>, version 3)"
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveForm")
        self.save_button.setDefault(True)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeBuilder")
        self.status = QLabel()
        self.status.setObjectName("builderStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.close_button)

        self.preview = FormPreview(self.tr("The preview appears as soon as the form has no problems."))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("formBuilderSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_outline())
        splitter.addWidget(self._build_editor())
        splitter.addWidget(self.preview)
        splitter.setSizes([350, 370, 380])

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.addLayout(top)
        column.addWidget(self.status)
        column.addWidget(splitter, 1)

        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close_builder)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # --- building the widgets ----------------------------------------------------------------------

    def _build_outline(self) -> QWidget:
        box = QGroupBox(self.tr("Form"))
        self.fields = FormFields()
        self.tree = FormTree()
        style = self.style()
        self.add_section_button = self._tool(self.tr("Add section"), "addSection")
        self.add_item_button = self._tool(self.tr("Add item"), "addItem")
        self.remove_button = self._tool(self.tr("Remove"), "removeNode")
        self.up_button = self._tool(self.tr("Up"), "moveUp", style.standardIcon(QStyle.StandardPixmap.SP_ArrowUp))
        self.down_button = self._tool(self.tr("Down"), "moveDown",
                                      style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.up_button.setShortcut(QKeySequence("Alt+Up"))
        self.up_button.setToolTip(self.tr("Move up (Alt+Up)"))
        self.down_button.setShortcut(QKeySequence("Alt+Down"))
        self.down_button.setToolTip(self.tr("Move down (Alt+Down)"))
        buttons = WrapLayout(spacing=4)  # two lines when the outline is narrow
        for button in (self.add_section_button, self.add_item_button, self.remove_button, self.up_button,
                       self.down_button):
            buttons.addWidget(button)
        outline = QVBoxLayout(box)
        outline.addWidget(self.fields)
        sections = QLabel(self.tr("Sections and items (drag to reorder):"))
        sections.setWordWrap(True)  # two lines in a narrow outline rather than a wider builder
        outline.addWidget(sections)
        outline.addWidget(self.tree, 1)
        outline.addLayout(buttons)

        self.fields.changed.connect(self._changed)
        self.fields.scoring_changed.connect(self._scoring_changed)
        self.tree.currentItemChanged.connect(self._selected)
        self.tree.moved.connect(self._changed)
        self.add_section_button.clicked.connect(self.add_section)
        self.add_item_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button.clicked.connect(self.move_up)
        self.down_button.clicked.connect(self.move_down)
        return box

    def _tool(self, text: str, name: str, icon=None) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(text)
        if icon is not None:
            button.setIcon(icon)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _build_editor(self) -> QWidget:
        panel = QWidget()
        self.editor_box = QGroupBox(self.tr("Selected"))
        self.section_editor = SectionEditor()
        self.item_editor = ItemEditor()
        hint = QLabel(self.tr("Select a section or an item to edit it, or add one below the list."))
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.editors = QStackedWidget()
        for widget in (hint, self.section_editor, self.item_editor):
            self.editors.addWidget(widget)
        box_column = QVBoxLayout(self.editor_box)
        box_column.addWidget(self.editors)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("formProblems")
        self.problem_list.setWordWrap(True)
        self.problem_list.setStyleSheet("QListWidget { color: #b3261e; }")
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.editor_box)
        column.addWidget(self.problems_label)
        column.addWidget(self.problem_list, 1)
        self.section_editor.changed.connect(self._changed)
        self.item_editor.changed.connect(self._changed)
        self.problem_list.currentRowChanged.connect(self._problem_chosen)
        return panel

    # --- opening a form ----------------------------------------------------------------------------

    def set_known_rules(self, rules: set[str]) -> None:
        self._known = set(rules)
        self.item_editor.set_known_rules(self._known)

    def set_forms(self, names: dict[str, str]) -> None:
        """The stored forms (key → name), to say when a key is already another form's."""
        self.fields.set_forms(names)

    def open_definition(self, definition: dict | None, *, original_key: str | None = None, title: str = "",
                        language: str = "zh-CN") -> None:
        """Edit ``definition`` (a form's definition, None: a new empty form). ``original_key``:
        the stored form it came from, whose key a save keeps unless the lead changes it."""
        definition = copy.deepcopy(definition or {"language": language, "na": "exclude", "sections": []})
        self._loading = True
        self._original_key = original_key
        self.heading.setText(title or self.tr("New form"))
        self.fields.load(definition, original_key, language)
        self.tree.load(definition.get("sections") or [])
        self._form = None
        self.preview.show_form(None)
        self._loading = False
        self.tree.relabel(self.fields.weighted())
        self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._selected(self.tree.currentItem())
        self._initial = canonical_json(self.raw())
        self.say("")
        self.validate()

    def raw(self) -> dict:
        """The form as the widgets hold it, as a form file would say it."""
        return {**self.fields.raw(), "sections": self.tree.raw_sections(self.fields.weighted())}

    # --- checking as the lead types ----------------------------------------------------------------

    def validate(self) -> list[str]:
        """Check the form the widgets hold now; its problems (also shown)."""
        self._debounce.stop()
        definition, problems = check_form(self.raw(), _SOURCE, self._known or None)
        self._problems = [_AT_LINE.sub("", _PREFIX.sub("", p)) for p in problems]
        self._definition = None if problems else definition
        # Rebuilt only when what it shows changes: a rebuild costs tens of milliseconds.
        if not problems:
            form = Form.from_definition(definition)
            if self._form is None or form.content_hash != self._form.content_hash or self.preview.note:
                self._form = form
                self.preview.show_form(form)
        elif self._form is not None and not self.preview.note:
            self.preview.show_form(self._form, self.tr("The preview shows the form before its last change, "
                                                       "which has problems."))
        self._show_problems()
        gate(self.save_button, not problems, permitted(self._services, "form.edit"),
             self.tr("Only a team lead or an admin saves forms"))
        return list(self._problems)

    def problems(self) -> list[str]:
        return list(self._problems)

    def definition(self) -> dict | None:
        """The canonical definition of what the widgets hold (None while it has problems)."""
        return self._definition

    def _show_problems(self) -> None:
        self.problem_list.clear()
        self._problem_rows = []
        marked: dict[int, list[str]] = {}
        for text in self._problems:
            rows = self.tree.rows_named(text)
            self._problem_rows.append(rows)
            self.problem_list.addItem(text)
            for row in rows:
                marked.setdefault(id(row), []).append(text)
        count = len(self._problems)
        if count:
            self.problems_label.setText(self.tr("%n problem(s) to correct before saving:", "", count))
            self.problems_label.setStyleSheet(error_style())
        else:
            self.problems_label.setText(self.tr("No problems: the form can be saved."))
            self.problems_label.setStyleSheet(ok_style())
        self.problem_list.setVisible(bool(count))
        self.tree.mark(marked)

    def _problem_chosen(self, row: int) -> None:
        """Choosing a problem selects the section or item it is about."""
        if 0 <= row < len(self._problem_rows) and self._problem_rows[row]:
            self.tree.setCurrentItem(self._problem_rows[row][0])

    # --- changes -----------------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return canonical_json(self.raw()) != self._initial

    def _changed(self, *_args) -> None:
        if self._loading:
            return
        self.tree.relabel(self.fields.weighted())
        self._debounce.start()

    def _scoring_changed(self) -> None:
        if self.fields.weighted():  # an even share of what the sections without a weight have left
            nodes = [self.tree.node(s) for s in self.tree.sections()]
            missing = [n for n in nodes if not n.get("weight")]
            left = 100 - sum(n.get("weight") or 0 for n in nodes)
            for index, node in enumerate(missing):
                share = round(left / len(missing), 2)
                node["weight"] = share if index < len(missing) - 1 else round(left - share * (len(missing) - 1), 2)
        self._selected(self.tree.currentItem())
        self._changed()

    def _selected(self, current, _previous=None) -> None:
        node = self.tree.node(current)
        self.remove_button.setEnabled(node is not None)
        self.up_button.setEnabled(node is not None)
        self.down_button.setEnabled(node is not None)
        self.add_item_button.setEnabled(self.tree.topLevelItemCount() > 0)
        if node is None:
            self.editors.setCurrentIndex(0)
            self.editor_box.setTitle(self.tr("Selected"))
        elif current.parent() is None:
            items = [self.tree.node(i) for i in self.tree.items_of(current)]
            self.section_editor.load(node, items, "weights" if self.fields.weighted() else "points")
            self.editors.setCurrentWidget(self.section_editor)
            self.editor_box.setTitle(self.tr("Section"))
        else:
            self.item_editor.load(node)
            self.editors.setCurrentWidget(self.item_editor)
            self.editor_box.setTitle(self.tr("Item"))

    # --- outline actions ---------------------------------------------------------------------------

    def add_section(self):
        current = self.tree.currentItem()
        after = (current.parent() or current) if current is not None else None
        row = self.tree.indexOfTopLevelItem(after) + 1 if after is not None else None
        node = {"key": self.tree.unused_key("section"), "title": "", "points": None, "follow": True, "explicit": True,
                "weight": None, "bonus_cap": 0}
        section = self.tree.add_node(node, None, row)
        self.tree.setCurrentItem(section)
        self._changed()
        self.section_editor.title.setFocus()
        return section

    def add_item(self):
        current = self.tree.currentItem()
        if current is None:
            if not self.tree.topLevelItemCount():
                return None
            current = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
        section = current.parent() or current
        row = section.indexOfChild(current) + 1 if current.parent() is not None else None
        node = {"key": self.tree.unused_key("item"), "question": "", "guidance": None, "answer": "yes_no", "points": 1,
                "na": False, "bonus": False, "critical": None, "rules": []}
        item = self.tree.add_node(node, section, row)
        self.tree.setCurrentItem(item)
        self._changed()
        self.item_editor.question.setFocus()
        return item

    def remove_current(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            return
        count = current.childCount()
        if current.parent() is None and count and not self.confirm(
                self.tr("Remove section?"),
                self.tr("Remove the section \"{0}\" and its %n item(s)?", "", count).format(
                    self.tree.node(current).get("title") or self.tree.node(current).get("key"))):
            return
        self.tree.remove(current)
        self._selected(self.tree.currentItem())
        self._changed()

    def move_up(self) -> None:
        if self.tree.currentItem() is not None:
            self.tree.move_up(self.tree.currentItem())

    def move_down(self) -> None:
        if self.tree.currentItem() is not None:
            self.tree.move_down(self.tree.currentItem())

    # --- saving --------------------------------------------------------------------------------------

    def confirm(self, title: str, text: str) -> bool:
        """Ask the lead; tests replace this to answer for them."""
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def save(self):
        """Store what the widgets hold; the FormVersion stored or found (None: not saved)."""
        from ..store.forms import form_versions, save_form

        if self.validate():
            self.say(self.tr("Correct the problems listed first."), error_style())
            return None
        form = Form.from_definition(self._definition)
        try:
            with self._services.db.session() as session:
                versions = form_versions(session, form.key)
            same = next((v for v in versions if v.content_hash == form.content_hash), None)
            if same is not None:
                self.say(self.tr("This content is already stored as version {0} of {1}: nothing new to save.")
                          .format(same.version, form.key), HINT_STYLE)
                self._initial = canonical_json(self.raw())
                return same
            latest = versions[0] if versions else None
            if latest is not None and latest.evaluations and not self.confirm(
                    self.tr("Save a new version?"),
                    self.tr("This form is used by %n evaluation(s). Saving creates version {0}; those "
                            "evaluations keep version {1}.", "", latest.evaluations).format(
                        latest.version + 1, latest.version)):
                self.say(self.tr("Not saved."), HINT_STYLE)
                return None
            with self._services.db.session() as session:
                stored = save_form(session, form, actor=self._services.user)
        except PermissionDenied as exc:  # the store's check, whatever the button's state
            self.say(str(exc), error_style())
            return None
        except (DatabaseError, SQLAlchemyError) as exc:
            self.say(self.tr("The form could not be saved: {0}").format(str(exc)[:300]), error_style())
            return None
        if latest is None and self._original_key and self._original_key != form.key:
            message = self.tr("Saved as a new form, {0} version 1; {1} is unchanged.").format(
                form.key, self._original_key)
        elif latest is None:
            message = self.tr("Saved {0} as version 1.").format(form.name)
        else:
            message = self.tr("Saved {0} as version {1}.").format(form.name, stored.version)
        self._initial = canonical_json(self.raw())
        self._original_key = form.key
        self.fields.saved_as(form.key)
        self.saved.emit(stored, message)
        return stored

    def close_builder(self) -> bool:
        """Leave the builder (asking first when there are unsaved changes); False if the lead stays."""
        if self.is_dirty() and not self.confirm(self.tr("Discard changes?"),
                                                self.tr("Your changes to this form are not saved. Discard them?")):
            return False
        self._debounce.stop()
        self.closed.emit()
        return True

    def say(self, text: str, style: str = HINT_STYLE) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)
        self.status.setVisible(bool(text))
