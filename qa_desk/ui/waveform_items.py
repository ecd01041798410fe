"""Drawing pieces of the call's waveform: the time axis, span shading and the view box.

The view box turns the reviewer's mouse into seek, select, zoom and scroll requests on
the WaveformView that owns it (waveform.py); it does nothing by itself.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor

if TYPE_CHECKING:
    from .waveform import WaveformView

TIME_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def format_time(seconds: float, decimals: int = 0) -> str:
    """m:ss or h:mm:ss, as a reviewer writes a moment of a call down (cut, not rounded, like a player's clock)."""
    scale = 10 ** decimals
    ticks = int(math.floor(max(0.0, seconds) * scale + 1e-6))
    whole, part = divmod(ticks, scale)
    frac = f".{part:0{decimals}d}" if decimals else ""
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}{frac}" if h else f"{m}:{s:02d}{frac}"


class TimeAxis(pg.AxisItem):
    """Call time on the bottom axis, with ticks at round seconds, minutes or hours."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph's name
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return []
        wanted = span * 90.0 / size  # a label every 90 px or more
        major = next((s for s in TIME_STEPS if s >= wanted), TIME_STEPS[-1])
        minor = next((s for s in reversed(TIME_STEPS) if s <= major / 4), major / 5)
        return [(major, 0.0), (minor, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        decimals = 0 if spacing >= 1 else (1 if spacing >= 0.1 else 2)
        return [format_time(v, decimals) for v in values]


class SpanShading(pg.GraphicsObject):
    """Filled time spans across the lanes (silence, hold, overtalk): only visible ones are painted."""

    def __init__(self, colour: str, alpha: int):
        super().__init__()
        self._starts: list[float] = []
        self._spans: list[tuple[float, float]] = []
        tint = QColor(colour)
        tint.setAlpha(alpha)
        self._brush = QBrush(tint)
        self._rect = QRectF()

    def set_spans(self, spans: list[tuple[float, float]], bottom: float, top: float, duration: float) -> None:
        self.prepareGeometryChange()
        self._spans = sorted((float(a), float(b)) for a, b in spans if b > a)
        self._starts = [a for a, _ in self._spans]
        self._rect = QRectF(0.0, bottom, max(duration, 1e-6), top - bottom)
        self.update()

    def spans(self) -> list[tuple[float, float]]:
        return list(self._spans)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter, *args) -> None:
        vb = self.getViewBox()
        if not self._spans or vb is None:
            return
        left, right = vb.viewRange()[0]
        min_width = self.pixelWidth() or 0.0  # a 0.2 s overtalk on a 2-hour view is still seen
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush)
        # Spans are short and do not overlap much: start one before the first visible start.
        first = max(0, bisect.bisect_left(self._starts, left) - 1)
        for start, end in self._spans[first:]:
            if start > right:
                break
            if end >= left:
                painter.drawRect(QRectF(start, self._rect.top(), max(end - start, min_width), self._rect.height()))


class _CallViewBox(pg.ViewBox):
    """Click to seek, drag to select, wheel to zoom (Shift+wheel scrolls); x only."""

    def __init__(self, waveform: WaveformView):
        super().__init__(enableMenu=False)
        self._waveform = waveform
        self.setMouseEnabled(x=True, y=False)

    def mouseClickEvent(self, ev):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            point = self.mapSceneToView(ev.scenePos())
            self._waveform._clicked(point.x(), point.y())
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            start = self.mapSceneToView(ev.buttonDownScenePos()).x()
            self._waveform._dragged(start, self.mapSceneToView(ev.scenePos()).x(), ev.isFinish())
        elif ev.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton):
            ev.accept()  # pan: grab the call and move it
            delta = self.mapSceneToView(ev.lastScenePos()).x() - self.mapSceneToView(ev.scenePos()).x()
            self._waveform.scroll_to(self.viewRange()[0][0] + delta)
        else:
            ev.ignore()

    def wheelEvent(self, ev, axis=None):  # noqa: N802
        ev.accept()
        steps = ev.delta() / 120.0
        if ev.orientation() == Qt.Orientation.Horizontal or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            left, right = self.viewRange()[0]
            self._waveform.scroll_to(left - steps * 0.1 * (right - left))
        else:
            self._waveform.zoom_by(1.25 ** steps, center=self.mapSceneToView(ev.scenePos()).x())


class FlagMarks(pg.GraphicsObject):
    """The call's flags: a bar in the marks row over each flag's span, in its severity's
    colour, and a faint band down the lanes; the selected flag is outlined.

    Hovering a bar shows its flag's tooltip; clicks are the WaveformView's (flag_at).
    """

    MIN_PIXELS = 5.0  # a flag on one short word is still a bar one can see and click

    def __init__(self):
        super().__init__()
        self._flags: list[tuple[float, float, QColor, str, object]] = []
        self._selected: object = None
        self._row = (0.0, 1.0)
        self._rect = QRectF()
        self.setAcceptHoverEvents(True)

    def set_flags(self, flags, lanes_bottom: float, row: tuple[float, float], duration: float) -> None:
        """flags: (start, end, colour, tooltip, key); row: the marks row's (bottom, top)."""
        self.prepareGeometryChange()
        self._flags = sorted(((float(a), float(max(a, b)), QColor(c), tip, key) for a, b, c, tip, key in flags),
                             key=lambda f: f[0])
        self._row = row
        self._rect = QRectF(0.0, lanes_bottom, max(duration, 1e-6), row[1] - lanes_bottom)
        self.update()

    def flag_spans(self) -> list[tuple[float, float, object]]:
        return [(a, b, key) for a, b, _c, _t, key in self._flags]

    def set_selected(self, key: object) -> None:
        self._selected = key
        self.update()

    def flag_at(self, x: float, tolerance: float = 0.0) -> object:
        """The key of the flag whose bar is at x (the nearest start when bars overlap)."""
        width = max(tolerance, (self.pixelWidth() or 0.0) * self.MIN_PIXELS)
        found = [(abs(x - a), key) for a, b, _c, _t, key in self._flags if a - tolerance <= x <= max(b, a + width)]
        return min(found, key=lambda f: f[0])[1] if found else None

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter, *args) -> None:
        vb = self.getViewBox()
        if not self._flags or vb is None:
            return
        left, right = vb.viewRange()[0]
        min_width = (self.pixelWidth() or 0.0) * self.MIN_PIXELS
        bottom, top = self._row
        lanes = QRectF(0.0, self._rect.top(), 0.0, bottom - self._rect.top())
        for start, end, colour, _tip, key in self._flags:
            if start > right or max(end, start + min_width) < left:
                continue
            width = max(end - start, min_width)
            band = QColor(colour)
            band.setAlpha(28)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(band))
            painter.drawRect(QRectF(start, lanes.top(), width, lanes.height()))
            bar = QRectF(start, bottom + 0.15 * (top - bottom), width, 0.7 * (top - bottom))
            if key == self._selected and key is not None:
                pen = pg.mkPen("#1a202c", width=2)
                pen.setCosmetic(True)
                painter.setPen(pen)
            painter.setBrush(QBrush(colour))
            painter.drawRect(bar)

    def hoverEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.isExit():
            self.setToolTip("")
            return
        x = ev.pos().x()
        tips = [tip for a, b, _c, tip, _k in self._flags if a <= x <= max(b, a + (self.pixelWidth() or 0) * 5)]
        self.setToolTip("\n\n".join(tips))
