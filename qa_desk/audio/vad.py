"""Who is speaking when: voice activity per channel, from the audio's energy.

Call recordings are mostly telephone audio (8 kHz, often μ-law) with a line-noise
floor somewhere between digital silence and -40 dBFS, and each side recorded at its
own level. A fixed threshold fails on one call or the next, so each lane tracks its
own noise floor:

* every 20 ms frame gets an energy in dBFS (DC removed, so a recorder's offset or a
  hum's mean does not count as speech);
* the noise floor falls quickly to quiet frames and rises slowly (a few dB per
  second) through loud ones: pauses between words keep pulling it back to the line
  noise, while a real change of line noise is followed within seconds;
* a frame is speech when it is ``margin_db`` above the floor and above an absolute
  gate (a digitally silent line would otherwise call its dither speech);
* gaps shorter than the hangover join the speech around them (pauses between words
  are not turns), and bursts shorter than ``min_speech_ms`` are dropped (clicks).

Decoding streams block by block; the detector keeps only one energy per frame
(2 hours of stereo is ~3 MB), so the floor can start from the call's own quiet
frames before the adaptive tracking runs. Results do not depend on the block size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..jobs import JobContext
from ..wording import translate

__all__ = ["Segment", "SpeechDetector", "speech_segments", "channel_activity", "measure_activity", "lanes_of"]

FRAME_MS = 20
HANGOVER_MS = 200
MIN_SPEECH_MS = 120
MARGIN_DB = 10.0  # speech stands this far above the line noise
GATE_DB = -60.0  # never speech below this, whatever the floor (digital silence, dither)
FLOOR_RISE_DB_PER_S = 2.0  # slow: a monologue must not lift the floor into the speech
FLOOR_FALL = 0.3  # fast: share of the way to a quieter frame the floor moves in one frame
_SILENT_DB = -120.0  # energy of digital zero, so log10 never sees 0
_BLOCKSIZE = 65536


@dataclass(frozen=True)
class Segment:
    """A stretch of a call in seconds from its start (speech, silence, a hold)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class SpeechDetector:
    """Frames one lane's samples as they stream in; ``segments()`` decides at the end.

    Samples left over at a block's end wait for the next block, so the frames (and
    hence the result) are the same whatever the block size.
    """

    def __init__(
        self, rate: int, *, frame_ms: int = FRAME_MS, hangover_ms: int = HANGOVER_MS,
        min_speech_ms: int = MIN_SPEECH_MS, margin_db: float = MARGIN_DB, gate_db: float = GATE_DB,
    ):
        if rate <= 0:
            raise ValueError(f"sample rate must be positive, not {rate}")
        self.rate = rate
        self.frame_len = max(1, round(rate * frame_ms / 1000))
        self.frame_s = self.frame_len / rate
        self.hangover_s = hangover_ms / 1000
        self.min_speech_s = min_speech_ms / 1000
        self.margin_db = margin_db
        self.gate_db = gate_db
        self._rest = np.zeros(0, dtype=np.float64)
        self._energies: list[np.ndarray] = []
        self.samples = 0

    def feed(self, samples: np.ndarray) -> None:
        samples = np.asarray(samples, dtype=np.float64).reshape(-1)
        self.samples += samples.size
        if self._rest.size:
            samples = np.concatenate([self._rest, samples])
        whole = samples.size // self.frame_len * self.frame_len
        if whole:
            self._energies.append(_frame_db(samples[:whole].reshape(-1, self.frame_len)))
        self._rest = samples[whole:].copy()

    @property
    def duration(self) -> float:
        return self.samples / self.rate

    def energies(self) -> np.ndarray:
        """dBFS per frame, the last (partial) frame included."""
        parts = list(self._energies)
        if self._rest.size:
            parts.append(_frame_db(self._rest.reshape(1, -1)))
        return np.concatenate(parts) if parts else np.zeros(0)

    def segments(self) -> list[Segment]:
        energies = self.energies()
        if energies.size == 0:
            return []
        active = _speech_frames(energies, self.frame_s, self.margin_db, self.gate_db)
        return _runs_to_segments(active, self.frame_s, self.hangover_s, self.min_speech_s, self.duration)


def _frame_db(frames: np.ndarray) -> np.ndarray:
    centred = frames - frames.mean(axis=1, keepdims=True)
    power = np.einsum("ij,ij->i", centred, centred) / frames.shape[1]
    return np.maximum(10.0 * np.log10(np.maximum(power, 1e-30)), _SILENT_DB)


def _speech_frames(energies: np.ndarray, frame_s: float, margin_db: float, gate_db: float) -> np.ndarray:
    # Start from the call's own quiet: nearly every call has a tenth of its time
    # without speech on each side, and starting there means the first words of a
    # call (before any pause taught the tracker the noise) are not lost.
    floor = float(np.percentile(energies, 10))
    rise = FLOOR_RISE_DB_PER_S * frame_s
    active = np.zeros(energies.size, dtype=bool)
    for i, level in enumerate(energies.tolist()):
        active[i] = level > floor + margin_db and level > gate_db
        if level < floor:
            floor += FLOOR_FALL * (level - floor)
        else:
            floor += min(rise, level - floor)
    return active


def _runs_to_segments(
    active: np.ndarray, frame_s: float, hangover_s: float, min_speech_s: float, duration: float
) -> list[Segment]:
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)  # exclusive frame index
    merged: list[list[int]] = []
    # A gap is joined when it is shorter than the hangover (in whole frames, with a
    # little slack so 200 ms / 20 ms does not become 9.999 frames).
    max_gap = math.ceil(hangover_s / frame_s - 1e-9)
    for start, stop in zip(starts.tolist(), stops.tolist()):
        if merged and start - merged[-1][1] < max_gap:
            merged[-1][1] = stop
        else:
            merged.append([start, stop])
    segments = []
    for start, stop in merged:
        begin, end = start * frame_s, min(stop * frame_s, duration)
        if end - begin >= min_speech_s - 1e-9:
            segments.append(Segment(round(begin, 6), round(end, 6)))
    return segments


def speech_segments(
    samples: np.ndarray, rate: int, *, frame_ms: int = FRAME_MS, hangover_ms: int = HANGOVER_MS,
    min_speech_ms: int = MIN_SPEECH_MS,
) -> list[Segment]:
    """Speech in one lane's samples (1-D, or (n, 1)), as segments in seconds."""
    samples = np.asarray(samples)
    if samples.ndim == 2 and samples.shape[1] == 1:
        samples = samples[:, 0]
    if samples.ndim != 1:
        raise ValueError("speech_segments takes one channel; use channel_activity for a call")
    detector = SpeechDetector(rate, frame_ms=frame_ms, hangover_ms=hangover_ms, min_speech_ms=min_speech_ms)
    detector.feed(samples)
    return detector.segments()


def lanes_of(channel_map: dict[str, str], channels: int) -> dict[str, list[int]]:
    """Speaker lane → channel indexes, with decode.channel_lanes' reading of the map
    (so the metrics' lanes are the waveform's lanes); unnamed channels are left out.

    Two channels with the same speaker (e.g. a stereo call declared "mixed") are
    mixed down into one lane; a map naming no channel of the file means one mixed lane.
    """
    from .decode import channel_lanes

    lanes: dict[str, list[int]] = {}
    for index, who in channel_lanes(channel_map):
        if index < channels:
            lanes.setdefault(who, []).append(index)
    if not lanes:
        lanes["mixed"] = list(range(channels))
    return lanes


def _blocks(path, blocksize: int) -> Iterator[np.ndarray]:
    """The call's audio as float32 (n, channels) blocks, frame 0 = the call's time 0.

    decode trims an MP3's encoder delay, so these times match the waveform and the
    player (imported here: the audio layer's modules load only what a job needs).
    """
    from .decode import iter_blocks

    return iter_blocks(path, blocksize=blocksize)


def measure_activity(
    path, channel_map: dict[str, str], *, ctx: JobContext | None = None, blocksize: int = _BLOCKSIZE,
    rate: int | None = None,
) -> tuple[dict[str, list[Segment]], float]:
    """Speech segments per speaker lane of a recording, and the decoded duration in seconds.

    ``rate`` is the file's sample rate when the caller knows it (the stored call);
    otherwise the file's header is asked.
    """
    from .decode import recording_info

    info = recording_info(path)  # raises decode's DecodeError naming the file
    rate = rate or info.sample_rate
    total = info.frames  # for progress only: an untagged MP3's count is an estimate
    detectors: dict[str, SpeechDetector] = {}
    lanes: dict[str, list[int]] | None = None
    done = 0
    if ctx:
        ctx.status(translate("Jobs", "Finding speech and silence"))
    for block in _blocks(path, blocksize):
        if ctx:
            ctx.check_cancelled()
        block = np.asarray(block)
        if block.ndim == 1:
            block = block[:, None]
        if lanes is None:
            lanes = lanes_of(channel_map, block.shape[1])
            detectors = {who: SpeechDetector(rate) for who in lanes}
        for who, indexes in lanes.items():
            detectors[who].feed(block[:, indexes[0]] if len(indexes) == 1 else block[:, indexes].mean(axis=1))
        done += block.shape[0]
        if ctx and total:
            ctx.progress(min(done, total), total)
    if ctx and total:
        ctx.progress(total, total)
    if lanes is None:  # no audio at all
        lanes = lanes_of(channel_map, max(len(channel_map), 1))
        detectors = {who: SpeechDetector(rate) for who in lanes}
    return {who: detector.segments() for who, detector in detectors.items()}, done / rate


def channel_activity(path, channel_map: dict[str, str], *, ctx: JobContext | None = None) -> dict[str, list[Segment]]:
    """Speaker lane ("agent", "customer", "mixed", …) → speech segments, streaming the file."""
    return measure_activity(path, channel_map, ctx=ctx)[0]
