"""Which part of an evaluation form a clip illustrates: a section, or an item of it.

The latest version of each form is offered (clips keep keys, not versions: a section
renamed in a new version still gathers the same clips).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget


@dataclass(frozen=True)
class FormPart:
    """A section of a form, or an item of a section, that a clip can illustrate."""

    form_key: str
    section_key: str
    item_key: str | None
    label: str


def form_parts(session) -> list[FormPart]:
    """Every section and item of the latest version of each form, in the form's order."""
    from ..scoring.forms import shipped_forms
    from ..store.forms import install_forms, latest_forms, stored_form

    versions = latest_forms(session)
    if not versions:  # a new database: the shipped forms, as the evaluation panel does
        install_forms(session, shipped_forms())
        versions = latest_forms(session)
    parts = []
    for version in versions:
        form = stored_form(session, version.id)
        for section in form.sections:
            parts.append(FormPart(form.key, section.key, None, f"{form.name} › {section.title}"))
            parts.extend(FormPart(form.key, section.key, item.key, item.question) for item in section.items)
    return parts


class FormPartPicker(QWidget):
    """Which section of a form a clip illustrates, and optionally which item of it: two
    lists, one under the other (an item's question is often a long sentence)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._parts: list[FormPart] = []
        self.section = QComboBox()
        self.section.setObjectName("clipSection")
        self.item = QComboBox()
        self.item.setObjectName("clipItem")
        for box in (self.section, self.item):
            box.setMinimumContentsLength(30)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # The data of an entry is the part's place in _parts: a combo box compares tuples badly.
        self.section.addItem(self.tr("Nothing in particular"), -1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.section)
        column.addWidget(self.item)
        self.section.currentIndexChanged.connect(self._fill_items)
        self._fill_items()

    def set_parts(self, parts: list[FormPart]) -> None:
        self._parts = list(parts)
        for index, part in enumerate(self._parts):
            if part.item_key is None:
                self.section.addItem(part.label, index)

    def _fill_items(self) -> None:
        self.item.clear()
        chosen = self.section.currentData()
        if chosen is None or chosen < 0:
            self.item.addItem(self.tr("Choose a section first"), -1)
            self.item.setEnabled(False)
            return
        self.item.setEnabled(True)
        self.item.addItem(self.tr("The whole section"), chosen)
        section = self._parts[chosen]
        for index, part in enumerate(self._parts):
            if part.item_key and (part.form_key, part.section_key) == (section.form_key, section.section_key):
                self.item.addItem(part.label, index)

    def choose(self, form_key: str | None, section_key: str | None, item_key: str | None = None) -> bool:
        places = {(p.form_key, p.section_key, p.item_key): i for i, p in enumerate(self._parts)}
        section, item = places.get((form_key, section_key, None)), places.get((form_key, section_key, item_key))
        if section is None or item is None:
            return False
        self.section.setCurrentIndex(self.section.findData(section))
        self.item.setCurrentIndex(self.item.findData(item))
        return True

    def value(self) -> tuple[str | None, str | None, str | None]:
        index = self.item.currentData() if self.item.isEnabled() else None
        part = self._parts[index] if index is not None and index >= 0 else None
        return (part.form_key, part.section_key, part.item_key) if part else (None, None, None)
