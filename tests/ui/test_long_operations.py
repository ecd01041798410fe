"""Every long operation of the window shows how far it is and can be cancelled, and a
cancel leaves nothing half-done: real recordings, real transcripts, a real database.

Each test starts the work, holds it mid-way (``long_jobs.Hold``: only the moment of the
click is pinned, the work is real), checks what the window shows, presses Cancel, and
checks that what was written before stays whole and nothing after was written.
"""

from __future__ import annotations

import errno
from datetime import date
from pathlib import Path

import pytest
from long_jobs import Hold
from PySide6.QtCore import Qt
from recordings import write_call
from sqlalchemy import func, select
from ui_data import make_window

from qa_desk.importing.importer import import_recordings
from qa_desk.reports.export import ExportError
from qa_desk.store import flags as store_flags
from qa_desk.store.models import Call, ReviewAssignment, SamplingRun, Transcript
from qa_desk.store.transcripts import UtteranceRow, replace_transcript
from qa_desk.ui.jobs import JobRunner

PROGRESS = "progress"


def said(speaker: str, start: float, words: list[str], step: float = 0.4) -> UtteranceRow:
    items = [{"word": w, "start": round(start + i * step, 2), "end": round(start + (i + 1) * step - 0.05, 2)}
             for i, w in enumerate(words)]
    return UtteranceRow(speaker, items[0]["start"], items[-1]["end"], "".join(words), items)


# An agent who brushes the customer off: the shipped zh-CN rulebook flags it.
RUDE_CALL = [
    said("agent", 0.5, ["您好", "欢迎", "致电", "请问", "有", "什么", "可以", "帮", "您"]),
    said("customer", 3.0, ["我", "的", "账单", "不", "对"]),
    said("agent", 5.0, ["这个", "我", "不", "知道", "你", "爱", "找", "谁", "找", "谁", "去"]),
]


def shoot(widget, name: str, folder: Path) -> Path:
    target = folder / "progress" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(target))
    return target


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {
            "calls": s.scalar(select(func.count()).select_from(Call)),
            "checked": s.scalar(select(func.count()).select_from(Call).where(Call.scanned_rulebook_id.is_not(None))),
            "assignments": s.scalar(select(func.count()).select_from(ReviewAssignment)),
            "runs": s.scalar(select(func.count()).select_from(SamplingRun)),
        }


# --- the rulebook check of every call (status bar) ---------------------------------------------


@pytest.fixture
def transcribed(ui_db, tmp_path) -> list[int]:
    """Ten real stereo recordings, imported, each with the rude transcript."""
    paths = [write_call(tmp_path / "rec" / f"call-{i:02d}.wav", 8.0, seed=i) for i in range(10)]
    import_recordings(ui_db, paths)
    with ui_db.session() as s:
        ids = list(s.scalars(select(Call.id).order_by(Call.id)))
        for call_id in ids:
            replace_transcript(s, call_id, engine="test", model_name="test", language="zh-CN", utterances=RUDE_CALL)
    return ids


def test_the_rulebook_check_counts_and_cancel_keeps_the_calls_checked(qtbot, services, transcribed,
                                                                       monkeypatch, screenshots_dir):
    window = make_window(qtbot, services)
    window.resize(1280, 760)
    bar = window.checks_progress
    hold = Hold(monkeypatch, "check all calls", at=5, on=PROGRESS)  # after the 4th call
    window.settings_page.rulebook.check_button.click()
    hold.wait(qtbot)
    qtbot.waitUntil(lambda: bar.bar.format() == "4 of 10", timeout=5000)
    assert bar.isVisible() and bar.cancel_button.isVisible()
    assert bar.label.text().startswith("Checking calls against")
    shot = shoot(window, "rulebook_check.png", screenshots_dir)
    assert shot.stat().st_size > 10_000

    with qtbot.waitSignal(window.flag_checker.batch_cancelled, timeout=20000):
        qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    assert "Rulebook check cancelled" in window.statusBar().currentMessage()
    assert "Check calls now" in window.statusBar().currentMessage()  # what to do next
    # The four calls checked keep their flags, stored whole; the six others were not touched.
    with services.db.session() as s:
        checked = list(s.scalars(select(Call.id).where(Call.scanned_rulebook_id.is_not(None)).order_by(Call.id)))
        flagged = {call_id: len(store_flags.flags_for_call(s, call_id)) for call_id in transcribed}
    assert checked == transcribed[:4]
    assert all(flagged[c] > 0 for c in checked) and not any(flagged[c] for c in transcribed[4:])

    # "Check calls now" picks up the rest, and only the rest.
    with qtbot.waitSignal(window.flag_checker.batch_finished, timeout=60000) as done:
        window.settings_page.rulebook.check_button.click()
    assert "6 call(s) checked, 0 failed" in done.args[0]
    assert counts(services.db)["checked"] == 10
    assert not bar.isVisible()


# --- sample calls (status bar) --------------------------------------------------------------------


def test_cancelling_the_sample_calls_keeps_the_calls_loaded_whole(qtbot, services, monkeypatch):
    window = make_window(qtbot, services)
    hold = Hold(monkeypatch, "load sample calls", at=2, on=PROGRESS)  # the first recording is in
    window.load_sample_calls()
    hold.wait(qtbot)
    bar = window.samples_progress
    qtbot.waitUntil(lambda: bar.bar.format() == "1 of 4", timeout=5000)
    assert bar.isVisible() and bar.cancel_button.isVisible()
    qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._samples_job.is_done(), timeout=20000)
    assert not bar.isVisible() and window.samples_action.isEnabled()
    assert window.statusBar().currentMessage() == (
        "Loading the sample calls was cancelled: 1 imported. Load them again to add the rest.")
    with services.db.session() as s:
        calls = list(s.scalars(select(Call)))
        transcripts = s.scalar(select(func.count()).select_from(Transcript))
    assert len(calls) == 1 and calls[0].duration > 0 and calls[0].content_hash and transcripts == 1
    assert getattr(window, "_demo_offer", None) is None  # no demo centre offered after a cancel


# --- importing recordings --------------------------------------------------------------------


def test_cancelling_an_import_keeps_the_library_whole(qtbot, services, tmp_path, monkeypatch):
    from qa_desk.ui.import_dialog import ImportDialog

    folder = tmp_path / "export"
    earlier = [write_call(folder / f"agent{i}_20261103-0900{i:02d}_1.wav", 2.0, seed=i) for i in range(3)]
    import_recordings(services.db, earlier)
    with services.db.session() as s:
        before = {c.id: (c.file_path, c.content_hash, c.duration) for c in s.scalars(select(Call))}
    for i in range(3, 33):
        write_call(folder / f"agent{i}_20261103-0900{i:02d}_1.wav", 1.0, seed=i)

    dialog = ImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths([folder])
    hold = Hold(monkeypatch, "import recordings", at=6, on=PROGRESS)  # 3 known, then 5 new files
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    hold.wait(qtbot)
    qtbot.waitUntil(lambda: dialog.progress.value() == 8 and dialog.progress.maximum() == 33, timeout=5000)
    assert dialog.cancel_button.isVisible()
    with qtbot.waitSignal(dialog.library_changed, timeout=20000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    report = dialog.report
    assert dialog.status_label.text() == "Import cancelled." and report.cancelled
    assert (report.count("known"), report.count("imported")) == (3, 5)
    cancelled = [o for o in report.outcomes if o.status == "skipped"]
    assert len(cancelled) == 25 and all("import again" in o.message for o in cancelled)
    with services.db.session() as s:
        calls = {c.id: c for c in s.scalars(select(Call))}
    assert len(calls) == 8
    assert all((calls[i].file_path, calls[i].content_hash, calls[i].duration) == before[i] for i in before)
    imported = {o.path for o in report.outcomes if o.status == "imported"}
    assert {c.file_path for c in calls.values()} - {v[0] for v in before.values()} == imported
    assert all(c.duration > 0 and c.sample_rate == 8000 and c.channel_map for c in calls.values())


# --- the calibration report --------------------------------------------------------------------


def test_cancelling_the_calibration_export_writes_nothing(qtbot, services, tmp_path, monkeypatch, screenshots_dir):
    from calibration_data import LEAD, three_reviewer_session

    from qa_desk.ui.calibration_page import CalibrationPage

    three_reviewer_session(services.db, calls=3)
    page = CalibrationPage(services, LEAD)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    with qtbot.waitSignal(page.view_loaded, timeout=10000):
        page.show()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "calibration.xlsx"
    target.write_bytes(b"last month's report")  # an earlier export of the same name stays as it was

    hold = Hold(monkeypatch, "calibration export", at=2, on=PROGRESS)  # the first sheet is written
    page.export_report(target)
    hold.wait(qtbot)
    progress = page.export_progress
    qtbot.waitUntil(lambda: progress.bar.format() == "1 of 7", timeout=5000)
    assert progress.isVisible() and not page.export_button.isEnabled()
    assert progress.label.text() == "Writing calibration.xlsx"
    shoot(page, "calibration_export.png", screenshots_dir)
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in page.message.text(), timeout=20000)

    assert page.message.text() == "The export was cancelled; nothing was written."
    assert not progress.isVisible() and page.export_button.isEnabled()
    assert target.read_bytes() == b"last month's report"
    assert sorted(p.name for p in out.iterdir()) == ["calibration.xlsx"]  # no half-written .part left

    page.export_report(target)  # and without a Cancel, the whole workbook
    qtbot.waitUntil(lambda: page.message.text().startswith("Wrote"), timeout=20000)
    assert target.read_bytes()[:2] == b"PK"


# --- a sampling run --------------------------------------------------------------------------


def test_cancelling_a_sampling_run_queues_nothing(qtbot, services, monkeypatch):
    from review_data import LEAD, centre

    from qa_desk.store import sampling
    from qa_desk.ui.sampling_run_dialog import SamplingRunDialog

    centre(services.db, calls_per_agent=4)
    with services.db.session() as s:
        rule = sampling.save_rule(s, {"name": "monthly", "per_agent": 2}, actor=LEAD)
    dialog = SamplingRunDialog(services.db, LEAD, rule, ["王质检", "赵质检"], today=lambda: date(2026, 11, 28))
    qtbot.addWidget(dialog)
    dialog.period.setText("2026-11")
    for name in ("王质检", "赵质检"):
        dialog.add_reviewer(name, checked=True)
    dialog.show()
    dialog.preview()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10000)
    shown = dialog.summary.text()

    # Held after the run's rows are written, inside its transaction: Cancel rolls it all back.
    hold = Hold(monkeypatch, "sampling run", at=1)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    hold.wait(qtbot)
    assert dialog.progress.isVisible() and dialog.progress.label.text() == "Queuing the calls…"
    assert not dialog.run_button.isEnabled() and not dialog.preview_button.isEnabled()
    qtbot.mouseClick(dialog.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=20000)
    assert dialog.summary.text() == "Cancelled; no call was queued." and dialog.isVisible()
    assert counts(services.db)["assignments"] == counts(services.db)["runs"] == 0
    assert dialog.run_button.isEnabled(), shown  # the preview on screen still holds: run it when ready

    # The dialog's own Cancel during a run stops the run first, then closes.
    hold = Hold(monkeypatch, "sampling run", at=1)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    hold.wait(qtbot)
    dialog.reject()
    assert dialog.isVisible()  # not before the run has stopped
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert dialog.report is None and counts(services.db)["assignments"] == 0


# --- opening a long call ---------------------------------------------------------------------


def test_a_long_calls_waveform_counts_and_going_back_stops_it(qtbot, services, tmp_path, monkeypatch):
    from test_call_view import Outputs

    from qa_desk.audio.envelope import cache_path
    from qa_desk.ui.call_view import CallView

    recording = write_call(tmp_path / "long.wav", 12 * 60.0)  # 12 minutes, stereo 8 kHz
    import_recordings(services.db, [recording])
    with services.db.session() as s:
        call = s.scalars(select(Call)).one()
        call_id, digest = call.id, call.content_hash
    view = CallView(services.db, output_factory=Outputs())
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    hold = Hold(monkeypatch, "waveform envelope", at=3, on=PROGRESS)
    view.open_call(call_id)
    hold.wait(qtbot)
    done, total = hold.progress_at_hold
    percent = done * 100 // total
    assert 0 < percent < 100
    qtbot.waitUntil(lambda: view.waveform.message() == f"Drawing waveform… {percent}%", timeout=5000)

    view.close_call()  # what Back and opening another call do
    qtbot.waitUntil(lambda: not JobRunner.running(), timeout=20000)
    folder = cache_path(digest).parent
    assert not cache_path(digest).exists()
    assert not list(folder.glob(".*.tmp")) if folder.exists() else True  # no half-written cache file

    view.open_call(call_id)  # opened again, it draws the whole waveform and caches it
    qtbot.waitUntil(view.is_ready, timeout=30000)
    assert view.waveform.message() == "" and cache_path(digest).exists()


# --- reconnecting --------------------------------------------------------------------------


def test_reconnecting_says_it_is_busy_without_a_cancel(qtbot, services, tmp_path):
    from qa_desk.store.database import Database

    window = make_window(qtbot, services)
    other = Database.open(f"sqlite:///{tmp_path / 'team.sqlite3'}")
    other.close()
    old = services.db
    window.reconnect(other.url)
    busy = window.connect_progress
    assert busy.isVisible() and not busy.cancel_button.isVisible()
    assert busy.label.text().startswith("Connecting to")
    qtbot.waitUntil(lambda: services.db is not old, timeout=10000)
    qtbot.waitUntil(lambda: not busy.isVisible(), timeout=5000)
    services.db.close()


# --- what a failed job says ------------------------------------------------------------------


def _failure(qtbot, job, expected=()) -> str:
    runner = JobRunner(job, expected=expected)
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start()
    return blocker.args[0]


def test_a_job_failing_on_the_disk_says_what_happened_and_what_to_do(qtbot):
    def full(ctx):
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/exports/scorecards.xlsx")
        except OSError as exc:
            raise ExportError("/exports/scorecards.xlsx: cannot write the export (No space left on device)") from exc

    assert _failure(qtbot, full, (ExportError,)) == (
        "/exports/scorecards.xlsx: cannot write the export (No space left on device). "
        "The disk is full: free some space or choose another folder, then try again.")

    def refused(ctx):
        raise OSError(errno.EACCES, "Permission denied", "/srv/share/clips")

    assert _failure(qtbot, refused, (OSError,)) == (
        "/srv/share/clips: Permission denied. QA Desk may not write there: choose another folder, or ask your "
        "administrator for access.")

    def bug(ctx):
        raise KeyError("agent_id")

    message = _failure(qtbot, bug)
    assert message.startswith("Unexpected error (KeyError): 'agent_id'. Try again;")
