"""The waveform widget on real envelopes: lanes, marks, shading, scrolling, wheel, time labels."""

from __future__ import annotations


from functools import partial

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from recordings import write_call

from qa_desk.audio.decode import channel_lanes, read_span
from qa_desk.audio.envelope import build_envelope
from qa_desk.ui.waveform import RAW, TimeAxis, WaveformView, format_time


def make_waveform(qtbot, tmp_path, *, seconds: float = 60.0, channels: int = 2, channel_map=None):
    path = write_call(tmp_path / f"call-{channels}.wav", seconds, channels=channels, seed=channels)
    wave = WaveformView()
    qtbot.addWidget(wave)
    wave.resize(900, 320)
    wave.show()
    qtbot.waitExposed(wave)
    lanes = channel_lanes(channel_map or {"0": "agent", "1": "customer"})
    wave.set_call(seconds, 8000, lanes, partial(read_span, path))
    wave.set_envelope(build_envelope(path))
    return wave


def test_format_time():
    assert format_time(0) == "0:00"
    assert format_time(65.99) == "1:05"  # a clock: cut, not rounded
    assert format_time(3600 * 2 + 61) == "2:01:01"
    assert format_time(12.345, 1) == "0:12.3"
    assert format_time(59.96, 1) == "0:59.9"
    assert format_time(-3) == "0:00"


def test_time_axis_ticks_at_round_times():
    axis = TimeAxis("bottom")
    assert axis.tickSpacing(0, 7200, 900)[0] == (900, 0.0)  # 2 hours: every 15 minutes
    assert axis.tickSpacing(0, 30, 900)[0] == (5, 0.0)
    assert axis.tickSpacing(0, 0.5, 900)[0] == (0.05, 0.0)
    assert axis.tickStrings([0, 900, 1800], 1, 900) == ["0:00", "15:00", "30:00"]
    assert axis.tickStrings([1.5], 1, 0.5) == ["0:01.5"]


def test_mono_call_is_one_mixed_lane(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path, channels=1, channel_map={"0": "mixed"})
    assert wave.lane_labels() == ["Both (mono)"]
    assert len(wave._curves) == 1
    x, y = wave._curves[0].getData()
    assert len(x) > 100 and wave.drawn_from() >= 0


def test_lanes_are_drawn_from_the_envelope_per_speaker(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path)
    assert wave.lane_labels() == ["Agent", "Customer"]
    # The generated call takes turns: agent 0-1.2 s, customer 1.5-2.7 s.
    wave.set_visible_range(0.0, 3.0)
    agent_x, agent_y = wave._curves[0].getData()
    customer_x, customer_y = wave._curves[1].getData()
    loud = lambda xs, ys, centre, a, b: max(abs(y - centre) for x, y in zip(xs, ys) if a < x < b)  # noqa: E731
    assert loud(agent_x, agent_y, -0.5, 0.2, 1.0) > 0.3 and loud(agent_x, agent_y, -0.5, 1.6, 2.6) < 0.05
    assert loud(customer_x, customer_y, -1.5, 1.6, 2.6) > 0.3 and loud(customer_x, customer_y, -1.5, 0.2, 1.0) < 0.05


def test_markers_show_tooltips_and_report_a_click(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path)
    assert "Marks" not in [t for _, t in wave.plot.getAxis("left")._tickLevels[0]]
    wave.set_markers([(12.0, "flag", "Forbidden phrase: 不知道"), (30.5, "comment", "Good empathy"), (40, "new", "?")])
    assert wave.markers() == [(12.0, "Forbidden phrase: 不知道"), (30.5, "Good empathy"), (40.0, "?")]
    assert "Marks" in [t for _, t in wave.plot.getAxis("left")._tickLevels[0]]
    with qtbot.waitSignal(wave.mark_clicked) as sought:  # the call view plays from there
        point = wave.vb.mapViewToScene(QPointF(30.5, 0.08))
        qtbot.mouseClick(wave.plot.viewport(), Qt.MouseButton.LeftButton, pos=wave.plot.mapFromScene(point))
    assert sought.args == [30.5]
    wave.set_markers([])
    assert wave.markers() == []


def test_shading_for_silence_holds_and_overtalk(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path)
    wave.set_activity([(3.0, 6.0), (50.0, 50.5)], [(10.0, 40.0)], [(20.0, 20.4)])
    assert wave.silence_shading.spans() == [(3.0, 6.0), (50.0, 50.5)]
    assert wave.hold_shading.spans() == [(10.0, 40.0)]
    assert wave.overtalk_shading.spans() == [(20.0, 20.4)]
    image = wave.plot.grab().toImage()
    x = int(wave.x_for_time(20.2).x())
    y = int(wave.x_for_time(0).y()) + 30  # inside the agent lane, off its centre line
    colour = image.pixelColor(x, y)
    assert colour.red() > colour.blue()  # overtalk's orange over the hold's purple
    wave.set_activity([], [], [])
    assert wave.overtalk_shading.spans() == []


def test_scrollbar_wheel_and_follow(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path)
    wave.set_visible_range(10.0, 20.0)
    assert wave.scrollbar.value() == 10000 and wave.scrollbar.pageStep() == 10000
    wave.scrollbar.setValue(30000)
    assert wave.visible_range() == pytest.approx((30.0, 40.0))
    wave.scroll_by(10.0)  # past the end: stops at the end
    assert wave.visible_range() == pytest.approx((50.0, 60.0))

    centre = wave.x_for_time(55.0)
    for modifiers, angle in ((Qt.KeyboardModifier.NoModifier, 120), (Qt.KeyboardModifier.ShiftModifier, 120)):
        event = QWheelEvent(centre, wave.plot.viewport().mapToGlobal(centre), QPoint(), QPoint(0, angle),
                            Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(wave.plot.viewport(), event)
        if modifiers == Qt.KeyboardModifier.NoModifier:
            left, right = wave.visible_range()
            assert right - left == pytest.approx(8.0, rel=1e-3)  # 1.25× closer, around the pointer
            assert (55.0 - left) / (right - left) == pytest.approx(0.5, abs=0.01)
        else:
            assert wave.visible_range()[0] == pytest.approx(left - 0.8, abs=1e-3)  # a tenth of the view back

    wave.set_visible_range(0.0, 10.0)
    wave.set_position(12.0, follow=True)  # playing past the right edge pages on
    left, right = wave.visible_range()
    assert left < 12.0 < right and right - left == pytest.approx(10.0)
    wave.set_position(30.0)  # paused: the view stays where the reviewer put it
    assert wave.visible_range() == pytest.approx((left, right))
    wave.set_position(31.0, follow=True)  # playing, but the reviewer is looking elsewhere
    assert wave.visible_range() == pytest.approx((left, right))
    wave.set_position(45.0, reveal=True)  # the reviewer jumped there: show it
    left, right = wave.visible_range()
    assert left < 45.0 < right


def test_raw_samples_read_once_for_a_margin(qtbot, tmp_path):
    wave = make_waveform(qtbot, tmp_path)
    reads = []
    reader = wave._read_span
    wave._read_span = lambda a, b: reads.append((a, b)) or reader(a, b)
    wave.set_visible_range(5.0, 5.1)
    assert wave.drawn_from() == RAW and len(reads) == 1
    wave.set_visible_range(5.05, 5.15)  # a small scroll stays inside what was read
    wave.set_visible_range(4.95, 5.05)
    assert len(reads) == 1
    wave.set_visible_range(20.0, 20.1)
    assert len(reads) == 2
    wave._read_span = lambda a, b: (_ for _ in ()).throw(OSError("the share went away"))
    wave.set_visible_range(40.0, 40.1)
    assert wave.message() == "Could not read the recording: the share went away"


def test_nothing_drawn_before_the_envelope(qtbot):
    wave = WaveformView()
    qtbot.addWidget(wave)
    wave.set_call(30.0, 8000, [(0, "agent"), (1, "customer")])
    wave.show_message("Drawing waveform…")
    assert wave.drawn_from() is None and wave.message() == "Drawing waveform…"
    wave.set_selection(5.0, 2.0)
    assert wave.selection() == (2.0, 5.0)
    wave.set_selection(31.0, 40.0)  # entirely after the call: nothing to select
    assert wave.selection() is None
