"""The one way the window runs slow work: a domain job on a worker thread.

A job is a plain function ``fn(ctx: JobContext) -> result`` (see ``qa_desk.jobs``).
``JobRunner`` runs it on its own QThread and turns the context's callbacks into Qt
signals. The signals belong to the runner, which lives on the GUI thread, so Qt
queues every emission from the worker and the slots always run on the GUI thread,
in the order the job reported.

Every runner that has started stays referenced until its thread has ended, and
``JobRunner.shutdown_all()`` (called when the main window closes and when the
application quits) cancels and waits for them: a closing window never destroys a
running QThread, which would abort the whole process.
"""

from __future__ import annotations

import errno
import logging
from typing import Any, Callable, ClassVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from ..jobs import Cancelled, JobContext
from ..settings import SettingsError
from ..store.database import DatabaseError

log = logging.getLogger(__name__)

# Errors whose message is written for people: shown as is. Anything else is a bug,
# logged with its traceback and shown as a short message.
USER_ERRORS: tuple[type[BaseException], ...] = (DatabaseError, SettingsError)


def _disk_advice(error: OSError) -> str | None:
    """What to do about a file system error, for the errors a person can act on."""
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return QCoreApplication.translate(
            "JobRunner", "The disk is full: free some space or choose another folder, then try again.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return QCoreApplication.translate(
            "JobRunner", "QA Desk may not write there: choose another folder, or ask your administrator for access.")
    if error.errno == errno.ENOENT:
        return QCoreApplication.translate(
            "JobRunner", "Check that the folder still exists and that its drive or network share is connected, "
            "then try again.")
    return None


def explained(exc: BaseException) -> str:
    """An expected error's message, and what to do when the cause is the disk.

    A bare OSError reads "[Errno 28] No space left on device: '/x'"; it becomes the
    file and the reason. A domain error that wraps one (``raise … from exc``) keeps its
    own message, which names the file; either way the advice for the cause follows."""
    cause = exc if isinstance(exc, OSError) else exc.__cause__
    if isinstance(exc, OSError) and exc.strerror:
        message = f"{exc.filename}: {exc.strerror}." if exc.filename else f"{exc.strerror}."
    else:
        message = str(exc) or type(exc).__name__
    advice = _disk_advice(cause) if isinstance(cause, OSError) else None
    if not advice or advice in message:
        return message
    if not message.endswith((".", "!", "?", "。", "！", "？")):
        message += "。" if ord(message[-1]) >= 0x2E80 else "."  # a Chinese sentence ends with 。
    return f"{message} {advice}"


class _Worker(QThread):
    """The thread itself; it only forwards what the job reports."""

    status = Signal(str)
    progress = Signal(int, int)
    partial = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn: Callable[[JobContext], Any], expected: tuple, name: str):
        super().__init__()
        self._fn = fn
        self._expected = USER_ERRORS + tuple(expected)
        self._name = name
        self.context = JobContext(
            on_status=self.status.emit,
            on_progress=self.progress.emit,
            on_partial=self.partial.emit,
        )

    def run(self) -> None:  # runs on the worker thread
        try:
            result = self._fn(self.context)
        except Cancelled:
            self.cancelled.emit()
        except self._expected as exc:
            self.failed.emit(explained(exc))
        except Exception as exc:  # noqa: BLE001 - a job must never take the window down
            log.exception("job %s failed", self._name)
            self.failed.emit(
                QCoreApplication.translate(
                    "JobRunner", "Unexpected error ({0}): {1}. Try again; if it happens again, tell your "
                    "administrator what you were doing and when."
                ).format(type(exc).__name__, str(exc)[:300].rstrip("."))
            )
        else:
            self.succeeded.emit(result)


class JobRunner(QObject):
    """Runs one job off the GUI thread; create one runner per job run."""

    status = Signal(str)
    progress = Signal(int, int)
    partial = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    # Runners whose thread has started and not yet been reaped (see module docstring).
    _active: ClassVar[set[JobRunner]] = set()

    def __init__(
        self,
        fn: Callable[[JobContext], Any],
        *,
        expected: tuple[type[BaseException], ...] = (),
        name: str = "job",
    ):
        # No Qt parent on purpose: a parent widget deleted mid-job would delete the
        # runner under its still-running thread. _active keeps it alive instead.
        super().__init__()
        self._worker = _Worker(fn, expected, name)
        self._done = False
        w = self._worker
        w.status.connect(self.status)
        w.progress.connect(self.progress)
        w.partial.connect(self.partial)
        w.succeeded.connect(self._on_succeeded)
        w.failed.connect(self._on_failed)
        w.cancelled.connect(self._on_cancelled)
        w.finished.connect(self._reap)

    def start(self) -> JobRunner:
        JobRunner._active.add(self)
        self._worker.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next check; it ends with `cancelled` (or a result)."""
        self._worker.context.cancel()

    def abandon(self) -> None:
        """Cancel, and deliver nothing more: whoever started the job has moved on (another
        call opened, another file chosen) and must not get its result late."""
        for signal in (self.finished, self.failed):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):  # nothing was connected
                pass
        self.cancel()

    def is_running(self) -> bool:
        return self._worker.isRunning()

    def is_done(self) -> bool:
        """True once the job's last signal (finished, failed or cancelled) was delivered."""
        return self._done

    def wait(self, timeout_ms: int = 5000) -> bool:
        return self._worker.wait(timeout_ms)

    def _on_succeeded(self, result: object) -> None:
        self._done = True
        self.finished.emit(result)

    def _on_failed(self, message: str) -> None:
        self._done = True
        self.failed.emit(message)

    def _on_cancelled(self) -> None:
        self._done = True
        self.cancelled.emit()

    def _reap(self) -> None:
        JobRunner._active.discard(self)

    @classmethod
    def running(cls) -> list[JobRunner]:
        return [r for r in cls._active if r.is_running()]

    @classmethod
    def shutdown_all(cls, timeout_ms: int = 10000) -> bool:
        """Cancel every job and wait for its thread; True when all have stopped."""
        runners = list(cls._active)
        for runner in runners:
            runner.cancel()
        stopped = all([runner.wait(timeout_ms) for runner in runners])
        cls._active.difference_update(r for r in runners if not r.is_running())
        if not stopped:
            # Still referenced from _active, so the thread object is not destroyed under it.
            log.warning("%d job(s) did not stop within %d ms", len(cls.running()), timeout_ms)
        return stopped


def run_job(
    fn: Callable[[JobContext], Any],
    *,
    on_finished: Callable[[object], None] | None = None,
    on_failed: Callable[[str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_status: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_partial: Callable[[object], None] | None = None,
    expected: tuple[type[BaseException], ...] = (),
    name: str = "job",
) -> JobRunner:
    """Connect the given slots and start the job: the common case in one call.

    Pass bound methods of QObjects as slots: Qt drops such a connection when the
    receiving widget is destroyed, so a job outliving its dialog cannot call into it.
    """
    runner = JobRunner(fn, expected=expected, name=name)
    for signal, slot in (
        (runner.finished, on_finished),
        (runner.failed, on_failed),
        (runner.cancelled, on_cancelled),
        (runner.status, on_status),
        (runner.progress, on_progress),
        (runner.partial, on_partial),
    ):
        if slot is not None:
            signal.connect(slot)
    return runner.start()
