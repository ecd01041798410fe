"""Waveform envelopes: known signals give known bins at every level, the block size
changes nothing, and the cache is used, checked and rebuilt."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio import envelope as envelope_module
from qa_desk.audio.decode import DecodeError
from qa_desk.audio.envelope import BIN_SIZES, build_envelope, cache_path, load_envelope
from qa_desk.jobs import Cancelled, JobContext

RATE = 8000
HASH = "ab" * 32


def _write(path, samples, rate=RATE, **kwargs):
    sf.write(path, samples, rate, **({"subtype": "PCM_16"} if not kwargs else kwargs))
    return path


def _brute_force(samples: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin min and max the slow, obvious way; (channels, bins) in -1..1."""
    values = samples.astype(np.float32) / 32768
    bins = range(0, len(values), size)
    return (np.array([values[i:i + size].min(axis=0) for i in bins]).T,
            np.array([values[i:i + size].max(axis=0) for i in bins]).T)


def _noise(frames, channels=2, seed=5):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((frames, channels)) * 6000).clip(-32768, 32767).astype(np.int16)


def test_ramp_gives_first_and_last_sample_of_each_bin(tmp_path):
    frames = 3 * 65536 + 12345  # the last bin of every level is partly filled
    ramp = ((np.arange(frames) % 65536) - 32768).astype(np.int16)[:, None]
    env = build_envelope(_write(tmp_path / "ramp.wav", ramp))
    assert (env.sample_rate, env.frames, env.channels, env.bin_sizes) == (RATE, frames, 1, BIN_SIZES)
    for level, size in enumerate(BIN_SIZES):
        starts = np.arange(0, frames, size)
        ends = np.minimum(starts + size, frames) - 1
        # The ramp wraps at 65536, a multiple of every bin size, so within a bin it rises.
        assert env.mins[level].shape == (1, len(starts))
        assert np.array_equal(env.mins[level][0], ramp[starts, 0] / np.float32(32768))
        assert np.array_equal(env.maxs[level][0], ramp[ends, 0] / np.float32(32768))
        assert env.mins[level].dtype == np.float32


def test_burst_on_the_customer_lane_lands_in_the_right_bins(tmp_path):
    frames, burst_start, burst_length = RATE * 20, 70_000, 4_000
    samples = np.zeros((frames, 2), np.int16)
    t = np.arange(burst_length) / RATE
    samples[burst_start:burst_start + burst_length, 1] = (16000 * np.sin(2 * np.pi * 500 * t)).astype(np.int16)
    env = build_envelope(_write(tmp_path / "burst.wav", samples))
    for level, size in enumerate(BIN_SIZES):
        loud = np.nonzero(env.maxs[level][1] > 0.25)[0]
        assert loud[0] == burst_start // size and loud[-1] == (burst_start + burst_length - 1) // size
        assert env.mins[level][1].min() < -0.45 and env.maxs[level][1].max() > 0.45
        assert not env.mins[level][0].any() and not env.maxs[level][0].any()  # the agent lane stays silent


@pytest.mark.parametrize("frames", [1, 63, 64, 65, 99_999])
def test_every_level_matches_brute_force(tmp_path, frames):
    samples = _noise(frames)
    env = build_envelope(_write(tmp_path / "noise.wav", samples), blocksize=1000)
    for level, size in enumerate(BIN_SIZES):
        lo, hi = _brute_force(samples, size)
        assert np.array_equal(env.mins[level], lo) and np.array_equal(env.maxs[level], hi), (frames, size)


def test_block_size_changes_nothing(tmp_path):
    path = _write(tmp_path / "call.wav", _noise(300_007))
    reference = build_envelope(path, blocksize=65536)
    for blocksize in (1000, 77, 262144):
        other = build_envelope(path, blocksize=blocksize)
        assert other.frames == reference.frames
        for level in range(len(BIN_SIZES)):
            assert np.array_equal(other.mins[level], reference.mins[level])
            assert np.array_equal(other.maxs[level], reference.maxs[level])


def test_mono_and_float_sources(tmp_path):
    samples = np.linspace(-0.5, 0.75, 5000, dtype=np.float32)[:, None]
    env = build_envelope(_write(tmp_path / "mono.wav", samples, subtype="FLOAT"))
    assert env.channels == 1 and env.mins[0].shape == (1, -(-5000 // 64))
    assert env.mins[0][0, 0] == np.float32(-0.5) and env.maxs[0][0, -1] == np.float32(0.75)


def test_mp3_envelope_is_in_call_time(tmp_path):
    signal = np.zeros((RATE * 4, 1), np.float32)
    signal[RATE * 2:RATE * 2 + 800] = 0.5 * np.sin(2 * np.pi * 400 * np.arange(800) / RATE)[:, None]
    path = tmp_path / "call.mp3"
    sf.write(path, signal, RATE, format="MP3")
    env = build_envelope(path)
    assert env.frames == len(signal)
    loud = np.nonzero(env.maxs[0][0] > 0.2)[0]
    assert abs(loud[0] - RATE * 2 // 64) <= 1 and abs(loud[-1] - (RATE * 2 + 799) // 64) <= 1


def test_level_for_picks_the_coarsest_level_no_wider_than_a_pixel(tmp_path):
    env = build_envelope(_write(tmp_path / "call.wav", _noise(1000)))
    assert env.level_for(1) == -1 and env.level_for(63.9) == -1  # zoomed in: raw samples
    assert env.level_for(64) == 0 and env.level_for(255) == 0
    assert env.level_for(256) == 1 and env.level_for(5000) == 3
    assert env.level_for(10 ** 9) == len(BIN_SIZES) - 1


def test_slice_returns_the_bins_of_the_window(tmp_path):
    samples = _noise(100_000)
    env = build_envelope(_write(tmp_path / "call.wav", samples))
    mins, maxs, first = env.slice(1, 1000, 3000)  # 256-frame bins 3..11 cover frames 768..3072
    assert first == 768 and mins.shape == maxs.shape == (2, 9)
    lo, hi = _brute_force(samples[768:3072], 256)
    assert np.array_equal(mins, lo) and np.array_equal(maxs, hi)
    mins, _, first = env.slice(0, -500, 10 ** 9)  # clamped to the call
    assert first == 0 and mins.shape[1] == env.mins[0].shape[1]
    assert env.slice(2, 200_000, 300_000)[0].shape == (2, 0)
    with pytest.raises(ValueError):
        env.slice(-1, 0, 100)
    with pytest.raises(ValueError):
        mins[0, 0] = 1.0  # read-only: the UI cannot scribble on the envelope


def test_progress_and_cancel(tmp_path):
    path = _write(tmp_path / "call.wav", _noise(200_000))
    seen = []
    build_envelope(path, ctx=JobContext(on_progress=lambda done, total: seen.append((done, total)), min_interval=0),
                   blocksize=50_000)
    assert seen[-1] == (200_000, 200_000) and len(seen) >= 4
    ctx = JobContext()
    ctx.cancel()
    with pytest.raises(Cancelled):
        load_envelope(path, HASH, ctx=ctx)
    assert not cache_path(HASH).exists()


def test_second_load_comes_from_the_cache(tmp_path, monkeypatch):
    samples = _noise(50_000)
    path = _write(tmp_path / "call.wav", samples)
    first = load_envelope(path, HASH)
    cached = cache_path(HASH)
    assert cached.parent.name == "envelopes" and cached.exists()
    stamp = cached.stat().st_mtime_ns

    def no_decoding(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(envelope_module, "_build_levels", no_decoding)
    monkeypatch.setattr(envelope_module, "iter_blocks", no_decoding)
    second = load_envelope(path, HASH)
    assert cached.stat().st_mtime_ns == stamp
    assert (second.frames, second.channels, second.sample_rate) == (50_000, 2, RATE)
    for level, size in enumerate(BIN_SIZES):  # 16-bit audio is cached exactly
        lo, hi = _brute_force(samples, size)
        assert np.array_equal(second.mins[level], lo) and np.array_equal(first.maxs[level], hi)
        assert np.array_equal(second.maxs[level], hi)


def test_float_sources_are_cached_rounded_outwards(tmp_path):
    samples = np.random.default_rng(2).uniform(-0.9, 0.9, (9000, 1)).astype(np.float32)
    path = _write(tmp_path / "float.wav", samples, subtype="FLOAT")
    exact = build_envelope(path)
    cached = load_envelope(path, HASH)
    for level in range(len(BIN_SIZES)):
        assert np.all(cached.mins[level] <= exact.mins[level]) and np.all(cached.maxs[level] >= exact.maxs[level])
        assert np.abs(cached.mins[level] - exact.mins[level]).max() <= 1 / 32768


def _count_builds(monkeypatch):
    builds = []
    real = envelope_module._build_levels

    def counting(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(envelope_module, "_build_levels", counting)
    return builds


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "flipped byte"])
def test_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch, damage):
    path = _write(tmp_path / "call.wav", _noise(40_000))
    good = load_envelope(path, HASH)
    cached = cache_path(HASH)
    data = cached.read_bytes()
    broken = {
        "truncated": data[:len(data) // 2],
        "garbage": os.urandom(len(data)),
        "empty": b"",
        "flipped byte": _flip(data, len(data) // 2),  # inside the finest level's bins
    }[damage]
    cached.write_bytes(broken)
    builds = _count_builds(monkeypatch)
    again = load_envelope(path, HASH)
    assert builds == [1]
    assert np.array_equal(again.maxs[0], good.maxs[0])
    assert cached.read_bytes() != broken
    load_envelope(path, HASH)
    assert builds == [1]  # and the rebuilt file is good


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1:]


def test_no_flipped_byte_goes_unnoticed_in_what_is_drawn(tmp_path):
    # The zip's CRC covers the bins, our checks the header and shapes; a flip the
    # checks miss may only land in zip bookkeeping that changes nothing drawn.
    path = _write(tmp_path / "call.wav", _noise(40_000))
    good = load_envelope(path, HASH)
    cached = cache_path(HASH)
    data = cached.read_bytes()
    size = os.path.getsize(path)
    for offset in range(0, len(data), 67):
        cached.write_bytes(_flip(data, offset))
        read = envelope_module._read_cache(cached, size)
        if read is not None:
            assert (read.frames, read.channels, read.sample_rate) == (good.frames, good.channels, good.sample_rate)
            assert all(np.array_equal(a, b) for a, b in zip(read.mins + read.maxs, good.mins + good.maxs)), offset


def test_a_cache_for_a_different_file_length_is_rebuilt(tmp_path, monkeypatch):
    path = _write(tmp_path / "call.wav", _noise(40_000))
    load_envelope(path, HASH)
    _write(path, _noise(60_000))  # the recorder was still writing when we first looked
    builds = _count_builds(monkeypatch)
    env = load_envelope(path, HASH)
    assert builds == [1] and env.frames == 60_000


def test_a_failed_write_leaves_no_half_file(tmp_path, monkeypatch):
    path = _write(tmp_path / "call.wav", _noise(40_000))

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(envelope_module.np, "savez", crash)
    env = load_envelope(path, HASH)  # the waveform still opens
    assert env.frames == 40_000
    folder = cache_path(HASH).parent
    assert list(folder.iterdir()) == []


def test_bad_hash_and_missing_recording(tmp_path):
    with pytest.raises(ValueError):
        cache_path("../../etc/passwd")
    with pytest.raises(DecodeError, match="gone.wav"):
        load_envelope(tmp_path / "gone.wav", HASH)
