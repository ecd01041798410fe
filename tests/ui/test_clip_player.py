"""The clip player: a clip's own audio on its waveform, its words lit as it plays,
handles that move its start and end, and a playlist played straight through.

Clips are cut from the real sample recordings; the sound card is a FakeOutput the
test pulls frames from, as PortAudio would.
"""

from __future__ import annotations

import pytest
from clip_data import sample_calls, sample_clips
from test_call_view import Outputs

from qa_desk.permissions import Actor
from qa_desk.store.clips import get_clip
from qa_desk.ui.clip_player import ClipPlayer


@pytest.fixture
def clips(ui_db):
    return sample_clips(ui_db, sample_calls(ui_db))


def make_player(qtbot, db, outputs=None) -> ClipPlayer:
    player = ClipPlayer(lambda: db, output_factory=outputs or Outputs(), actor=lambda: Actor("王芳", "trainer"))
    qtbot.addWidget(player)
    player.resize(760, 560)
    player.show()
    return player


def show(qtbot, player, clip_id, **options):
    player.show_clip(clip_id, **options)
    qtbot.waitUntil(player.is_ready, timeout=10000)


def hear(player, outputs, seconds: float) -> None:
    """Let the fake sound card play `seconds` of the clip, then let the view catch up."""
    fake, engine = outputs.made[-1], player.player()
    frames = int(seconds * fake.rate)
    while frames > 0 and fake.started:
        assert engine.wait_buffered(0.05)
        fake.pull(min(400, frames))
        frames -= 400
    player._tick()


def test_a_clip_shows_its_own_audio_words_and_span(qtbot, ui_db, clips):
    player = make_player(qtbot, ui_db)
    assert player.pages.currentWidget() is player.empty
    clip = clips[1]  # 让客户久等后主动致歉, cut with half a second of roll each side
    show(qtbot, player, clip.id)
    assert player.header.title.text() == clip.title
    assert "Good example" in player.header.meta.text() and "Li Na" in player.header.meta.text()
    start, end = player.waveform.selection()
    assert start == pytest.approx(clip.start - player.offset()) and end == pytest.approx(clip.end - player.offset())
    assert player.offset() == pytest.approx(clip.start - 0.5)
    assert player.waveform.drawn_from() is not None  # the envelope of the clip's own audio
    assert "抱歉让您久等了" in player.transcript.text.toPlainText()
    assert player.transcript.flag_words("clip")  # the clip's words tinted against the roll
    assert player.span_editor.start_box.text() == "0:17.19"
    strings = player.waveform.plot.getAxis("bottom").tickStrings([0.0 - player.offset() + 18.0], 1, 1)
    assert strings == ["0:18"]  # the axis speaks call time


def test_playing_lights_the_words_as_they_are_heard(qtbot, ui_db, clips):
    outputs = Outputs()
    player = make_player(qtbot, ui_db, outputs)
    show(qtbot, player, clips[0].id)
    player.toggle_play()
    assert player.player().state == "playing" and player.play_button.text() == "Pause"
    hear(player, outputs, 1.5)
    assert player.player().position() == pytest.approx(1.5, abs=0.05)
    assert player.transcript.current_word() is not None
    assert player.position_label.text().startswith("0:01.6")  # in call time: the audio starts at 0.1 s
    assert player.waveform.position() == pytest.approx(1.5, abs=0.05)
    spot = player.transcript.spot_for_word("工号")
    player.transcript.seek_requested.emit(spot[1])  # a click on a word plays from it
    assert player.player().position() == pytest.approx(spot[1] - player.offset(), abs=0.01)


def test_handles_move_the_clip_and_it_is_cut_again(qtbot, ui_db, clips):
    player = make_player(qtbot, ui_db)
    clip = clips[0]
    show(qtbot, player, clip.id)
    assert not player.span_editor.apply_button.isEnabled()
    # Drag the end handle back to about 3 s (the region reports when the drag ends).
    offset = player.offset()
    player.waveform.region.setRegion((clip.start - offset, 3.0 - offset))
    player.waveform.region.sigRegionChangeFinished.emit(player.waveform.region)
    assert player.pending_span() == (pytest.approx(clip.start), pytest.approx(3.0))
    assert player.span_editor.end_box.text() == "0:03.00"
    # A click beside the span seeks and keeps the span.
    player.waveform._clicked(0.05)
    qtbot.wait(10)
    assert player.waveform.selection() is not None
    with qtbot.waitSignal(player.clip_changed, timeout=10000) as changed:
        player.span_editor.apply_button.click()
    moved = changed.args[0]
    assert moved.start == pytest.approx(0.6) and 2.5 < moved.end < 3.4  # snapped to a word's end
    qtbot.waitUntil(player.is_ready, timeout=10000)
    assert player.clip().end == moved.end and player.pending_span() is None
    # Typing an earlier start reaches past the audio kept; Reset goes back.
    player.span_editor.start_box.setValue(0.0)
    assert player.pending_span() == (0.0, pytest.approx(moved.end, abs=0.01))
    player.span_editor.reset_button.click()
    assert player.pending_span() is None
    with ui_db.session() as session:
        assert get_clip(session, clip.id).end == moved.end


def test_a_playlist_plays_straight_through(qtbot, ui_db, clips):
    outputs = Outputs()
    player = make_player(qtbot, ui_db, outputs)
    ids = [clips[3].id, clips[0].id, clips[5].id]
    player.play_playlist(ids, "Week 1")
    for number, clip_id in enumerate(ids):
        qtbot.waitUntil(lambda: player.is_ready() and player.clip().id == clip_id, timeout=10000)
        assert player.playlist_position() == (number, 3)
        assert player.playlist_label.text() == f"Week 1: clip {number + 1} of 3"
        assert player.player().state == "playing"
        player.player().seek(player.player().duration - 0.2)
        hear(player, outputs, 1.0)
    qtbot.waitUntil(lambda: player.playlist_position() is None, timeout=5000)
    assert player.playlist_position() is None and not player.playlist_label.text()
    assert player.clip().id == ids[-1] and player.player().state == "stopped"


def test_picking_another_clip_stops_the_playlist(qtbot, ui_db, clips):
    player = make_player(qtbot, ui_db)
    player.play_playlist([clips[0].id, clips[1].id])
    qtbot.waitUntil(player.is_ready, timeout=10000)
    show(qtbot, player, clips[4].id)
    assert player.playlist_position() is None and player.player().state != "playing"


def test_a_clip_whose_call_was_deleted_still_plays_but_cannot_move(qtbot, ui_db, clips):
    from sqlalchemy import delete

    from qa_desk.store.models import Call

    with ui_db.session() as session:
        session.execute(delete(Call).where(Call.id == clips[2].call_id))
    player = make_player(qtbot, ui_db)
    show(qtbot, player, clips[2].id)
    assert not player.span_editor.isEnabled() and "deleted" in player.span_editor.toolTip()
    assert player.waveform.lane_labels() == ["Channel 1", "Channel 2"]
    assert player.player() is not None


def test_clip_player_screenshot(qtbot, ui_db, clips, screenshots_dir):
    outputs = Outputs()
    player = make_player(qtbot, ui_db, outputs)
    player.resize(820, 600)
    show(qtbot, player, clips[2].id)
    player.toggle_play()
    hear(player, outputs, 3.2)
    player.toggle_play()
    qtbot.wait(50)
    assert player.grab().save(str(screenshots_dir / "clip_player.png"))
