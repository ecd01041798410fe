"""Playing a call for review: play/pause, seek, speed, volume, listen-to, loop.

Three threads meet here:

- the caller (the UI's thread): the controls, and ``position()`` from a timer;
- the feeder thread: decodes, stretches and resamples ~1.5 s ahead
  (``playback_feed``) into the output queue (``playback_queue``);
- the output's audio thread: the callback only copies from that queue.

Listening. The output is stereo whenever the device allows it:

- "both": agent in the left ear and customer in the right, as call recorders
  lay them out (so overtalk is easy to hear), each also in the other ear at
  ``CROSSFEED`` (-10 dB): a reviewer with one earbud, or a laptop's single
  speaker, still hears both sides;
- "agent" / "customer": that side alone, in both ears;
- a mono or mixed recording sounds the same whatever is chosen
  (``two_sided`` tells the UI to grey the choice out).

Errors never escape from ``position()``/``state``: a device that fails
mid-call stops the player with ``last_error`` set. ``play()`` raises
OutputError (and keeps its text in ``last_error``) when nothing can play.
"""

from __future__ import annotations

import threading
import time
import weakref

import numpy as np

from qa_desk.audio.outputs import AudioOutput, OutputError, SoundDeviceOutput
from qa_desk.audio.playback_feed import CallSource, PlaybackFeed
from qa_desk.audio.playback_queue import OutputQueue
from qa_desk.wording import translate

__all__ = ["CROSSFEED", "LISTEN_MODES", "OutputError", "Player"]

LISTEN_MODES = ("both", "agent", "customer")
CROSSFEED = 0.3      # gain of each side in the opposite ear when listening to both
AHEAD_SECONDS = 1.5  # how far the feeder decodes ahead of the speaker
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_VOLUME = 1.5
FALLBACK_RATES = (48000, 44100)  # tried, with resampling, when the device refuses the call's rate


class Player:
    def __init__(self, path, channel_map: dict[str, str] | None, *, output: AudioOutput | None = None):
        self._source = CallSource(path, channel_map)  # DecodeError if the recording cannot be read
        self.rate: int = self._source.rate
        self.frames: int = self._source.frames
        self.duration: float = self.frames / self.rate if self.rate else 0.0
        self._output = output if output is not None else SoundDeviceOutput()
        self._speed, self._volume, self._listen = 1.0, 1.0, "both"
        self._loop: tuple[int, int] | None = None
        self._state = "stopped"
        self._last_error: str | None = None
        self._closed = False
        self._out_channels = 2
        self._preferred: tuple[int, int] | None = None  # the (rate, channels) the device last accepted
        # Lock order: _control, then _decode, then the queue's lock (the only one
        # the audio callback takes, for the length of a copy).
        self._control = threading.RLock()
        self._decode = threading.Lock()
        self._queue = OutputQueue()
        self._queue.rate = self.rate
        self._update_mix()
        self._wake = threading.Event()
        self._feed: PlaybackFeed | None = None
        self._restart(0.0)
        # The thread holds the player weakly: a call view that forgets close()
        # leaves no thread behind once its player is garbage.
        self._feeder = threading.Thread(target=_feed_forever, args=(weakref.ref(self),),
                                        name="qa-desk-playback-feeder", daemon=True)
        self._feeder.start()

    # -- state --------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """"stopped" | "playing" | "paused"."""
        self._poll_safely()
        return self._state

    @property
    def last_error(self) -> str | None:
        self._poll_safely()
        return self._last_error

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def listen(self) -> str:
        return self._listen

    @property
    def two_sided(self) -> bool:
        """False for a mono or mixed recording: listening to one side is impossible."""
        return self._source.two_sided

    @property
    def loop(self) -> tuple[float, float] | None:
        return None if self._loop is None else (self._loop[0] / self.rate, self._loop[1] / self.rate)

    def position(self) -> float:
        """Seconds into the call of what the listener hears now. Never raises."""
        self._poll_safely()
        try:
            return self._position_frames() / self.rate
        except Exception as exc:  # a UI timer must never see an exception
            self._last_error = f"Playback failed: {exc}"
            return self._queue.anchor() / self.rate

    # -- transport -----------------------------------------------------------------------
    def play(self) -> None:
        """Start or resume; after the end, start over (at the loop's start if looping)."""
        with self._control:
            self._check_open()
            self._poll()
            if self._state == "playing":
                return
            if self._queue.anchor() >= self.frames:
                self._restart(float(self._loop[0] if self._loop else 0))
            self._last_error = None
            try:
                self._start_output()
            except OutputError as exc:
                self._last_error = str(exc)
                self._state = "stopped"
                raise
            self._state = "playing"

    def pause(self) -> None:
        with self._control:
            self._poll()
            if self._state != "playing":
                return
            here = self._position_frames()
            self._output.stop()
            self._state = "paused"
            self._restart(here)  # resumes exactly where the listener stopped hearing

    def toggle(self) -> None:
        with self._control:
            if self.state == "playing":
                self.pause()
            else:
                self.play()

    def seek(self, seconds: float) -> None:
        with self._control:
            self._check_open()
            self._poll()
            self._restart(float(np.clip(seconds * self.rate, 0, self.frames)))

    # -- how it sounds --------------------------------------------------------------------
    def set_speed(self, speed: float) -> None:
        """0.5..2.0, pitch preserved; the playhead stays in call time."""
        with self._control:
            speed = float(np.clip(speed, MIN_SPEED, MAX_SPEED))
            if speed != self._speed:
                self._speed = speed
                self._restart(None)

    def set_volume(self, volume: float) -> None:
        self._volume = float(np.clip(volume, 0.0, MAX_VOLUME))
        self._update_mix()

    def set_listen(self, who: str) -> None:
        if who not in LISTEN_MODES:
            raise ValueError(f"listen must be one of {LISTEN_MODES}, not {who!r}")
        self._listen = who
        self._update_mix()

    def set_loop(self, start: float | None, end: float | None) -> None:
        """Repeat [start, end) seconds; None clears the loop. A playhead outside
        the span jumps to its start: a reviewer who marks a span and asks for a
        loop wants to hear that span now."""
        with self._control:
            self._check_open()
            self._poll()
            if start is None or end is None:
                if self._loop is not None:
                    self._loop = None
                    self._restart(None)
                return
            first = int(np.clip(round(min(start, end) * self.rate), 0, self.frames))
            last = int(np.clip(round(max(start, end) * self.rate), 0, self.frames))
            if last <= first:
                raise ValueError("a loop needs an end after its start")
            self._loop = (first, last)
            here = self._queue.handed_out() if self._state == "playing" else self._queue.anchor()
            self._restart(None if first <= here < last else float(first))

    def close(self) -> None:
        """Silence the output and end the feeder thread; the player is unusable after."""
        with self._control:
            if self._closed:
                return
            self._closed = True
            self._stop_output()
        self._wake.set()
        self._feeder.join(timeout=5)
        with self._decode:
            if self._feed is not None:
                self._feed.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def wait_buffered(self, seconds: float = AHEAD_SECONDS, timeout: float = 2.0) -> bool:
        """Block until ``seconds`` of output are queued, or the end of the call is;
        for tests driving a FakeOutput by hand."""
        want = int(min(seconds, AHEAD_SECONDS) * self._queue.rate)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            feed = self._feed
            if self._queue.queued >= want or (feed is not None and feed.ended):
                return True
            time.sleep(0.002)
        return False

    # -- internals: control side -------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this player is closed")

    def _update_mix(self) -> None:
        """Gains from the queued columns to the output channels, volume included.
        Replaced whole: the audio thread reads it once per block."""
        if self._source.two_sided:
            agent, customer = {"both": ((1.0, CROSSFEED), (CROSSFEED, 1.0)),
                               "agent": ((1.0, 1.0), (0.0, 0.0)),
                               "customer": ((0.0, 0.0), (1.0, 1.0))}[self._listen]
            mix = np.array([agent, customer], dtype=np.float32)
        else:
            mix = np.ones((1, 2), dtype=np.float32)
        if self._out_channels == 1:  # a mono device: each side at its full level, not halved
            mix = mix.max(axis=1, keepdims=True)
        self._queue.mix = mix * np.float32(self._volume)

    def _start_output(self) -> None:
        candidates = [(self.rate, 2), (self.rate, 1)]
        candidates += [(r, c) for r in FALLBACK_RATES if r != self.rate for c in (2, 1)]
        if self._preferred in candidates:
            candidates.remove(self._preferred)
            candidates.insert(0, self._preferred)
        refused: OutputError | None = None
        refused_rates: set[int] = set()
        for rate, channels in candidates:
            if rate in refused_rates:
                continue
            if channels != self._out_channels:
                self._out_channels = channels
                self._update_mix()
            if rate != self._queue.rate:
                self._queue.rate = rate
                self._restart(self._queue.anchor())  # what is queued is at another rate
            try:
                self._output.start(rate, channels, self._queue.fill, on_error=self._on_output_error)
            except OutputError as exc:
                if exc.reason not in ("rate", "channels"):
                    raise
                if exc.reason == "rate":
                    refused_rates.add(rate)
                refused = refused if refused is not None and refused.reason == "rate" else exc
                continue
            self._preferred = (rate, channels)
            return
        rates = "/".join(str(r) for r in FALLBACK_RATES if r != self.rate)
        raise OutputError(translate(
            "Errors", "The audio device cannot play this call: {problem} Resampling to {rates} Hz did not help "
            "either. Choose another output device in the system's sound settings.").format(
            problem=refused, rates=rates), reason=refused.reason if refused else "rate")

    def _restart(self, frame: float | None) -> None:
        """Empty the queue and start a new feed: at ``frame`` (the playhead jumps
        there), or with None right after what the device already has."""
        # One critical section from emptying the queue to swapping the feed: the
        # feeder must not slip a chunk of the old feed into the emptied queue.
        with self._decode:
            start = self._queue.reset(frame)
            if self._feed is not None:
                self._feed.close()
            self._feed = PlaybackFeed(self._source, start=int(round(start)), out_rate=self._queue.rate,
                                      speed=self._speed, loop=self._loop)
        self._wake.set()

    def _position_frames(self) -> float:
        if self._state != "playing":
            return self._queue.anchor()
        return float(np.clip(self._queue.heard(self._output.time()), 0, self.frames))

    def _poll_safely(self) -> None:
        try:
            self._poll()
        except Exception as exc:
            self._last_error = f"Playback failed: {exc}"

    def _poll(self) -> None:
        """Turn what the audio and feeder threads noticed into state changes."""
        if self._state != "playing":
            return
        with self._control:
            if self._state != "playing":
                return
            error, self._queue.error = self._queue.error, None
            # "stopped" is set last: state and position() are read from the UI thread
            # without this lock, and must never show "stopped" with the old playhead
            # (or without the error that stopped it) in between.
            if error is not None:
                here = self._position_frames()
                self._restart(here)
                self._last_error = error
                self._stop_output()
                return
            end = self._queue.end_dac
            if end is not None and self._output.time() >= end:
                self._restart(float(self.frames))
                self._stop_output()

    def _stop_output(self) -> None:
        self._state = "stopped"
        try:
            self._output.stop()
        except Exception:  # a vanished device may not stop cleanly; it is stopped either way
            pass

    def _on_output_error(self, error: OutputError) -> None:
        self._queue.error = str(error)  # acted on by _poll: never stop a stream from its own thread

    # -- internals: feeder thread ------------------------------------------------------------
    def _feed_step(self) -> bool:
        """One turn of the feeder thread; False when there is nothing to do."""
        self._wake.clear()
        self._poll_safely()
        try:
            return self._feed_once()
        except Exception as exc:  # e.g. the file vanished mid-call: stop with a message
            self._queue.error = translate("Errors", "The recording could not be read: {problem}").format(problem=exc)
            with self._decode:
                if self._feed is not None:
                    self._feed.ended = True
            return False

    def _feed_once(self) -> bool:
        with self._decode:
            feed = self._feed
            if feed is None or feed.ended or self._queue.queued >= AHEAD_SECONDS * self._queue.rate:
                return False
            self._queue.push(feed.produce())
        return True


def _feed_forever(player_ref: "weakref.ref[Player]") -> None:
    while True:
        player = player_ref()
        if player is None or player._closed:
            return
        wake = player._wake
        worked = player._feed_step()
        del player  # not kept alive while waiting
        if not worked:
            wake.wait(0.02)
