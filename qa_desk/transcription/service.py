"""Transcription as the window sees it: queue calls, watch the queue, cancel, retry.

The window keeps one ``TranscriptionService`` for its database. It runs worker
threads while the app is open (they wait for jobs when there are none), so calls
queued by this reviewer, or jobs a previous session left unfinished, are worked off
here; on a team's database, `qa-desk worker` machines take jobs from the same queue.

Everything here is Qt-free and safe to call from the GUI thread: each call is one
short query (the Jobs panel polls ``snapshot`` twice a second while work is going on).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import delete, func, select

from ..settings import Settings
from ..store.database import Database
from ..store.models import Call, TranscriptionJob as Job
from . import queue
from .model_choice import installed_models
from .runner import ModelPool, ModelResolver, ModelUnavailable, TranscriptionRunner

# Until this session has finished a call, ETA assumes Vosk's typical speed on a
# small model: 0.25 s of CPU per second of audio per channel (measured here).
DEFAULT_SECONDS_PER_AUDIO_SECOND = 0.25 * 2


@dataclass(frozen=True)
class JobRow:
    id: int
    call_id: int
    file_name: str
    duration: float  # seconds of audio
    status: str
    progress: float  # 0..1
    error: str | None
    worker: str | None
    model_name: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class QueueSnapshot:
    jobs: tuple[JobRow, ...]  # active first, then the most recent finished ones
    counts: dict[str, int]  # status → jobs (whole queue)
    progress: float  # 0..1 over the active jobs and those finished with them
    eta_seconds: float | None  # None: nothing to do, or no estimate yet
    batch_done: int = 0  # jobs of the batch going on that have finished
    batch_total: int = 0  # jobs seen waiting or running since the queue was last empty

    @property
    def active(self) -> int:
        return self.counts.get("queued", 0) + self.counts.get("running", 0)


class TranscriptionService:
    def __init__(
        self,
        db: Database,
        *,
        load_settings: Callable[[], Settings] = Settings.load,
        resolve: ModelResolver | None = None,
        workers: int | None = None,
        after_transcript: Callable[[Database, int], None] | None = None,
    ):
        self.db = db
        self.after_transcript = after_transcript
        self._load_settings = load_settings
        self.resolve = resolve or installed_models(load_settings)
        self._workers = workers
        self._runner: TranscriptionRunner | None = None
        self._lock = threading.Lock()
        # Audio seconds finished and wall seconds spent, for the ETA.
        self._batch_started: float | None = None
        self._batch: dict[int, float] = {}  # job id → seconds of audio

    # --- the worker threads --------------------------------------------------------

    def workers(self) -> int:
        return self._workers or self._load_settings().transcription_workers or os.cpu_count() or 1

    def start(self) -> int:
        """Requeue what a crashed session left running and start the worker threads;
        how many calls were requeued."""
        requeued = queue.requeue_orphans(self.db)
        with self._lock:
            if self._runner is None:
                self._runner = TranscriptionRunner(
                    self.db, ModelPool(self.resolve), workers=self.workers(), keep_running=True, poll=2.0,
                    after_transcript=self.after_transcript,
                )
                self._runner.start()
        return requeued

    def stop(self, timeout: float = 10.0) -> None:
        """Closing the window: calls in hand go back to the queue for next time."""
        with self._lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.stop(release=True)
            runner.join(timeout)

    @property
    def running(self) -> bool:
        return self._runner is not None

    # --- queueing ------------------------------------------------------------------

    def model_problem(self, language: str | None = None) -> str | None:
        """Why calls cannot be transcribed on this computer now, or None."""
        try:
            self.resolve(None, language)
        except ModelUnavailable as exc:
            return str(exc)
        return None

    def transcribe(self, call_ids: list[int], *, force: bool = False) -> queue.EnqueueResult:
        with self.db.session() as session:
            result = queue.enqueue(session, call_ids, force=force)
        self._queued(result)
        return result

    def transcribe_pending(self) -> queue.EnqueueResult:
        with self.db.session() as session:
            result = queue.enqueue(session, queue.pending_call_ids(session))
        self._queued(result)
        return result

    def _queued(self, result: queue.EnqueueResult) -> None:
        if result.queued and self._runner is not None:
            self._runner.wake()

    def cancel(self, job_ids: list[int] | None = None) -> int:
        with self.db.session() as session:
            return queue.cancel(session, job_ids)

    def retry(self, job_ids: list[int] | None = None) -> list[int]:
        with self.db.session() as session:
            ids = queue.retry(session, job_ids)
        if ids and self._runner is not None:
            self._runner.wake()
        return ids

    def clear_finished(self) -> int:
        """Forget finished jobs (the calls keep their transcripts and status)."""
        with self.db.session() as session:
            return session.execute(delete(Job).where(Job.status.in_(queue.FINISHED))).rowcount

    # --- watching ------------------------------------------------------------------

    def snapshot(self, finished_limit: int = 200, active_limit: int = 1000) -> QueueSnapshot:
        """The queue now: the running jobs, the next ``active_limit`` waiting ones and the
        latest finished ones as rows; the batch's progress and ETA over every active job
        (one narrow query, so "transcribe all pending" on a big library stays cheap)."""
        with self.db.session() as session:
            counts = dict(session.execute(select(Job.status, func.count(Job.id)).group_by(Job.status)).all())
            columns = (
                Job.id, Job.call_id, Call.file_name, Call.duration, Job.status, Job.progress, Job.error,
                Job.worker, Job.model_name, Job.created_at, Job.started_at, Job.finished_at,
            )
            active = session.execute(
                select(*columns).join(Call, Call.id == Job.call_id)
                .where(Job.status.in_(queue.ACTIVE))
                .order_by(Job.status.desc(), Job.priority.desc(), Job.id)  # running before queued
                .limit(active_limit)
            ).all()
            finished = session.execute(
                select(*columns).join(Call, Call.id == Job.call_id)
                .where(Job.status.in_(queue.FINISHED))
                .order_by(Job.finished_at.desc(), Job.id.desc()).limit(finished_limit)
            ).all()
            work = session.execute(
                select(Job.id, Call.duration, Job.progress).join(Call, Call.id == Job.call_id)
                .where(Job.status.in_(queue.ACTIVE))
            ).all()
        rows = tuple(JobRow(*r[:5], float(r.progress or 0.0), *r[6:]) for r in (*active, *finished))
        progress, eta, done, total = self._estimate(
            [(r.id, max(r.duration or 0.0, 0.1), float(r.progress or 0.0)) for r in work]
        )
        return QueueSnapshot(rows, counts, progress, eta, done, total)

    def _estimate(self, active: list[tuple[int, float, float]]) -> tuple[float, float | None, int, int]:
        """Overall progress of the current batch, seconds left (weighted by audio
        duration), and its jobs finished / in all. A batch is every job seen active
        since the queue was last empty; jobs that left the active set since are
        counted as finished. ``active``: (job id, seconds of audio, progress)."""
        now = time.monotonic()
        if not active:
            self._batch_started, self._batch = None, {}
            return 1.0, None, 0, 0
        if self._batch_started is None:
            self._batch_started = now
        for job_id, seconds, _ in active:
            self._batch[job_id] = seconds
        total = sum(self._batch.values())
        left = sum(seconds * (1.0 - progress) for _, seconds, progress in active)
        done = total - left
        progress = done / total if total else 0.0
        jobs = (len(self._batch) - len(active), len(self._batch))
        elapsed = now - self._batch_started
        if done > 0 and elapsed > 2.0:
            rate = done / elapsed  # audio seconds per wall second, all workers together
            return progress, left / rate, *jobs
        workers = max(1, min(self.workers(), len(active)))
        return progress, left * DEFAULT_SECONDS_PER_AUDIO_SECOND / workers, *jobs
