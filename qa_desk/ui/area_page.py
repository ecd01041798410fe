"""A calm, centred page that says what an area is for when it has nothing to show.

Used for areas still to come (Review, Scorecards, Clips, Forms), for the first-run
welcome of the call library and for "no calls match these filters". An empty page
that explains itself and offers the next step beats a blank table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

TEXT_WIDTH = 560  # a comfortable reading width, whatever the window's size


class AreaPage(QWidget):
    """Icon, title, a few sentences and optional action buttons, centred."""

    def __init__(self, title: str, text: str, icon: QIcon | None = None, parent: QWidget | None = None, *,
                 text_width: int = TEXT_WIDTH):
        super().__init__(parent)
        # A pane beside others (a list's half of a splitter) passes a narrower width: the
        # text's fixed width is the page's minimum width.
        self._text_width = text_width
        self._icon = QLabel()
        self._icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if icon is not None and not icon.isNull():
            self._icon.setPixmap(icon.pixmap(64, 64))
        else:
            self._icon.hide()

        self._title = QLabel(title)
        self._title.setObjectName("areaTitle")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._title.setWordWrap(True)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self._title.setFont(font)

        self._text = QLabel(text)
        self._text.setObjectName("areaText")
        self._text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setFixedWidth(text_width)
        self._text.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._fit_text()

        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(12)
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)

        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(self._icon)
        column.addWidget(self._title)
        column.addWidget(self._text, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(8)
        column.addLayout(self._buttons)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(2)
        outer.addLayout(column)
        outer.addStretch(3)  # sits slightly above the middle, where the eye lands

    def add_action(self, text: str, *, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(34)
        button.setMinimumWidth(170)
        if primary:
            button.setDefault(True)
            button.setAutoDefault(True)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button

    def title(self) -> str:
        return self._title.text()

    def set_title(self, title: str) -> None:
        self._title.setText(title)

    def text(self) -> str:
        return self._text.text()

    def set_text(self, text: str) -> None:
        self._text.setText(text)
        self._fit_text()

    def _fit_text(self) -> None:
        # A word-wrapped label's height follows its text only through heightForWidth,
        # which a layout asks once; text set later (or while the page is hidden in a
        # stack) would be squeezed to the old height and clipped.
        self._text.setMinimumHeight(max(0, self._text.heightForWidth(self._text_width)))  # -1: no text yet
