"""Starting QA Desk: a database that cannot be opened, broken settings, exit codes."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from qa_desk import app as qa_app
from qa_desk.settings import Settings, default_database_url
from qa_desk.ui.main_window import MainWindow

BAD_URL = "sqlite:////nonexistent-folder/qa.sqlite3"


@pytest.fixture
def message_boxes(monkeypatch):
    """Message boxes answer themselves: the next planned button is clicked."""
    shown: list[dict] = []
    answers: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append({"text": box.text(), "info": box.informativeText(),
                      "buttons": [b.objectName() for b in box.findChildren(QPushButton) if b.objectName()]})
        if answers:
            name = answers.pop(0)
            next(b for b in box.buttons() if b.objectName() == name).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown, answers


def close(window) -> None:
    window.close()
    window.services.db.close()


def test_bad_database_offers_the_local_one(qtbot, message_boxes):
    shown, answers = message_boxes
    answers.append("useLocalDatabase")
    window = qa_app.start_app([], BAD_URL)
    assert window is not None and window.isVisible()
    assert window.services.db.url == default_database_url()
    assert "cannot open its database" in shown[0]["text"]
    assert "nonexistent-folder" in shown[0]["info"]
    assert {"openSettings", "useLocalDatabase", "quit"} <= set(shown[0]["buttons"])
    assert Settings.load().database_url == ""  # the fallback is for this session only
    close(window)


def test_quit_returns_exit_code_3(qtbot, message_boxes):
    shown, answers = message_boxes
    answers.append("quit")
    assert qa_app.run_app([], BAD_URL) == qa_app.EXIT_NO_DATABASE


def test_open_settings_lets_the_user_fix_the_url(qtbot, message_boxes, monkeypatch, tmp_path):
    shown, answers = message_boxes
    answers.append("openSettings")
    fixed = f"sqlite:///{tmp_path / 'fixed.sqlite3'}"
    seen = []

    def edit(services, failed_url):
        seen.append((services, failed_url))
        return fixed

    monkeypatch.setattr(qa_app, "_edit_database_settings", edit)
    window = qa_app.start_app([], BAD_URL)
    assert window.services.db.url == fixed
    assert seen and seen[0][0].db is None and seen[0][1] == BAD_URL
    close(window)


def test_the_settings_dialog_saves_a_new_url(qtbot, tmp_path):
    from qa_desk.ui.services import Services

    services = Services(Settings(), None)  # no database yet
    fixed = f"sqlite:///{tmp_path / 'fixed.sqlite3'}"

    prefilled = []

    def fill_in():
        dialog = QApplication.activeModalWidget()
        page = dialog.findChild(qa_app.SettingsPage)
        prefilled.append(page.url_edit.text())
        page.url_edit.setText(fixed)
        page.save_button.click()

    QTimer.singleShot(50, fill_in)
    assert qa_app._edit_database_settings(services, BAD_URL) == fixed
    assert prefilled == [BAD_URL]  # the failing URL, from --db, is there to correct
    assert Settings.load().database_url == fixed


def test_broken_settings_file_is_reported_and_defaults_used(qtbot, message_boxes):
    shown, _ = message_boxes
    Settings.path().write_text("{ not json", encoding="utf-8")
    window = qa_app.start_app([])
    assert "settings could not be read" in shown[0]["text"]
    assert window.services.settings == Settings()
    close(window)


def test_run_app_runs_the_event_loop_until_the_window_closes(qtbot, qapp):
    # Closing the last window ends the event loop. (Calling quit() as well would leave a
    # second quit pending that stops every later test's event loop at once.)
    def close_window():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.close()

    assert qapp.quitOnLastWindowClosed()
    QTimer.singleShot(300, close_window)
    assert qa_app.run_app([]) == 0


def test_a_saved_database_url_is_used(qtbot, tmp_path):
    url = f"sqlite:///{tmp_path / 'saved.sqlite3'}"
    Settings(database_url=url).save()
    window = qa_app.start_app([])
    assert window.services.db.url == url
    assert json.loads(Settings.path().read_text())["database_url"] == url
    close(window)


def test_the_window_and_the_transcription_workers_share_one_rulebook(qtbot):
    # Building a large rulebook's automata is the expensive part: loaded once per process.
    window = qa_app.start_app([])
    services = window.services
    assert services.transcription.after_transcript._cache is services.rulebooks
    assert services.transcription_for(services.db).after_transcript._cache is services.rulebooks
    close(window)
