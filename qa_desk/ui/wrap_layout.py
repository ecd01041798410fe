"""A row of controls that wraps onto further lines when the window is narrow.

Filter rows and tool rows are laid out as one line on a wide window; on a laptop at
125 % or 150 % scaling (about 1000 or 900 logical pixels wide) the same controls go on
two lines instead of forcing the whole window wider than the screen. The layout's
minimum width is its widest single control, not the sum of them; its height follows
the width (heightForWidth), so the layouts around it make room for the second line.

Stretch items (``addWidget(w, 1)``, ``addStretch()``) share what is left of their
line, so a search box still fills the row, and on a line of its own fills that line.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QSpacerItem, QStyle, QWidget, QWidgetItem


class WrapLayout(QLayout):
    """Items left to right in their hint's width, wrapping to a new line when the next
    one does not fit; each line's spare width goes to its stretch items."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 8, line_spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: list[int] = []
        self._line_spacing = line_spacing
        self._laid_height = -1  # the lines' height at the width last laid out
        self._refresh_pending = False
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    # --- adding ------------------------------------------------------------------------------

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        self.addChildWidget(widget)
        self._add(QWidgetItem(widget), stretch)

    def addLayout(self, layout: QLayout, stretch: int = 0) -> None:  # noqa: N802 - Qt's name
        """A group kept together on one line (a label and its box, ◀ period ▶)."""
        self.addChildLayout(layout)
        self._add(layout, stretch)

    def addStretch(self, stretch: int = 1) -> None:  # noqa: N802 - Qt's name
        self._add(QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum), stretch)

    def addSpacing(self, width: int) -> None:  # noqa: N802 - Qt's name
        self._add(QSpacerItem(width, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum), 0)

    def _add(self, item: QLayoutItem, stretch: int) -> None:
        self._items.append(item)
        self._stretch.append(stretch)
        self.invalidate()

    # --- QLayout's interface -----------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's virtual
        self._add(item, 0)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt's virtual
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt's virtual
        if not 0 <= index < len(self._items):
            return None
        self._stretch.pop(index)
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's virtual
        return Qt.Orientation.Horizontal if any(self._stretch) else Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's virtual
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's virtual
        margins = self.contentsMargins()
        inner = width - margins.left() - margins.right()
        return self._arrange(QRect(0, 0, inner, 0), move=False) + margins.top() + margins.bottom()

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's virtual
        super().setGeometry(rect)
        height = self._arrange(rect.marginsRemoved(self.contentsMargins()), move=True)
        if height != self._laid_height:
            self._laid_height = height
            if not self._refresh_pending:  # not from within this layout pass
                self._refresh_pending = True
                QTimer.singleShot(0, self, self._wrapped_anew)

    def _wrapped_anew(self) -> None:
        """The lines changed: the minimum height changed with them (see minimumSize); the
        layouts holding this one, and a splitter around them, must ask again."""
        self._refresh_pending = False
        layout = self
        while isinstance(layout, QLayout):
            layout.invalidate()
            layout = layout.parent()
        if self.parentWidget() is not None:
            self.parentWidget().updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        """Everything on one line."""
        shown = self._shown()
        width = sum(item.sizeHint().width() for item, _ in shown) + self._gaps([item for item, _ in shown])
        height = max((item.sizeHint().height() for item, _ in shown), default=0)
        return self._with_margins(QSize(width, height)).expandedTo(self.minimumSize())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's virtual
        """As narrow as the widest single item, as tall as the lines need at the width last
        laid out: a splitter or a stack (which do not ask heightForWidth) then keeps the
        second line instead of drawing the next widget over it."""
        size = QSize(0, 0)
        for item, _ in self._shown():
            size = size.expandedTo(item.minimumSize())
        if self._laid_height > size.height():
            size.setHeight(self._laid_height)
        return self._with_margins(size)

    # --- arranging ---------------------------------------------------------------------------

    def _with_margins(self, size: QSize) -> QSize:
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _shown(self) -> list[tuple[QLayoutItem, int]]:
        # A spacer is "empty" to Qt, but a stretch still pushes what follows it.
        return [(item, stretch) for item, stretch in zip(self._items, self._stretch)
                if not item.isEmpty() or item.spacerItem() is not None]

    def _gap(self, before: QLayoutItem, after: QLayoutItem) -> int:
        # Like QBoxLayout: no spacing on either side of a stretch or a fixed spacing.
        return 0 if before.spacerItem() is not None or after.spacerItem() is not None else self.spacing()

    def _gaps(self, items: list[QLayoutItem]) -> int:
        return sum(self._gap(a, b) for a, b in zip(items, items[1:]))

    def _lines(self, width: int) -> list[list[tuple[QLayoutItem, int, int]]]:
        """(item, stretch, width) per line, each item at its hint's width (no wider than the line)."""
        lines: list[list[tuple[QLayoutItem, int, int]]] = [[]]
        used = 0
        for item, stretch in self._shown():
            wanted = max(min(item.sizeHint().width(), width), item.minimumSize().width())
            line = lines[-1]
            gap = self._gap(line[-1][0], item) if line else 0
            if line and used + gap + wanted > width:
                # A stretch just before the item still pushes it right, on its new line
                # (the player's Shortcuts button stays at the right edge).
                carried = []
                while line and line[-1][0].spacerItem() is not None and line[-1][1]:
                    carried.insert(0, line.pop())
                lines.append(carried)
                line = lines[-1]
                used = sum(w for _, _, w in carried)
                gap = self._gap(line[-1][0], item) if line else 0
            line.append((item, stretch, wanted))
            used += gap + wanted
        # A line of nothing but stretches (one left at the very end) shows nothing.
        return [line for line in lines if any(item.spacerItem() is None for item, _, _ in line)]

    def _arrange(self, rect: QRect, move: bool) -> int:
        y = rect.y()
        direction = self.parentWidget().layoutDirection() if self.parentWidget() else Qt.LayoutDirection.LeftToRight
        for number, line in enumerate(self._lines(rect.width())):
            if number:
                y += self._line_spacing
            widths = self._widths(line, rect.width())
            heights = [self._height(item, width) for (item, _, _), width in zip(line, widths)]
            height = max(heights)
            if move:
                x = rect.x()
                for index, ((item, _, _), width, tall) in enumerate(zip(line, widths, heights)):
                    if index:
                        x += self._gap(line[index - 1][0], item)
                    if item.expandingDirections() & Qt.Orientation.Vertical:
                        tall = height
                    box = QRect(QPoint(x, y + (height - tall) // 2), QSize(width, tall))
                    item.setGeometry(QStyle.visualRect(direction, rect, box))
                    x += width
            y += height
        return y - rect.y()

    def _widths(self, line, width: int) -> list[int]:
        """The items' widths on their line: their own, the line's spare width shared by its
        stretch items."""
        spare = width - sum(w for _, _, w in line) - self._gaps([item for item, _, _ in line])
        stretches = sum(s for _, s, _ in line)
        widths = []
        for _, stretch, own in line:
            if stretch and stretches and spare > 0:
                extra = spare * stretch // stretches
                spare, stretches = spare - extra, stretches - stretch
                own += extra
            widths.append(own)
        return widths

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        # A word-wrapped label (a note, an error) takes the lines its width needs.
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return max(item.sizeHint().height(), item.minimumSize().height())
