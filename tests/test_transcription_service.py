"""The window's transcription service: queue, snapshot with progress and ETA, cancel,
retry, start-up recovery, and worker threads that stay up for new work."""

from __future__ import annotations

import time

from sqlalchemy import select

from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.store.models import Call
from qa_desk.transcription import queue
from qa_desk.transcription.runner import ModelUnavailable, ResolvedModel
from qa_desk.transcription.service import TranscriptionService
from speech import dither_free_copy, speech_clip


def no_model(name, language):
    raise ModelUnavailable("no speech model for 'zh' calls is installed")


def imported(db, folder, count):
    paths = [speech_clip(folder / f"s{i}.wav", start=2.0 * i, seconds=2.5) for i in range(count)]
    import_recordings(db, paths, ImportOptions())
    with db.session() as s:
        return list(s.execute(select(Call.id).order_by(Call.id)).scalars())


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_snapshot_cancel_retry_without_workers(sqlite_db, tmp_path):
    ids = imported(sqlite_db, tmp_path, 3)
    service = TranscriptionService(sqlite_db, resolve=no_model, workers=2)
    assert "no speech model" in service.model_problem()
    assert service.snapshot().counts == {} and service.snapshot().eta_seconds is None

    assert len(service.transcribe(ids[:2]).queued) == 2
    assert len(service.transcribe_pending().queued) == 1
    snap = service.snapshot()
    assert snap.counts == {"queued": 3} and snap.active == 3
    assert [r.file_name for r in snap.jobs] == ["s0.wav", "s1.wav", "s2.wav"]
    assert snap.progress == 0.0 and snap.eta_seconds > 0

    assert service.cancel([snap.jobs[0].id]) == 1
    assert service.snapshot().counts == {"queued": 2, "cancelled": 1}
    assert service.cancel() == 2
    assert service.retry([snap.jobs[1].id]) == [snap.jobs[1].id]
    assert service.snapshot().counts == {"queued": 1, "cancelled": 2}
    assert service.clear_finished() == 2
    assert service.snapshot().counts == {"queued": 1}


def test_snapshot_lists_a_few_jobs_but_counts_the_whole_batch(sqlite_db, tmp_path):
    ids = imported(sqlite_db, tmp_path, 3)
    service = TranscriptionService(sqlite_db, resolve=no_model, workers=1)
    jobs = service.transcribe(ids).queued
    snap = service.snapshot(active_limit=1)
    assert [r.id for r in snap.jobs] == jobs[:1]  # only the next one listed…
    assert (snap.batch_done, snap.batch_total, snap.active) == (0, 3, 3)  # …all three counted
    service.cancel([jobs[0]])
    snap = service.snapshot(active_limit=1)
    assert (snap.batch_done, snap.batch_total) == (1, 3)
    assert abs(snap.progress - 1 / 3) < 0.01  # the three calls are of equal length
    service.cancel()
    snap = service.snapshot()
    assert (snap.batch_done, snap.batch_total, snap.progress) == (0, 0, 1.0)  # batch over


def test_service_workers_transcribe_and_recover_after_a_crash(sqlite_db, tmp_path):
    model_dir = dither_free_copy(tmp_path / "model")
    service = TranscriptionService(
        sqlite_db, resolve=lambda name, lang: ResolvedModel("ko-test", "ko", model_dir), workers=2
    )
    ids = imported(sqlite_db, tmp_path, 3)
    jobs = service.transcribe(ids).queued
    # A previous session died holding the first job.
    dead = queue.worker_id().split(":")[0] + ":999999999:0"
    assert queue.claim(sqlite_db, dead, lease=600, only=[jobs[0]]) is not None
    assert service.start() == 1
    try:
        assert wait_for(lambda: service.snapshot().counts == {"done": 3})
        snap = service.snapshot()
        assert snap.progress == 1.0 and snap.eta_seconds is None
        assert all(r.status == "done" and r.progress == 1.0 for r in snap.jobs)
        # Threads stay up: a call queued later is picked up without a restart.
        with sqlite_db.session() as s:
            assert {c.transcript_status for c in s.execute(select(Call)).scalars()} == {"done"}
        service.transcribe([ids[0]], force=True)
        assert wait_for(lambda: service.snapshot().counts == {"done": 4})
    finally:
        service.stop()
    assert not service.running
