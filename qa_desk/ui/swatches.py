"""Small colour marks drawn in code (a clip's kind before its title), sharp on any screen.

A QPixmap painted at its logical size is scaled up on a 2× screen and comes out soft; the
icon here holds one drawing per common device pixel ratio and Qt picks the one that fits.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

RATIOS = (1.0, 1.5, 2.0, 3.0)  # 100 %, 150 %, 200 %, 300 % (others are scaled from the next one up)


def colour_mark(colour: str, size: int = 10, *, round_: bool = False) -> QIcon:
    """A square of ``colour``, ``size`` logical pixels; with ``round_`` a dot a pixel inside it."""
    icon = QIcon()
    for ratio in RATIOS:
        pixmap = QPixmap(round(size * ratio), round(size * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        # Logical coordinates: the painter scales them by the pixmap's ratio.
        if round_:
            painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
        else:
            painter.drawRect(QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
