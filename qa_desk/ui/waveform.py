"""The call's waveform: one lane per speaker, a playhead, a selection, shading and marks.

Drawn with pyqtgraph in one ViewBox: lanes sit one under the other (agent first), so
zooming and scrolling move one view and every redraw touches one transform. What is
drawn depends on the zoom: the envelope pyramid's level whose bins are no wider than
a pixel, reduced to about one min/max pair per pixel; closer in than the finest
level, the raw samples themselves (decode.read_span, read once for a margin around
the view so scrolling does not read the file every frame).

Mouse: click seeks, drag selects a span, wheel zooms around the pointer, Shift+wheel
(or a horizontal wheel) scrolls; the scrollbar underneath scrolls too.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QPointF, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QScrollBar, QVBoxLayout, QWidget

from .waveform_items import FlagMarks, SpanShading, TimeAxis, _CallViewBox, format_time

# format_time is used by the header, player bar and transcript beside the waveform.
__all__ = ["LANE_COLOURS", "MARK_STYLES", "RAW", "TimeAxis", "WaveformView", "format_time"]

RAW = -1  # "drawn from the raw samples" (Envelope.level_for's answer below its finest level)
MARK_ROW = 0.16  # height of the marks row above the lanes, in lane units
MIN_SPAN = 0.02  # seconds: the closest zoom (160 samples of 8 kHz audio)
LANE_COLOURS = {"agent": "#2b6cb0", "customer": "#2f855a", "mixed": "#4a5568"}
MARK_STYLES = {  # kind -> (symbol, colour); later issues add their own kinds
    "flag": ("t", "#c53030"), "comment": ("s", "#2b6cb0"), "clip": ("d", "#2f855a"), "hold": ("o", "#718096"),
}
class WaveformView(QWidget):
    """The waveform of one call; the call view feeds it the envelope, position and metrics."""

    seek_requested = Signal(float)
    selection_changed = Signal(object)  # (start, end) in seconds, or None
    range_changed = Signal(float, float)
    flag_clicked = Signal(object)  # the key (flag id) of a flag's bar in the marks row
    mark_clicked = Signal(float)  # the time of a mark (a comment at a moment) clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._duration = 1.0
        self._rate = 8000
        self._lanes: list[tuple[int, str]] = []
        self._envelope = None
        self._gain = 1.0
        self._read_span: Callable[[int, int], np.ndarray] | None = None
        self._raw: tuple[int, int, np.ndarray] | None = None
        self._drawn_from: int | None = None
        self._selection: tuple[float, float] | None = None
        self._syncing = False
        self._has_marks = False

        self.plot = pg.PlotWidget(viewBox=_CallViewBox(self), axisItems={"bottom": TimeAxis("bottom")})
        self.plot.setObjectName("waveformPlot")
        self.plot.setBackground(self.palette().base().color())
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setAntialiasing(False)  # vertical min/max strokes gain nothing from it, and cost
        self.vb: _CallViewBox = self.plot.getViewBox()
        # pyqtgraph leaves its options menu and state group without a Qt parent: owned by
        # Python and in reference cycles, they would be deleted by whichever thread next
        # runs the garbage collector (a job's thread: a crash). With a parent, Qt deletes
        # them with the plot, on the GUI thread.
        item = self.plot.getPlotItem()
        item.ctrlMenu.setParent(self.plot, item.ctrlMenu.windowFlags())
        item.stateGroup.setParent(self.plot)
        self.vb.setDefaultPadding(0.0)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(self.palette().mid().color()))
            axis.setTextPen(pg.mkPen(self.palette().text().color()))
        self.plot.getAxis("left").setWidth(78)

        self.silence_shading = SpanShading("#a0aec0", 70)
        self.hold_shading = SpanShading("#805ad5", 55)
        self.overtalk_shading = SpanShading("#dd6b20", 90)
        for item in (self.silence_shading, self.hold_shading, self.overtalk_shading):
            self.vb.addItem(item, ignoreBounds=True)
        self.flag_marks = FlagMarks()
        self.vb.addItem(self.flag_marks, ignoreBounds=True)
        self._curves: list[pg.PlotCurveItem] = []
        self._baselines: list[pg.InfiniteLine] = []
        self.marks = pg.ScatterPlotItem(size=11, hoverable=True, tip=lambda x, y, data: data[1], pxMode=True)
        self.marks.sigClicked.connect(self._mark_clicked)
        self.vb.addItem(self.marks, ignoreBounds=True)
        self.region = pg.LinearRegionItem(
            movable=True, brush=QColor(66, 153, 225, 60), hoverBrush=QColor(66, 153, 225, 90),
            pen=pg.mkPen("#3182ce", width=1),
        )
        self.region.setZValue(10)
        self.region.hide()
        self.region.sigRegionChangeFinished.connect(self._region_edited)
        self.vb.addItem(self.region, ignoreBounds=True)
        self.playhead = pg.InfiniteLine(0.0, angle=90, movable=False, pen=pg.mkPen("#e53e3e", width=2))
        self.playhead.setZValue(20)
        self.vb.addItem(self.playhead, ignoreBounds=True)

        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.setObjectName("waveformScroll")
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.overlay = QLabel(self.plot)
        self.overlay.setObjectName("waveformMessage")
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setWordWrap(True)
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.setStyleSheet("color: palette(placeholder-text); background: palette(base); font-size: 12pt;"
                                   "border: 1px solid palette(mid); border-radius: 4px; padding: 8px 14px;")

        self._zoom_animation = QVariantAnimation(self)
        self._zoom_animation.setDuration(140)
        self._zoom_animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._zoom_animation.valueChanged.connect(lambda p: self.set_visible_range(p.x(), p.y()))

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.plot, 1)
        column.addWidget(self.scrollbar)
        self.vb.sigXRangeChanged.connect(self._range_moved)
        self.vb.sigResized.connect(self.redraw)

    # --- the call ------------------------------------------------------------------------

    def set_call(self, duration: float, sample_rate: int, lanes: list[tuple[int, str]],
                 read_span: Callable[[int, int], np.ndarray] | None = None) -> None:
        """A new call: its length, rate, lanes [(channel, speaker)] and a raw-sample reader."""
        self._duration = max(float(duration), MIN_SPAN)
        self._rate = int(sample_rate)
        self._lanes = list(lanes) or [(0, "mixed")]
        self._read_span = read_span
        self._envelope = None
        self._raw = None
        self._drawn_from = None
        count = len(self._lanes)
        # Lane items are kept from call to call, never removed: pyqtgraph items thrown
        # away hold reference cycles, and the garbage collector may then run on a job's
        # thread and delete Qt objects there.
        while len(self._curves) < count:
            i = len(self._curves)
            self._baselines.append(pg.InfiniteLine(-(i + 0.5), angle=0, movable=False, pen=pg.mkPen("#e2e8f0")))
            self._baselines.append(pg.InfiniteLine(-float(i), angle=0, movable=False, pen=pg.mkPen("#a0aec0")))
            self._curves.append(pg.PlotCurveItem(skipFiniteCheck=True))
            for item in self._baselines[-2:] + self._curves[-1:]:
                self.vb.addItem(item, ignoreBounds=True)
        for i, curve in enumerate(self._curves):
            in_use = i < count
            if in_use:
                curve.setPen(pg.mkPen(LANE_COLOURS.get(self._lanes[i][1], LANE_COLOURS["mixed"]), width=1))
            curve.setData([], [])
            for item in (curve, self._baselines[2 * i], self._baselines[2 * i + 1]):
                item.setVisible(in_use)
        for shading in (self.silence_shading, self.hold_shading, self.overtalk_shading):
            shading.set_spans([], -count, 0.0, self._duration)
        self.marks.setData([])
        self._has_marks = False
        self.flag_marks.set_flags([], -count, (0.0, MARK_ROW), self._duration)
        self.vb.setLimits(xMin=0.0, xMax=self._duration, minXRange=min(MIN_SPAN, self._duration))
        self._label_lanes()
        self.clear_selection()
        self.set_position(0.0)
        self.zoom_fit()

    def lane_label(self, speaker: str, channel: int) -> str:
        names = {"agent": self.tr("Agent"), "customer": self.tr("Customer"), "mixed": self.tr("Both (mono)")}
        return names.get(speaker, self.tr("Channel {0}").format(channel + 1))

    def lane_labels(self) -> list[str]:
        return [self.lane_label(speaker, channel) for channel, speaker in self._lanes]

    def set_envelope(self, envelope) -> None:
        """The call's envelope pyramid (qa_desk.audio.envelope.Envelope) has arrived."""
        self._envelope = envelope
        # One gain for all lanes keeps agent and customer comparable; quiet telephone
        # audio (peaks near -20 dBFS) still fills its lane.
        coarsest = max(float(np.max(np.abs(envelope.maxs[-1]), initial=0.0)),
                       float(np.max(np.abs(envelope.mins[-1]), initial=0.0)))
        self._gain = min(0.46 / max(coarsest, 0.02), 12.0)
        self.show_message("")
        self.redraw()

    def show_message(self, text: str) -> None:
        """A line over the lanes ("Drawing waveform…", a failure); empty hides it."""
        self.overlay.setText(text)
        self.overlay.setVisible(bool(text))
        self._place_overlay()

    def message(self) -> str:
        return "" if self.overlay.isHidden() else self.overlay.text()

    def set_activity(self, silences, holds, overtalk) -> None:
        """Shading from the call's metrics: lists of objects or pairs with start and end."""
        count = len(self._lanes)
        for shading, spans in ((self.silence_shading, silences), (self.hold_shading, holds),
                               (self.overtalk_shading, overtalk)):
            pairs = [(s.start, s.end) if hasattr(s, "start") else (s[0], s[1]) for s in spans or ()]
            shading.set_spans(pairs, -count, 0.0, self._duration)

    def set_markers(self, markers: list[tuple[float, str, str]]) -> None:
        """Marks above the lanes: (time, kind, tooltip); a click on one emits mark_clicked."""
        spots = []
        for time, kind, tip in markers:
            symbol, colour = MARK_STYLES.get(kind, ("o", "#718096"))
            spots.append(dict(pos=(float(time), MARK_ROW / 2), symbol=symbol, brush=pg.mkBrush(colour),
                              pen=pg.mkPen("w", width=1), data=(float(time), tip)))
        self.marks.setData(spots)
        self._has_marks = bool(spots)
        self._label_lanes()

    def set_flags(self, flags: list[tuple[float, float, str, str, object]]) -> None:
        """The call's flags as bars in the marks row: (start, end, colour, tooltip, key);
        a click on one emits flag_clicked(key)."""
        self.flag_marks.set_flags(flags, -len(self._lanes), (0.0, MARK_ROW), self._duration)
        self._label_lanes()

    def select_flag(self, key: object) -> None:
        self.flag_marks.set_selected(key)

    def _label_lanes(self) -> None:
        with_marks = self._has_marks or bool(self.flag_marks.flag_spans())
        ticks = [(-(i + 0.5), self.lane_label(speaker, channel)) for i, (channel, speaker) in enumerate(self._lanes)]
        if with_marks:  # the row exists only when there is something on it
            ticks.append((MARK_ROW / 2, self.tr("Marks") if self._has_marks else self.tr("Flags")))
        self.plot.getAxis("left").setTicks([ticks, []])
        self.vb.setYRange(-len(self._lanes), MARK_ROW if with_marks else 0.0, padding=0.0)

    def markers(self) -> list[tuple[float, str]]:
        return [tuple(p.data()) for p in self.marks.points()]

    # --- position and selection -----------------------------------------------------------

    def set_position(self, seconds: float, *, follow: bool = False, reveal: bool = False) -> None:
        """Move the playhead. follow (playing): turn the page when the playhead runs off
        the right edge, but not while the reviewer looks elsewhere in the call.
        reveal (the reviewer jumped there): bring it into view wherever it is."""
        left, right = self.visible_range()
        span = right - left
        was_in_view = left <= self.position() <= right
        self.playhead.setPos(seconds)
        if span >= self._duration or left <= seconds <= right:
            return
        if reveal or (follow and was_in_view and seconds > right):
            self.scroll_to(seconds - 0.05 * span)

    def position(self) -> float:
        return float(self.playhead.value())

    def selection(self) -> tuple[float, float] | None:
        return self._selection

    def set_selection(self, start: float, end: float) -> None:
        start, end = sorted(min(max(t, 0.0), self._duration) for t in (start, end))
        if end - start <= 0:
            self.clear_selection()
            return
        self._set_selection((start, end))

    def clear_selection(self) -> None:
        self._set_selection(None)

    def _show_region(self, span: tuple[float, float] | None) -> None:
        if span is not None:
            self.region.blockSignals(True)  # only the reviewer's edits count as edits
            self.region.setRegion(span)
            self.region.blockSignals(False)
        self.region.setVisible(span is not None)

    def _set_selection(self, span: tuple[float, float] | None) -> None:
        self._show_region(span)
        if span != self._selection:
            self._selection = span
            self.selection_changed.emit(span)

    def _clicked(self, x: float, y: float | None = None) -> None:
        if y is not None and y >= 0.0:  # the marks row: a flag's bar there opens the flag
            key = self.flag_marks.flag_at(x)
            if key is not None:
                self.flag_clicked.emit(key)
                return
        x = min(max(x, 0.0), self._duration)
        if self._selection and not self._selection[0] <= x <= self._selection[1]:
            self.clear_selection()  # a click elsewhere lets go of the span
        self.seek_requested.emit(x)

    def _dragged(self, start: float, end: float, finished: bool) -> None:
        start, end = sorted(min(max(t, 0.0), self._duration) for t in (start, end))
        self._show_region((start, end))
        if finished:
            self.set_selection(start, end)

    def _region_edited(self) -> None:
        start, end = self.region.getRegion()
        self.set_selection(start, end)

    def _mark_clicked(self, _item, points, _ev) -> None:
        if len(points):
            self.mark_clicked.emit(float(points[0].data()[0]))

    # --- zoom and scroll -----------------------------------------------------------------

    def visible_range(self) -> tuple[float, float]:
        left, right = self.vb.viewRange()[0]
        return float(left), float(right)

    def set_visible_range(self, start: float, end: float) -> None:
        span = min(max(end - start, MIN_SPAN), self._duration)
        start = min(max(start, 0.0), self._duration - span)
        self.vb.setXRange(start, start + span, padding=0.0)

    def scroll_to(self, start: float) -> None:
        left, right = self.visible_range()
        self.set_visible_range(start, start + (right - left))

    def scroll_by(self, fraction: float) -> None:
        left, right = self.visible_range()
        self.scroll_to(left + fraction * (right - left))

    def zoom_by(self, factor: float, center: float | None = None, *, animate: bool = False) -> None:
        """factor > 1 zooms in, around center (the playhead when not given)."""
        left, right = self.visible_range()
        if center is None:
            center = self.position() if left <= self.position() <= right else (left + right) / 2
        span = min(max((right - left) / factor, MIN_SPAN), self._duration)
        ratio = (center - left) / (right - left) if right > left else 0.5
        start = center - ratio * span
        if animate:
            self._zoom_animation.stop()
            self._zoom_animation.setStartValue(QPointF(left, right))
            self._zoom_animation.setEndValue(QPointF(start, start + span))
            self._zoom_animation.start()
        else:
            self.set_visible_range(start, start + span)

    def zoom_fit(self) -> None:
        self._zoom_animation.stop()
        self.vb.setXRange(0.0, self._duration, padding=0.0)

    def drawn_from(self) -> int | None:
        """The envelope level drawn, RAW for the samples themselves, None before the envelope."""
        return self._drawn_from

    def _range_moved(self, *_args) -> None:
        self._sync_scrollbar()
        self.redraw()
        left, right = self.visible_range()
        self.range_changed.emit(left, right)

    def _sync_scrollbar(self) -> None:
        left, right = self.visible_range()
        span_ms = int(round((right - left) * 1000))
        self._syncing = True
        self.scrollbar.setRange(0, max(0, int(round(self._duration * 1000)) - span_ms))
        self.scrollbar.setPageStep(max(1, span_ms))
        self.scrollbar.setSingleStep(max(1, span_ms // 10))
        self.scrollbar.setValue(int(round(left * 1000)))
        self._syncing = False

    def _scrolled(self, value: int) -> None:
        if not self._syncing:
            self.scroll_to(value / 1000.0)

    # --- drawing ---------------------------------------------------------------------------

    def redraw(self, *_args) -> None:
        """Rebuild the lanes' curves for what is visible now (about one stroke per pixel)."""
        env = self._envelope
        if env is None or not self._curves:
            return
        left, right = self.visible_range()
        first = max(0, int(math.floor(left * self._rate)))
        last = min(env.frames, int(math.ceil(right * self._rate)) + 1)
        if last <= first:
            return
        # One stroke per device pixel: one per logical pixel leaves a gap after every stroke
        # on a 2× screen (a comb, not a waveform).
        per_pixel = (last - first) / max(1.0, self.vb.width() * self.plot.devicePixelRatioF())
        level = env.level_for(per_pixel)
        self._drawn_from = RAW if level < 0 else level
        if level >= 0:
            size = env.bin_sizes[level]
            margin = max(1, int(per_pixel // size)) * size
            lows, highs, origin = env.slice(level, max(0, first - margin), min(env.frames, last + margin))
        else:  # closer than the finest bins: the samples themselves
            size, origin = 1, first
            samples, start = self._samples(first, last)
            if samples is None:
                return
            lows = highs = samples[:, first - start:last - start + 1]  # the view, not the read-ahead
        lanes = self._strokes(lows, highs, origin // size, size, max(1, int(per_pixel // size)))
        for i, (curve, (xs, ys, connect)) in enumerate(zip(self._curves, lanes)):
            curve.setData(xs, ys * self._gain - (i + 0.5), connect=connect, skipFiniteCheck=True)

    def _strokes(self, lows: np.ndarray, highs: np.ndarray, first: int, size: int, group: int):
        """Per lane (x, y, connect): vertical min/max strokes of `group` items each, or a line
        through single samples. Items are bins of `size` frames numbered from `first`;
        groups start at absolute numbers so strokes do not shimmer while scrolling."""
        channels = self._channels(lows.shape[0])
        if size == 1 and group < 2:
            x = (first + np.arange(lows.shape[1])) / self._rate
            return [(x, lows[c].astype(np.float64), "all") for c in channels]
        skip = (-first) % group
        count = max(0, (lows.shape[1] - skip) // group)
        stop = skip + count * group
        x = np.repeat((first + skip + (np.arange(count) + 0.5) * group) * size / self._rate, 2)
        out = []
        for c in channels:
            ys = np.empty(2 * count, dtype=np.float64)
            ys[0::2] = lows[c, skip:stop].reshape(count, group).min(axis=1)
            ys[1::2] = highs[c, skip:stop].reshape(count, group).max(axis=1)
            out.append((x, ys, "pairs"))
        return out

    def _channels(self, available: int) -> list[int]:
        # A channel map naming a channel the file lacks draws the last one, not an error.
        return [min(channel, available - 1) for channel, _ in self._lanes]

    def _samples(self, first: int, last: int) -> tuple[np.ndarray | None, int]:
        if self._raw is not None and self._raw[0] <= first and last <= self._raw[1]:
            return self._raw[2], self._raw[0]
        if self._read_span is None or self._envelope is None:
            return None, 0
        span = last - first
        start, stop = max(0, first - span), min(self._envelope.frames, last + span)
        try:
            data = np.asarray(self._read_span(start, stop), dtype=np.float32)
        except Exception as exc:  # noqa: BLE001 - a vanished file must not break the view
            self.show_message(self.tr("Could not read the recording: {0}").format(exc))
            return None, 0
        self._raw = (start, start + data.shape[1], data)
        return data, start

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_overlay()

    def _place_overlay(self) -> None:
        # A card in the middle of the lanes, as wide as its text (a long error wraps).
        area = self.plot.rect()
        width = min(area.width() - 40, self.overlay.fontMetrics().horizontalAdvance(self.overlay.text()) + 40)
        width = max(width, 120)
        height = self.overlay.heightForWidth(width)
        self.overlay.setGeometry(area.center().x() - width // 2, area.center().y() - height // 2, width, height)
        self.overlay.raise_()

    def x_for_time(self, seconds: float) -> QPointF:
        """Where a moment of the call is in the plot widget's viewport (tests, tooltips)."""
        scene = self.vb.mapViewToScene(QPointF(seconds, -0.5))
        return QPointF(self.plot.mapFromScene(scene))
