"""The start and end of a clip, typed or dragged, until the trainer applies them.

The boxes count in call time, as m:ss.ss, and may reach past the audio the clip kept
(its roll): widening a clip by a sentence is typing an earlier start. The clip player
keeps them in step with the span's handles on its waveform.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QWidget

from .clip_words import clip_time
from .wrap_layout import WrapLayout


class TimeBox(QDoubleSpinBox):
    """Seconds of the call, shown and typed as m:ss.ss (plain seconds are understood too)."""

    _TIME = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")

    def __init__(self, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setDecimals(2)
        self.setSingleStep(0.1)
        self.setKeyboardTracking(False)  # a value per finished edit, not per key

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return clip_time(value, 2)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        parts = self._TIME.match(text)
        if not parts:
            return self.value()
        seconds = 0.0
        for number in (float(p) for p in parts.groups() if p is not None):
            seconds = seconds * 60 + number
        return seconds

    def validate(self, text: str, pos: int):
        state = QValidator.State.Acceptable if self._TIME.match(text) else QValidator.State.Intermediate
        return state, text, pos


class SpanEditor(QWidget):
    """Start · End · Snap to words · Reset · Apply new span."""

    typed = Signal(float, float)  # the boxes were edited: (start, end) in call time
    apply_requested = Signal()
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._saved = (0.0, 0.0)
        self._quiet = False
        self.start_box, self.end_box = TimeBox("clipStart"), TimeBox("clipEnd")
        self.snap = QCheckBox(self.tr("Snap to words"))
        self.snap.setObjectName("clipSnap")
        self.snap.setChecked(True)
        self.snap.setToolTip(self.tr("Move the edges to the nearest whole words of the transcript"))
        self.apply_button = QPushButton(self.tr("Apply new span"))
        self.apply_button.setObjectName("applySpan")
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_button.setObjectName("resetSpan")
        # One line in a wide pane; in a narrow one (a laptop's screen) the buttons wrap under.
        row = WrapLayout(self, spacing=10)
        for group in ((QLabel(self.tr("Start")), self.start_box), (QLabel(self.tr("End")), self.end_box)):
            pair = QHBoxLayout()
            pair.setSpacing(6)
            for widget in group:
                pair.addWidget(widget)
            row.addLayout(pair)
        row.addWidget(self.snap)
        row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.apply_button)
        row.addLayout(buttons)
        self.setToolTip(self.tr("Drag the edges of the span on the waveform, or type a start and an end"))
        for box in (self.start_box, self.end_box):
            box.valueChanged.connect(self._typed)
        self.apply_button.clicked.connect(self.apply_requested)
        self.reset_button.clicked.connect(self.reset_requested)

    def set_saved(self, start: float, end: float, limit: float) -> None:
        """The clip's own span (what Reset goes back to) and the call's length."""
        self._saved = (start, end)
        for box in (self.start_box, self.end_box):
            box.setRange(0.0, limit)
        self.show_span(start, end)

    def show_span(self, start: float, end: float) -> None:
        """Put a span in the boxes without it counting as typed (a handle was dragged)."""
        self._quiet = True
        self.start_box.setValue(start)
        self.end_box.setValue(end)
        self._quiet = False
        self._enable()

    def span(self) -> tuple[float, float]:
        return self.start_box.value(), self.end_box.value()

    def pending(self) -> tuple[float, float] | None:
        """The span shown, when it differs from the clip's."""
        shown = tuple(round(v, 2) for v in self.span())
        return None if shown == tuple(round(v, 2) for v in self._saved) else shown

    def set_busy(self, busy: bool) -> None:
        self.apply_button.setText(self.tr("Cutting…") if busy else self.tr("Apply new span"))
        self._enable(busy)

    def _typed(self, *_args) -> None:
        if not self._quiet:
            self.typed.emit(*self.span())
            self._enable()

    def _enable(self, busy: bool = False) -> None:
        pending = self.pending()
        self.apply_button.setEnabled(not busy and pending is not None and pending[1] > pending[0])
        self.reset_button.setEnabled(not busy and pending is not None)
