"""Worker threads that take calls from the transcription queue and transcribe them.

Used three ways: by the window (runs while the app is open), by `qa-desk transcribe`
(runs until its own jobs are finished) and by `qa-desk worker` (runs until stopped,
on any machine that reaches the team's database).

One loaded model per model folder is shared by all threads (a small model is ~500 MB;
a large Chinese one several GB — loading it once per thread would not fit). Each job
has its own recognizers, its own JobContext and its own database sessions.

A heartbeat thread renews the lease of every job the threads hold, writes their
progress, and notices when a job was cancelled from elsewhere (the Jobs panel of
another reviewer, `qa-desk`…) or reclaimed after a stall: the job's context is then
cancelled and the work stops at the next audio block.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from ..audio.decode import DecodeError
from ..jobs import Cancelled, JobContext
from ..store.database import Database
from ..store.models import Call
from ..store.transcripts import replace_transcript
from ..wording import translate
from . import queue
from .engine import transcribe_recording
from .words import as_rows

log = logging.getLogger(__name__)

ENGINE = "vosk"


class ModelUnavailable(Exception):
    """No usable speech model for a job (not installed here, broken, unknown language)."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    language: str
    path: Path  # what vosk.Model loads (dither off: see speech_models.loadable_path)


class ModelResolver(Protocol):
    def __call__(self, model_name: str | None, language: str | None) -> ResolvedModel: ...


class ModelPool:
    """Loaded Vosk models by folder, shared by threads; loaded on first use."""

    def __init__(self, resolve: ModelResolver):
        self.resolve = resolve
        self._lock = threading.Lock()
        self._loading: dict[Path, threading.Lock] = {}
        self._models: dict[Path, object] = {}

    def get(self, path: Path):
        with self._lock:
            if path in self._models:
                return self._models[path]
            gate = self._loading.setdefault(path, threading.Lock())
        with gate:  # a second thread wanting the same model waits for the first load
            with self._lock:
                if path in self._models:
                    return self._models[path]
            from vosk import Model, SetLogLevel

            SetLogLevel(-1)  # Kaldi's log lines would flood the terminal and the log
            try:
                model = Model(str(path))
            except Exception as exc:  # vosk raises a bare Exception on a bad folder
                raise ModelUnavailable(translate(
                    "Errors", "cannot load the speech model at {folder} ({detail}); install it again").format(
                    folder=path, detail=exc)) from exc
            with self._lock:
                self._models[path] = model
            return model

    def clear(self) -> None:
        """Let loaded models go (memory back to the system once no job uses them)."""
        with self._lock:
            self._models.clear()


@dataclass
class _Held:
    job: queue.ClaimedJob
    ctx: JobContext
    progress: float = 0.0
    lost: bool = False


@dataclass
class RunSummary:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    cancelled: list[int] = field(default_factory=list)


class TranscriptionRunner:
    """``workers`` threads claiming jobs under the name ``name`` (host:pid by default).

    ``only``: claim just these job ids. ``keep_running``: wait for new jobs when the
    queue is empty (the window, `qa-desk worker`) instead of returning.
    """

    def __init__(
        self,
        db: Database,
        pool: ModelPool,
        *,
        workers: int = 1,
        name: str | None = None,
        only: list[int] | None = None,
        keep_running: bool = False,
        poll: float = 1.0,
        lease: float = queue.LEASE_SECONDS,
        heartbeat: float = 1.0,
        on_change: Callable[[], None] | None = None,
        on_finished: Callable[[queue.ClaimedJob, str, str | None], None] | None = None,
        after_transcript: Callable[[Database, int], None] | None = None,
    ):
        self.db = db
        self.pool = pool
        self.workers = max(1, workers)
        self.name = name or queue.worker_id()
        self.only = only
        self.keep_running = keep_running
        self.poll = poll
        self.lease = lease
        self.heartbeat = heartbeat
        self.on_change = on_change
        self.on_finished = on_finished
        # Run in the worker thread once a transcript is committed (the rulebook check);
        # it must not raise: the transcription is done whatever it does.
        self.after_transcript = after_transcript
        self.summary = RunSummary()
        self._held: dict[int, _Held] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._release_on_stop = True
        # A wake counter under a condition rather than an Event: with an Event, one
        # thread clearing it could leave another asleep for a whole poll after stop().
        self._wakes = 0
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._beat_thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker threads (again, if they had returned: new jobs came in)."""
        self._threads = [t for t in self._threads if t.is_alive()]
        for i in range(len(self._threads), self.workers):
            thread = threading.Thread(target=self._work, args=(i,), name=f"transcribe-{i}", daemon=True)
            self._threads.append(thread)
            thread.start()
        if self._beat_thread is None or not self._beat_thread.is_alive():
            self._stop.clear()
            self._beat_thread = threading.Thread(target=self._beat, name="transcribe-heartbeat", daemon=True)
            self._beat_thread.start()

    def run(self) -> RunSummary:
        """Start and wait until every thread is finished (or ``stop``)."""
        self.start()
        self.join()
        return self.summary

    def join(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        alive = any(t.is_alive() for t in self._threads)
        if not alive and self._beat_thread is not None:
            self._stop.set()
            self._beat_thread.join(5)
        return not alive

    @property
    def working(self) -> bool:
        """Some worker thread is still running (claiming or transcribing)."""
        return any(t.is_alive() for t in self._threads)

    def stop(self, *, release: bool = True) -> None:
        """Stop claiming and interrupt the jobs in hand: ``release`` gives them back to
        the queue for another worker (a worker shutting down), otherwise they end as
        cancelled (the user pressed Ctrl-C on `qa-desk transcribe`)."""
        self._release_on_stop = release
        self._stop.set()
        self.wake()
        with self._lock:
            for held in self._held.values():
                held.ctx.cancel()

    def wake(self) -> None:
        """New jobs were queued: look now rather than at the next poll."""
        with self._wake:
            self._wakes += 1
            self._wake.notify_all()

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._held)

    # --- threads ---------------------------------------------------------------------

    def _work(self, index: int) -> None:
        worker = f"{self.name}:{index}"
        while not self._stop.is_set():
            seen = self._wakes  # read before claiming: a wake during the claim is not missed
            try:
                job = queue.claim(self.db, worker, only=self.only, lease=self.lease)
            except Exception:  # database away for a moment: try again, do not die
                log.exception("claiming a transcription job failed")
                job = None
                if not self.keep_running:
                    return
            if job is None:
                if not self.keep_running:
                    return
                with self._wake:
                    self._wake.wait_for(lambda: self._wakes != seen or self._stop.is_set(), self.poll)
                continue
            self._changed()
            self._process(job)
            self._changed()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat):
            with self._lock:
                held = list(self._held.values())
            for h in held:
                try:
                    state = queue.renew(self.db, h.job.id, h.job.worker, h.progress, lease=self.lease)
                except Exception:
                    log.exception("renewing a transcription lease failed")
                    continue
                if state == "lost":
                    h.lost = True
                    h.ctx.cancel()
                elif state == "cancel":
                    h.ctx.cancel()
            if held:
                self._changed()

    def _ended(self, job: queue.ClaimedJob, status: str, detail: str | None = None) -> None:
        if self.on_finished:
            try:
                self.on_finished(job, status, detail)
            except Exception:
                log.exception("transcription listener failed")

    def _changed(self) -> None:
        if self.on_change:
            try:
                self.on_change()
            except Exception:
                log.exception("transcription progress listener failed")

    # --- one job ---------------------------------------------------------------------

    def _process(self, job: queue.ClaimedJob) -> None:
        held = _Held(job, JobContext())

        def progress(done: int, total: int) -> None:
            held.progress = done / max(total, 1)  # the heartbeat writes it to the queue

        held.ctx = JobContext(on_progress=progress, min_interval=0.2)
        with self._lock:
            self._held[job.id] = held
        try:
            self._transcribe(held)
        except Cancelled:
            if held.lost:
                pass  # another worker has it now; nothing of ours is stored
            elif self._stop.is_set() and self._release_on_stop:
                queue.release(self.db, job)
                self._ended(job, "released")
            else:
                queue.cancelled(self.db, job)
                self.summary.cancelled.append(job.id)
                self._ended(job, "cancelled")
        except (ModelUnavailable, DecodeError, OSError, _Refused) as exc:
            self._failed(job, str(exc))
        except Exception as exc:  # a bug must fail one job, not kill the worker
            log.exception("transcribing call %s failed", job.call_id)
            self._failed(job, translate("Errors", "unexpected error: {detail}").format(
                detail=f"{type(exc).__name__}: {exc}"))
        else:
            self.summary.done.append(job.id)
            self._ended(job, "done")
        finally:
            with self._lock:
                self._held.pop(job.id, None)

    def _transcribe(self, held: _Held) -> None:
        job = held.job
        with self.db.session() as session:
            call = session.get(Call, job.call_id)
            if call is None:
                raise _Refused(translate("Errors", "call {id} was deleted").format(id=job.call_id))
            path, channel_map = Path(call.file_path), dict(call.channel_map or {})
        if not path.exists():
            raise _Refused(translate(
                "Errors", "{file}: recording not found (moved, or not reachable from this computer); put it back "
                "or connect the share, then retry").format(file=path))
        model = self.pool.resolve(job.model_name, job.language)
        loaded = self.pool.get(model.path)
        held.ctx.check_cancelled()
        utterances = transcribe_recording(path, channel_map, loaded, held.ctx)
        held.ctx.check_cancelled()
        with self.db.session() as session:
            if not queue.finish(session, job, model.name):
                held.lost = True
                raise Cancelled()
            replace_transcript(
                session, job.call_id, engine=ENGINE, model_name=model.name,
                language=model.language, utterances=as_rows(utterances),
            )
        if self.after_transcript is not None:
            self.after_transcript(self.db, job.call_id)

    def _failed(self, job: queue.ClaimedJob, message: str) -> None:
        try:
            queue.fail(self.db, job, message)
        except Exception:
            log.exception("recording the failure of job %s failed", job.id)
        self.summary.failed[job.id] = message
        self._ended(job, "failed", message)


class _Refused(Exception):
    """A job that cannot run for a reason the user can fix (file moved, call gone)."""
