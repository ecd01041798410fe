"""The queue between the feeder thread and the speaker, and what has been heard.

The audio callback (``fill``) only copies: queued chunks go into the device
buffer through a small gain matrix (listen-to and volume, see ``playback``),
so a change of either is heard within one device block, at the cost of a
plain copy. It takes one lock for the length of that copy, never waits for
decoding, and outputs silence when the feeder is behind.

Each copy is remembered as a piece: (DAC time, frames, call frame of the
first, call frames per output frame). ``heard(now)`` finds the piece at the
speaker now and moves through it with the clock, but never past its end:
without that clamp the playhead jumped up to 1.5 s whenever callbacks
stalled. Keeping the pieces (not only the last) also takes the device's
latency into account: the playhead shows what is heard, not what was last
handed to the device.
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from qa_desk.audio.playback_feed import Chunk
from qa_desk.wording import translate

__all__ = ["OutputQueue"]


class OutputQueue:
    def __init__(self, *, history: int = 2048):
        self.lock = threading.Lock()
        self.rate = 8000              # output frames per second (the device's rate)
        self.mix = np.ones((1, 2), np.float32)  # queued columns -> output channels, volume included
        self.queued = 0               # output frames waiting (including the rest of the current chunk)
        self.end_dac: float | None = None  # when the call's last frame reaches the speaker
        self.error: str | None = None
        self._chunks: deque[Chunk] = deque()
        self._chunk: Chunk | None = None
        self._offset = 0
        self._pieces: deque[tuple[float, int, float, float]] = deque(maxlen=history)
        self._anchor = 0.0            # call frame shown while no handed-out piece is at the speaker

    def push(self, chunks: list[Chunk]) -> None:
        with self.lock:
            self._chunks.extend(chunks)
            self.queued += sum(len(c.audio) for c in chunks if c.audio is not None)

    def reset(self, frame: float | None) -> float:
        """Drop what is queued. With ``frame`` the playhead jumps there (seek,
        pause); with None, what was already handed out still plays and the
        queue restarts right after it (speed or loop changed). Returns the
        call frame the feeder should start from."""
        with self.lock:
            if frame is None:
                frame = self._handed_out()
            else:
                self._pieces.clear()
                self._anchor = float(frame)
            self._chunks.clear()
            self._chunk, self._offset, self.queued = None, 0, 0
            self.end_dac = None
            return frame

    def handed_out(self) -> float:
        with self.lock:
            return self._handed_out()

    def _handed_out(self) -> float:
        if not self._pieces:
            return self._anchor
        _dac, n, src, step = self._pieces[-1]
        return src + n * step

    def heard(self, now: float) -> float:
        """The call frame at the speaker at stream time ``now``."""
        rate = self.rate
        with self.lock:
            for dac, n, src, step in reversed(self._pieces):
                if dac <= now:
                    return src + min(now - dac, n / rate) * rate * step
            return self._anchor

    def anchor(self) -> float:
        return self._anchor

    # -- the audio thread ------------------------------------------------------------
    def fill(self, out: np.ndarray, frames: int, dac: float) -> None:
        """The output callback: copy queued audio into ``out``. Never raises."""
        try:
            mix, rate = self.mix, self.rate
            filled = 0
            with self.lock:
                while filled < frames:
                    chunk = self._chunk
                    if chunk is None:
                        if not self._chunks:
                            break
                        chunk = self._chunk = self._chunks.popleft()
                        self._offset = 0
                    if chunk.audio is None:  # the end of the call
                        if self.end_dac is None:
                            self.end_dac = dac + filled / rate
                        break
                    off = self._offset
                    n = min(frames - filled, len(chunk.audio) - off)
                    np.matmul(chunk.audio[off:off + n], mix, out=out[filled:filled + n])
                    if len(self._pieces) == self._pieces.maxlen:  # the oldest drops out: keep its end
                        _d, old_n, old_src, old_step = self._pieces[0]
                        self._anchor = old_src + old_n * old_step
                    self._pieces.append((dac + filled / rate, n, chunk.src + off * chunk.step, chunk.step))
                    filled += n
                    self.queued -= n
                    if off + n >= len(chunk.audio):
                        self._chunk = None
                    else:
                        self._offset = off + n
            out[filled:] = 0  # not decoded yet, or the end: silence, and the playhead waits
            np.clip(out, -1.0, 1.0, out=out)
        except Exception as exc:  # an exception would kill the audio stream
            out.fill(0)
            self.error = translate("Errors", "Playback failed: {problem}").format(problem=exc)
