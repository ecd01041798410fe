"""`qa-desk transcribe`, `qa-desk transcript show` and two `qa-desk worker` processes
sharing a real PostgreSQL queue, with the real Korean Vosk model."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from qa_desk.cli import main
from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.store.database import Database
from qa_desk.store.models import Call, Transcript, TranscriptionJob
from qa_desk.transcription import queue
from speech import korean_model_dir, speech_clip

MODEL = "vosk-model-small-ko-0.22"


@pytest.fixture
def korean_on_path(tmp_path, monkeypatch):
    """The packaged Korean model, found through VOSK_MODEL_PATH under its published name."""
    shelf = tmp_path / "shared-models"
    shelf.mkdir()
    (shelf / MODEL).symlink_to(korean_model_dir(), target_is_directory=True)
    monkeypatch.setenv("VOSK_MODEL_PATH", str(shelf))
    return shelf


def import_clips(url, folder, count, seconds=2.5):
    db = Database.open(url)
    try:
        paths = [speech_clip(folder / f"c{i}.wav", start=2.0 * i, seconds=seconds) for i in range(count)]
        assert import_recordings(db, paths, ImportOptions()).counts()["imported"] == count
        with db.session() as s:
            return list(s.execute(select(Call.id).order_by(Call.id)).scalars())
    finally:
        db.close()


def test_transcribe_named_calls_then_show_the_transcript(sqlite_db, korean_on_path, tmp_path, capsys):
    url = str(sqlite_db.engine.url)
    ids = import_clips(url, tmp_path / "rec", 2)
    code = main(["--db", url, "transcribe", str(ids[0]), str(ids[1]), "--model", MODEL, "--workers", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and sorted(out["done"]) == ids and not out["failed"]

    assert main(["--db", url, "transcript", "show", str(ids[0]), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert json.dumps(shown, ensure_ascii=False).count(MODEL) >= 1
    utterances = shown["transcript"]["utterances"]
    assert utterances and {u["speaker"] for u in utterances} <= {"agent", "customer"}
    assert all(w["start"] >= u["start"] - 1e-6 for u in utterances for w in u["words"])

    # Already transcribed: skipped without --force, nothing to do, still a success.
    assert main(["--db", url, "transcribe", str(ids[0]), "--model", MODEL]) == 0
    assert "already transcribed" in capsys.readouterr().err


def test_transcribe_pending_uses_the_default_model_for_the_language(sqlite_db, korean_on_path, tmp_path, capsys):
    url = str(sqlite_db.engine.url)
    ids = import_clips(url, tmp_path / "rec", 2)
    with sqlite_db.session() as s:
        queue.enqueue(s, [ids[0]])
        queue.cancel(s)
    code = main(["--db", url, "transcribe", "--pending", "--language", "ko", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and sorted(out["done"]) == ids
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count(Transcript.id))) == 2


def test_transcribe_usage_errors(sqlite_db, korean_on_path, tmp_path, capsys):
    url = str(sqlite_db.engine.url)
    ids = import_clips(url, tmp_path / "rec", 1)
    assert main(["--db", url, "transcribe"]) == 2
    assert "--pending" in capsys.readouterr().err
    assert main(["--db", url, "transcribe", "4242", "--model", MODEL]) == 2
    assert "no such call: 4242" in capsys.readouterr().err
    assert main(["--db", url, "transcribe", str(ids[0]), "--model", "vosk-model-small-cn-0.22"]) == 2
    assert "vosk-model-small-cn-0.22" in capsys.readouterr().err
    # No model for the calls' language at all.
    assert main(["--db", url, "transcribe", str(ids[0]), "--language", "zh"]) == 2
    assert "no speech model for 'zh'" in capsys.readouterr().err


def test_a_failed_call_gives_exit_1_and_names_the_file(sqlite_db, korean_on_path, tmp_path, capsys):
    url = str(sqlite_db.engine.url)
    ids = import_clips(url, tmp_path / "rec", 2)
    (tmp_path / "rec" / "c1.wav").unlink()
    code = main(["--db", url, "transcribe", *map(str, ids), "--model", MODEL])
    captured = capsys.readouterr()
    assert code == 1
    assert "c1.wav: recording not found" in captured.out
    assert "1 transcribed, 1 failed" in captured.out


def _worker(url, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "qa_desk", "--db", url, "worker", "--workers", "1", "--lease", "3", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


@pytest.mark.postgres
def test_two_worker_processes_share_a_postgres_queue_and_survive_a_kill(
    postgres_server, korean_on_path, tmp_path
):
    url = postgres_server.create_database("qa_workers")
    ids = import_clips(url, tmp_path / "rec", 6)
    db = Database.open(url)
    with db.session() as s:
        jobs = queue.enqueue(s, ids, model_name=MODEL).queued
    victim, survivor = _worker(url), None
    try:
        # Wait until the first worker is well into a call, then kill it outright.
        deadline = time.monotonic() + 120
        held = None
        while held is None and time.monotonic() < deadline:
            with db.session() as s:
                held = s.execute(
                    select(TranscriptionJob.id).where(
                        TranscriptionJob.worker.like(f"%:{victim.pid}:%"),
                        TranscriptionJob.status == "running", TranscriptionJob.progress > 0.2,
                    )
                ).scalar()
            time.sleep(0.05)
        assert held is not None, victim.communicate(timeout=5)[0]
        survivor = _worker(url)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)

        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with db.session() as s:
                states = queue.job_states(s, jobs)
            if all(state == "done" for state, _, _ in states.values()):
                break
            assert survivor.poll() is None, survivor.communicate()[0]
            time.sleep(0.2)
        assert all(state == "done" for state, _, _ in states.values()), states

        with db.session() as s:
            per_call = dict(s.execute(
                select(Transcript.call_id, func.count(Transcript.id)).group_by(Transcript.call_id)
            ).all())
            reclaimed = s.get(TranscriptionJob, held)
            assert per_call == {i: 1 for i in ids}  # every call once, none lost
            assert reclaimed.attempts == 2 and f":{survivor.pid}:" in reclaimed.worker
            assert all(c == "done" for c in s.execute(select(Call.transcript_status)).scalars())
    finally:
        for proc in (victim, survivor):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        if survivor:
            out = survivor.communicate(timeout=30)[0]
            assert survivor.returncode == 0, out
            assert "transcribed" in out
        db.close()
        postgres_server.drop_database("qa_workers")
