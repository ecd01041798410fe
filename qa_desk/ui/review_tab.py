"""What the Review area's tabs (My queue, Overview, Sampling rules) share: the database
they read (a callable gives the current one, as the window can reconnect), "today"
(injectable for tests), one job at a time, and running a change as a job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from .jobs import JobRunner, run_job

# What a refused or impossible change raises (SamplingRuleError is a ValueError,
# PermissionDenied a PermissionError): said in the tab, never raised.
CHANGE_ERRORS = (ValueError, PermissionError, LookupError)


class ReviewTab(QWidget):
    message = Signal(str)  # for the status bar

    def __init__(self, db, today: Callable[[], date], parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._today = db, today
        self._job: JobRunner | None = None

    @property
    def db(self):
        """The database (a callable gives the current one: the window can reconnect)."""
        return self._db() if callable(self._db) else self._db

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _change(self, change: Callable, done_text: str, name: str) -> None:
        """Run ``change(session)`` as a job; then say ``done_text`` and read the tab again
        (the tab's ``refresh``), or show why it was refused (its ``_failed``)."""
        db = self.db

        def work(ctx):
            with db.session() as session:
                change(session)
            return done_text

        self._job = run_job(work, on_finished=self._changed, on_failed=self._failed, name=name,
                            expected=CHANGE_ERRORS)

    def _changed(self, text: object) -> None:
        self.message.emit(str(text))
        self._job = None
        self.refresh()


__all__ = ["CHANGE_ERRORS", "ReviewTab"]
