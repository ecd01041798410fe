"""Peak envelopes for the call view's waveform: min/max per bin at several zoom levels.

One streaming pass over the recording builds every level: the finest from the samples,
each coarser one by folding the finer level's bins as they come out. Every level is
aligned to absolute frame positions (bin ``i`` covers frames ``i*size … (i+1)*size``)
and partly filled bins are carried across block boundaries, so the result does not
depend on the block size; only each level's last bin may cover fewer frames.

The envelope is cached per recording (by content hash) as int16 scaled by 32768 and
rounded outwards (a peak is never drawn lower than it is): exact for 16-bit telephone
audio, within 1/32768 for MP3 and float sources. A 2-hour stereo call's cache is
about 10 MB and loads in a few tens of milliseconds.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import paths
from ..jobs import JobContext
from ..wording import translate
from .decode import DecodeError, iter_blocks, recording_info

__all__ = ["BIN_SIZES", "Envelope", "build_envelope", "cache_path", "load_envelope"]

log = logging.getLogger(__name__)

# Samples per bin, finest first; each a multiple of the one before. 64 at 8 kHz is
# 8 ms (finer than that the view reads raw samples); 65536 is 8 s, so a 2-hour
# overview is ~900 bins.
BIN_SIZES = (64, 256, 1024, 4096, 16384, 65536)
CACHE_VERSION = 1
_SCALE = 32768.0
_HASH = re.compile(r"[0-9A-Za-z_-]{8,128}")


@dataclass(frozen=True, eq=False)
class Envelope:
    sample_rate: int
    frames: int                   # total frames (after the MP3 trim)
    channels: int
    bin_sizes: tuple[int, ...]    # samples per bin, finest level first
    mins: tuple[np.ndarray, ...]  # level i: float32 (channels, bins), -1..1, read-only
    maxs: tuple[np.ndarray, ...]

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0

    def level_for(self, samples_per_pixel: float) -> int:
        """The coarsest level whose bins are no wider than a pixel (so no peak is lost
        and the fewest bins are drawn), or -1 when a pixel is narrower than the finest
        bin: then draw raw samples (decode.read_span)."""
        level = -1
        for index, size in enumerate(self.bin_sizes):
            if size <= samples_per_pixel:
                level = index
        return level

    def slice(self, level: int, start_frame: int, stop_frame: int) -> tuple[np.ndarray, np.ndarray, int]:
        """(mins, maxs) as (channels, k) views of the bins touching [start_frame, stop_frame),
        and the first bin's frame. Out-of-range frames are clamped."""
        if not 0 <= level < len(self.bin_sizes):
            raise ValueError(f"no envelope level {level}; use raw samples below level 0")
        size = self.bin_sizes[level]
        bins = self.mins[level].shape[1]
        first = min(max(0, int(start_frame)) // size, bins)
        last = min(max(first, -(-int(stop_frame) // size)), bins)
        return self.mins[level][:, first:last], self.maxs[level][:, first:last], first * size


class _Level:
    """Folds runs of ``factor`` items into one (min, max), carrying a partly filled run
    from one push to the next."""

    def __init__(self, factor: int):
        self.factor = factor
        self.count = 0            # items in the partly filled run
        self.lo = self.hi = None  # its running (channels,) min and max
        self.mins: list[np.ndarray] = []
        self.maxs: list[np.ndarray] = []

    def push(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Take (channels, n) mins and maxs (the same array for raw samples); return the
        bins completed by them, already recorded here, for the next level to fold."""
        factor, width = self.factor, lo.shape[1]
        done_lo, done_hi = [], []
        used = 0
        if self.count:
            used = min(factor - self.count, width)
            if used:
                self.lo = np.minimum(self.lo, lo[:, :used].min(axis=1))
                self.hi = np.maximum(self.hi, hi[:, :used].max(axis=1))
                self.count += used
            if self.count == factor:
                done_lo.append(self.lo[:, None])
                done_hi.append(self.hi[:, None])
                self.count = 0
        runs = (width - used) // factor
        if runs:
            # Each channel's row is contiguous, so (channels, runs, factor) is a view and
            # the reduction runs over contiguous memory: the fast path in numpy.
            body = slice(used, used + runs * factor)
            done_lo.append(lo[:, body].reshape(lo.shape[0], runs, factor).min(axis=2))
            done_hi.append(hi[:, body].reshape(hi.shape[0], runs, factor).max(axis=2))
        tail = used + runs * factor
        if tail < width:
            self.lo, self.hi = lo[:, tail:].min(axis=1), hi[:, tail:].max(axis=1)
            self.count = width - tail
        return self._record(done_lo, done_hi)

    def finish(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Close the last, partly filled bin."""
        if not self.count:
            return None
        self.count = 0
        return self._record([self.lo[:, None]], [self.hi[:, None]])

    def _record(self, done_lo, done_hi):
        if not done_lo:
            return None
        lo = done_lo[0] if len(done_lo) == 1 else np.concatenate(done_lo, axis=1)
        hi = done_hi[0] if len(done_hi) == 1 else np.concatenate(done_hi, axis=1)
        self.mins.append(lo)
        self.maxs.append(hi)
        return lo, hi

    def result(self, channels: int, dtype) -> tuple[np.ndarray, np.ndarray]:
        if not self.mins:
            empty = np.zeros((channels, 0), dtype)
            return empty, empty.copy()
        return np.concatenate(self.mins, axis=1), np.concatenate(self.maxs, axis=1)


def build_envelope(path, *, ctx: JobContext | None = None, blocksize: int = 262144,
                   bin_sizes: tuple[int, ...] = BIN_SIZES) -> Envelope:
    """Decode ``path`` once, in blocks, and build every level. Raises DecodeError for a
    recording that cannot be decoded, jobs.Cancelled when ``ctx`` is cancelled."""
    return _envelope(*_build_levels(path, ctx, blocksize, bin_sizes))


def _build_levels(path, ctx: JobContext | None, blocksize: int = 262144, bin_sizes: tuple[int, ...] = BIN_SIZES):
    """(sample rate, frames, channels, bin sizes, [(mins, maxs) per level]) with the bins
    in the decoder's own type: int16 for 16-bit sources, float32 otherwise."""
    if any(b % a for a, b in zip(bin_sizes, bin_sizes[1:])):
        raise ValueError("each bin size must be a multiple of the one before")
    info = recording_info(path)
    levels = [_Level(bin_sizes[0])] + [_Level(b // a) for a, b in zip(bin_sizes, bin_sizes[1:])]
    frames = 0
    for samples in _channel_rows(iter_blocks(path, blocksize=blocksize, dtype=info.dtype)):
        done = (samples, samples)
        for level in levels:
            done = level.push(*done)
            if done is None:
                break
        frames += samples.shape[1]
        if ctx is not None:
            ctx.check_cancelled()
            ctx.progress(min(frames, info.frames), max(info.frames, frames))
    pending = None  # close the last bins, finest first, each feeding the next level
    for level in levels:
        outs = [out for out in (level.push(*pending) if pending else None, level.finish()) if out]
        pending = None
        if outs:
            pending = (np.concatenate([o[0] for o in outs], axis=1), np.concatenate([o[1] for o in outs], axis=1))
    if ctx is not None:
        ctx.progress(frames, frames)
    return (info.sample_rate, frames, info.channels, tuple(bin_sizes),
            [level.result(info.channels, info.dtype) for level in levels])


def _envelope(rate: int, frames: int, channels: int, bin_sizes: tuple[int, ...], levels) -> Envelope:
    return Envelope(rate, frames, channels, bin_sizes,
                    tuple(_as_float(lo) for lo, _ in levels), tuple(_as_float(hi) for _, hi in levels))


def _channel_rows(blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    for block in blocks:
        yield np.ascontiguousarray(block.T)  # (channels, n): one contiguous row per channel


def _as_float(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.int16:
        values = np.multiply(values, np.float32(1 / _SCALE), dtype=np.float32)  # exactly libsndfile's float
    values = values.astype(np.float32, copy=False)
    values.flags.writeable = False  # slices handed to the UI must not alter the cache's copy
    return values


# --- cache ------------------------------------------------------------------------------

def cache_path(content_hash: str) -> Path:
    if not _HASH.fullmatch(content_hash or ""):
        raise ValueError(f"not a content hash: {content_hash!r}")
    return paths.cache_dir() / "envelopes" / f"{content_hash}.npz"


def load_envelope(path, content_hash: str, *, ctx: JobContext | None = None) -> Envelope:
    """The cached envelope of the recording at ``path``, built and cached on a miss.

    A cache file that is unreadable, truncated, from another format version, or written
    for a file of a different size is rebuilt. Failing to write the cache (disk full,
    read-only profile) costs only the next open's speed, never the waveform.
    """
    target = cache_path(content_hash)
    try:
        file_bytes = os.stat(path).st_size
    except OSError as exc:
        raise DecodeError(path, translate("Errors", "the file cannot be read ({detail})").format(
            detail=exc.strerror or exc)) from None
    cached = _read_cache(target, file_bytes)
    if cached is not None:
        return cached
    rate, frames, channels, bin_sizes, levels = _build_levels(path, ctx)
    levels = [(_quantise(lo, np.floor), _quantise(hi, np.ceil)) for lo, hi in levels]
    try:
        _write_cache(target, (rate, frames, channels, bin_sizes, file_bytes), levels)
    except OSError as exc:
        log.warning("could not cache the waveform of %s in %s: %s", path, target, exc)
    return _envelope(rate, frames, channels, bin_sizes, levels)


def _quantise(values: np.ndarray, outwards) -> np.ndarray:
    """int16 bins for the cache; float bins rounded outwards so a peak is never drawn
    lower than it is. 16-bit sources' bins are int16 already: exact, no work."""
    if values.dtype == np.int16:
        return values
    return np.clip(outwards(values * _SCALE), -32768, 32767).astype(np.int16)


def _write_cache(target: Path, header: tuple, levels) -> None:
    rate, frames, channels, bin_sizes, file_bytes = header
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target.parent)
    arrays = {
        "meta": np.array([CACHE_VERSION, rate, frames, channels, file_bytes], np.int64),
        "bin_sizes": np.array(bin_sizes, np.int64),
    }
    for index, (lo, hi) in enumerate(levels):
        arrays[f"min{index}"], arrays[f"max{index}"] = lo, hi
    # Written beside the target and renamed over it: a reader sees the old file or the
    # whole new one, never half of one. No fsync: a file torn by a power cut fails the
    # zip CRC or the shape checks on the next load and is simply rebuilt.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _remove_stale_temporaries(folder: Path, older_than: float = 3600.0) -> None:
    """Temporaries left by a crash mid-write; young ones may belong to a running writer."""
    now = time.time()
    for leftover in folder.glob(".*.tmp"):
        try:
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()
        except OSError:
            pass


def _read_cache(target: Path, file_bytes: int) -> Envelope | None:
    try:
        with np.load(target, allow_pickle=False) as data:
            version, rate, frames, channels, cached_bytes = (int(v) for v in data["meta"])
            bin_sizes = tuple(int(v) for v in data["bin_sizes"])
            if version != CACHE_VERSION or cached_bytes != file_bytes or bin_sizes != BIN_SIZES:
                return None
            levels = []
            for index, size in enumerate(bin_sizes):
                lo, hi = data[f"min{index}"], data[f"max{index}"]
                expected = (channels, math.ceil(frames / size))
                if lo.dtype != np.int16 or hi.dtype != np.int16 or lo.shape != expected or hi.shape != expected:
                    return None
                levels.append((lo, hi))
    except FileNotFoundError:
        return None
    except Exception as exc:  # any damage at all (zipfile alone raises half a dozen kinds): rebuild
        log.info("rebuilding the damaged waveform cache %s: %s", target, exc)
        return None
    return _envelope(rate, frames, channels, bin_sizes, levels)
