"""The call view on the sample calls: opening from the library, keyboard, mouse, transcript, no sound card.

Real recordings (resources/samples), a real SQLite database, the real envelope,
metrics and Player; only the sound card is replaced, by FakeOutput, which the test
drives by pulling frames as PortAudio would.
"""

from __future__ import annotations


import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from recordings import write_call
from test_transcript_pane import LI_NA, SARAH, add_sample_transcript
from ui_data import make_window, wait_loaded

from qa_desk.audio.outputs import FakeOutput
from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.samples import load_sample_calls
from qa_desk.store.models import Call
from qa_desk.ui.call_view import CallView
from qa_desk.ui.waveform import RAW, format_time

ZHANG_WEI = "张伟_20261103-143311_13912345678.wav"


class Outputs:
    """An output factory for the Player that keeps every FakeOutput it made."""

    def __init__(self, **options):
        self.options = options
        self.made: list[FakeOutput] = []

    def __call__(self) -> FakeOutput:
        self.made.append(FakeOutput(**self.options))
        return self.made[-1]


@pytest.fixture
def samples(ui_db) -> dict[str, int]:
    """The four sample calls imported; file name → call id."""
    report = load_sample_calls(ui_db)
    assert report.count("imported") == 4
    with ui_db.session() as session:
        return {name: call_id for call_id, name in session.execute(select(Call.id, Call.file_name))}


def open_view(qtbot, db, call_id: int, outputs=None) -> CallView:
    from qa_desk.settings import login_name
    from qa_desk.store.users import local_user

    with db.session() as s:  # the file's local user, as the first run stores it (an admin by default)
        local_user(s, login_name(), "admin")
    view = CallView(db, output_factory=outputs or Outputs())
    qtbot.addWidget(view)  # closed at the end: the player stops, the jobs are let go
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    view.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    view.activateWindow()
    view.setFocus()
    return view


def press(qtbot, view, key, modifier=Qt.KeyboardModifier.NoModifier, *, on=None) -> float:
    """Press a key on the view (or on the widget in it that has the focus); the player's position after."""
    qtbot.keyClick(on or view, key, modifier)
    return view.player().position()


def test_opening_a_call_from_the_library(qtbot, services, samples):
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    page = window.calls_page
    row = next(r for r in range(page.model.rowCount()) if page.model.call_at(r).file_name == LI_NA)
    rect = page.view.visualRect(page.model.index(row, 0))
    # QTest's double click is only the second click: the item view wants the first one too.
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.showing_call() and window.current_area() == "calls"
    view = window.call_view
    qtbot.waitUntil(view.is_ready, timeout=20000)

    shown = view.header.values()
    assert shown["agent"] == "Li Na (1023)"
    for part in ("Billing CN", "2026-11-03 09:15:02", "0:32", "stereo, 8 kHz", "inbound", "billing-cn"):
        assert part in shown["details"]
    assert shown["talk"].startswith("agent 0:") and "customer 0:" in shown["talk"]
    assert shown["overtalk"] == "1 (customer started 1)"  # the scripted overlap at 20.7 s
    assert shown["first_words"] == "0.6 s"
    assert shown["silence"] == "4.0 s"  # the agent checking the bill
    assert view.waveform.lane_labels() == ["Agent", "Customer"]
    assert view.waveform.message() == ""
    silences = view.waveform.silence_shading.spans()
    assert any(13.0 < a < 13.6 and 16.8 < b < 17.4 for a, b in silences)
    assert [round(a) for a, _ in view.waveform.overtalk_shading.spans()] == [21]
    # The sample calls come with their scripted transcripts (WebVTT sidecars).
    assert view.transcript.pages.currentWidget() is not view.transcript.empty

    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert not window.showing_call()
    assert view.player() is None  # going back lets go of the recording
    page.view.selectRow(next(r for r in range(page.model.rowCount()) if page.model.call_at(r).file_name == SARAH))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert window.showing_call()
    qtbot.waitUntil(view.is_ready, timeout=20000)
    assert view.header.values()["agent"] == "Sarah Mitchell (2011)"
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert not window.showing_call()


def test_keyboard_moves_the_player(qtbot, ui_db, samples):
    outputs = Outputs()
    view = open_view(qtbot, ui_db, samples[SARAH], outputs)
    player, duration = view.player(), view.duration()
    assert press(qtbot, view, Qt.Key.Key_Right) == pytest.approx(5.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier) == pytest.approx(6.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_Left) == pytest.approx(1.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier) == pytest.approx(0.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_L) == pytest.approx(10.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_J) == pytest.approx(0.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_Left) == 0.0  # never before the start
    assert press(qtbot, view, Qt.Key.Key_End) == pytest.approx(duration, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_Home) == 0.0
    assert view.player_bar.position_label.text() == f"0:00.0 / 0:{int(duration):02d}.{int(duration * 10) % 10}"

    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert player.state == "playing"
    assert view.player_bar.play_button.text() == "Pause"
    fake = outputs.made[-1]
    assert player.wait_buffered(1.0)
    fake.pull(fake.rate)  # one second reaches the speaker
    assert player.position() == pytest.approx(1.0, abs=0.02)
    qtbot.waitUntil(lambda: view.waveform.position() == pytest.approx(1.0, abs=0.02), timeout=1000)  # the 30 Hz timer
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert player.state == "paused"
    assert player.position() == pytest.approx(1.0, abs=0.02)
    assert view.player_bar.play_button.text() == "Play"

    qtbot.keyClick(view, Qt.Key.Key_BracketRight)
    assert player.speed == 1.25 and view.player_bar.speed.currentText() == "1.25×"
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    assert player.speed == 0.5  # the slowest

    wave = view.waveform
    assert wave.visible_range() == pytest.approx((0.0, duration), abs=1e-6)
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: wave.visible_range()[1] - wave.visible_range()[0] == pytest.approx(duration / 2), timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: wave.visible_range()[1] - wave.visible_range()[0] == pytest.approx(duration), timeout=2000)
    wave.zoom_by(8.0)
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert wave.visible_range() == pytest.approx((0.0, duration), abs=1e-6)

    qtbot.keyClick(view, Qt.Key.Key_F1)
    help_rows = dict((what, keys) for keys, what in view._help.rows())
    assert view._help.isVisible()
    assert help_rows["Play or pause"] == "Space,  K" and help_rows["Back 10 seconds"] == "J"
    view._help.close()


def test_click_on_the_waveform_seeks_there(qtbot, ui_db, samples):
    view = open_view(qtbot, ui_db, samples[SARAH])
    wave = view.waveform
    wave.set_visible_range(10.0, 20.0)
    seconds_per_pixel = 10.0 / wave.vb.width()
    point = wave.x_for_time(12.5).toPoint()
    qtbot.mouseClick(wave.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.player().position() == pytest.approx(12.5, abs=2 * seconds_per_pixel)
    assert wave.position() == pytest.approx(12.5, abs=2 * seconds_per_pixel)
    assert wave.x_for_time(20.0).x() - wave.x_for_time(10.0).x() == pytest.approx(wave.vb.width(), abs=1)


def _drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(widget, start + (end - start) * step / 5)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drag_selects_a_span_and_loops_it(qtbot, ui_db, samples):
    view = open_view(qtbot, ui_db, samples[SARAH])
    wave = view.waveform
    tolerance = 2 * view.duration() / wave.vb.width()
    with qtbot.waitSignal(wave.selection_changed) as changed:
        _drag(qtbot, wave.plot.viewport(), wave.x_for_time(3.0).toPoint(), wave.x_for_time(7.0).toPoint())
    start, end = changed.args[0]
    assert (start, end) == pytest.approx((3.0, 7.0), abs=tolerance)
    assert wave.selection() == (start, end)
    assert view.selection_label.text() == f"Selected {format_time(start, 1)}–{format_time(end, 1)} ({end - start:.1f} s)"
    assert view.player_bar.loop.isEnabled()
    view.player_bar.loop.setChecked(True)
    assert view.player().loop == pytest.approx((start, end), abs=1e-3)
    qtbot.mouseClick(wave.plot.viewport(), Qt.MouseButton.LeftButton, pos=wave.x_for_time(5.0).toPoint())
    assert wave.selection() == (start, end)  # a click inside the span keeps it
    qtbot.mouseClick(wave.plot.viewport(), Qt.MouseButton.LeftButton, pos=wave.x_for_time(20.0).toPoint())
    assert wave.selection() is None
    assert not view.player_bar.loop.isChecked() and view.player().loop is None


def test_zooming_in_switches_to_raw_samples(qtbot, ui_db, tmp_path):
    recording = write_call(tmp_path / "Emma Clarke_20261105-090000_2125550100.wav", 400.0, seed=3)
    report = import_recordings(ui_db, [recording], ImportOptions(agent_channel="left"))
    view = open_view(qtbot, ui_db, report.outcomes[0].call_id)
    wave = view.waveform
    rate, width = 8000, wave.vb.width()
    env = wave._envelope
    assert wave.drawn_from() == env.level_for(view.duration() * rate / width) >= 1
    spans = (4500, 1100, 300, 70, 40, 3, 0.5)  # samples per pixel
    levels = []
    for samples_per_pixel in spans:
        wave.set_visible_range(10.0, 10.0 + samples_per_pixel * width / rate)
        levels.append(wave.drawn_from())
    assert levels == [3, 2, 1, 0, RAW, RAW, RAW]  # RAW: closer than the finest level's 64 samples
    assert levels[:4] == [env.level_for(s) for s in spans[:4]]
    x, y = wave._curves[0].getData()
    assert len(x) == pytest.approx(0.5 * width, rel=0.1) and x[0] >= 10.0 - 1 / rate  # one point per sample
    assert y.max() - y.min() > 0.1  # the agent is speaking at 10 s: the line leaves the lane's centre
    wave.zoom_fit()
    assert wave.drawn_from() == levels[0] or wave.drawn_from() >= 1


def test_transcript_follows_and_seeks(qtbot, ui_db, samples):
    add_sample_transcript(ui_db, samples[LI_NA], LI_NA)
    view = open_view(qtbot, ui_db, samples[LI_NA])
    pane = view.transcript
    assert pane.has_transcript()
    view.seek(8.6)
    assert pane.current_word() == "话费"
    position, start = pane.spot_for_word("退订，")
    qtbot.mouseClick(pane.text.viewport(), Qt.MouseButton.LeftButton, pos=pane.point_for_position(position))
    assert view.player().position() == pytest.approx(start, abs=1e-3)
    assert view.waveform.position() == pytest.approx(start, abs=1e-3)
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.search.hasFocus()
    pane.search.insert("退")  # typed with an input method: QTest can only type Latin-1
    assert pane.match_label.text() == "1 of 3"
    qtbot.keyClick(pane.search, Qt.Key.Key_Space)  # typing in the search box is not a shortcut
    assert view.player().state != "playing" and pane.search.text() == "退 "
    qtbot.keyClick(pane.search, Qt.Key.Key_Escape)
    assert pane.search.text() == ""


def test_no_sound_device_says_so_and_the_rest_works(qtbot, ui_db, samples):
    view = open_view(qtbot, ui_db, samples[ZHANG_WEI], Outputs(no_device=True))
    assert view.player_bar.error() == ""
    qtbot.keyClick(view, Qt.Key.Key_Space)
    message = view.player_bar.error()
    assert message.startswith("No audio output device") and "still work" in message
    assert view.player_bar.message.isVisible()
    assert view.player_bar.play_button.isEnabled()  # a headset plugged in later: press Play again
    assert view.player().state == "stopped"
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.waveform.position() == pytest.approx(5.0, abs=1e-3)
    assert view.header.values()["overtalk"] == "1 (agent started 1)"
    assert view.header.values()["agent"] == "张伟 (1047)"


def test_a_missing_recording_is_named(qtbot, services, add_calls):
    add_calls(1)
    window = make_window(qtbot, services)
    wait_loaded(qtbot, window.calls_page.model)
    call = window.calls_page.model.call_at(0)
    view = window.open_call(call.id)
    qtbot.waitUntil(lambda: view.call() is not None, timeout=10000)
    assert view.waveform.message() == f"The recording is missing: {call.file_path}"
    assert view.player_bar.error().startswith("The recording is missing")
    assert not view.player_bar.play_button.isEnabled()
    assert view.header.values()["agent"] == "张伟 (1047)"
    qtbot.keyClick(view, Qt.Key.Key_Right)  # nothing to play, nothing breaks
    assert view.waveform.position() == 5.0


def _window_on(qtbot, services, call_id: int, outputs=None):
    window = make_window(qtbot, services)
    window.audio_output_factory = outputs or Outputs()
    view = window.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    return window, view


def shoot(window, path) -> None:
    QApplication.processEvents()
    assert window.grab().save(str(path)), path
    assert path.stat().st_size > 10_000


def test_screenshots(qtbot, services, samples, screenshots_dir):
    add_sample_transcript(services.db, samples[LI_NA], LI_NA)
    window, view = _window_on(qtbot, services, samples[LI_NA])
    view.seek(8.6)  # the customer asking about the bill: "话费" lit in the transcript
    shoot(window, screenshots_dir / "call_view.png")

    view.waveform.set_visible_range(19.6, 22.4)
    view.waveform.set_selection(20.55, 21.35)
    view.waveform.set_markers([(20.716, "flag", "Customer talks over the agent"), (22.0, "comment", "Refund asked")])
    view.seek(20.9)
    view.transcript.search.setText("退")
    assert view.waveform.drawn_from() == RAW
    shoot(window, screenshots_dir / "call_view_zoomed.png")
    window.back_to_calls()

    view = window.open_call(samples[ZHANG_WEI])
    window.call_view._output_factory = Outputs(no_device=True)
    view.open_call(samples[ZHANG_WEI])
    qtbot.waitUntil(view.is_ready, timeout=20000)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.player_bar.error().startswith("No audio output device")
    view.seek(5.2)
    shoot(window, screenshots_dir / "call_view_no_audio_device.png")


def test_shortcuts_work_wherever_the_focus_is_in_the_view(qtbot, ui_db, samples):
    add_sample_transcript(ui_db, samples[LI_NA], LI_NA)
    view = open_view(qtbot, ui_db, samples[LI_NA])
    pane = view.transcript
    position, start = pane.spot_for_word("话费")
    qtbot.mouseClick(pane.text.viewport(), Qt.MouseButton.LeftButton, pos=pane.point_for_position(position))
    pane.text.setFocus()  # clicking a word leaves the focus in the transcript
    assert press(qtbot, view, Qt.Key.Key_Right, on=pane.text) == pytest.approx(start + 5.0, abs=1e-3)
    assert press(qtbot, view, Qt.Key.Key_J, on=pane.text) == pytest.approx(start - 5.0, abs=1e-3)
    view.waveform.plot.setFocus()
    assert press(qtbot, view, Qt.Key.Key_L, on=view.waveform.plot) == pytest.approx(start + 5.0, abs=1e-3)
    qtbot.keyClick(view.waveform.plot, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert view._help is not None and view._help.isVisible()
    view._help.close()
    left, right = view.waveform.visible_range()
    qtbot.keyClick(view.waveform.plot, Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.waveform.visible_range()[1] - view.waveform.visible_range()[0]
                    == pytest.approx((right - left) / 2), timeout=2000)
    view.activateWindow()  # as the window manager does when the help window closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=2000)
    view.waveform.set_selection(2.0, 4.0)
    qtbot.keyClick(view.waveform.plot, Qt.Key.Key_Escape)
    assert view.selection() is None
