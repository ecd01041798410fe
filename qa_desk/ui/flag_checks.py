"""Checking calls against the active rulebook from the window, off the GUI thread.

One call when a reviewer asks ("Check now" / "Check again" in the call view); every
call not yet checked with the rulebook's current version when the active rulebook
changes in Settings (a job with progress in the status bar; choosing another rulebook
while it runs starts it over with the new one).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..scoring.rulebook import RulebookError
from ..scoring.scan import active_rulebook_path, calls_needing_scan, scan_call, scan_calls
from .jobs import JobRunner, run_job
from .services import Services


class FlagChecker(QObject):
    call_checked = Signal(int)  # its flags are stored: views showing it re-read them
    call_failed = Signal(int, str)
    progress = Signal(int, int)  # the check of all calls: done, total
    batch_finished = Signal(str)  # a sentence for the status bar
    batch_failed = Signal(str)
    batch_cancelled = Signal()  # the reviewer stopped it: calls checked so far keep their flags

    def __init__(self, services: Services, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self._calls: dict[int, JobRunner] = {}
        self._batch: JobRunner | None = None

    def _rulebook(self):
        return self.services.rulebooks.get(active_rulebook_path(self.services.settings))

    def check_call(self, call_id: int) -> None:
        if call_id in self._calls and not self._calls[call_id].is_done():
            return
        db = self.services.db
        self._calls[call_id] = run_job(
            lambda ctx: scan_call(db, call_id, self._rulebook()),
            on_finished=lambda _result: self._call_done(call_id),
            on_failed=lambda message: self._call_failed(call_id, message),
            name=f"check call {call_id}",
        )

    def _call_done(self, call_id: int) -> None:
        self._calls.pop(call_id, None)
        self.call_checked.emit(call_id)

    def _call_failed(self, call_id: int, message: str) -> None:
        self._calls.pop(call_id, None)
        self.call_failed.emit(call_id, message)

    def check_all(self) -> JobRunner:
        """Every transcribed call not yet checked with the active rulebook's version.

        Cancelling stops between two calls: each call's flags are stored in a
        transaction of their own, so the calls checked so far keep theirs and the rest
        stay "not checked with this version", for the next check_all to pick up."""
        if self._batch is not None and not self._batch.is_done():
            self._batch.abandon()  # its calls are in the new batch's list again
        db = self.services.db
        looking, checking = self.tr("Finding the calls to check…"), self.tr("Checking calls against {0}…")

        def work(ctx):
            ctx.status(looking)
            rulebook = self._rulebook()
            calls = calls_needing_scan(db, rulebook)
            ctx.check_cancelled()
            ctx.status(checking.format(rulebook.name))
            return scan_calls(db, calls, rulebook, ctx)

        self._batch = run_job(
            work,
            on_progress=self.progress.emit,
            on_finished=self._batch_done,
            on_failed=self.batch_failed.emit,
            on_cancelled=self._batch_cancelled,
            expected=(OSError, RulebookError),  # the rulebook file: its message names the problem
            name="check all calls",
        )
        return self._batch

    def _batch_done(self, report) -> None:
        checked = sum(1 for s in report.scanned if s.checked)
        text = self.tr("Rulebook check: {0} call(s) checked, {1} failed.").format(checked, len(report.failed))
        self.batch_finished.emit(text)

    def _batch_cancelled(self) -> None:
        if self.sender() is self._batch:  # not the batch a newer one replaced
            self.batch_cancelled.emit()

    def batch(self) -> JobRunner | None:
        """The check of all calls, running or last run."""
        return self._batch

    def is_busy(self) -> bool:
        return any(not r.is_done() for r in [*self._calls.values(), *([self._batch] if self._batch else [])])
