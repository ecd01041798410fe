"""Decoding in blocks: exact samples, spans, resampling, channel lanes, and MP3s whose
frame 0 is the call's time 0 (clicks at known times, with and without a LAME tag)."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio import decode
from qa_desk.audio.decode import (
    DecodeError, channel_lanes, iter_blocks, iter_resampled, mp3_padding_frames, read_span, recording_info,
)

RATE = 8000


def _noise(frames: int, channels: int = 2, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((frames, channels)) * 4000).clip(-32768, 32767).astype(np.int16)


def _clicks(seconds: float, at: list[float], channels: int = 1) -> np.ndarray:
    """Near-silence (a telephone line's faint hiss) with short clicks at known times."""
    frames = int(seconds * RATE)
    signal = np.random.default_rng(0).normal(0, 0.001, (frames, channels)).astype(np.float32)
    for when in at:
        start = int(when * RATE)
        signal[start:start + 4] = 0.9
        signal[start + 4:start + 8] = -0.9
    return signal


def _lag(decoded: np.ndarray, original: np.ndarray) -> int:
    """Frames by which ``decoded`` runs late against ``original`` (cross-correlation)."""
    a, b = decoded[:, 0].astype(np.float64), original[:, 0].astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    lag = int(np.argmax(corr))
    return lag if lag < size // 2 else lag - size


def _strip_first_frame(source, target):
    """Drop the first MP3 frame, which holds the Xing/Info + LAME tag: what an encoder
    that writes no tag (a streaming recorder) leaves behind."""
    data = source.read_bytes()
    pos = decode._first_mp3_frame(data)
    header = data[pos:pos + 4]
    mpeg1 = (header[1] >> 3) & 3 == 3
    rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
    kbps = ((0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320) if mpeg1 else
            (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160))[header[2] >> 4]
    rate = rates[(header[1] >> 3) & 3][(header[2] >> 2) & 3]
    length = (144 if mpeg1 else 72) * kbps * 1000 // rate + ((header[2] >> 1) & 1)
    target.write_bytes(data[:pos] + data[pos + length:])
    return target


def test_blocks_are_the_samples_whatever_the_block_size(tmp_path):
    samples = _noise(10_007)
    path = tmp_path / "call.wav"
    sf.write(path, samples, RATE, subtype="PCM_16")
    expected = samples.astype(np.float32) / 32768
    for blocksize in (1, 1000, 4096, 65536):
        blocks = list(iter_blocks(path, blocksize=blocksize))
        assert all(b.dtype == np.float32 and b.shape[1] == 2 for b in blocks)
        assert max(len(b) for b in blocks) <= blocksize
        assert np.array_equal(np.concatenate(blocks), expected)
    as_int = np.concatenate(list(iter_blocks(path, blocksize=999, dtype="int16")))
    assert np.array_equal(as_int, samples)


def test_blocks_from_a_start_for_some_frames(tmp_path):
    samples = _noise(5000)
    path = tmp_path / "call.flac"
    sf.write(path, samples, RATE)
    part = np.concatenate(list(iter_blocks(path, blocksize=300, start=1234, frames=777)))
    assert np.array_equal(part, samples[1234:2011].astype(np.float32) / 32768)
    assert list(iter_blocks(path, start=5000)) == []
    assert len(np.concatenate(list(iter_blocks(path, start=4990, frames=100)))) == 10


def test_read_span_is_channels_by_frames(tmp_path):
    samples = _noise(6000)
    path = tmp_path / "call.wav"
    sf.write(path, samples, RATE, subtype="PCM_16")
    span = read_span(path, 2500, 2600)
    assert span.shape == (2, 100) and span.dtype == np.float32 and span.flags.c_contiguous
    assert np.array_equal(span, samples[2500:2600].T.astype(np.float32) / 32768)
    assert read_span(path, 5990, 7000).shape == (2, 10)   # clipped at the end of the call
    assert read_span(path, 7000, 8000).shape == (2, 0)
    assert read_span(path, 100, 100).shape == (2, 0)


def test_mono_recording(tmp_path):
    path = tmp_path / "mono.wav"
    sf.write(path, _noise(3000, channels=1), RATE, subtype="PCM_16")
    assert next(iter_blocks(path)).shape == (3000, 1)
    assert read_span(path, 0, 10).shape == (1, 10)
    assert recording_info(path) == (RATE, 1, 3000, np.dtype(np.int16))


def test_recording_info_picks_int16_only_where_exact(tmp_path):
    for subtype, dtype in (("PCM_16", np.int16), ("ULAW", np.int16), ("ALAW", np.int16),
                           ("PCM_24", np.float32), ("FLOAT", np.float32)):
        path = tmp_path / f"{subtype}.wav"
        sf.write(path, _noise(800), RATE, subtype=subtype)
        assert recording_info(path).dtype == dtype, subtype
        if dtype == np.int16:  # int16 / 32768 is exactly libsndfile's float for these
            as_float = np.concatenate(list(iter_blocks(path)))
            as_int = np.concatenate(list(iter_blocks(path, dtype="int16")))
            assert np.array_equal(as_float, as_int.astype(np.float32) / 32768)


def test_mp3_with_lame_tag_starts_at_time_zero(tmp_path):
    original = _clicks(3.0, [0.5, 2.25])
    path = tmp_path / "tagged.mp3"
    sf.write(path, original, RATE, format="MP3")  # libsndfile writes a Xing + LAME tag
    assert decode._lame_tag(path)[0] == 576
    assert mp3_padding_frames(path) == 0  # mpg123 applied the tag itself
    decoded = np.concatenate(list(iter_blocks(path)))
    assert len(decoded) == len(original)
    assert abs(_lag(decoded, original)) <= 8  # 1 ms at 8 kHz
    assert abs(int(np.argmax(np.abs(decoded[:, 0]))) - int(0.5 * RATE)) <= 16


def test_mp3_without_tag_is_trimmed_to_time_zero(tmp_path):
    original = _clicks(3.0, [1.25])
    tagged = tmp_path / "cbr.mp3"
    sf.write(tagged, original, RATE, format="MP3", bitrate_mode="CONSTANT", compression_level=0.0)
    untagged = _strip_first_frame(tagged, tmp_path / "untagged.mp3")
    assert decode._lame_tag(untagged) is None
    raw, _ = sf.read(untagged, dtype="float32", always_2d=True)
    assert _lag(raw, original) == decode.UNTAGGED_MP3_DELAY  # what libsndfile hands back: 1,105 late
    assert mp3_padding_frames(untagged) == 1105
    decoded = np.concatenate(list(iter_blocks(untagged, blocksize=1000)))
    assert abs(_lag(decoded, original)) <= 8
    assert len(original) <= len(decoded) < len(original) + 576  # end padding (< one MP3 frame) stays
    # Seeking lands on the same call time as reading from the start.
    span = read_span(untagged, 9000, 11000)
    assert np.allclose(span.T, decoded[9000:11000], atol=1e-6)


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed")
@pytest.mark.parametrize("xing", ["1", "0"])
def test_mp3_from_ffmpeg_lame_starts_at_time_zero(tmp_path, xing):
    original = _clicks(2.0, [0.75], channels=2)
    source = tmp_path / "source.wav"
    sf.write(source, original, RATE, subtype="FLOAT")
    path = tmp_path / f"ffmpeg_xing{xing}.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c:a", "libmp3lame", "-b:a", "32k",
                    "-write_xing", xing, str(path)], check=True)
    assert mp3_padding_frames(path) == (0 if xing == "1" else 1105)
    decoded = np.concatenate(list(iter_blocks(path)))
    assert abs(_lag(decoded, original)) <= 8


def test_mp3_blocks_match_one_whole_read(tmp_path):
    # soundfile's own read()/blocks() seek after every read and lose whole frames of
    # an MP3 after silence; ours must give the same samples as one big read.
    signal = np.zeros((RATE * 12, 2), np.float32)
    t = np.arange(int(RATE * 1.2)) / RATE
    for second in range(0, 12, 3):
        start = second * RATE
        signal[start:start + len(t), second % 2] = 0.4 * np.sin(2 * np.pi * 300 * t)
    path = tmp_path / "turns.mp3"
    sf.write(path, signal, RATE, format="MP3")
    whole, _ = sf.read(path, dtype="float32", always_2d=True)
    small = np.concatenate(list(iter_blocks(path, blocksize=1000)))
    assert small.shape == whole.shape
    assert np.allclose(small, whole, atol=1e-6)  # soundfile's reset at open moves a few ulps, no more
    for start in range(0, len(whole) - 2000, 2311):
        assert np.allclose(read_span(path, start, start + 2000).T, whole[start:start + 2000], atol=1e-6)


def test_padding_is_zero_for_everything_but_mp3(tmp_path):
    path = tmp_path / "call.wav"
    sf.write(path, _noise(100), RATE, subtype="PCM_16")
    assert mp3_padding_frames(path) == 0
    assert mp3_padding_frames(tmp_path / "missing.mp3") == 0


def test_resampled_to_16k_keeps_pitch_and_channels(tmp_path):
    t = np.arange(RATE * 2) / RATE
    signal = np.zeros((len(t), 2), np.float32)
    signal[:, 0] = 0.5 * np.sin(2 * np.pi * 440 * t)  # agent: a tone; customer: silence
    path = tmp_path / "call.wav"
    sf.write(path, signal, RATE, subtype="PCM_16")
    out = np.concatenate(list(iter_resampled(path, blocksize=3000)))
    assert out.dtype == np.float32 and out.shape[1] == 2
    assert abs(len(out) - 2 * len(signal)) <= 2
    spectrum = np.abs(np.fft.rfft(out[4000:-4000, 0]))
    assert abs(np.argmax(spectrum) * decode.TARGET_RATE / (len(out) - 8000) - 440) < 2
    assert np.abs(out[:, 1]).max() < 1e-3
    native = tmp_path / "wide.wav"
    sf.write(native, signal[:1000], 16000, subtype="PCM_16")
    assert len(np.concatenate(list(iter_resampled(native)))) == 1000  # already 16 kHz: passed through


def test_channel_lanes_put_agent_first():
    assert channel_lanes({"0": "customer", "1": "agent"}) == [(1, "agent"), (0, "customer")]
    assert channel_lanes({"0": "agent", "1": "customer"}) == [(0, "agent"), (1, "customer")]
    assert channel_lanes({"0": "mixed"}) == [(0, "mixed")]
    assert channel_lanes({"2": "supervisor", "1": "Customer", "0": "agent"}) == [
        (0, "agent"), (1, "customer"), (2, "other")]
    assert channel_lanes({"x": "agent", "0": "agent"}) == [(0, "agent")]
    assert channel_lanes({}) == []


def test_unreadable_recordings_name_the_file(tmp_path):
    with pytest.raises(DecodeError, match="missing.wav: the file does not exist"):
        list(iter_blocks(tmp_path / "missing.wav"))
    note = tmp_path / "note.wav"
    note.write_text("not audio at all\n" * 50)
    with pytest.raises(DecodeError, match="note.wav: the recording cannot be decoded"):
        read_span(note, 0, 10)
