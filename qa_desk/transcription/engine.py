"""Speech to words with Vosk, one recognizer per speaker channel.

A stereo call has the agent on one channel and the customer on the other; each is
recognised on its own, so every word knows who said it and overtalk does not garble
either side. The recording is decoded once, in blocks, resampled to 16 kHz (the rate
the models are trained at) and each block's channels go to their own recognizer:
memory stays at the model plus a few blocks whatever the call's length.

Vosk's ``Model`` is read-only once loaded and documented as shareable between
threads; a ``KaldiRecognizer`` is one stream's state and is never shared. Vosk
releases the GIL inside ``AcceptWaveform``, so worker threads decode in parallel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.decode import channel_lanes, iter_resampled, recording_info
from ..jobs import JobContext
from .words import Utterance, clean_words, group_utterances, in_call_order

RATE = 16000
# Seconds of source audio per decoded block: small enough that cancel answers within
# a fraction of a second, large enough that per-block overhead stays negligible next
# to recognition (measured in bench/transcribe.py).
BLOCK_SECONDS = 0.5


@dataclass(frozen=True)
class Lane:
    channel: int
    speaker: str  # "agent" | "customer" | "mixed" | "other"


def speaker_lanes(channel_map: dict, channels: int) -> list[Lane]:
    """Which channel is whose. A mono call (or one without a map) is one speaker."""
    lanes = [Lane(index, role) for index, role in channel_lanes(channel_map) if index < channels]
    if not lanes:
        lanes = [Lane(0, "mixed")]
    return lanes


def _pcm16(samples: np.ndarray) -> bytes:
    # soxr gives float; Vosk wants 16-bit little-endian PCM.
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def transcribe_recording(
    path: Path | str,
    channel_map: dict,
    model,
    ctx: JobContext | None = None,
) -> list[Utterance]:
    """Every speaker's utterances, in call order. ``model`` is a loaded ``vosk.Model``;
    ``ctx`` gets progress in 16 kHz frames and may cancel between blocks."""
    from vosk import KaldiRecognizer

    ctx = ctx or JobContext()
    info = recording_info(path)
    lanes = speaker_lanes(channel_map, info.channels)
    recognizers = []
    for _ in lanes:
        recognizer = KaldiRecognizer(model, RATE)
        recognizer.SetWords(True)
        recognizers.append(recognizer)
    raw: list[list[dict]] = [[] for _ in lanes]

    def collect(index: int, result_json: str) -> None:
        raw[index].extend(json.loads(result_json).get("result", []))

    total = max(1, int(info.frames * RATE / info.sample_rate))
    done = 0
    blocksize = max(1024, int(info.sample_rate * BLOCK_SECONDS))
    ctx.progress(0, total)
    for block in iter_resampled(path, rate=RATE, blocksize=blocksize):
        ctx.check_cancelled()
        for index, lane in enumerate(lanes):
            if recognizers[index].AcceptWaveform(_pcm16(block[:, lane.channel])):
                collect(index, recognizers[index].Result())
        done += len(block)
        ctx.progress(min(done, total), total)
    for index in range(len(lanes)):
        collect(index, recognizers[index].FinalResult())
    utterances: list[Utterance] = []
    for index, lane in enumerate(lanes):
        utterances.extend(group_utterances(lane.speaker, clean_words(raw[index])))
    ctx.progress(total, total)
    return in_call_order(utterances)
