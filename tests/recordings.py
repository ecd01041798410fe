"""Real recordings for the tests, written with soundfile: tones for speech, zeros for silence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def call_signal(seconds: float, sample_rate: int = 8000, channels: int = 2, seed: int = 0) -> np.ndarray:
    """Agent (left) and customer (right) taking turns: a different tone per speaker."""
    rng = np.random.default_rng(seed)
    frames = int(seconds * sample_rate)
    t = np.arange(frames) / sample_rate
    signal = np.zeros((frames, channels), dtype=np.float32)
    turn = max(1, int(sample_rate * 1.5))
    for start in range(0, frames, turn):
        speaker = (start // turn) % channels
        end = min(frames, start + int(turn * 0.8))
        freq = 220 + 110 * speaker + rng.integers(0, 50)
        signal[start:end, speaker] = 0.3 * np.sin(2 * np.pi * freq * t[start:end])
    # A faint seeded noise floor, as on a real line: it also makes every seed a
    # different recording (content hash), however short.
    signal += rng.normal(0.0, 0.002, signal.shape).astype(np.float32)
    return signal


def write_call(
    path: Path,
    seconds: float = 3.0,
    *,
    sample_rate: int = 8000,
    channels: int = 2,
    subtype: str | None = None,
    format: str | None = None,
    seed: int = 0,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, call_signal(seconds, sample_rate, channels, seed), sample_rate, subtype=subtype, format=format)
    return path


def write_text_as(path: Path, text: str = "This is a meeting note, not a recording.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text * 20, encoding="utf-8")
    return path


def write_truncated_wav(path: Path) -> Path:
    """A WAV cut off after its first bytes, as a recorder crash leaves it."""
    full = write_call(path.with_suffix(".full.wav"), 2.0)
    path.write_bytes(full.read_bytes()[:30])
    full.unlink()
    return path
