"""A clip's audio: a span of a call recording cut out, stretches of it beeped or
silenced (card numbers, the agent's name), written as WAV, FLAC or MP3.

Choices and why:

* The cut goes through ``decode`` so every recording QA Desk can open can be clipped,
  MP3 delay handling included, and keeps the recording's sample rate and channels
  (an 8 kHz stereo call stays 8 kHz stereo: agent and customer on their own sides).
* Telephone PCM, μ-law, A-law and ADPCM decode to int16 exactly and are kept as
  int16, so what the clip leaves alone is bit-for-bit the recording.
* A hidden stretch is replaced whole on every channel (the agent often repeats the
  number, and lines cross-talk); its own audio never leaks. To avoid clicks the
  recording fades out in the ``FADE_SECONDS`` before the stretch and back in after it,
  and the beep has the same fades inside the stretch.
* The beep is a 1 kHz sine at -20 dBFS: clearly a beep over telephone speech,
  not painful in headphones.
* Files appear complete or not at all: written beside the target, then renamed.

``snap_to_words`` is the pure rule the clip handles follow when a transcript exists.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import soundfile as sf

from ..wording import translate
from .decode import iter_blocks, recording_info

BEEP_HZ = 1000.0
BEEP_LEVEL = 0.1  # -20 dBFS
FADE_SECONDS = 0.01  # 10 ms: below what the ear hears as a fade, enough to hide the step
# format name → (libsndfile container, encoding)
CLIP_FORMATS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "mp3": ("MP3", "MPEG_LAYER_III")}
HIDE_WITH = ("beep", "silence")


class ClipAudioError(Exception):
    """A clip that cannot be cut or written; the message says why in the user's terms."""


@dataclass(frozen=True)
class ClipAudio:
    samples: np.ndarray  # (frames, channels); int16 where the recording is 16-bit, else float32
    sample_rate: int
    start: float  # call time of the first frame

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def channels(self) -> int:
        return self.samples.shape[1]

    def frame_at(self, call_time: float) -> int:
        """The clip frame of a call time, clamped to the clip."""
        frame = int(round((call_time - self.start) * self.sample_rate))
        return min(max(frame, 0), len(self.samples))


# --- spans -------------------------------------------------------------------------------------


def _check_times(*values: float) -> None:
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise ClipAudioError(translate("Errors", "clip times must be numbers of seconds"))


def clip_bounds(start: float, end: float, duration: float, *, pre_roll: float = 0.0,
                post_roll: float = 0.0) -> tuple[float, float]:
    """[start - pre_roll, end + post_roll] within [0, duration]; ClipAudioError for a
    span that is backwards, empty, or starts after the recording ends."""
    _check_times(start, end, duration, pre_roll, post_roll)
    if pre_roll < 0 or post_roll < 0:
        raise ClipAudioError(translate("Errors", "pre-roll and post-roll cannot be negative"))
    if end < start:
        raise ClipAudioError(translate("Errors", "the clip ends ({end} s) before it starts ({start} s)").format(
            end=f"{end:.2f}", start=f"{start:.2f}"))
    if start >= duration:
        raise ClipAudioError(translate(
            "Errors", "the clip starts at {start} s, after the recording ends ({duration} s)").format(
            start=f"{start:.2f}", duration=f"{duration:.2f}"))
    first, last = max(0.0, start - pre_roll), min(duration, end + post_roll)
    if last <= first:
        raise ClipAudioError(translate(
            "Errors", "the clip is empty (its start and end are the same); select a span of the call"))
    return first, last


def _word_times(word) -> tuple[float, float]:
    if isinstance(word, dict):  # a stored word: {"word", "start", "end", "conf"}
        return float(word["start"]), float(word.get("end", word["start"]))
    return float(word.start), float(word.end)


def snap_to_words(start: float, end: float, words: Iterable, pre_roll: float = 0.0, post_roll: float = 0.0,
                  *, duration: float | None = None) -> tuple[float, float]:
    """A span whose edges sit on word boundaries: the start of the first word the span
    touches and the end of the last, then ``pre_roll``/``post_roll`` added, clamped to
    [0, duration].

    Touching means overlapping by more than an instant, so snapping a snapped span
    again changes nothing even when words sit back to back; a zero-length span (a
    click) takes the word under it. A span in a gap between words touches none and
    stays where it is, as does one touching only zero-length words. Handles dragged
    past each other are put back in order.
    """
    _check_times(start, end, pre_roll, post_roll)
    start, end = min(start, end), max(start, end)
    touched = []
    for word in words:
        w_start, w_end = _word_times(word)
        if start == end:
            hit = w_start <= start <= w_end
        else:
            hit = w_start < end and w_end > start
        if hit:
            touched.append((w_start, w_end))
    snapped = (min(s for s, _ in touched), max(e for _, e in touched)) if touched else (start, end)
    if snapped[1] > snapped[0] or start == end:  # never shrink a span to nothing on a zero-length word
        start, end = snapped
    start, end = start - max(0.0, pre_roll), end + max(0.0, post_roll)
    upper = math.inf if duration is None else max(0.0, duration)
    return min(max(start, 0.0), upper), min(max(end, 0.0), upper)


# --- cutting and hiding --------------------------------------------------------------------------


def cut_clip(recording, start: float, end: float, *, pre_roll: float = 0.0, post_roll: float = 0.0) -> ClipAudio:
    """The recording's audio from ``start`` to ``end`` (call seconds) with the rolls,
    clamped to the recording. DecodeError (naming the file) when it cannot be read."""
    info = recording_info(recording)
    duration = info.frames / info.sample_rate
    first, last = clip_bounds(start, end, duration, pre_roll=pre_roll, post_roll=post_roll)
    first_frame = int(round(first * info.sample_rate))
    frames = max(1, min(info.frames, int(round(last * info.sample_rate))) - first_frame)
    blocks = list(iter_blocks(recording, start=first_frame, frames=frames, dtype=info.dtype))
    samples = np.concatenate(blocks) if blocks else np.zeros((0, info.channels), info.dtype)
    if not len(samples):
        raise ClipAudioError(translate("Errors", "{file}: no audio between {first} s and {last} s").format(
            file=Path(recording).name, first=f"{first:.2f}", last=f"{last:.2f}"))
    return ClipAudio(samples, info.sample_rate, first_frame / info.sample_rate)


def _merged(frames: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Spans closer than two fades become one (their fades would overlap)."""
    merged: list[list[int]] = []
    for a, b in sorted(frames):
        if merged and a <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _fade(length: int) -> np.ndarray:
    """A raised-cosine ramp from (nearly) 1 down to 0 over ``length`` frames."""
    k = np.arange(1, length + 1)
    return 0.5 * (1.0 + np.cos(np.pi * k / (length + 1)))


def hide_spans(clip: ClipAudio, spans: Iterable[tuple[float, float]], *, how: str = "beep",
               level: float = BEEP_LEVEL, fade: float = FADE_SECONDS) -> ClipAudio:
    """A copy of the clip with each span (call times, (start, end)) beeped or silenced
    on every channel; parts of spans outside the clip are ignored."""
    if how not in HIDE_WITH:
        raise ClipAudioError(translate("Errors", "hide spans with 'beep' or 'silence', not '{how}'").format(how=how))
    rate, total = clip.sample_rate, len(clip.samples)
    fade_frames = max(1, int(round(fade * rate)))
    frames = [(clip.frame_at(s), clip.frame_at(e)) for s, e in spans]
    frames = _merged([(a, b) for a, b in frames if b > a], 2 * fade_frames)
    is_int = clip.samples.dtype == np.int16
    full_scale = 32767.0 if is_int else 1.0
    out = clip.samples.copy()

    def put(lo: int, hi: int, values: np.ndarray) -> None:
        if is_int:
            values = np.clip(np.round(values), -32768, 32767)
        out[lo:hi] = values.astype(out.dtype)

    for a, b in frames:
        before = max(0, a - fade_frames)  # the recording fades out before the span…
        ramp = _fade(a - before)[:, None]
        put(before, a, clip.samples[before:a].astype(np.float64) * ramp)
        after = min(total, b + fade_frames)  # …and back in after it
        ramp = _fade(after - b)[::-1, None]
        put(b, after, clip.samples[b:after].astype(np.float64) * ramp)
        inside = np.zeros((b - a, clip.channels))
        if how == "beep":
            t = np.arange(b - a) / rate
            tone = level * full_scale * np.sin(2 * np.pi * BEEP_HZ * t)
            edge = min(fade_frames, (b - a) // 2)
            if edge:
                tone[:edge] *= _fade(edge)[::-1]
                tone[len(tone) - edge:] *= _fade(edge)
            inside += tone[:, None]
        put(a, b, inside)
    return ClipAudio(out, clip.sample_rate, clip.start)


# --- writing -----------------------------------------------------------------------------------


def clip_audio_formats() -> tuple[str, ...]:
    """The clip formats this installation writes: WAV and FLAC always, MP3 where the
    installed libsndfile (1.1 or newer) encodes it."""
    formats = ["wav", "flac"]
    try:
        if "MP3" in sf.available_formats() and sf.check_format("MP3", "MPEG_LAYER_III"):
            formats.append("mp3")
    except (ValueError, TypeError):
        pass
    return tuple(formats)


def clip_audio_format(path, format: str | None = None) -> str:
    """The format to write: ``format`` if given, else the file's suffix."""
    name = (format or Path(path).suffix).lower().lstrip(".")
    if name not in CLIP_FORMATS:
        raise ClipAudioError(translate("Errors", "{file}: cannot write audio as '{format}' (use wav, flac or mp3)"
                                       ).format(file=Path(path).name,
                                                format=format or Path(path).suffix or translate("Errors", "no suffix")))
    if name not in clip_audio_formats():
        raise ClipAudioError(translate(
            "Errors", "{file}: MP3 export needs libsndfile 1.1 or newer (this one is {version}); "
            "export the clip as WAV or FLAC, or update libsndfile").format(
            file=Path(path).name, version=sf.__libsndfile_version__))
    return name


def write_clip(clip: ClipAudio, path, *, format: str | None = None) -> Path:
    """Write the clip as WAV (16-bit PCM), FLAC (16-bit) or MP3; the path written."""
    path = Path(path)
    container, subtype = CLIP_FORMATS[clip_audio_format(path, format)]
    data = clip.samples
    if data.dtype != np.int16:
        data = np.clip(data, -1.0, 1.0)  # MP3 decodes overshoot full scale a little
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        sf.write(temporary, data, clip.sample_rate, format=container, subtype=subtype)
        os.replace(temporary, path)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        Path(temporary).unlink(missing_ok=True)
        detail = getattr(exc, "error_string", None) or str(exc)
        raise ClipAudioError(translate(
            "Errors", "{file}: the clip cannot be written as {container} at {rate} Hz, {channels} channel(s) "
            "({detail}); try WAV, or another folder").format(
            file=path.name, container=container, rate=clip.sample_rate, channels=clip.channels, detail=detail)
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def export_clip(recording, path, start: float, end: float, *, pre_roll: float = 0.0, post_roll: float = 0.0,
                hidden: Sequence[tuple[float, float]] = (), how: str = "beep", format: str | None = None) -> Path:
    """Cut, hide and write in one call (call times throughout): what a clip export does."""
    clip_audio_format(path, format)  # refuse an unwritable format before decoding anything
    clip = cut_clip(recording, start, end, pre_roll=pre_roll, post_roll=post_roll)
    if hidden:
        clip = hide_spans(clip, hidden, how=how)
    return write_clip(clip, path, format=format)


# --- the copy a stored clip keeps --------------------------------------------------------------


def encode_flac(clip: ClipAudio) -> bytes:
    """The clip as FLAC bytes: what the clips store keeps (lossless, about half of WAV's size)."""
    data = clip.samples if clip.samples.dtype == np.int16 else np.clip(clip.samples, -1.0, 1.0)
    buffer = io.BytesIO()
    sf.write(buffer, data, clip.sample_rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def decode_flac(data: bytes, start: float) -> ClipAudio:
    """A stored clip's audio back as samples; ``start`` is the call time of its first frame."""
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="int16", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise ClipAudioError(translate(
            "Errors", "the clip's stored audio cannot be read ({detail}); save the clip again from its call"
        ).format(detail=exc)) from None
    return ClipAudio(samples, rate, start)
