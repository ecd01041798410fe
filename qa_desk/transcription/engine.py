"""Speech to words with Vosk, one recognizer per speaker channel.

A stereo call has the agent on one channel and the customer on the other; each is
recognised on its own, so every word knows who said it and overtalk does not garble
either side. The recording is decoded once, in blocks, resampled to 16 kHz (the rate
the models are trained at), once per speaker, block by block into that speaker's
recognizer: memory stays at the model plus a few blocks whatever the call's length.

A Kaldi recognizer's own state grows with the audio it has heard (measured: about
7 MB a minute past the first few minutes, so a two-hour call would add most of a
gigabyte). Each stream therefore gets a fresh recognizer at the first utterance
boundary after ``RENEW_SECONDS``, with word times offset by the audio already
heard; memory then levels off (bench/transcription.py, "peak memory").

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
# Audio a recognizer hears before it is replaced at the next utterance boundary.
# Measured on one channel of a 20-minute call: renewing after 60 s levels memory off
# for good by minute 9; after 180 s it still swings by ±30 MB. A new recognizer costs
# ~60 ms, and Vosk itself restarts its feature pipeline every ~200 s anyway.
RENEW_SECONDS = 60.0


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


class _Stream:
    """One speaker's recognition: a recognizer, renewed at utterance boundaries so its
    state cannot grow with the call, and the words heard so far in call time."""

    def __init__(self, model) -> None:
        self._model = model
        self.words: list[dict] = []
        self._offset = 0.0  # call seconds before the current recognizer's first frame
        self._heard = 0  # 16 kHz frames the current recognizer has been given
        self._recognizer = self._new()

    def _new(self):
        from vosk import KaldiRecognizer

        recognizer = KaldiRecognizer(self._model, RATE)
        recognizer.SetWords(True)
        return recognizer

    def _collect(self, result_json: str) -> None:
        for word in json.loads(result_json).get("result", []):
            if self._offset:
                word["start"] = word["start"] + self._offset
                word["end"] = word["end"] + self._offset
            self.words.append(word)

    def accept(self, samples: np.ndarray) -> None:
        self._heard += len(samples)
        if not self._recognizer.AcceptWaveform(_pcm16(samples)):
            return
        # An endpoint: everything heard so far is final, so a new recognizer can
        # take over from the next block without splitting a word.
        self._collect(self._recognizer.Result())
        if self._heard >= RENEW_SECONDS * RATE:
            self._offset += self._heard / RATE
            self._heard = 0
            self._recognizer = self._new()

    def finish(self) -> None:
        self._collect(self._recognizer.FinalResult())
        self._recognizer = None  # its decoder state is large: free it before the next speaker


def transcribe_recording(
    path: Path | str,
    channel_map: dict,
    model,
    ctx: JobContext | None = None,
) -> list[Utterance]:
    """Every speaker's utterances, in call order. ``model`` is a loaded ``vosk.Model``;
    ``ctx`` gets progress in 16 kHz frames and may cancel between blocks."""
    ctx = ctx or JobContext()
    info = recording_info(path)
    lanes = speaker_lanes(channel_map, info.channels)
    frames = max(1, int(info.frames * RATE / info.sample_rate))
    total = frames * len(lanes)
    done = 0
    blocksize = max(1024, int(info.sample_rate * BLOCK_SECONDS))
    ctx.progress(0, total)
    streams = []
    # One speaker at a time: the file is decoded once per lane (resampling costs ~1% of
    # recognition), but only one recognizer is alive per worker, which keeps its state
    # in cache and halves the memory a call needs next to the shared model.
    for lane in lanes:
        stream = _Stream(model)
        for block in iter_resampled(path, rate=RATE, blocksize=blocksize):
            ctx.check_cancelled()
            stream.accept(block[:, lane.channel])
            done += len(block)
            ctx.progress(min(done, total), total)
        stream.finish()
        streams.append(stream)
    utterances: list[Utterance] = []
    for index, lane in enumerate(lanes):
        utterances.extend(group_utterances(lane.speaker, clean_words(streams[index].words)))
    ctx.progress(total, total)
    return in_call_order(utterances)
