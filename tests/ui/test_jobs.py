"""JobRunner: results, errors and cancellation arrive as signals on the GUI thread."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QThread

from qa_desk.jobs import JobContext
from qa_desk.store.database import DatabaseError
from qa_desk.ui.jobs import JobRunner, run_job


def test_result_and_reports_arrive_in_order_on_the_gui_thread(qtbot, qapp):
    seen: list = []
    threads: set = set()
    job_thread: list = []

    def job(ctx: JobContext):
        job_thread.append(threading.get_ident())
        ctx.status("counting")
        for i in range(3):
            ctx.partial(i)
        ctx.progress(3, 3)
        return "done"

    def record(kind):
        def slot(*args):
            threads.add(QThread.currentThread() is qapp.thread())
            seen.append((kind, *args))

        return slot

    runner = JobRunner(job)
    runner.status.connect(record("status"))
    runner.partial.connect(record("partial"))
    runner.progress.connect(record("progress"))
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start()
    assert blocker.args == ["done"]
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert seen == [("status", "counting"), ("partial", 0), ("partial", 1), ("partial", 2), ("progress", 3, 3)]
    assert threads == {True}
    assert job_thread[0] != threading.get_ident()
    assert runner.is_done()


def test_user_errors_keep_their_message(qtbot):
    def job(ctx):
        raise DatabaseError("Cannot connect to the database: server not answering")

    runner = JobRunner(job)
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start()
    assert blocker.args == ["Cannot connect to the database: server not answering"]


def test_expected_errors_are_passed_in_by_the_caller(qtbot):
    class SetupProblem(Exception):
        pass

    messages = []
    def job(ctx):
        raise SetupProblem("bad pattern")

    runner = run_job(job, on_failed=messages.append, expected=(SetupProblem,))
    qtbot.waitUntil(runner.is_done, timeout=5000)
    assert messages == ["bad pattern"]


def test_unexpected_errors_are_short_and_logged(qtbot, caplog):
    def job(ctx):
        raise KeyError("agent_id")

    runner = JobRunner(job, name="broken job")
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start()
    message = blocker.args[0]
    assert "KeyError" in message and "Traceback" not in message
    assert any("broken job" in r.getMessage() and r.exc_info for r in caplog.records)


def test_cancel_is_cooperative(qtbot):
    started = threading.Event()

    def job(ctx: JobContext):
        started.set()
        while True:
            ctx.check_cancelled()
            time.sleep(0.005)

    runner = JobRunner(job)
    runner.start()
    assert started.wait(5)
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.cancel()
    assert runner.wait(5000)


def test_shutdown_all_stops_every_running_job(qtbot):
    def job(ctx: JobContext):
        while not ctx.cancelled:
            time.sleep(0.005)
        return "stopped"

    runners = [JobRunner(job).start() for _ in range(3)]
    assert all(r.is_running() or not r.is_done() for r in runners)
    assert JobRunner.shutdown_all(5000)
    assert not any(r.is_running() for r in runners)
    assert JobRunner.running() == []
