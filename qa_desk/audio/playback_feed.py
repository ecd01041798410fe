"""What the player's feeder thread runs: call audio → speed → device rate, in chunks.

Every chunk that leaves carries the call frame its first frame stands for and
how many call frames each output frame covers (``step``). The player's
playhead is computed from these numbers only, so it shows call time at any
speed, across a loop's wrap and through resampling, with no drift: we never
add up rounded block durations.

Stages, each streaming and aligned at their origin:

- decode with ``decode.iter_blocks``, as the waveform does (MP3 delay
  trimmed the same way, so playback time is waveform time), keeping the
  listening columns: [agent, customer] for a two-sided recording, else one
  column (the mono mix);
- time-stretch with WSOLA (audiotsm) when speed ≠ 1, pitch preserved. One
  shift is chosen for both sides (``_LinkedWSOLAConverter``): audiotsm would
  otherwise pick a shift per channel, moving the agent against the customer
  by up to half a frame and blurring who spoke over whom;
- resample with soxr to the device's rate, only when the device refused the
  call's own rate.

A feed is built for one start point and thrown away on seek, speed change or
loop change: rebuilding costs well under a millisecond and keeps the state
simple. A loop is a wrap in the decode stage, so the stretch and resample
stages see one continuous signal and the join is seamless.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np

from audiotsm.base import AnalysisSynthesisTSM
from audiotsm.io.array import ArrayReader, ArrayWriter
from audiotsm.utils.windows import hanning
from audiotsm.wsola import WSOLAConverter

from qa_desk.audio.decode import iter_blocks, recording_info

__all__ = ["CallSource", "Chunk", "PlaybackFeed"]


class Chunk(NamedTuple):
    audio: np.ndarray | None  # (n, columns) float32, C-contiguous; None marks the end of the call
    src: float                # call frame of audio[0] (for the end marker: the call's last frame)
    step: float               # call frames per output frame


class CallSource:
    """A call recording as playback sees it: length, rate and listening columns."""

    def __init__(self, path, channel_map: dict[str, str] | None):
        self.path = Path(path)
        info = recording_info(self.path)  # DecodeError names the file when it cannot be played
        self.rate, self.channels, self.frames = int(info.sample_rate), int(info.channels), int(info.frames)
        roles = {str(v): int(k) for k, v in (channel_map or {}).items() if str(k).isdigit()}
        agent, customer = roles.get("agent"), roles.get("customer")
        if agent is not None and customer is not None and max(agent, customer) < self.channels:
            self.columns: tuple[int, ...] | None = (agent, customer)
        else:
            self.columns = None  # one side only, mixed, or unknown layout: play the mono mix

    @property
    def two_sided(self) -> bool:
        return self.columns is not None

    @property
    def width(self) -> int:
        return 2 if self.columns is not None else 1

    def blocks(self, start: int, stop: int, blocksize: int) -> Iterator[np.ndarray]:
        """(n, width) float32 blocks for call frames [start, stop)."""
        raw = iter_blocks(self.path, blocksize=blocksize, start=start, frames=max(0, stop - start))
        try:
            for block in raw:
                if self.columns is not None:
                    yield block[:, list(self.columns)]  # fancy indexing copies: C-contiguous
                elif block.shape[1] == 1:
                    yield block
                else:
                    yield block.mean(axis=1, keepdims=True, dtype=np.float32)
        finally:
            raw.close()


class _LinkedWSOLAConverter(WSOLAConverter):
    """WSOLA with one shift for all channels (see the module note)."""

    def convert_frame(self, analysis_frame):
        fl, hop = self._frame_length, self._synthesis_hop
        if self._first:
            delta = 0
        else:
            mix = analysis_frame[:, :-hop].sum(axis=0)
            delta = int(np.argmax(np.correlate(mix, self._natural_progression.sum(axis=0))))
        self._synthesis_frame[:] = analysis_frame[:, delta:delta + fl]
        self._natural_progression[:] = analysis_frame[:, delta + hop:delta + hop + fl]
        self._first = False
        return self._synthesis_frame


def _make_wsola(channels: int, rate: int, speed: float):
    # ~30 ms frames suit speech: 256 at 8 kHz, 512 at 16 kHz, 1024 at 44.1/48 kHz.
    frame_length = 1 << int(math.log2(max(128.0, rate * 0.04)))
    synthesis_hop = frame_length // 2
    analysis_hop = max(1, round(synthesis_hop * speed))
    tolerance = frame_length // 2
    converter = _LinkedWSOLAConverter(channels, frame_length, synthesis_hop, tolerance)
    tsm = AnalysisSynthesisTSM(converter, channels, frame_length, analysis_hop, synthesis_hop,
                               None, hanning(frame_length), tolerance, tolerance + synthesis_hop)
    # The stretch really applied is analysis/synthesis hop; the playhead uses it, not `speed`.
    return tsm, analysis_hop / synthesis_hop, 2 * frame_length + 2 * tolerance + synthesis_hop


class PlaybackFeed:
    """Produces the output chunks for playback from ``start`` (a call frame)."""

    def __init__(self, source: CallSource, *, start: int, out_rate: int, speed: float = 1.0,
                 loop: tuple[int, int] | None = None, blocksize: int | None = None):
        self._source = source
        self._loop = loop if loop and loop[1] > loop[0] else None
        self._pos = max(0, min(int(start), source.frames))
        self._blocksize = blocksize or max(256, source.rate // 20)  # 50 ms: a seek is heard quickly
        self._blocks: Iterator[np.ndarray] | None = None
        self._spans: list[list[float]] = []  # [virtual start, call frame, length]: what was fed
        self._v_in = 0        # call frames fed since `start`, counting loop repeats
        self._k_out = 0       # output frames produced since `start`
        self.ended = False
        self._tsm = None
        ratio = 1.0
        if abs(speed - 1.0) > 1e-6:
            self._tsm, ratio, self._tail = _make_wsola(source.width, source.rate, speed)
        self._resampler = None
        if out_rate != source.rate:
            import soxr

            self._resampler = soxr.ResampleStream(source.rate, out_rate, source.width, dtype="float32")
        self.step = ratio * source.rate / out_rate  # call frames per output frame

    def close(self) -> None:
        blocks, self._blocks = self._blocks, None
        if blocks is not None and hasattr(blocks, "close"):
            blocks.close()

    def produce(self) -> list[Chunk]:
        """Decode one block and return what comes out the far end (maybe nothing
        yet: the stretch and resample stages hold back a few milliseconds)."""
        if self.ended:
            return []
        block = self._next_block()
        finishing = block is None
        width = self._source.width
        out = np.zeros((0, width), np.float32) if finishing else block
        if self._tsm is not None:
            out = self._stretch(out, finishing)
        if self._resampler is not None:
            out = self._resampler.resample_chunk(np.ascontiguousarray(out), last=finishing)
        if finishing:
            expected = round(self._v_in / self.step)  # the stages' tails are padding, not call audio
            out = out[:max(0, expected - self._k_out)]
        chunks = self._map(out)
        if finishing:
            self.ended = True
            self.close()
            chunks.append(Chunk(None, float(self._pos), 0.0))
        return chunks

    def _next_block(self) -> np.ndarray | None:
        stop = self._loop[1] if self._loop else self._source.frames
        fresh = False
        while True:
            if self._blocks is None:
                if self._pos >= stop:
                    if self._loop is None:
                        return None
                    self._pos = self._loop[0]
                self._blocks = self._source.blocks(self._pos, stop, self._blocksize)
                fresh = True
            block = next(self._blocks, None)
            if block is not None and len(block):
                break
            self._blocks = None
            if self._loop is None or fresh:
                return None  # the decoder ran out (or a loop span has no audio): the call ends here
            self._pos = stop
        src = self._pos
        n = len(block)
        self._pos += n
        last = self._spans[-1] if self._spans else None
        if last is not None and last[1] + last[2] == src and last[0] + last[2] == self._v_in:
            last[2] += n
        else:
            self._spans.append([float(self._v_in), float(src), float(n)])
        self._v_in += n
        return block

    def _stretch(self, block: np.ndarray, finishing: bool) -> np.ndarray:
        tsm, width = self._tsm, self._source.width
        writer = ArrayWriter(width)
        if finishing:
            block = np.zeros((self._tail, width), np.float32)
        reader = ArrayReader(block.T)
        done = False
        while not (done and reader.empty):
            tsm.read_from(reader)
            _, done = tsm.write_to(writer)
        if finishing:
            done = False
            while not done:
                _, done = tsm.flush_to(writer)
        return writer.data.T.astype(np.float32)

    def _map(self, out: np.ndarray) -> list[Chunk]:
        """Cut output frames at loop wraps and tag each piece with its call frame."""
        chunks: list[Chunk] = []
        step, first, n = self.step, self._k_out, len(out)
        k, end = first, first + n
        spans = self._spans
        while k < end:
            v = k * step
            while len(spans) > 1 and v >= spans[1][0]:
                spans.pop(0)
            vs, src, length = spans[0]
            if v >= vs + length:  # the last frames of a stretched ending: hold at the end
                k_stop, start, piece_step = end, src + length, 0.0
            else:
                k_stop = min(end, max(k + 1, math.ceil((vs + length) / step)))
                start, piece_step = src + (v - vs), step
            chunks.append(Chunk(np.ascontiguousarray(out[k - first:k_stop - first]), start, piece_step))
            k = k_stop
        self._k_out = end
        return chunks
