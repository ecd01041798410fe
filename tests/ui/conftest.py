"""Fixtures for the window's tests: a temporary database, services, and call data.

Tests run headless on a real SQLite file in tmp_path. Every job a test starts is
cancelled and waited for at its end, so no worker thread outlives its test.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from pathlib import Path

import pytest
from ui_data import insert_calls

import qa_desk.ui  # noqa: F401 - installs the PySide6 signal fix before any test emits

from qa_desk.settings import Settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(autouse=True)
def ui_home(tmp_path, monkeypatch):
    """Settings and the local database of each test live in its own folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("QA_DESK_HOME", str(home))
    monkeypatch.delenv("QA_DESK_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def first_run_answered(monkeypatch):
    """The first-run question (who uses this SQLite file) is answered with its defaults:
    the OS login as admin, so start_app opens the window without waiting for a click.
    tests/ui/test_sign_in.py tests the dialog itself."""
    from qa_desk.ui.sign_in import FirstRunDialog

    monkeypatch.setattr(FirstRunDialog, "ask", FirstRunDialog.chosen)


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread():
    """Closed views are freed here, on the GUI thread, once pytest-qt has closed them.

    A widget whose Python side sits in a reference cycle would otherwise be freed by
    whichever thread next runs the garbage collector, possibly a job's worker thread,
    which must never delete widgets (it crashed the suite now and then).
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def no_leaked_jobs(qapp):
    yield
    from qa_desk.ui.jobs import JobRunner

    assert JobRunner.shutdown_all(10000), "a job did not stop within 10 s"
    qapp.processEvents()


@pytest.fixture
def ui_db(sqlite_db):
    """The shared SQLite database; every job is stopped before it closes."""
    yield sqlite_db
    from qa_desk.ui.jobs import JobRunner

    JobRunner.shutdown_all()


def no_speech_model(model_name, language):
    """A model resolver for a computer without speech models: nothing is ever loaded."""
    from qa_desk.transcription.runner import ModelUnavailable

    raise ModelUnavailable(f"no speech model for '{language or 'zh'}' calls is installed on this computer")


def transcription_service(db, resolve=no_speech_model, workers: int = 1):
    from qa_desk.transcription.service import TranscriptionService

    settings = Settings()
    return TranscriptionService(db, load_settings=lambda: settings, resolve=resolve, workers=workers)


@pytest.fixture
def services(ui_db):
    """The window's services; the transcription workers (started by the window) are
    stopped at the end, also those of a database reconnected to."""
    from qa_desk.ui.services import Services

    built = []

    def new_transcription(db):
        built.append(transcription_service(db))
        return built[-1]

    from qa_desk.store.users import local_user

    settings = Settings()
    with ui_db.session() as session:  # the file's local user, stored as the first run does (an admin)
        user = local_user(session, settings.reviewer(), "admin")
    services = Services(settings, ui_db, transcription=new_transcription(ui_db), new_transcription=new_transcription,
                        user=user)  # tests of a role's view set their own
    yield services
    for service in built:
        service.stop()
        assert not service.running


@pytest.fixture
def add_calls(ui_db):
    """add_calls(n): the library gets n calls by the ten agents of four teams."""
    return lambda count: insert_calls(ui_db, count)


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
