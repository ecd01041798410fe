"""The builder's editors: the form's own fields, and one section or one item of it.

An editor shows a node (the plain dict the builder keeps for a section or an item)
and writes a field back only when the lead changes it. Values nobody touched stay
exactly as they were read (a partial share of 0.333, say), so opening a form and
saving it without a change is the same version, not a rounded copy.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ..scoring.form_schema import DEFAULT_PARTIAL, MAX_SCALE
from .pattern_edit import HINT_STYLE
from .wrap_layout import WrapLayout

DEFAULT_SCALE = 4
_RULE_SEPARATORS = re.compile(r"[,，;；\s]+")


def split_rules(text: str) -> list[str]:
    """"zh-hold-01, zh-hold-02" → the ids, in order, each once."""
    return list(dict.fromkeys(r for r in _RULE_SEPARATORS.split(text) if r))


def items_points(items: list[dict]) -> float:
    """What a section's points are when they follow its items: the items that are not a bonus."""
    return sum(float(i.get("points") or 0) for i in items if not i.get("bonus"))


class RuleCompleter(QCompleter):
    """Completes the rule id being typed after the last comma, keeping the ones before it."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802
        return [_RULE_SEPARATORS.split(path)[-1]]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        text = self.widget().text() if self.widget() is not None else ""
        done = split_rules(text)
        if text and not _RULE_SEPARATORS.match(text[-1:]):
            done = done[:-1]  # the id being typed is replaced by the completion
        return ", ".join([*done, super().pathFromIndex(index)])


class NumberSpin(QDoubleSpinBox):
    """Points as people write them: 2, 1.5, not 2.00."""

    def textFromValue(self, value: float) -> str:  # noqa: N802
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


def shrinkable(combo: QComboBox, chars: int = 12) -> QComboBox:
    """A choice that may be narrower than its longest entry (the list still shows it whole):
    the builder's three columns must fit a window 1024 pixels wide."""
    combo.setMinimumContentsLength(chars)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


def number_spin(low: float, high: float, decimals: int = 2, step: float = 1.0, suffix: str = "") -> NumberSpin:
    spin = NumberSpin()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(True)
    return spin


class _Editor(QWidget):
    changed = Signal()  # after the lead changed a field (already written into the node)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.node: dict = {}
        self._loading = False
        self.fields = QFormLayout(self)
        self.fields.setContentsMargins(0, 0, 0, 0)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field under label

    def _line(self, name: str, field: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.textEdited.connect(lambda text: self._set(field, text.strip()))
        return edit

    def _set(self, field: str, value: object) -> None:
        if self._loading:
            return
        self.node[field] = value
        self.changed.emit()


class SectionEditor(_Editor):
    """Key, title, points (following the items unless typed) or weight, and bonus cap."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._items: list[dict] = []
        self.key = self._line("sectionKey", "key")
        self.key.setPlaceholderText(self.tr("e.g. opening"))
        self.title = self._line("sectionTitle", "title")
        self.points = number_spin(0, 10000, step=1)
        self.points.setObjectName("sectionPoints")
        self.follow = QCheckBox(self.tr("Follow the items"))
        self.follow.setObjectName("sectionFollow")
        self.follow.setToolTip(self.tr("The section's points are the sum of its items' points (bonus items aside)."))
        points_row = QHBoxLayout()
        points_row.addWidget(self.points, 1)
        points_row.addWidget(self.follow)
        self.weight = number_spin(0, 100, step=5, suffix=" %")
        self.weight.setObjectName("sectionWeight")
        self.bonus_cap = number_spin(0, 10000, step=1)
        self.bonus_cap.setObjectName("sectionBonusCap")
        self.bonus_cap.setToolTip(self.tr("How far bonus items may lift the section above its maximum (0: they "
                                          "only make up for lost points)."))
        self.fields.addRow(self.tr("Key:"), self.key)
        self.fields.addRow(self.tr("Title:"), self.title)
        self.fields.addRow(self.tr("Points:"), points_row)
        self.fields.addRow(self.tr("Weight:"), self.weight)
        self.fields.addRow(self.tr("Bonus cap:"), self.bonus_cap)
        self.points.valueChanged.connect(lambda v: self._set("points", v))
        self.follow.toggled.connect(self._follow_toggled)
        self.weight.valueChanged.connect(lambda v: self._set("weight", v))
        self.bonus_cap.valueChanged.connect(lambda v: self._set("bonus_cap", v))

    def load(self, node: dict, items: list[dict], scoring: str) -> None:
        self._loading = True
        self.node, self._items = node, items
        self.key.setText(node.get("key") or "")
        self.title.setText(node.get("title") or "")
        self.follow.setChecked(bool(node.get("follow")))
        self._show_points()
        self.weight.setValue(float(node.get("weight") or 0))
        self.bonus_cap.setValue(float(node.get("bonus_cap") or 0))
        weighted = scoring == "weights"
        self.fields.setRowVisible(2, not weighted)
        self.fields.setRowVisible(3, weighted)
        self._loading = False

    def _show_points(self) -> None:
        follow = bool(self.node.get("follow"))
        self.points.setEnabled(not follow)
        self.points.setValue(items_points(self._items) if follow else float(self.node.get("points") or 0))

    def _follow_toggled(self, follow: bool) -> None:
        if self._loading:
            return
        self.node["follow"] = follow
        if not follow:  # typing starts from the sum the lead was looking at
            self.node["points"] = items_points(self._items)
        self._loading = True
        self._show_points()
        self._loading = False
        self.changed.emit()


class ItemEditor(_Editor):
    """A question: its answer type, points, N/A, critical, bonus and linked rules."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = self._line("itemKey", "key")
        self.key.setPlaceholderText(self.tr("e.g. greeting"))
        self.question = self._line("itemQuestion", "question")
        self.guidance = QPlainTextEdit()
        self.guidance.setObjectName("itemGuidance")
        self.guidance.setTabChangesFocus(True)
        self.guidance.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.guidance.setPlaceholderText(self.tr("What the reviewer should listen for (optional)"))
        self.answer = QComboBox()
        self.answer.setObjectName("itemAnswer")
        for text, value in ((self.tr("Yes / No"), "yes_no"), (self.tr("Yes / Partial / No"), "yes_partial_no"),
                            (self.tr("Scale from 0 to N"), "scale")):
            self.answer.addItem(text, value)
        shrinkable(self.answer)
        self.scale = QSpinBox()
        self.scale.setObjectName("itemScale")
        self.scale.setRange(1, MAX_SCALE)
        self.scale.setPrefix(self.tr("0 to "))
        self.partial = number_spin(0, 99, decimals=1, step=5, suffix=" %")
        self.partial.setObjectName("itemPartial")
        self.partial.setToolTip(self.tr("The share of the item's points a \"partial\" answer earns"))
        self.points = number_spin(0, 10000, step=1)
        self.points.setObjectName("itemPoints")
        self.na = QCheckBox(self.tr("N/A allowed"))
        self.na.setObjectName("itemNa")
        self.bonus = QCheckBox(self.tr("Bonus item"))
        self.bonus.setObjectName("itemBonus")
        self.bonus.setToolTip(self.tr("A bonus adds points but no maximum: it can make up for points lost "
                                      "elsewhere in its section"))
        self.critical = QComboBox()
        self.critical.setObjectName("itemCritical")
        for text, value in ((self.tr("Not critical"), None), (self.tr("Fails its section"), "fail_section"),
                            (self.tr("Fails the whole evaluation"), "fail_all")):
            self.critical.addItem(text, value)
        shrinkable(self.critical)
        self.rules = QLineEdit()
        self.rules.setObjectName("itemRules")
        self.rules.setPlaceholderText(self.tr("Rule ids, comma-separated, e.g. zh-greeting-01"))
        self.rules.setToolTip(self.tr("Rulebook rules whose flags suggest this item's answer"))
        self.completer = RuleCompleter(QStringListModel([], self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.rules.setCompleter(self.completer)
        flags = WrapLayout(spacing=12)  # one under the other in a narrow builder
        flags.addWidget(self.na)
        flags.addWidget(self.bonus)
        for label, field in ((self.tr("Key:"), self.key), (self.tr("Question:"), self.question),
                             (self.tr("Guidance:"), self.guidance), (self.tr("Answer:"), self.answer),
                             (self.tr("Scale:"), self.scale), (self.tr("Partial earns:"), self.partial),
                             (self.tr("Points:"), self.points), ("", flags), (self.tr("Critical:"), self.critical),
                             (self.tr("Linked rules:"), self.rules)):
            self.fields.addRow(label, field)
        self.guidance.textChanged.connect(lambda: self._set("guidance", self.guidance.toPlainText().strip() or None))
        self.answer.currentIndexChanged.connect(self._answer_changed)
        self.scale.valueChanged.connect(lambda v: self._set("scale", v))
        self.partial.valueChanged.connect(lambda v: self._set("partial", round(v / 100, 4)))
        self.points.valueChanged.connect(lambda v: self._set("points", v))
        self.na.toggled.connect(lambda on: self._set("na", on))
        self.bonus.toggled.connect(lambda on: self._set("bonus", on))
        self.critical.currentIndexChanged.connect(lambda _i: self._set("critical", self.critical.currentData()))
        self.rules.textEdited.connect(lambda text: self._set("rules", split_rules(text)))

    def set_known_rules(self, rules: set[str]) -> None:
        self.completer.model().setStringList(sorted(rules))

    def load(self, node: dict) -> None:
        self._loading = True
        self.node = node
        self.key.setText(node.get("key") or "")
        self.question.setText(node.get("question") or "")
        self.guidance.setPlainText(node.get("guidance") or "")
        self.answer.setCurrentIndex(max(0, self.answer.findData(node.get("answer") or "yes_no")))
        self.scale.setValue(int(node.get("scale") or DEFAULT_SCALE))
        self.partial.setValue(100 * float(node.get("partial") if node.get("partial") is not None else DEFAULT_PARTIAL))
        self.points.setValue(float(node.get("points") or 0))
        self.na.setChecked(bool(node.get("na")))
        self.bonus.setChecked(bool(node.get("bonus")))
        self.critical.setCurrentIndex(max(0, self.critical.findData(node.get("critical"))))
        self.rules.setText(", ".join(node.get("rules") or ()))
        self.rules.setCursorPosition(0)
        self._show_answer_rows()
        self._loading = False

    def _answer_changed(self) -> None:
        self._show_answer_rows()
        if self._loading:
            return
        answer = self.answer.currentData()
        self.node["answer"] = answer
        if answer == "scale" and not self.node.get("scale"):
            self.node["scale"] = self.scale.value()
        if answer == "yes_partial_no" and self.node.get("partial") is None:
            self.node["partial"] = round(self.partial.value() / 100, 4)
        self.changed.emit()

    def _show_answer_rows(self) -> None:
        answer = self.answer.currentData()
        self.fields.setRowVisible(self.scale, answer == "scale")
        self.fields.setRowVisible(self.partial, answer == "yes_partial_no")


class FormFields(QWidget):
    """The form's own fields: name, key, language, description, N/A policy, scoring, total."""

    changed = Signal()
    scoring_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self._original_key: str | None = None
        self._forms: dict[str, str] = {}  # the stored forms, key → name
        self._total: float | None = None  # as read: the spin box rounds what it shows
        self.name = QLineEdit()
        self.name.setObjectName("formName")
        self.key = QLineEdit()
        self.key.setObjectName("formKey")
        self.key.setPlaceholderText(self.tr("e.g. hotline-zh"))
        self.key_note = QLabel()
        self.key_note.setObjectName("formKeyNote")
        self.key_note.setWordWrap(True)
        self.key_note.setStyleSheet(HINT_STYLE)
        self.key_note.hide()
        self.language = QComboBox()
        self.language.setObjectName("formLanguage")
        self.language.setEditable(True)
        self.language.addItems(["zh-CN", "en"])
        self.description = QPlainTextEdit()
        self.description.setObjectName("formDescription")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 12)
        self.na = QComboBox()
        self.na.setObjectName("formNa")
        self.na.addItem(self.tr("Left out of the maximum"), "exclude")
        self.na.addItem(self.tr("Count as full points"), "pass")
        self.scoring = QComboBox()
        self.scoring.setObjectName("formScoring")
        self.scoring.addItem(self.tr("Points (sections add up)"), "points")
        self.scoring.addItem(self.tr("Weights (sections share 100 %)"), "weights")
        for combo in (self.na, self.scoring):
            shrinkable(combo)
        self.total = number_spin(0, 100000)
        self.total.setObjectName("formTotal")
        self.total.setSpecialValueText(self.tr("not set"))
        self.total.setToolTip(self.tr("Optional: the points the sections must add up to"))
        fields = QFormLayout(self)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field under label
        for label, field in ((self.tr("Name:"), self.name), (self.tr("Key:"), self.key), ("", self.key_note),
                             (self.tr("Language:"), self.language), (self.tr("Description:"), self.description),
                             (self.tr("N/A answers:"), self.na), (self.tr("Scoring:"), self.scoring),
                             (self.tr("Total:"), self.total)):
            fields.addRow(label, field)
        for signal in (self.name.textEdited, self.key.textEdited, self.language.editTextChanged,
                       self.description.textChanged, self.na.currentIndexChanged):
            signal.connect(self._changed)
        self.scoring.currentIndexChanged.connect(self._scoring_changed)
        self.total.valueChanged.connect(self._total_changed)

    def load(self, definition: dict, original_key: str | None, language: str) -> None:
        self._loading = True
        self._original_key = original_key
        self.name.setText(definition.get("name") or "")
        self.key.setText(definition.get("key") or "")
        self.language.setEditText(definition.get("language") or language)
        self.description.setPlainText(definition.get("description") or "")
        self.na.setCurrentIndex(max(0, self.na.findData(definition.get("na") or "exclude")))
        sections = definition.get("sections") or []
        weighted = bool(sections) and all(s.get("weight") is not None for s in sections)
        self.scoring.setCurrentIndex(1 if weighted else 0)
        self.total.setEnabled(not weighted)
        self._total = definition.get("total")
        self.total.setValue(float(self._total or 0))
        self._show_key_note()
        self._loading = False

    def saved_as(self, key: str) -> None:
        self._original_key = key
        self._show_key_note()

    def weighted(self) -> bool:
        return self.scoring.currentData() == "weights"

    def raw(self) -> dict:
        """The form's own fields as a form file would write them (sections aside)."""
        data: dict = {}
        for field, value in (("key", self.key.text()), ("name", self.name.text()),
                             ("language", self.language.currentText()),
                             ("description", self.description.toPlainText())):
            if value.strip():
                data[field] = value.strip()
        data["na"] = self.na.currentData()
        if not self.weighted() and self._total:
            data["total"] = self._total
        return data

    def set_forms(self, names: dict[str, str]) -> None:
        self._forms = dict(names)

    def _show_key_note(self) -> None:
        """Say what the key means for a save: the key names the form a version belongs to."""
        key = self.key.text().strip()
        note = ""
        if key != self._original_key and key in self._forms:
            note = self.tr("{0} is the key of another form ({1}): saving adds a version to it.").format(
                key, self._forms[key])
        elif self._original_key is not None and key != self._original_key:
            note = self.tr("A new key makes a new form; {0} stays as it is.").format(self._original_key)
        self.key_note.setText(note)
        self.key_note.setVisible(bool(note))

    def _changed(self, *_args) -> None:
        if not self._loading:
            self._show_key_note()
            self.changed.emit()

    def _total_changed(self, value: float) -> None:
        if not self._loading:
            self._total = value or None
            self.changed.emit()

    def _scoring_changed(self) -> None:
        self.total.setEnabled(not self.weighted())
        if not self._loading:
            self.scoring_changed.emit()
