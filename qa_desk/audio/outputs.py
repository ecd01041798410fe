"""Where played audio goes: the sound card, or a hand-driven fake for tests.

The player talks to an ``AudioOutput`` only. The real one wraps a PortAudio
stream (sounddevice); ``FakeOutput`` lets a test pull frames by hand and set
the stream clock, so position, seek, loop and speed can be checked exactly
without a sound card.

The output's callback contract: ``callback(outdata, frames, dac_time)`` fills
``outdata`` (float32, shape (frames, channels)) in place and never raises;
``dac_time`` is when the first of those frames reaches the speaker, on the
same clock as ``time()``.

``OutputError.reason`` is a stable code (the UI picks its own words by it);
``str(error)`` is a sentence in the user's language for the CLI and the other reasons.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol

import numpy as np

from ..wording import translate

__all__ = ["AudioOutput", "FakeOutput", "OutputError", "SoundDeviceOutput", "OutputCallback"]

OutputCallback = Callable[[np.ndarray, int, float], None]

# PortAudio error codes we tell apart (portaudio.h).
_PA_INVALID_SAMPLE_RATE = -9997
_PA_INVALID_CHANNEL_COUNT = -9998
_PA_INVALID_DEVICE = -9996
_PA_DEVICE_UNAVAILABLE = -9985


class OutputError(Exception):
    """Audio cannot be played. ``reason`` is one of:

    - ``"no-device"``: no audio output device at all
    - ``"unavailable"``: the PortAudio library itself is missing
    - ``"rate"``: the device refuses this sample rate (the player tries others)
    - ``"channels"``: the device refuses this channel count (the player tries mono)
    - ``"device-lost"``: the device went away while playing
    - ``"failed"``: anything else PortAudio reported
    """

    def __init__(self, message: str, reason: str = "failed"):
        super().__init__(message)
        self.message = message
        self.reason = reason


class AudioOutput(Protocol):
    def start(self, rate: int, channels: int, callback: OutputCallback, *,
              on_error: Callable[[OutputError], None] | None = None) -> None:
        """Open and start the stream; raise OutputError if it cannot play.
        ``on_error`` is called (from any thread) if the device fails later."""

    def stop(self) -> None:
        """Stop at once, dropping audio not yet heard; safe to call twice."""

    def time(self) -> float:
        """The stream's clock in seconds (same clock as ``dac_time``)."""


class SoundDeviceOutput:
    """The default output device through sounddevice/PortAudio.

    Each ``start`` opens a fresh stream on the current default device, so a
    headset plugged in between two plays is picked up, and ``stop`` aborts and
    closes it: pausing should silence the speaker now, not after the device's
    buffer has drained.
    """

    def __init__(self, device: int | str | None = None):
        self._device = device
        self._stream = None
        self._callback: OutputCallback | None = None
        self._on_error: Callable[[OutputError], None] | None = None
        self._stopping = False
        self._lost_reported = False
        self._last_time = 0.0

    def start(self, rate: int, channels: int, callback: OutputCallback, *,
              on_error: Callable[[OutputError], None] | None = None) -> None:
        sd = _load_sounddevice()
        self.stop()
        if not _has_output_device(sd):
            # PortAudio lists devices once, at initialisation: look again so a
            # headset plugged in after the first failure is found.
            _rescan(sd)
            if not _has_output_device(sd):
                raise OutputError(translate(
                    "Errors", "No audio output device was found. Connect speakers or a headset and try again."),
                    reason="no-device")
        self._callback = callback
        self._on_error = on_error
        self._stopping = False
        self._lost_reported = False
        stream = None
        try:
            sd.check_output_settings(device=self._device, channels=channels,
                                     dtype="float32", samplerate=rate)
            stream = sd.OutputStream(samplerate=rate, channels=channels, dtype="float32",
                                     device=self._device, callback=self._on_audio,
                                     finished_callback=self._on_finished)
            stream.start()
        except sd.PortAudioError as exc:
            self._stopping = True
            if stream is not None:
                stream.close(ignore_errors=True)
            raise _classify(exc, rate, channels) from exc
        except ValueError as exc:  # sounddevice's own checks (e.g. unknown device name)
            raise OutputError(translate(
                "Errors", "The audio output device cannot be used ({detail}); choose another one in the "
                "system's sound settings").format(detail=exc), reason="no-device") from exc
        self._stream = stream

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        self._stopping = True
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        except Exception:  # a device that already vanished cannot be closed twice; nothing to save
            pass

    def time(self) -> float:
        stream = self._stream
        if stream is None:
            return self._last_time
        try:
            self._last_time = stream.time
            active = stream.active
        except Exception:
            active = False
        if not active and not self._stopping:
            self._report_lost()
        return self._last_time

    # -- PortAudio's thread -------------------------------------------------
    def _on_audio(self, outdata, frames, time_info, status) -> None:
        # Some host APIs report 0 for the DAC time; "now" is the honest fallback.
        dac = time_info.outputBufferDacTime or time_info.currentTime
        callback = self._callback
        if callback is None:
            outdata.fill(0)
            return
        callback(outdata, frames, dac)

    def _on_finished(self) -> None:
        if not self._stopping:
            self._report_lost()

    def _report_lost(self) -> None:
        if self._lost_reported:
            return
        self._lost_reported = True
        if self._on_error is not None:
            self._on_error(_device_lost())


def _load_sounddevice():
    try:
        import sounddevice as sd
    except OSError as exc:  # the wheel does not bundle PortAudio on Linux
        raise OutputError(translate(
            "Errors", "The PortAudio library is not installed, so QA Desk cannot play audio "
            "(on Debian/Ubuntu: apt install libportaudio2). ({detail})").format(detail=exc),
            reason="unavailable") from exc
    return sd


def _device_lost() -> OutputError:
    return OutputError(translate(
        "Errors", "The audio device stopped playing (it may have been disconnected). Check the speakers or "
        "headset and press Play again."), reason="device-lost")


def _no_rate(rate: int) -> OutputError:
    return OutputError(translate("Errors", "The audio device does not support {rate} Hz.").format(rate=rate),
                       reason="rate")


def _no_channels(channels: int) -> OutputError:
    return OutputError(translate("Errors", "The audio device cannot play {channels} channel(s).").format(
        channels=channels), reason="channels")


def _has_output_device(sd) -> bool:
    try:
        devices = sd.query_devices()
        if not any(d.get("max_output_channels", 0) > 0 for d in devices):
            return False
        sd.query_devices(kind="output")  # raises when there is no default output
        return True
    except Exception:
        return False


def _rescan(sd) -> None:
    terminate, initialize = getattr(sd, "_terminate", None), getattr(sd, "_initialize", None)
    if terminate is None or initialize is None:
        return
    try:
        terminate()
        initialize()
    except Exception:
        pass


def _classify(exc, rate: int, channels: int) -> OutputError:
    code = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    text = str(exc.args[0]) if exc.args else str(exc)
    if code == _PA_INVALID_SAMPLE_RATE or "sample rate" in text.lower():
        return _no_rate(rate)
    if code == _PA_INVALID_CHANNEL_COUNT:
        return _no_channels(channels)
    if code in (_PA_INVALID_DEVICE, _PA_DEVICE_UNAVAILABLE) or "querying device" in text:
        return OutputError(translate(
            "Errors", "The audio output device is not available ({detail}). Connect it, or choose another "
            "one in the system's sound settings, and try again.").format(detail=text), reason="no-device")
    return OutputError(translate(
        "Errors", "The audio device could not start playing ({detail}); close other programs using it and "
        "try again.").format(detail=text), reason="failed")


class FakeOutput:
    """An output with no sound card: the test is the audio thread.

    ``pull(n)`` calls the player's callback for ``n`` frames the way PortAudio
    would (with ``dac_time = clock + latency``) and, by default, then moves the
    clock on by ``n / rate`` as if the speaker had played them. ``advance`` and
    ``set_time`` move the clock without any callback (a stall).
    """

    def __init__(self, *, latency: float = 0.0, rates: set[int] | None = None,
                 channels: set[int] | None = None, no_device: bool = False):
        self.latency = latency
        self.supported_rates = rates
        self.supported_channels = channels
        self.no_device = no_device
        self.rate: int | None = None
        self.channels: int | None = None
        self.started = False
        self.starts = 0
        self._clock = 0.0
        self._callback: OutputCallback | None = None
        self._on_error = None
        self._lock = threading.Lock()

    def start(self, rate: int, channels: int, callback: OutputCallback, *,
              on_error: Callable[[OutputError], None] | None = None) -> None:
        if self.no_device:
            raise OutputError(translate(
                "Errors", "No audio output device was found. Connect speakers or a headset and try again."),
                reason="no-device")
        if self.supported_rates is not None and rate not in self.supported_rates:
            raise _no_rate(rate)
        if self.supported_channels is not None and channels not in self.supported_channels:
            raise _no_channels(channels)
        with self._lock:
            self.rate, self.channels = rate, channels
            self._callback, self._on_error = callback, on_error
            self.started = True
            self.starts += 1

    def stop(self) -> None:
        with self._lock:
            self.started = False
            self._callback = None

    def time(self) -> float:
        return self._clock

    def set_time(self, seconds: float) -> None:
        self._clock = float(seconds)

    def advance(self, seconds: float) -> None:
        self._clock += float(seconds)

    def pull(self, frames: int, *, advance: bool = True) -> np.ndarray:
        """Run one callback for ``frames`` frames and return a copy of them."""
        with self._lock:
            if not self.started or self._callback is None:
                raise RuntimeError("the fake output is not playing")
            callback, rate, channels = self._callback, self.rate, self.channels
        out = np.full((frames, channels), np.nan, dtype=np.float32)  # NaN: unwritten frames show up
        callback(out, frames, self._clock + self.latency)
        if advance:
            self._clock += frames / rate
        return out.copy()

    def disconnect(self) -> None:
        """Behave like a headset pulled out mid-call."""
        with self._lock:
            on_error, self.started, self._callback = self._on_error, False, None
        if on_error is not None:
            on_error(_device_lost())
