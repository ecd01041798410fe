"""A clip cut from real recordings (WAV, FLAC, 24-bit, MP3), its hidden stretches beeped
or silenced, written as WAV/FLAC/MP3 and read back sample by sample; the word snapping rule."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio import clip_audio
from qa_desk.audio.clip_audio import (
    BEEP_HZ,
    BEEP_LEVEL,
    FADE_SECONDS,
    ClipAudioError,
    clip_audio_formats,
    clip_bounds,
    cut_clip,
    export_clip,
    hide_spans,
    snap_to_words,
    write_clip,
)
from qa_desk.audio.decode import DecodeError
from qa_desk.transcription.words import Word
from recordings import write_call

RATE = 8000
FADE = int(round(FADE_SECONDS * RATE))


def original(path, dtype="int16") -> np.ndarray:
    return sf.read(path, dtype=dtype, always_2d=True)[0]


def frames(seconds: float) -> int:
    return int(round(seconds * RATE))


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.fixture
def call_wav(tmp_path):
    return write_call(tmp_path / "call.wav", 6.0, sample_rate=RATE, channels=2, subtype="PCM_16", seed=3)


# --- cutting ----------------------------------------------------------------------------------


def test_a_cut_is_the_recordings_own_samples_rate_and_channels(call_wav, tmp_path):
    clip = cut_clip(call_wav, 1.25, 3.5)
    assert (clip.sample_rate, clip.channels, clip.samples.dtype) == (RATE, 2, np.int16)
    assert (clip.start, clip.end) == (1.25, 3.5)
    assert np.array_equal(clip.samples, original(call_wav)[frames(1.25):frames(3.5)])
    for suffix in ("wav", "flac"):
        out = write_clip(clip, tmp_path / f"clip.{suffix}")
        info = sf.info(out)
        assert (info.format, info.subtype, info.samplerate, info.channels) == (suffix.upper(), "PCM_16", RATE, 2)
        assert np.array_equal(original(out), clip.samples)  # bit for bit


def test_pre_and_post_roll_are_clamped_to_the_recording(call_wav):
    clip = cut_clip(call_wav, 0.3, 5.8, pre_roll=0.5, post_roll=0.5)
    assert (clip.start, clip.end) == (0.0, 6.0)
    assert np.array_equal(clip.samples, original(call_wav))
    clip = cut_clip(call_wav, 2.0, 3.0, pre_roll=0.5, post_roll=0.25)
    assert (clip.start, clip.end) == (1.5, 3.25)
    assert cut_clip(call_wav, 5.5, 9.0).end == 6.0  # an end past the recording is its end


def test_a_flac_a_mono_and_a_24_bit_recording(tmp_path):
    flac = write_call(tmp_path / "call.flac", 4.0, sample_rate=16000, channels=1, seed=4)
    clip = cut_clip(flac, 1.0, 2.0)
    assert (clip.sample_rate, clip.channels) == (16000, 1)
    assert np.array_equal(clip.samples, original(flac)[16000:32000])
    deep = write_call(tmp_path / "call24.wav", 3.0, sample_rate=RATE, subtype="PCM_24", seed=5)
    clip = cut_clip(deep, 0.5, 1.5)
    assert clip.samples.dtype == np.float32
    assert np.allclose(clip.samples, original(deep, "float32")[frames(0.5):frames(1.5)], atol=1e-6)
    out = write_clip(clip, tmp_path / "deep.wav")
    assert sf.info(out).subtype == "PCM_16"
    assert np.allclose(original(out, "float32"), clip.samples, atol=1 / 16000)


def test_an_mp3_recording_can_be_clipped(tmp_path):
    if "mp3" not in clip_audio_formats():
        pytest.skip("this libsndfile does not write MP3")
    mp3 = write_call(tmp_path / "call.mp3", 4.0, sample_rate=RATE, format="MP3", subtype="MPEG_LAYER_III")
    clip = cut_clip(mp3, 1.0, 3.0)
    assert (clip.sample_rate, clip.channels, len(clip.samples)) == (RATE, 2, 2 * RATE)


def test_spans_that_cannot_be_clips(call_wav, tmp_path):
    with pytest.raises(ClipAudioError, match="ends .* before it starts"):
        cut_clip(call_wav, 3.0, 2.0)
    with pytest.raises(ClipAudioError, match="after the recording ends"):
        cut_clip(call_wav, 6.5, 8.0)
    with pytest.raises(ClipAudioError, match="empty"):
        cut_clip(call_wav, 2.0, 2.0)
    with pytest.raises(ClipAudioError, match="negative"):
        clip_bounds(1.0, 2.0, 6.0, pre_roll=-1.0)
    with pytest.raises(ClipAudioError, match="numbers"):
        clip_bounds(float("nan"), 2.0, 6.0)
    assert clip_bounds(2.0, 2.0, 6.0, pre_roll=0.5) == (1.5, 2.0)  # a point with a roll is a clip
    with pytest.raises(DecodeError, match="gone.wav"):
        cut_clip(tmp_path / "gone.wav", 0.0, 1.0)


# --- hiding -----------------------------------------------------------------------------------


def test_a_silenced_span_is_zero_and_the_rest_is_the_recording(call_wav, tmp_path):
    out = export_clip(call_wav, tmp_path / "clip.wav", 1.0, 5.0, hidden=[(2.0, 2.75)], how="silence")
    clip, source = original(out), original(call_wav)[frames(1.0):frames(5.0)]
    a, b = frames(1.0), frames(1.75)  # the span in clip frames
    assert not clip[a:b].any()
    assert np.array_equal(clip[:a - FADE], source[:a - FADE])
    assert np.array_equal(clip[b + FADE:], source[b + FADE:])
    # Fades, not steps, into and out of the silence.
    assert np.all(np.abs(clip[a - FADE:a].astype(int)) <= np.abs(source[a - FADE:a].astype(int)))
    assert np.abs(clip[a - 1].astype(int)).max() <= np.abs(source[a - 1].astype(int)).max() * 0.1 + 1


def test_a_beeped_span_is_a_one_kilohertz_tone_on_every_channel(call_wav, tmp_path):
    out = export_clip(call_wav, tmp_path / "clip.flac", 0.5, 4.5, hidden=[(1.5, 2.5)])
    clip, source = original(out, "float32"), original(call_wav, "float32")[frames(0.5):frames(4.5)]
    a, b = frames(1.0), frames(2.0)
    for channel in range(2):
        tone = clip[a + FADE:b - FADE, channel]
        assert peak_hz(tone, RATE) == pytest.approx(BEEP_HZ, abs=5)
        assert np.sqrt(np.mean(tone ** 2)) == pytest.approx(BEEP_LEVEL / np.sqrt(2), rel=0.02)  # -20 dBFS sine
        # Nothing of the speech under it survives: the beep minus a pure sine is ~0.
        t = np.arange(b - a) / RATE
        pure = BEEP_LEVEL * np.sin(2 * np.pi * BEEP_HZ * t)[FADE:b - a - FADE]
        assert np.abs(tone - pure).max() < 2e-4
    assert abs(clip[a, 0]) < 0.001 and abs(clip[b - 1, 0]) < 0.01  # the beep fades in and out
    assert np.array_equal(original(out)[:a - FADE], original(call_wav)[frames(0.5):frames(0.5) + a - FADE])
    assert np.array_equal(clip[b + FADE:], source[b + FADE:])


def test_spans_outside_overlapping_or_close_together(call_wav):
    clip = cut_clip(call_wav, 2.0, 4.0)
    hidden = hide_spans(clip, [(0.5, 1.0), (1.5, 2.25), (3.0, 3.2), (3.1, 3.4), (3.41, 3.6), (5.0, 7.0)],
                        how="silence")
    assert not hidden.samples[:frames(0.25)].any()  # the part of (1.5, 2.25) inside the clip
    assert not hidden.samples[frames(1.0):frames(1.6)].any()  # merged: no fade back in between them
    assert np.array_equal(hidden.samples[frames(0.25) + FADE:frames(1.0) - FADE],
                          clip.samples[frames(0.25) + FADE:frames(1.0) - FADE])
    assert np.array_equal(hidden.samples[frames(1.6) + FADE:], clip.samples[frames(1.6) + FADE:])
    assert np.array_equal(clip.samples, original(call_wav)[frames(2.0):frames(4.0)])  # the cut is untouched
    assert np.array_equal(hide_spans(clip, []).samples, clip.samples)
    with pytest.raises(ClipAudioError, match="beep' or 'silence"):
        hide_spans(clip, [(2.5, 3.0)], how="bleep")


def test_a_very_short_span_is_still_hidden(call_wav):
    clip = cut_clip(call_wav, 0.0, 2.0)
    hidden = hide_spans(clip, [(1.0, 1.002)])  # 16 frames: shorter than two fades
    assert np.abs(hidden.samples[frames(1.0):frames(1.002)].astype(int)).max() <= BEEP_LEVEL * 32767 + 1


# --- writing ----------------------------------------------------------------------------------


def test_mp3_is_written_where_libsndfile_can(call_wav, tmp_path):
    if "mp3" not in clip_audio_formats():
        pytest.skip("this libsndfile does not write MP3")
    out = export_clip(call_wav, tmp_path / "clip.mp3", 1.0, 3.0, hidden=[(1.5, 2.0)])
    info = sf.info(out)
    assert (info.format, info.samplerate, info.channels) == ("MP3", RATE, 2)
    decoded = original(out, "float32")
    assert abs(len(decoded) - 2 * RATE) <= 1152  # give or take an MP3 frame
    assert peak_hz(decoded[frames(0.6):frames(0.9), 0], RATE) == pytest.approx(BEEP_HZ, abs=10)


def test_without_mp3_support_the_error_says_what_is_needed(call_wav, tmp_path, monkeypatch):
    monkeypatch.setattr(clip_audio.sf, "available_formats", lambda: {"WAV": "WAV", "FLAC": "FLAC"})
    assert clip_audio_formats() == ("wav", "flac")
    with pytest.raises(ClipAudioError, match="MP3 export needs libsndfile 1.1 or newer"):
        export_clip(call_wav, tmp_path / "clip.mp3", 1.0, 2.0)
    assert not list(tmp_path.glob("clip*"))


def test_formats_and_failures_leave_no_partial_files(call_wav, tmp_path):
    assert clip_audio_formats()[:2] == ("wav", "flac")
    with pytest.raises(ClipAudioError, match="clip.ogg.*wav, flac or mp3"):
        export_clip(call_wav, tmp_path / "clip.ogg", 1.0, 2.0)
    out = export_clip(call_wav, tmp_path / "clip.bin", 1.0, 2.0, format="FLAC")
    assert sf.info(out).format == "FLAC"
    odd = clip_audio.ClipAudio(np.zeros((100, 2), np.int16), 5, 0.0)  # no MP3 at 5 Hz
    if "mp3" in clip_audio_formats():
        with pytest.raises(ClipAudioError, match="cannot be written as MP3 at 5 Hz"):
            write_clip(odd, tmp_path / "odd.mp3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav", "clip.bin"]


# --- snapping to words --------------------------------------------------------------------------

WORDS = [Word("您好", 0.5, 1.0), Word("请问", 1.0, 1.4), Word("有", 1.4, 1.55), Word("什么", 2.5, 2.9),
         Word("可以", 2.9, 3.3), Word("帮您", 3.3, 3.8)]


@pytest.mark.parametrize(("span", "snapped"), [
    ((0.7, 1.2), (0.5, 1.4)),  # inside words: out to their edges
    ((1.0, 1.4), (1.0, 1.4)),  # already on boundaries: back-to-back neighbours not pulled in
    ((1.2, 2.6), (1.0, 2.9)),  # across a pause
    ((1.6, 2.4), (1.6, 2.4)),  # in the gap between words: nothing to snap to
    ((1.5, 2.0), (1.4, 1.55)),  # ending in a gap: the end moves back to the last word's end
    ((2.0, 2.6), (2.5, 2.9)),  # starting in a gap: the start moves on to the word's start
    ((1.2, 1.2), (1.0, 1.4)),  # a click: the word under it
    ((3.5, 9.0), (3.3, 3.8)),  # past the end of the speech
    ((2.6, 1.2), (1.0, 2.9)),  # handles dragged past each other
])
def test_snap_to_words(span, snapped):
    assert snap_to_words(*span, WORDS) == pytest.approx(snapped)


def test_snapping_twice_changes_nothing():
    for span in [(0.7, 1.2), (1.2, 2.6), (0.0, 5.0), (3.0, 3.1)]:
        once = snap_to_words(*span, WORDS)
        assert snap_to_words(*once, WORDS) == once


def test_rolls_and_the_call_length_bound_the_span():
    assert snap_to_words(0.7, 1.2, WORDS, pre_roll=0.3, post_roll=0.5) == pytest.approx((0.2, 1.9))
    assert snap_to_words(0.7, 1.2, WORDS, pre_roll=2.0) == pytest.approx((0.0, 1.4))
    assert snap_to_words(3.5, 9.0, WORDS, post_roll=1.0, duration=4.2) == pytest.approx((3.3, 4.2))
    assert snap_to_words(8.0, 9.0, WORDS, duration=6.0) == (6.0, 6.0)  # past the end: clamped
    assert snap_to_words(-1.0, 0.2, [], duration=6.0) == (0.0, 0.2)  # no transcript: only clamped


def test_stored_words_as_dicts_and_zero_length_words():
    stored = [{"word": "hello", "start": 1.0, "end": 1.4, "conf": 0.9}, {"word": "uh", "start": 2.0, "end": 2.0}]
    assert snap_to_words(1.1, 1.2, stored) == (1.0, 1.4)
    assert snap_to_words(1.9, 2.1, stored) == (1.9, 2.1)  # not shrunk to nothing
    assert snap_to_words(0.9, 2.1, stored) == (1.0, 2.0)
