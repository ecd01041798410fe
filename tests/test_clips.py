"""Making clips from a real recording: the span snaps to words, the audio copy is the
recording's own samples (with the roll), and the clip outlives its call."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import delete

from qa_desk.clips import adjust_clip, clip_sound, excerpt_utterances, plan_span, save_clip
from qa_desk.store.calls import add_call
from qa_desk.permissions import Actor
from qa_desk.store.clips import ClipDetails, ClipError, get_clip
from qa_desk.store.models import Call
from qa_desk.store.transcripts import UtteranceRow, replace_transcript
from tests.recordings import write_call
from tests.store_data import call_row

TRAINER = Actor("王芳", "trainer")  # who keeps the training library

WORDS = [("您好", 1.0, 1.4), ("请问", 1.5, 1.9), ("有", 2.0, 2.1), ("什么", 2.1, 2.5), ("可以", 2.6, 3.0),
         ("帮", 3.0, 3.2), ("您", 3.2, 3.5)]


def _recorded_call(db, tmp_path, seconds=8.0):
    path = write_call(tmp_path / "call.wav", seconds, subtype="PCM_16")
    with db.session() as s:
        call_id = add_call(s, call_row("call.wav", file_path=str(path), duration=seconds))
        replace_transcript(s, call_id, engine="test", model_name="t", language="zh", utterances=[
            UtteranceRow("agent", 1.0, 3.5, "您好 请问 有 什么 可以 帮 您",
                         [{"word": w, "start": a, "end": b, "conf": 0.9} for w, a, b in WORDS]),
            UtteranceRow("customer", 4.5, 6.0, "我 要 投诉", [{"word": "我要投诉", "start": 4.5, "end": 6.0}]),
        ])
    return call_id, path


def test_a_span_snaps_to_the_words_it_touches_and_the_roll_widens_only_the_audio():
    from qa_desk.store.transcripts import UtteranceView, Word

    lines = [UtteranceView("agent", 1.0, 3.5, "", tuple(Word(w, a, b) for w, a, b in WORDS))]
    span = plan_span(8.0, lines, 1.7, 2.3, pre_roll=0.5, post_roll=0.5)
    assert (span.start, span.end) == (1.5, 2.5)  # 请问 … 什么, whole words
    assert (span.audio_start, span.audio_end) == (1.0, 3.0)
    assert plan_span(8.0, lines, 2.3, 1.7, snap=False).start == 1.7  # handles dragged past each other
    assert plan_span(8.0, [], 7.5, 9.0, post_roll=1).audio_end == 8.0  # clamped to the call
    with pytest.raises(ClipError, match="pre- and post-roll"):
        plan_span(8.0, lines, 1, 2, pre_roll=30)


def test_the_clip_keeps_the_recordings_own_samples_and_lines(db, tmp_path):
    call_id, path = _recorded_call(db, tmp_path)
    clip = save_clip(db, call_id, 1.7, 2.3, ClipDetails("Greeting", "good", ("opening",)), actor=TRAINER, pre_roll=0.5)
    assert (clip.start, clip.end) == (1.5, 2.5)
    sound = clip_sound(db, clip.id)
    original, rate = sf.read(path, dtype="int16", always_2d=True)
    assert sound.start == 1.0 and sound.sample_rate == rate and sound.channels == 2
    assert np.array_equal(sound.samples, original[int(1.0 * rate):int(2.5 * rate)])
    [line] = excerpt_utterances(clip)  # the customer's line is outside the audio
    assert line.speaker == "agent" and line.words[1].word == "请问"


def test_the_clip_outlives_its_call_but_cannot_be_moved_without_it(db, tmp_path):
    call_id, path = _recorded_call(db, tmp_path)
    clip = save_clip(db, call_id, 4.0, 6.5, ClipDetails("Complaint"), actor=TRAINER)
    assert (clip.start, clip.end) == (4.5, 6.0)
    moved = adjust_clip(db, clip.id, 1.2, 6.0, actor=TRAINER)
    assert moved.start == 1.0 and len(moved.excerpt) == 2
    path.unlink()  # the recording's retention period is over…
    with db.session() as s:
        s.execute(delete(Call).where(Call.id == call_id))  # …and the call is deleted
    assert len(clip_sound(db, clip.id).samples) == int(5.0 * 8000)
    with db.session() as s:
        assert get_clip(s, clip.id).call_id is None
    with pytest.raises(ClipError, match="call was deleted"):
        adjust_clip(db, clip.id, 1.0, 2.0, actor=TRAINER)


def test_an_unreadable_recording_is_refused_with_its_name(db, tmp_path):
    call_id, path = _recorded_call(db, tmp_path)
    path.write_bytes(b"not audio any more")
    with pytest.raises(ClipError, match="call.wav"):
        save_clip(db, call_id, 1.0, 2.0, ClipDetails("x"), actor=TRAINER)
    with db.session() as s:
        assert s.query(Call).count() == 1
