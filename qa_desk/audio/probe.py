"""Look at a call recording's header and decide whether QA Desk can import it.

Probing never decodes audio: a folder of a thousand hour-long calls must
import in seconds, so we read headers only (libsndfile's ``sf_open`` via
``soundfile.info``, or ``ffprobe`` for containers libsndfile cannot read).

The file's first bytes, not its extension, decide which reader is asked:
recorders and agents rename files freely (an MP3 saved as ``.wav`` is common),
and sniffing first lets us tell "this is not a recording at all" apart from
"this is a recording we cannot decode", which need different advice.

MP3 note: for MP3s without a LAME/Xing header, libsndfile counts the
encoder's padding (about 1,536 frames, ~0.1 s at 16 kHz) as audio. We keep
the frame count as libsndfile reports it, so duration matches what playback
through soundfile will actually deliver.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from ..wording import QT_TRANSLATE_NOOP, translate

__all__ = ["AUDIO_EXTENSIONS", "FFMPEG_EXTENSIONS", "AudioInfo", "ProbeError", "find_ffprobe", "probe"]


class ProbeError(Exception):
    """A recording that cannot be imported. ``reason`` is a stable code the
    import screen groups by; ``str(e)`` tells the QA analyst, naming the file."""

    def __init__(self, path, reason: str, message: str):
        super().__init__(message)
        self.path = Path(path)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class AudioInfo:
    format: str
    codec: str
    sample_rate: int
    channels: int
    frames: int
    duration: float
    decoder: str


AUDIO_EXTENSIONS: frozenset[str] = frozenset({
    ".wav", ".wave", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4",
    ".aac", ".amr", ".awb", ".wma", ".asf", ".3gp", ".3g2", ".gsm", ".aif",
    ".aiff", ".aifc", ".au", ".caf", ".rf64", ".w64",
})

# Only ffmpeg reads these. Used for the needs-ffmpeg advice and for files whose
# bytes we do not recognise but whose name says what they should be.
_FFMPEG_EXTENSIONS = {".m4a": "M4A", ".mp4": "MP4", ".aac": "AAC", ".amr": "AMR", ".awb": "AMR",
                      ".wma": "WMA", ".asf": "WMA", ".3gp": "3GP", ".3g2": "3GP"}
# Recordings only ffmpeg decodes: probing them starts a subprocess.
FFMPEG_EXTENSIONS: frozenset[str] = frozenset(_FFMPEG_EXTENSIONS)
_FFMPEG_LABELS = {"M4A": "M4A/AAC", "MP4": "M4A/AAC", "AAC": "M4A/AAC", "3GP": "3GP/AMR"}

FFPROBE_TIMEOUT = 30.0  # seconds; a network share can be slow, a hung ffprobe must not hang the import
_HEAD_BYTES = 4096

# WAV format tags libsndfile 1.2 decodes. Anything else makes libsndfile say
# "Malformed 'fmt ' chunk", which would wrongly read as corruption.
_WAV_TAGS_LIBSNDFILE = {0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0031, 0x0038, 0x0040, 0x0055}
_WAV_TAG_NAMES = {
    0x0014: "G.723 ADPCM", 0x0020: "Yamaha ADPCM", 0x0022: "DSP Group TrueSpeech",
    0x0042: "G.723.1", 0x0045: "G.726 ADPCM", 0x0050: "MPEG Layer I/II",
    0x0064: "G.726 ADPCM", 0x0065: "G.722 ADPCM", 0x0083: "G.729",
    0x0133: "G.729", 0x0161: "Windows Media Audio", 0x028F: "G.722",
}
_WAV_PLACEHOLDER_SIZES = {0xFFFFFFFF, 0x7FFFFFFF}  # written by recorders that stream
_OGG_CODECS = ((b"\x01vorbis", "vorbis"), (b"OpusHead", "opus"), (b"\x7fFLAC", "flac"), (b"Speex   ", "Speex"))
_SIGNATURES = (  # (offset, magic bytes, kind); RIFF, RIFX and RF64 all carry WAVE at 8
    (8, b"WAVE", "wav"), (8, b"AIFF", "aiff"), (8, b"AIFC", "aiff"), (0, b"fLaC", "flac"),
    (0, b"OggS", "ogg"), (0, b".snd", "au"), (0, b"caff", "caf"), (0, b"NIST_1A", "nist"),
    (0, bytes.fromhex("726966662e91cf11a5d628db04c10000"), "w64"),
    (0, bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"), "asf"), (0, b"#!AMR", "amr"),
    (4, b"ftyp", "mp4"), (4, b"moov", "mp4"), (4, b"mdat", "mp4"), (4, b"wide", "mp4"),
)

# Things people drop into a recordings folder by mistake, so the message can
# say what the file actually is.
_NOT_AUDIO_SIGNATURES = (
    (b"%PDF", QT_TRANSLATE_NOOP("Errors", "a PDF document")),
    (b"PK\x03\x04", QT_TRANSLATE_NOOP("Errors", "a ZIP archive or Office document")),
    (b"\xd0\xcf\x11\xe0", QT_TRANSLATE_NOOP("Errors", "an old-style Office document")),
    (b"\x89PNG", QT_TRANSLATE_NOOP("Errors", "a PNG image")),
    (b"\xff\xd8\xff", QT_TRANSLATE_NOOP("Errors", "a JPEG image")),
    (b"MZ", QT_TRANSLATE_NOOP("Errors", "a Windows program")),
    (b"Rar!", QT_TRANSLATE_NOOP("Errors", "a RAR archive")),
    (b"\x1f\x8b", QT_TRANSLATE_NOOP("Errors", "a gzip archive")),
)
_TEXT = QT_TRANSLATE_NOOP("Errors", "text")

_SOUNDFILE_KINDS = {"wav", "w64", "aiff", "au", "caf", "flac", "ogg", "mp3", "gsm", "nist"}
_SOUNDFILE_FORMAT_NAMES = {"WAVEX": "WAV", "RAW": "GSM"}  # libsndfile reads raw audio only as .gsm here


def find_ffprobe() -> str | None:
    """``QA_DESK_FFPROBE`` if set (sites with a portable ffmpeg outside PATH), else ffprobe on PATH."""
    return os.environ.get("QA_DESK_FFPROBE") or shutil.which("ffprobe")


def probe(path, *, ffprobe: str | None = None) -> AudioInfo:
    """Describe the recording at ``path`` from its header, or raise ProbeError.

    ``ffprobe=None`` finds ffprobe with :func:`find_ffprobe`; a string is used
    as the ffprobe program (a missing one means ffmpeg is not installed).
    """
    path = Path(path)
    head = _read_head(path)
    kind = _sniff(path, head)
    if kind in ("mp4", "amr", "asf", "adts"):
        return _probe_with_ffmpeg(path, head, kind, ffprobe)
    if kind in _SOUNDFILE_KINDS:
        return _probe_with_soundfile(path, head, kind, ffprobe)
    what = _describe_non_audio(head)
    if what:
        _fail(path, "not_audio", translate(
            "Errors", "{file}: this is not an audio recording (it looks like {what}); take it out of the "
            "recordings, or choose the recording itself"),
            what=translate("Errors", what))  # registered by QT_TRANSLATE_NOOP in _NOT_AUDIO_SIGNATURES
    if path.suffix.lower() in _FFMPEG_EXTENSIONS:
        return _probe_with_ffmpeg(path, head, None, ffprobe)
    # Last resort for formats we do not sniff; libsndfile's RAW guesses (by
    # extension, e.g. .vox) accept any bytes at all, so they do not count.
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        info = None
    if info is None or info.format == "RAW":
        _unrecognised(path)
    return _soundfile_result(path, info)


def _fail(path: Path, reason: str, message: str, **values):
    """Raise ProbeError; ``message`` is a translated sentence naming ``{file}``."""
    raise ProbeError(path, reason, message.format(file=path.name, **values))


def _unrecognised(path: Path):
    _fail(path, "not_audio", translate(
        "Errors", "{file}: this is not an audio recording QA Desk recognises. Convert it to WAV or FLAC, "
        "or install ffmpeg, and import again."))


def _read_head(path: Path) -> bytes:
    try:
        if path.is_dir():
            _fail(path, "unreadable", translate("Errors", "{file}: this is a folder, not a recording"))
        with open(path, "rb") as file:
            head = file.read(_HEAD_BYTES)
    except FileNotFoundError:
        _fail(path, "missing", translate("Errors", "{file}: the file does not exist (was it moved or deleted?)"))
    except PermissionError:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: permission denied (is it still open in the recorder or another program?)"))
    except OSError as exc:
        _fail(path, "unreadable", translate("Errors", "{file}: the file cannot be read ({detail})"),
              detail=exc.strerror or exc)
    if not head:
        _fail(path, "empty", translate(
            "Errors", "{file}: the file is empty (0 bytes); the recording was probably never written. "
            "Export it from the call recorder again."))
    return head


def _sniff(path: Path, head: bytes) -> str | None:
    """What the first bytes say the file is, or None if they say nothing."""
    for offset, magic, kind in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return kind
    frame = head
    if head[:3] == b"ID3" and len(head) >= 10:
        # An ID3 tag can front AAC as well as MP3; look at the first frame after it.
        tag_size = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F))
        with open(path, "rb") as file:
            file.seek(tag_size)
            frame = file.read(4)
        if not _is_adts(frame):
            return "mp3"
    if _is_adts(frame):
        return "adts"
    if _is_mpeg_audio_frame(frame):
        return "mp3"
    if path.suffix.lower() == ".gsm" and _looks_like_raw_gsm(head):
        return "gsm"
    return None


def _is_adts(frame: bytes) -> bool:
    return len(frame) >= 2 and frame[0] == 0xFF and (frame[1] & 0xF6) == 0xF0


def _is_mpeg_audio_frame(frame: bytes) -> bool:
    # A frame header with no reserved values in it; random data rarely passes.
    if len(frame) < 3 or frame[0] != 0xFF or (frame[1] & 0xE0) != 0xE0:
        return False
    version, layer = (frame[1] >> 3) & 3, (frame[1] >> 1) & 3
    bitrate, rate = frame[2] >> 4, (frame[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _looks_like_raw_gsm(head: bytes) -> bool:
    # Headerless GSM 6.10 is 33-byte frames whose first nibble is always 0xD.
    starts = range(0, min(len(head), 33 * 16), 33)
    return len(head) >= 33 and all(head[i] >> 4 == 0xD for i in starts)


def _describe_non_audio(head: bytes) -> str | None:
    for signature, what in _NOT_AUDIO_SIGNATURES:
        if head.startswith(signature):
            return what
    # Text (in any 8-bit encoding, GBK included) has no NULs and almost no
    # control characters; every audio header and codec stream has plenty.
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or controls * 100 <= len(head):
        return _TEXT
    return None


def _probe_with_soundfile(path: Path, head: bytes, kind: str, ffprobe: str | None) -> AudioInfo:
    layout = _wav_layout(path) if kind == "wav" else None
    if layout and layout[0] not in _WAV_TAGS_LIBSNDFILE:
        name = _WAV_TAG_NAMES.get(layout[0]) or translate("Errors", "an unknown codec")
        return _foreign_codec(path, "WAV", f"{name} (WAV format 0x{layout[0]:04X})", ffprobe)
    if kind == "ogg":
        # The first Ogg page (within the head) names the codec of the first stream.
        packet = head[27 + head[26]:] if len(head) > 27 else b""
        codec = next((name for marker, name in _OGG_CODECS if packet.startswith(marker)), None)
        if codec not in ("vorbis", "opus", "flac"):
            return _foreign_codec(path, "OGG", codec or translate("Errors", "an unknown codec"), ffprobe)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError) as exc:
        _damaged(path, getattr(exc, "error_string", None) or str(exc))
    if layout:
        _check_wav_data(path, *layout)
    return _soundfile_result(path, info)


def _soundfile_result(path: Path, info) -> AudioInfo:
    if info.frames <= 0 or info.samplerate <= 0:
        _no_audio(path)
    container = _SOUNDFILE_FORMAT_NAMES.get(info.format, info.format)
    codec = "FLAC" if container == "FLAC" else info.subtype
    return AudioInfo(format=container, codec=codec, sample_rate=int(info.samplerate),
                     channels=int(info.channels), frames=int(info.frames),
                     duration=info.frames / info.samplerate, decoder="soundfile")


def _wav_layout(path: Path) -> tuple[int, int, int, int] | None:
    """(format tag, bytes per second, declared data size, data bytes present)."""
    tag = byte_rate = None
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if file.read(12)[:4] != b"RIFF":
                return None  # big-endian RIFX and RF64 are rare enough to leave to libsndfile
            for _ in range(64):  # bounded: a corrupt chunk size must not loop forever
                header = file.read(8)
                if len(header) < 8:
                    return None
                chunk_id, chunk_size = struct.unpack("<4sI", header)
                if chunk_id == b"data":
                    return None if tag is None else (tag, byte_rate, chunk_size, size - file.tell())
                body = file.read(min(chunk_size, 40)) if chunk_id == b"fmt " else b""
                if chunk_id == b"fmt ":
                    if len(body) < 16:
                        return None
                    tag, _, _, byte_rate = struct.unpack("<HHII", body[:12])
                    if tag == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: real tag inside
                        tag = struct.unpack("<H", body[24:26])[0]
                file.seek(chunk_size - len(body) + (chunk_size & 1), os.SEEK_CUR)
    except OSError:
        return None
    return None


def _check_wav_data(path: Path, tag: int, byte_rate: int, declared: int, present: int) -> None:
    # libsndfile quietly shortens a cut-off WAV to what is there; a QA analyst
    # scoring half a call must be told the recording is incomplete.
    rate = byte_rate or 1
    if declared in _WAV_PLACEHOLDER_SIZES:
        return
    if declared == 0 and present > 0:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: the WAV header was never finished (it says there is no audio, yet {seconds} s "
            "follow it); the recorder probably stopped mid-call. Export the call from the recorder again."),
            seconds=f"{present / rate:.1f}")
    if declared > present:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: the recording is truncated: it should hold {declared} s of audio but the file "
            "ends after {present} s (still copying, or cut short?). Wait for the copy to finish, or export "
            "it again, and import again."), declared=f"{declared / rate:.1f}", present=f"{present / rate:.1f}")


def _foreign_codec(path: Path, container: str, codec_name: str, ffprobe: str | None) -> AudioInfo:
    """A container libsndfile reads but a codec inside it that it cannot; ffmpeg may."""
    program = find_ffprobe() if ffprobe is None else ffprobe
    if program:
        try:
            return _run_ffprobe(path, program, container, known=True)
        except ProbeError as exc:
            if exc.reason == "unsupported_codec":
                _fail(path, "unsupported_codec", translate(
                    "Errors", "{file}: the recording uses {codec}, which neither QA Desk nor ffmpeg can decode; "
                    "set the call recorder to save WAV (PCM), MP3 or FLAC and export it again"),
                    codec=codec_name)
            if exc.reason != "needs_ffmpeg":
                raise
    _fail(path, "unsupported_codec", translate(
        "Errors", "{file}: the recording uses {codec}, which QA Desk cannot decode without ffmpeg; {hint}"),
        codec=codec_name, hint=_install_hint())


def _probe_with_ffmpeg(path: Path, head: bytes, kind: str | None, ffprobe: str | None) -> AudioInfo:
    container = _ffmpeg_container(path, head, kind)
    program = find_ffprobe() if ffprobe is None else ffprobe
    if not program:
        _needs_ffmpeg(path, container, None)
    return _run_ffprobe(path, program, container, known=kind is not None)


def _ffmpeg_container(path: Path, head: bytes, kind: str | None) -> str:
    by_extension = _FFMPEG_EXTENSIONS.get(path.suffix.lower())
    if kind != "mp4":
        return {"amr": "AMR", "asf": "WMA", "adts": "AAC"}.get(kind or "", by_extension or "audio")
    if head[8:12] in (b"M4A ", b"M4B ") or head[8:11] == b"3gp":  # the MP4 brand beats the name
        return "M4A" if head[8:9] == b"M" else "3GP"
    return by_extension if by_extension in ("M4A", "MP4", "3GP") else "MP4"


def _needs_ffmpeg(path: Path, container: str, program: str | None):
    kind = _FFMPEG_LABELS.get(container, container)
    if program:
        _fail(path, "needs_ffmpeg", translate(
            "Errors", "{file}: {kind} recordings need ffmpeg (no ffprobe at {program}); {hint}"),
            kind=kind, program=program, hint=_install_hint())
    _fail(path, "needs_ffmpeg", translate("Errors", "{file}: {kind} recordings need ffmpeg; {hint}"),
          kind=kind, hint=_install_hint())


def _install_hint() -> str:
    if sys.platform.startswith("win"):
        return translate("Errors", "install ffmpeg, set QA_DESK_FFPROBE to the full path of ffprobe.exe, "
                         "and import again")
    if sys.platform == "darwin":
        return translate("Errors", "install it (brew install ffmpeg) and import again")
    return translate("Errors", "install it (sudo apt-get install ffmpeg) and import again")


def _damaged(path: Path, detail: str):
    _fail(path, "unreadable", translate(
        "Errors", "{file}: the recording is damaged or incomplete ({detail}); export it from the call "
        "recorder again"), detail=detail)


def _no_audio(path: Path):
    _fail(path, "zero_length", translate(
        "Errors", "{file}: the recording has a valid header but no audio in it; export it from the call "
        "recorder again"))


def _system_env() -> dict[str, str] | None:
    """The environment for a system program: in the desktop bundle PyInstaller points
    LD_LIBRARY_PATH at its own libraries, which the system's ffprobe must not load (they
    may be older than the ones it was built for); the bundle keeps the original aside."""
    if not getattr(sys, "frozen", False):
        return None
    env = dict(os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        env.pop("LD_LIBRARY_PATH", None)
    else:
        env["LD_LIBRARY_PATH"] = original
    return env


def _run_ffprobe(path: Path, program: str, container: str, *, known: bool) -> AudioInfo:
    # "file:" stops ffprobe reading a name that starts with "-" as an option,
    # or one containing ":" as a protocol.
    command = [program, "-v", "error", "-show_streams", "-show_format", "-of", "json",
               "file:" + os.path.abspath(path)]
    try:  # CREATE_NO_WINDOW: on Windows a console must not flash up over the app
        done = subprocess.run(command, capture_output=True, timeout=FFPROBE_TIMEOUT, env=_system_env(),
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except subprocess.TimeoutExpired:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: ffprobe gave no answer within {seconds} s; if the file is on a network share, "
            "copy it to this computer and import again"), seconds=f"{FFPROBE_TIMEOUT:.0f}")
    except OSError:
        _needs_ffmpeg(path, container, program)
    if done.returncode != 0:
        if not known:
            _unrecognised(path)
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = problem[-1].replace("file:" + os.path.abspath(path) + ": ", "") if problem else "ffprobe failed"
        _damaged(path, detail)
    try:
        report = json.loads(done.stdout.decode("utf-8", "replace"))
    except ValueError:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: ffprobe's report could not be read; check that ffprobe runs, or reinstall ffmpeg"))
    streams = [s for s in report.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        _fail(path, "not_audio", translate(
            "Errors", "{file}: the file holds no audio track (a video without sound?); export the call's "
            "audio again"))
    stream, codec = streams[0], streams[0].get("codec_name")
    if not codec or codec == "none":
        _fail(path, "unsupported_codec", translate(
            "Errors", "{file}: the recording uses a codec that neither QA Desk nor ffmpeg can decode; "
            "set the call recorder to save WAV (PCM), MP3 or FLAC and export it again"))
    try:
        rate, channels = int(stream.get("sample_rate") or 0), int(stream.get("channels") or 0)
        duration = float(stream.get("duration") or report.get("format", {}).get("duration") or 0)
    except ValueError:
        rate = channels = 0
    if rate <= 0 or channels <= 0:
        _fail(path, "unreadable", translate(
            "Errors", "{file}: ffprobe could not find the sample rate or channel count; the recording may be "
            "damaged: export it from the call recorder again"))
    if duration <= 0:  # AMR and raw AAC durations are ffmpeg's estimate from the bit rate
        _no_audio(path)
    frames = round(duration * rate)
    return AudioInfo(format=container, codec=codec, sample_rate=rate, channels=channels,
                     frames=frames, duration=frames / rate, decoder="ffmpeg")
