"""The transcription queue: jobs in the database, claimed by workers under a lease.

The window, `qa-desk transcribe` and `qa-desk worker` processes on other machines all
take work from the same table, so the rules that keep them from stepping on each
other live here, in SQL:

* A claim is one ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)
  RETURNING …``: on PostgreSQL two workers never get the same job and never wait on
  each other; SQLite has one writer at a time, so the same statement is atomic there.
* A running job carries a lease (``lease_expires``) that its worker renews every
  second or so. A worker that dies stops renewing; once the lease runs out any worker
  may claim the job again. Lease times are the worker's own clock (seconds since the
  epoch): machines of one team keep their clocks in step (NTP) far closer than the
  lease length.
* Finishing a job checks that this worker still holds it, in the transaction that
  stores the transcript: a worker that stalled past its lease (and whose job went to
  another worker) stores nothing, so each call's transcript is written once.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from ..store.database import Database
from ..store.models import Call, Transcript, TranscriptionJob as Job
from ..wording import translate

LEASE_SECONDS = 30.0
# A call that kills its worker every time (a decoder crash on a damaged file) must
# not take the queue down with it: after this many claims it is marked failed.
MAX_ATTEMPTS = 3

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


def worker_id(suffix: str = "") -> str:
    """host:pid[:suffix], so an orphaned job on this machine can be told from one whose
    worker is alive on another."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    return f"{name}:{suffix}" if suffix else name


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    call_id: int
    model_name: str | None
    language: str | None
    attempts: int
    worker: str


@dataclass
class EnqueueResult:
    queued: list[int]  # job ids
    skipped: dict[int, str]  # call id → why not


def _claimable(now: float):
    return or_(
        Job.status == "queued",
        and_(Job.status == "running", Job.lease_expires < now, Job.attempts < MAX_ATTEMPTS),
    )


def _set_call_status(session: Session, call_ids, status: str) -> None:
    """The library's transcript column. A call whose re-transcription failed or was
    cancelled keeps its old transcript, so it still reads "done"."""
    if not call_ids:
        return
    if status in ("failed", "cancelled"):
        has_transcript = select(Transcript.id).where(Transcript.call_id == Call.id).exists()
        session.execute(
            update(Call)
            .where(Call.id.in_(call_ids))
            .values(transcript_status=case((has_transcript, "done"), else_=status))
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(
            update(Call).where(Call.id.in_(call_ids)).values(transcript_status=status)
            .execution_options(synchronize_session=False)
        )


def enqueue(
    session: Session,
    call_ids: list[int],
    *,
    model_name: str | None = None,
    language: str | None = None,
    force: bool = False,
) -> EnqueueResult:
    """Queue calls for transcription. A call already queued or running is left alone;
    a call with a transcript is skipped unless ``force`` (re-transcribe)."""
    result = EnqueueResult([], {})
    wanted = list(dict.fromkeys(call_ids))
    calls = dict(session.execute(select(Call.id, Call.transcript_status).where(Call.id.in_(wanted))).all())
    active = set(session.execute(
        select(Job.call_id).where(Job.call_id.in_(wanted), Job.status.in_(ACTIVE))
    ).scalars())
    transcribed = set(session.execute(
        select(Transcript.call_id).where(Transcript.call_id.in_(wanted))
    ).scalars())
    jobs = []
    for call_id in wanted:
        if call_id not in calls:
            result.skipped[call_id] = "no such call"
        elif call_id in active:
            result.skipped[call_id] = "already queued"
        elif call_id in transcribed and not force:
            result.skipped[call_id] = "already transcribed (use --force to transcribe again)"
        else:
            jobs.append(Job(call_id=call_id, status="queued", model_name=model_name, language=language))
    session.add_all(jobs)
    session.flush()
    _set_call_status(session, [j.call_id for j in jobs], "queued")
    result.queued = [j.id for j in jobs]
    return result


def pending_call_ids(session: Session) -> list[int]:
    """Calls never transcribed (or whose transcription was cancelled) and not queued:
    what "Transcribe everything pending" means. Failed calls wait for a retry."""
    return list(session.execute(
        select(Call.id).where(Call.transcript_status.in_(("none", "cancelled"))).order_by(Call.id)
    ).scalars())


def claim(db: Database, worker: str, *, only: list[int] | None = None,
          lease: float = LEASE_SECONDS, now: float | None = None) -> ClaimedJob | None:
    """Take the next job (highest priority, oldest first), or None when there is none."""
    now = time.time() if now is None else now
    condition = _claimable(now)
    if only is not None:
        condition = and_(condition, Job.id.in_(only))
    with db.session() as session:
        _fail_exhausted(session, now)
        next_id = (
            select(Job.id).where(condition).order_by(Job.priority.desc(), Job.id)
            .limit(1).with_for_update(skip_locked=True).scalar_subquery()
        )
        row = session.execute(
            update(Job)
            .where(Job.id == next_id, condition)
            .values(status="running", worker=worker, lease_expires=now + lease,
                    started_at=datetime.now(), finished_at=None, progress=0.0, error=None,
                    attempts=Job.attempts + 1, cancel_requested=False)
            .returning(Job.id, Job.call_id, Job.model_name, Job.language, Job.attempts)
            .execution_options(synchronize_session=False)
        ).first()
        if row is None:
            return None
        _set_call_status(session, [row.call_id], "running")
        return ClaimedJob(row.id, row.call_id, row.model_name, row.language, row.attempts, worker)


def _fail_exhausted(session: Session, now: float) -> None:
    stuck = session.execute(
        select(Job.id, Job.call_id).where(
            Job.status == "running", Job.lease_expires < now, Job.attempts >= MAX_ATTEMPTS
        ).with_for_update(skip_locked=True)
    ).all()
    if not stuck:
        return
    session.execute(
        update(Job).where(Job.id.in_([s.id for s in stuck]))
        .values(status="failed", finished_at=datetime.now(), worker=None,
                error=translate(
                    "Errors", "the worker stopped {count} times while transcribing this call; the recording may "
                    "be damaged: play it to check, then retry").format(count=MAX_ATTEMPTS))
        .execution_options(synchronize_session=False)
    )
    _set_call_status(session, [s.call_id for s in stuck], "failed")


def renew(db: Database, job_id: int, worker: str, progress: float, *,
          lease: float = LEASE_SECONDS, now: float | None = None) -> str:
    """Renew a held job's lease and record its progress: "ok", "cancel" (someone asked
    it to stop) or "lost" (it is no longer ours: reclaimed after a stall, or gone)."""
    now = time.time() if now is None else now
    with db.session() as session:
        row = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker, Job.status == "running")
            .values(lease_expires=now + lease, progress=min(max(progress, 0.0), 1.0))
            .returning(Job.cancel_requested)
            .execution_options(synchronize_session=False)
        ).first()
    if row is None:
        return "lost"
    return "cancel" if row.cancel_requested else "ok"


def finish(session: Session, job: ClaimedJob, model_name: str | None = None) -> bool:
    """Mark a held job done inside the caller's transaction (the one that stores the
    transcript), recording the model it ran with (a job queued for "the default model"
    then says which one that was). False: it is no longer ours; the caller rolls back."""
    done = {"status": "done", "progress": 1.0, "finished_at": datetime.now(), "lease_expires": None}
    if model_name:
        done["model_name"] = model_name
    result = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.worker == job.worker, Job.status == "running")
        .values(**done)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _end(db: Database, job: ClaimedJob, status: str, error: str | None) -> None:
    with db.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.worker == job.worker, Job.status == "running")
            .values(status=status, error=error, finished_at=datetime.now(), lease_expires=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            _set_call_status(session, [job.call_id], status)


def fail(db: Database, job: ClaimedJob, error: str) -> None:
    _end(db, job, "failed", error)


def cancelled(db: Database, job: ClaimedJob) -> None:
    _end(db, job, "cancelled", None)


def release(db: Database, job: ClaimedJob) -> None:
    """Give a held job back to the queue untouched (a worker shutting down)."""
    with db.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.worker == job.worker, Job.status == "running")
            .values(status="queued", worker=None, lease_expires=None, progress=0.0,
                    attempts=Job.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            _set_call_status(session, [job.call_id], "queued")


def cancel(session: Session, job_ids: list[int] | None = None) -> int:
    """Cancel jobs (all active ones when ``job_ids`` is None): a queued job at once, a
    running one is asked to stop and stops between two audio blocks. How many."""
    scope = Job.status.in_(ACTIVE) if job_ids is None else and_(Job.status.in_(ACTIVE), Job.id.in_(job_ids))
    queued = session.execute(
        select(Job.id, Job.call_id).where(scope, Job.status == "queued")
    ).all()
    if queued:
        session.execute(
            update(Job).where(Job.id.in_([q.id for q in queued]), Job.status == "queued")
            .values(status="cancelled", finished_at=datetime.now())
            .execution_options(synchronize_session=False)
        )
        _set_call_status(session, [q.call_id for q in queued], "cancelled")
    running = session.execute(
        update(Job).where(scope, Job.status == "running").values(cancel_requested=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    return len(queued) + running


def retry(session: Session, job_ids: list[int] | None = None) -> list[int]:
    """Queue failed or cancelled jobs again (all of them when ``job_ids`` is None),
    unless their call has been queued anew meanwhile. The ids queued."""
    scope = Job.status.in_(("failed", "cancelled"))
    if job_ids is not None:
        scope = and_(scope, Job.id.in_(job_ids))
    rows = session.execute(select(Job.id, Job.call_id).where(scope)).all()
    active = set(session.execute(
        select(Job.call_id).where(Job.call_id.in_([r.call_id for r in rows]), Job.status.in_(ACTIVE))
    ).scalars())
    ids, calls = [], []
    for row in rows:
        if row.call_id not in active and row.call_id not in calls:
            ids.append(row.id)
            calls.append(row.call_id)
    if ids:
        session.execute(
            update(Job).where(Job.id.in_(ids))
            .values(status="queued", error=None, progress=0.0, finished_at=None,
                    worker=None, lease_expires=None, attempts=0, cancel_requested=False)
            .execution_options(synchronize_session=False)
        )
        _set_call_status(session, calls, "queued")
    return ids


def requeue_orphans(db: Database, *, now: float | None = None) -> int:
    """At start-up: jobs left "running" by a process of this machine that is gone (a
    crash, a kill, a power cut) go back to the queue at once; those of other machines
    wait for their lease to run out (their worker may be alive). How many."""
    now = time.time() if now is None else now
    host = socket.gethostname()
    with db.session() as session:
        rows = session.execute(
            select(Job.id, Job.call_id, Job.worker, Job.lease_expires).where(Job.status == "running")
        ).all()
        orphans = [r for r in rows if (r.lease_expires or 0) < now or _dead_here(r.worker, host)]
        if not orphans:
            return 0
        session.execute(
            update(Job).where(Job.id.in_([o.id for o in orphans]), Job.status == "running")
            .values(status="queued", worker=None, lease_expires=None, progress=0.0)
            .execution_options(synchronize_session=False)
        )
        _set_call_status(session, [o.call_id for o in orphans], "queued")
        return len(orphans)


def _dead_here(worker: str | None, host: str) -> bool:
    parts = (worker or "").split(":")
    if len(parts) < 2 or parts[0] != host:
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False  # ours: a runner of this process holds it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def job_states(session: Session, job_ids: list[int]) -> dict[int, tuple[str, float, str | None]]:
    """id → (status, progress, error) for the given jobs."""
    rows = session.execute(
        select(Job.id, Job.status, Job.progress, Job.error).where(Job.id.in_(job_ids))
    ).all()
    return {r.id: (r.status, r.progress or 0.0, r.error) for r in rows}
