"""A file-name pattern field that checks itself as the user types.

Call recorders put the agent, the start time and the customer's number in the file
name, each vendor in its own order. The field says at once whether the pattern is
valid and, given a sample file, what it reads from that name, so the user sees a
wrong date format before importing 5,000 calls with it, not after.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ..importing.filename_pattern import FilenamePattern, PatternError
from ..importing.metadata import MetadataError
from ..settings import DEFAULT_PATTERN
from .formatting import moment
from .theme import colours

HINT_STYLE = "color: palette(placeholder-text);"


def error_style() -> str:
    """A problem's text colour, readable on the palette in use (light or dark): asked for
    each time a label is coloured, as Settings may change the colours while QA Desk runs."""
    return f"color: {colours()['error']};"


def ok_style() -> str:
    return f"color: {colours()['ok']};"


class PatternEdit(QWidget):
    """Line edit for a pattern, with a live verdict (and preview on a sample file) below."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._sample: Path | None = None
        self._valid = True
        self.edit = QLineEdit()
        self.edit.setObjectName("patternEdit")
        self.edit.setPlaceholderText(DEFAULT_PATTERN)
        self.feedback = QLabel()
        self.feedback.setObjectName("patternFeedback")
        self.feedback.setWordWrap(True)
        # Room for the two-line preview, so the form never squeezes it onto the field.
        self.feedback.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 2)
        self._idle_hint = self.tr("Valid pattern. Choose recordings to preview what it reads.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.feedback)
        self.edit.textChanged.connect(self._text_changed)
        self._update()

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def is_valid(self) -> bool:
        return self._valid

    def set_idle_hint(self, text: str) -> None:
        """What a valid pattern says while there is no file to preview."""
        self._idle_hint = text
        self._update()

    def set_sample(self, path: Path | None) -> None:
        """The file whose name the preview reads (the first recording chosen)."""
        self._sample = path
        self._update()

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802 - Qt naming
        super().setEnabled(enabled)
        self._update()

    def _text_changed(self) -> None:
        self._update()
        self.changed.emit(self.text())

    def _update(self) -> None:
        text = self.text()
        if not text:
            self._valid = False
            self._say(self.tr("Enter a pattern, e.g. {0}").format(DEFAULT_PATTERN), error_style())
            return
        try:
            pattern = FilenamePattern(text)
        except PatternError as exc:
            self._valid = False
            self._say(self.tr("Invalid pattern: {0}").format(exc), error_style())
            return
        self._valid = True
        if not self.isEnabled():
            self.feedback.clear()
        elif self._sample is None:
            self._say(self._idle_hint, HINT_STYLE)
        else:
            self._preview(pattern, self._sample)

    def _preview(self, pattern: FilenamePattern, sample: Path) -> None:
        try:
            meta = pattern.parse(sample)
        except MetadataError as exc:  # the name fits, but e.g. its date has month 13
            self._say(str(exc), error_style())
            return
        if meta is None:
            self._say(self.tr("“{0}” does not match this pattern.").format(sample.name), error_style())
            return
        parts = []
        for label, value in (
            (self.tr("agent"), meta.agent),
            (self.tr("agent ID"), meta.agent_id),
            (self.tr("team"), meta.team),
            (self.tr("start"), moment(meta.started_at, seconds=True)),
            (self.tr("direction"), meta.direction),
            (self.tr("queue"), meta.queue),
            (self.tr("customer"), meta.customer_ref),
        ):
            if value:
                parts.append(f"{label}: {value}")
        found = " · ".join(parts) if parts else self.tr("nothing")
        self._say(self.tr("“{0}”\n→ {1}").format(sample.name, found), ok_style())

    def _say(self, text: str, style: str) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(style)
