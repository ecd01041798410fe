"""Long-running work (imports, transcription, exports) seen from the domain side.

A job is a plain function that takes a ``JobContext``. It reports status text and
progress, may hand out partial results, and checks for cancellation between units of
work. The context is Qt-free: the CLI uses it as is, and ``qa_desk.ui.jobs`` turns its
callbacks into signals delivered on the GUI thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable


class Cancelled(Exception):
    """Raised inside a job when the user asked it to stop."""


class JobContext:
    """What a running job may tell the world, and how it learns it should stop."""

    def __init__(
        self,
        *,
        on_status: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        min_interval: float = 0.05,
    ):
        self._on_status = on_status
        self._on_progress = on_progress
        self._on_partial = on_partial
        self._cancel = threading.Event()
        # Progress is throttled: a job touching 10,000 files must not flood the GUI
        # thread with 10,000 repaints.
        self._min_interval = min_interval
        self._last_progress = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def status(self, text: str) -> None:
        if self._on_status:
            self._on_status(text)

    def progress(self, done: int, total: int) -> None:
        if not self._on_progress:
            return
        now = time.monotonic()
        if done >= total or done == 0 or now - self._last_progress >= self._min_interval:
            self._last_progress = now
            self._on_progress(done, total)

    def partial(self, result: Any) -> None:
        if self._on_partial:
            self._on_partial(result)
