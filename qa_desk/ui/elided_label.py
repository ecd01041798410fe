"""A one-line label that gives way on a narrow window: "Database: sqlite:////ho…/qa-desk.sqlite3".

A plain QLabel is never narrower than its text, so a long database path in the status
bar would make the whole window wider than a laptop's screen. This one shortens its
text in the middle (the ends of a path say the most) and shows the whole of it in the
tooltip whenever it is shortened. ``text()`` is still the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *, shortest: int = 12):
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._shortest = shortest  # characters still shown at the narrowest
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:  # the whole text, not what fits
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self._fit()
        self.updateGeometry()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._tip = tip
        self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        shortest = min(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * self._shortest)
        return QSize(shortest, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        margins = self.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, max(room, 0))
        if shown != super().text():
            super().setText(shown)
        # Shortened: the tooltip has it all, then the owner's own tooltip, if any.
        parts = [self._full] if shown != self._full else []
        if self._tip and self._tip not in parts:
            parts.append(self._tip)
        super().setToolTip("\n".join(parts))
