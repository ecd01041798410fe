"""Pressing Cancel in the middle of a real long job, every time.

A job on a test's small data may finish before the test's click lands. ``Hold`` stops
one job's worker (by the name it was started with) at its Nth progress report or
cancellation check until the job is cancelled: the work before and after is the job's
own, only the moment of the click is pinned. It holds once; a job nobody cancels goes
on after ``timeout`` seconds.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from qa_desk.jobs import JobContext


class Hold:
    def __init__(self, monkeypatch, job: str, *, at: int, on: str = "check_cancelled", timeout: float = 10.0):
        if on not in ("check_cancelled", "progress"):
            raise ValueError(on)
        self.reached = threading.Event()
        self.progress_at_hold: tuple | None = None  # (done, total) of the report held at
        counts: dict[int, int] = {}
        original = getattr(JobContext, on)

        def ours() -> bool:
            # The runner's worker thread carries the job's name (qa_desk.ui.jobs._Worker).
            return getattr(QThread.currentThread(), "_name", None) == job and not self.reached.is_set()

        def wait_for_cancel(ctx: JobContext) -> None:
            self.reached.set()
            deadline = time.monotonic() + timeout
            while not ctx.cancelled and time.monotonic() < deadline:
                time.sleep(0.005)

        def held(ctx: JobContext, *args):
            if not ours():
                return original(ctx, *args)
            counts[id(ctx)] = n = counts.get(id(ctx), 0) + 1
            if n != at:
                return original(ctx, *args)
            if on == "progress":
                # Reported past the context's throttle, so the window surely shows where
                # the job stands while it is held.
                self.progress_at_hold = args
                if ctx._on_progress:
                    ctx._on_progress(*args)
                wait_for_cancel(ctx)
                return None
            wait_for_cancel(ctx)  # then the check itself sees the cancel
            return original(ctx, *args)

        monkeypatch.setattr(JobContext, on, held)

    def wait(self, qtbot, timeout_ms: int = 30000) -> None:
        qtbot.waitUntil(self.reached.is_set, timeout=timeout_ms)
