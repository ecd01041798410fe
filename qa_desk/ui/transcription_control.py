"""The window's hold on the transcription queue: watch it, and change it, off the GUI thread.

The queue lives in the database and may be shared by several machines, so the
window learns what happened by looking: twice a second while work is going on,
every few seconds when idle (a colleague may queue calls on a shared database).
Each look is one job on a worker thread: a snapshot of the queue, and, for the calls
whose job changed status since the last look, their transcript status in the
library. A slow shared database then never freezes the window, and the library
reloads only the rows that changed, never the whole table twice a second.

Changes (queue, cancel, retry, clear) are jobs too: on SQLite a write may wait a
moment for a worker's write to finish, which the GUI thread must not.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ..jobs import JobContext
from ..store.calls import transcript_statuses
from ..transcription.queue import ACTIVE, FINISHED, EnqueueResult
from .jobs import JobRunner, run_job

if TYPE_CHECKING:
    from ..transcription.service import JobRow, QueueSnapshot, TranscriptionService

ACTIVE_POLL_MS = 500
IDLE_POLL_MS = 3000


def load_speech_engine(ctx: JobContext) -> None:
    """Import Vosk ahead of the first job. Under PySide6 every module imported is
    inspected by shiboken's import hook; Vosk pulls in requests and urllib3, and doing
    that on a worker thread in the middle of a batch stalled the window for ~0.1 s."""
    importlib.import_module("vosk")


def look(service: TranscriptionService, previous: dict[int, tuple[str, int]] | None):
    """One look at the queue (runs on a worker thread): the snapshot, the transcript
    status of every call whose job changed since ``previous`` (job id → (status, call
    id)), the jobs that finished since, and the ``previous`` of the next look."""
    snapshot = service.snapshot()
    touched: set[int] = set()
    ended = []
    seen = {row.id for row in snapshot.jobs}
    for row in snapshot.jobs:
        before = previous.get(row.id) if previous is not None else None
        if before is None or before[0] != row.status:
            touched.add(row.call_id)
            if previous is not None and row.status in FINISHED:
                ended.append(row)
    for job_id, (status, call_id) in (previous or {}).items():
        if job_id not in seen and status in ACTIVE:
            touched.add(call_id)  # gone while active: cleared or deleted elsewhere
    statuses = {}
    if touched:
        with service.db.session() as session:
            statuses = transcript_statuses(session, sorted(touched))
    seen_now = {row.id: (row.status, row.call_id) for row in snapshot.jobs}
    return snapshot, statuses, ended, seen_now


class TranscriptionControl(QObject):
    """One TranscriptionService (swapped on reconnect), its polling, and its actions."""

    snapshot_changed = Signal(object)  # QueueSnapshot, after every look
    statuses_changed = Signal(object)  # {call id: transcript status} for calls whose job changed
    jobs_ended = Signal(object)  # [JobRow] finished (done, failed, cancelled) since the last look
    queued = Signal(object)  # EnqueueResult of a transcribe request
    message = Signal(str)  # for the status bar

    def __init__(self, service: TranscriptionService | None, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._generation = 0
        self._previous: dict[int, tuple[str, int]] | None = None
        self._snapshot: QueueSnapshot | None = None
        self._looking: JobRunner | None = None
        self._look_again = False
        self._actions: list[JobRunner] = []
        self._stopped = False
        self._engine: JobRunner | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll)

    # --- the service -----------------------------------------------------------------------

    def service(self) -> TranscriptionService | None:
        return self._service

    def available(self) -> bool:
        return self._service is not None

    def start(self) -> int:
        """Start the worker threads and the watching; how many calls a previous
        session left unfinished were queued again."""
        requeued = 0
        self._stopped = False
        if self._service is not None and not self._service.running:
            requeued = self._service.start()
            if "vosk" not in sys.modules and self._service.model_problem() is None:
                # While the window starts (the reviewer has not begun yet), not later.
                self._engine = run_job(load_speech_engine, name="load the speech engine")
        self.poll()
        return requeued

    def engine_loading(self) -> bool:
        """The speech engine is still being imported (see load_speech_engine)."""
        return self._engine is not None and not self._engine.is_done()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching and stop the workers (calls in hand go back to the queue)."""
        self._stopped = True
        self._timer.stop()
        if self._service is not None:
            self._service.stop(timeout)

    def set_service(self, service: TranscriptionService | None) -> None:
        """Another database: forget what was seen on the old one (stop the old service first)."""
        self._generation += 1
        self._service = service
        self._previous = None
        self._snapshot = None
        self._looking = None
        self._look_again = False
        self._timer.stop()

    def snapshot(self) -> QueueSnapshot | None:
        """The last look at the queue (None before the first one has arrived)."""
        return self._snapshot

    def model_problem(self) -> str | None:
        if self._service is None:
            return self.tr("Transcription is not available in this window.")
        return self._service.model_problem()

    def problem_box(self, parent: QWidget) -> QMessageBox | None:
        """A message saying why calls cannot be transcribed here (no speech model…),
        with an "Open Settings" button (``box.open_settings``); None when they can."""
        problem = self.model_problem()
        if problem is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("QA Desk"),
                          self.tr("Calls cannot be transcribed on this computer yet."),
                          QMessageBox.StandardButton.Close, parent)
        box.setInformativeText(self.tr(
            "{0}\n\nInstall a speech model for the language of your calls in Settings, under Speech models."
        ).format(problem))
        box.open_settings = box.addButton(self.tr("Open Settings"), QMessageBox.ButtonRole.ActionRole)
        box.open_settings.setObjectName("openSettings")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return box

    def latest_job(self, call_id: int | None) -> JobRow | None:
        """The newest job of a call in the last look at the queue."""
        jobs = [j for j in (self._snapshot.jobs if self._snapshot else ()) if j.call_id == call_id]
        return max(jobs, key=lambda j: j.id) if jobs else None

    # --- watching --------------------------------------------------------------------------

    def poll(self) -> None:
        """Look at the queue now (or as soon as the look in flight has landed)."""
        if self._service is None or self._stopped:
            return
        if self._looking is not None:
            self._look_again = True
            return
        self._timer.stop()
        service, previous, generation = self._service, self._previous, self._generation

        def job(ctx: JobContext):
            return generation, look(service, previous)

        self._looking = run_job(job, on_finished=self._looked, on_failed=self._look_failed,
                                name="transcription queue")

    def is_polling(self) -> bool:
        return self._looking is not None

    def _looked(self, result: object) -> None:
        generation, (snapshot, statuses, ended, seen) = result
        if generation != self._generation:
            return  # a look at the database used before a reconnect
        self._looking = None
        self._previous = seen
        self._snapshot = snapshot
        self.snapshot_changed.emit(snapshot)
        if statuses:
            self.statuses_changed.emit(statuses)
        if ended:
            self.jobs_ended.emit(ended)
        self._next_look()

    def _look_failed(self, message: str) -> None:
        if self.sender() is not self._looking:
            return
        self._looking = None
        self._next_look()

    def _next_look(self) -> None:
        if self._look_again:
            self._look_again = False
            self.poll()
            return
        active = self._snapshot is not None and self._snapshot.active > 0
        self._timer.start(ACTIVE_POLL_MS if active else IDLE_POLL_MS)

    # --- changing the queue --------------------------------------------------------------------

    def transcribe(self, call_ids: list[int], *, force: bool = False) -> None:
        ids = list(call_ids)
        self._act("transcribe", lambda s: s.transcribe(ids, force=force))

    def transcribe_pending(self) -> None:
        self._act("pending", lambda s: s.transcribe_pending())

    def cancel(self, job_ids: list[int] | None = None) -> None:
        self._act("cancel", lambda s: s.cancel(job_ids))

    def retry(self, job_ids: list[int] | None = None) -> None:
        self._act("retry", lambda s: s.retry(job_ids))

    def clear_finished(self) -> None:
        self._act("clear", lambda s: s.clear_finished())

    def is_busy(self) -> bool:
        """A change or a look is still on its way (for tests)."""
        return any(not a.is_done() for a in self._actions) or self._looking is not None

    def _act(self, kind: str, change: Callable[[TranscriptionService], object]) -> None:
        service = self._service
        if service is None:
            self.message.emit(self.model_problem() or "")
            return

        def job(ctx: JobContext):
            return kind, change(service)

        self._actions = [a for a in self._actions if not a.is_done()]
        self._actions.append(run_job(job, on_finished=self._acted, on_failed=self._act_failed,
                                     name=f"transcription {kind}"))

    def _acted(self, result: object) -> None:
        kind, value = result
        if kind in ("transcribe", "pending"):
            self.message.emit(self.describe_enqueue(value, pending=kind == "pending"))
            self.queued.emit(value)
        elif kind == "cancel":
            self.message.emit(
                self.tr("Nothing to cancel.") if not value else
                self.tr("1 transcription cancelled.") if value == 1 else
                self.tr("{0} transcriptions cancelled.").format(value)
            )
        elif kind == "retry":
            count = len(value)
            self.message.emit(
                self.tr("Nothing to retry.") if not count else
                self.tr("1 call queued again.") if count == 1 else
                self.tr("{0} calls queued again.").format(count)
            )
        elif kind == "clear":
            self.message.emit(self.tr("{0} finished jobs cleared from the list.").format(value))
        self.poll()

    def _act_failed(self, message: str) -> None:
        self.message.emit(self.tr("The transcription queue could not be changed: {0}").format(message))
        self.poll()

    def describe_enqueue(self, result: EnqueueResult, *, pending: bool = False) -> str:
        """'2 calls queued; 1 already transcribed' — what a transcribe request did."""
        queued = len(result.queued)
        if queued == 0 and not result.skipped:
            return self.tr("No calls are waiting to be transcribed.") if pending else self.tr("No calls selected.")
        parts = [
            self.tr("No calls queued") if queued == 0 else
            self.tr("1 call queued") if queued == 1 else
            self.tr("{0} calls queued").format(queued)
        ]
        reasons = list(result.skipped.values())
        transcribed = sum(r.startswith("already transcribed") for r in reasons)
        waiting = sum(r.startswith("already queued") for r in reasons)
        other = len(reasons) - transcribed - waiting
        if transcribed:
            parts.append(self.tr("{0} already transcribed").format(transcribed))
        if waiting:
            parts.append(self.tr("{0} already queued").format(waiting))
        if other:
            parts.append(self.tr("{0} no longer in the library").format(other))
        return "; ".join(parts)
