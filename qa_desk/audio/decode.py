"""Decode call recordings in blocks, with frame 0 at the call's time 0.

Everything here streams: a two-hour stereo call is 230 MB as int16 and twice that
as float32, so callers get blocks and never the whole recording.

Two measured facts about soundfile 0.14 / libsndfile 1.2.2 shape this module:

* **MP3 encoder delay.** With a Xing/Info header carrying LAME's delay/padding
  fields (LAME, ffmpeg and libsndfile itself all write one), libsndfile's mpg123
  already cuts the delay and the padding: frame 0 is the call's time 0 and the
  length is exact. Without that header mpg123 cannot know them and hands back
  LAME's 576-frame encoder delay plus its own 529-frame decoder delay (measured:
  exactly 1,105 frames at 8, 16, 22.05 and 44.1 kHz), and the end carries up to
  an MP3 frame of padding plus the decoder's tail, which we leave in place
  (it is near-silence after the call ends; nothing in the file says how long it
  is). :func:`mp3_padding_frames` decides what is left to trim.
* **soundfile's own read() corrupts MP3s.** ``SoundFile.read`` and ``blocks``
  re-seek after every read; an mpg123 seek cannot rebuild Layer III's bit
  reservoir when the frames before it are small (silence: every call has it),
  so whole frames come back as zeros (and mpg123 prints "part2_3_length … too
  large" on stderr). We therefore call libsndfile's ``sf_readf_*`` directly
  and, when we must seek in an MP3, land several frames early and decode the
  run-up before keeping anything.

Not fixable here: libsndfile stops reading at its own length estimate, which for
an untagged MP3 comes from the file size and the first frame's bit rate. Right for
constant bit rate (the usual untagged case: streaming recorders); an untagged
variable-bit-rate MP3 (rare: VBR encoders write the tag) is cut short.
"""

from __future__ import annotations

import os
import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np
import soundfile as sf

from ..wording import translate

__all__ = [
    "TARGET_RATE", "DecodeError", "channel_lanes", "iter_blocks", "iter_resampled",
    "mp3_padding_frames", "read_span", "recording_info", "RecordingInfo",
]

TARGET_RATE = 16000  # what speech recognition and voice-activity analysis expect

LAME_ENCODER_DELAY = 576   # LAME's default, also written into its tag
MPG123_DECODER_DELAY = 529  # the synthesis filterbank's delay; mpg123 adds it to the tag's delay
UNTAGGED_MP3_DELAY = LAME_ENCODER_DELAY + MPG123_DECODER_DELAY  # measured: 1,105 frames

# Seeking into an MP3 lands this many MP3 frames early and decodes the run-up:
# Layer III frames may borrow up to 511 bytes from earlier frames, and at 8 kbit/s
# a frame is 72 bytes, so 8 frames back always holds what the target frame needs.
_MP3_RUNUP_FRAMES = 10
_MP3_MAX_SAMPLES_PER_FRAME = 1152

# Codecs whose samples are at most 16 bits: reading them as int16 loses nothing
# (libsndfile's float is exactly int16 / 32768 for these) and halves the memory traffic.
_16_BIT_SUBTYPES = frozenset({
    "PCM_16", "PCM_S8", "PCM_U8", "ULAW", "ALAW", "GSM610", "IMA_ADPCM", "MS_ADPCM",
    "VOX_ADPCM", "G721_32", "G723_24", "G723_40", "DWVW_12", "DWVW_16", "NMS_ADPCM_16",
    "NMS_ADPCM_24", "NMS_ADPCM_32",
})

_READERS = {  # dtype -> (libsndfile function name, C pointer type)
    np.dtype(np.float32): ("sf_readf_float", "float *"),
    np.dtype(np.int16): ("sf_readf_short", "short *"),
}


class DecodeError(RuntimeError):
    """A recording that cannot be decoded; the message names the file and the problem.

    ``message`` is the (translated) problem; the file's name goes before it as
    "name: " in every language, which callers rely on to take it off again."""

    def __init__(self, path, message: str):
        super().__init__(f"{Path(path).name}: {message}")
        self.path = Path(path)


def _open(path) -> sf.SoundFile:
    try:
        with open(path, "rb"):  # libsndfile reports these only as "System error."
            pass
        return sf.SoundFile(os.fspath(path))
    except FileNotFoundError:
        raise DecodeError(path, translate("Errors", "the file does not exist (was it moved or deleted?)")) from None
    except PermissionError:
        raise DecodeError(path, translate(
            "Errors", "permission denied (is it open in the recorder or another program?)")) from None
    except IsADirectoryError:
        raise DecodeError(path, translate("Errors", "this is a folder, not a recording")) from None
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        detail = getattr(exc, "error_string", None) or str(exc)
        raise DecodeError(path, translate(
            "Errors", "the recording cannot be decoded ({detail}); it may be damaged: export it from the call "
            "recorder again").format(detail=detail)) from None


# --- MP3 encoder delay -----------------------------------------------------------------

def _first_mp3_frame(data: bytes) -> int | None:
    """Offset of the first plausible MPEG Layer III frame header in ``data``."""
    pos = data.find(b"\xff")
    while 0 <= pos and pos + 4 <= len(data):
        second, third = data[pos + 1], data[pos + 2]
        version, layer = (second >> 3) & 3, (second >> 1) & 3
        if (second & 0xE0) == 0xE0 and version != 1 and layer == 1 and (third >> 4) not in (0, 15) \
                and (third >> 2) & 3 != 3:
            return pos
        pos = data.find(b"\xff", pos + 1)
    return None


def _lame_tag(path) -> tuple[int, int, int | None, int] | None:
    """(encoder delay, end padding, MP3 frame count or None, samples per frame) from the
    first frame's Xing/Info header and its LAME extension; None when there is none."""
    with open(path, "rb") as file:
        head = file.read(10)
        if head[:3] == b"ID3" and len(head) == 10:  # skip the ID3v2 tag (cover art can be large)
            size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
            file.seek(10 + size + (10 if head[5] & 0x10 else 0))
        else:
            file.seek(0)
        data = file.read(8192)
    pos = _first_mp3_frame(data)
    if pos is None:
        return None
    mpeg1 = ((data[pos + 1] >> 3) & 3) == 3
    mono = (data[pos + 3] >> 6) == 3
    side_info = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    tag = pos + 4 + side_info
    if data[tag:tag + 4] not in (b"Xing", b"Info"):
        return None
    (flags,) = struct.unpack(">I", data[tag + 4:tag + 8])
    cursor = tag + 8
    frames = None
    if flags & 1:
        (frames,) = struct.unpack(">I", data[cursor:cursor + 4])
        cursor += 4
    cursor += (4 if flags & 2 else 0) + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
    # The LAME extension: a 9-byte encoder name ("LAME3.100", ffmpeg's "Lavc…"), then
    # at +21 the 12-bit encoder delay and 12-bit end padding. A plain Xing header
    # (no extension) has audio data there instead, so the name must be text.
    name, fields = data[cursor:cursor + 4], data[cursor + 21:cursor + 24]
    if len(fields) < 3 or len(name) < 4 or not all(0x20 <= byte < 0x7F for byte in name):
        return None
    delay = fields[0] << 4 | fields[1] >> 4
    padding = (fields[1] & 0x0F) << 8 | fields[2]
    return delay, padding, frames, 1152 if mpeg1 else 576


def mp3_padding_frames(path) -> int:
    """Frames to drop from the start of what libsndfile decodes so frame 0 is time 0.

    0 for anything but MPEG Layer III. For an MP3 with a LAME tag, mpg123 normally
    applies the tag itself (then 0); should it not have (its length then equals the
    whole number of MP3 frames), the tag's delay plus mpg123's decoder delay. Without
    a tag, LAME's usual delay is assumed (1,105 frames in all); other encoders differ
    a little (shine: 1,057, i.e. 1 ms at 44.1 kHz).
    """
    try:
        info = sf.info(os.fspath(path))
    except (sf.LibsndfileError, RuntimeError, OSError):
        return 0
    return _padding_for(path, info.format, info.subtype, info.frames)


def _padding_for(path, container: str, subtype: str, frames: int) -> int:
    if container != "MP3" or subtype != "MPEG_LAYER_III":
        return 0
    try:
        tag = _lame_tag(path)
    except OSError:
        return 0
    if tag is None:
        return UNTAGGED_MP3_DELAY
    delay, _padding, mp3_frames, per_frame = tag
    if mp3_frames is not None and frames == mp3_frames * per_frame:
        return delay + MPG123_DECODER_DELAY  # the decoder ignored the tag
    return 0


# --- streaming ---------------------------------------------------------------------------

class RecordingInfo(NamedTuple):
    sample_rate: int
    channels: int
    frames: int        # libsndfile's count less the MP3 trim: exact, except an estimate for untagged MP3s
    dtype: np.dtype    # int16 where the samples fit 16 bits exactly, else float32


def recording_info(path) -> RecordingInfo:
    """What a decode of ``path`` will give, from its header; DecodeError if unreadable.

    ``dtype`` is int16 for telephone PCM, μ-law, A-law, GSM and ADPCM (libsndfile's
    float is exactly int16 / 32768 there, and int16 halves the memory traffic) and
    float32 for MP3, Vorbis, Opus, 24-bit and float recordings.
    """
    with _open(path) as sound:
        trim = _padding_for(path, sound.format, sound.subtype, sound.frames)
        dtype = np.dtype(np.int16) if sound.subtype in _16_BIT_SUBTYPES else np.dtype(np.float32)
        return RecordingInfo(sound.samplerate, sound.channels, max(0, sound.frames - trim), dtype)


class _Reader:
    """libsndfile's sf_readf_* on an open SoundFile, bypassing soundfile's seek-per-read."""

    def __init__(self, sound: sf.SoundFile, dtype):
        self.sound = sound
        self.dtype = np.dtype(dtype)
        if self.dtype not in _READERS:
            raise ValueError(f"dtype must be float32 or int16, not {self.dtype}")
        name, self._ctype = _READERS[self.dtype]
        self._read = getattr(sf._snd, name)

    def fill(self, out: np.ndarray) -> int:
        """Fill ``out`` (frames, channels) as far as the file goes; the frames read."""
        wanted, done = len(out), 0
        while done < wanted:
            pointer = sf._ffi.cast(self._ctype, out[done:].ctypes.data)
            got = self._read(self.sound._file, pointer, wanted - done)
            if got <= 0:
                break
            done += got
        error = sf._snd.sf_error(self.sound._file)
        if error:
            message = sf._ffi.string(sf._snd.sf_error_number(error)).decode("utf-8", "replace")
            raise DecodeError(self.sound.name, translate(
                "Errors", "decoding stopped ({detail}); the recording may be damaged").format(detail=message))
        return done

    def skip(self, frames: int) -> None:
        """Decode and drop ``frames`` frames (MP3 run-up after a seek)."""
        scratch = np.empty((min(frames, 16384), self.sound.channels), self.dtype)
        while frames > 0:
            got = self.fill(scratch[:min(frames, len(scratch))])
            if got == 0:
                return
            frames -= got


@contextmanager
def _opened_at(path, start: int, dtype) -> Iterator[_Reader]:
    """A reader positioned at call frame ``start`` (libsndfile frame ``start + trim``)."""
    with _open(path) as sound:
        reader = _Reader(sound, dtype)
        target = max(0, int(start)) + _padding_for(path, sound.format, sound.subtype, sound.frames)
        if target > 0 and sound.format == "MP3":
            runup = min(target, _MP3_RUNUP_FRAMES * _MP3_MAX_SAMPLES_PER_FRAME)
            if target > runup:
                sound.seek(target - runup)
            reader.skip(runup)
        elif target > 0:
            sound.seek(min(target, sound.frames))
        yield reader


def iter_blocks(path, *, blocksize: int = 65536, start: int = 0, frames: int | None = None,
                dtype="float32") -> Iterator[np.ndarray]:
    """Blocks of (n, channels) samples at the file's own rate, MP3 delay already trimmed.

    ``start``/``frames`` select a span in call frames; the last block may be short.
    Each block is a fresh array the caller may keep. ``dtype="int16"`` is exact only
    where :func:`recording_info` says int16.
    """
    if blocksize <= 0:
        raise ValueError("blocksize must be positive")
    remaining = None if frames is None else max(0, int(frames))
    with _opened_at(path, start, dtype) as reader:
        while remaining is None or remaining > 0:
            size = blocksize if remaining is None else min(blocksize, remaining)
            block = np.empty((size, reader.sound.channels), reader.dtype)
            got = reader.fill(block)
            if got == 0:
                return
            if remaining is not None:
                remaining -= got
            yield block if got == size else block[:got].copy()
            if got < size:
                return


def read_span(path, start: int, stop: int) -> np.ndarray:
    """float32 (channels, n) for call frames [start, stop); shorter at the end of the file."""
    start = max(0, int(start))
    with _opened_at(path, start, np.float32) as reader:
        out = np.empty((max(0, int(stop) - start), reader.sound.channels), np.float32)
        got = reader.fill(out) if len(out) else 0
    return np.ascontiguousarray(out[:got].T)


def iter_resampled(path, *, rate: int = TARGET_RATE, blocksize: int = 65536) -> Iterator[np.ndarray]:
    """float32 (n, channels) blocks at ``rate`` (soxr, float in and float out: soxr
    dithers int16 output, which would put noise into the silences VAD measures)."""
    import soxr

    source_rate, channels, _, _ = recording_info(path)
    if source_rate == rate:
        yield from iter_blocks(path, blocksize=blocksize)
        return
    stream = soxr.ResampleStream(source_rate, rate, channels, dtype="float32", quality="HQ")
    for block in iter_blocks(path, blocksize=blocksize):
        out = stream.resample_chunk(block)
        if len(out):
            yield out
    out = stream.resample_chunk(np.zeros((0, channels), np.float32), last=True)
    if len(out):
        yield out


# --- channels ----------------------------------------------------------------------------

_LANE_ORDER = {"agent": 0, "customer": 1, "mixed": 2}


def channel_lanes(channel_map: dict[str, str]) -> list[tuple[int, str]]:
    """[(channel index, "agent"|"customer"|"mixed"|"other"), …] in display order:
    agent first, then customer, then a mixed channel, then anything else; channel
    order within each. Keys that are not channel numbers are ignored."""
    lanes = []
    for key, who in (channel_map or {}).items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            continue
        if index < 0:
            continue
        role = str(who).strip().lower()
        lanes.append((index, role if role in _LANE_ORDER else "other"))
    return sorted(lanes, key=lambda lane: (_LANE_ORDER.get(lane[1], 3), lane[0]))
