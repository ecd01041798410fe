"""The main window: areas, menus, sample calls, import dialog, reconnecting, closing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_data import insert_calls, make_window, wait_loaded

from qa_desk import __version__
from qa_desk.store.database import Database
from qa_desk.ui.import_dialog import ImportDialog
from qa_desk.ui.jobs import JobRunner
from qa_desk.ui.main_window import AREAS


def test_window_shows_areas_and_the_database(qtbot, services):
    window = make_window(qtbot, services)
    assert window.windowTitle() == "QA Desk"
    assert (window.width(), window.height()) == (1280, 800)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Calls", "Review", "Scorecards", "Clips", "Forms", "Settings",
    ]
    assert window.calls_page.showing() == "welcome"
    assert window.database_label.text().startswith("Database: sqlite:///")
    window.show_area("review")
    page = window.stack.currentWidget()
    assert page is window.review_page and page.isVisible()
    qtbot.waitUntil(lambda: not page.queue.is_loading())
    window.show_area("forms")
    assert window.stack.currentWidget() is window.forms_page
    window.show_area("scorecards")
    assert window.stack.currentWidget() is window.scorecards_page
    qtbot.waitUntil(lambda: window.scorecards_page.showing() == "empty")
    assert "evaluations" in window.scorecards_page.empty.text()
    window.settings_action.trigger()
    assert window.current_area() == "settings"
    assert len(AREAS) == window.stack.count()


def test_the_welcome_offers_the_four_ways_in(qtbot, services):
    """Import recordings, load the samples, install a speech model, connect to a team's
    database: the last two open Settings at the group that does it."""
    window = make_window(qtbot, services)
    welcome = window.calls_page
    buttons = [b.text() for b in (welcome.import_button, welcome.samples_button, welcome.models_button,
                                  welcome.team_button)]
    assert buttons == ["Import recordings…", "Load sample calls", "Install a speech model…",
                       "Connect to a team database…"]
    qtbot.mouseClick(welcome.team_button, Qt.MouseButton.LeftButton)
    assert window.current_area() == "settings"
    settings = window.settings_page
    qtbot.waitUntil(lambda: settings.url_edit.hasFocus(), timeout=5000)
    window.show_area("calls")
    qtbot.mouseClick(welcome.models_button, Qt.MouseButton.LeftButton)
    assert window.current_area() == "settings"
    models = settings.speech_models
    top = models.mapTo(settings.scroll.widget(), models.rect().topLeft()).y()
    shown = settings.scroll.verticalScrollBar().value()
    assert shown <= top < shown + settings.scroll.viewport().height()  # the group is in view


def test_menus(qtbot, services):
    window = make_window(qtbot, services)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Help"]
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    box = window.show_about()
    assert __version__ in box.text()
    assert "sqlite:///" in box.informativeText()
    box.close()


def test_load_sample_calls_fills_the_library(qtbot, services):
    window = make_window(qtbot, services)
    qtbot.mouseClick(window.calls_page.samples_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.calls_page.showing() == "calls", timeout=30000)
    wait_loaded(qtbot, window.calls_page.model)
    assert window.calls_page.model.total() == 4
    agents = {window.calls_page.model.call_at(r).agent for r in range(4)}
    assert "张伟" in agents
    assert "4 imported" in window.statusBar().currentMessage()


def test_import_action_opens_the_dialog_and_refreshes_after(qtbot, services):
    window = make_window(qtbot, services)
    window.import_action.trigger()
    dialog = window.import_dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    assert window.import_dialog is window.open_import_dialog()  # one dialog, brought to front
    calls = []
    window.calls_page.model.modelReset.connect(lambda: calls.append(1))
    dialog.library_changed.emit()
    assert calls  # the library reloads after an import
    dialog.close()


def test_activating_a_call_shows_its_file(qtbot, services, add_calls):
    add_calls(5)
    window = make_window(qtbot, services)
    call_id = window.calls_page.model.call_id(0)
    window.calls_page.call_activated.emit(call_id)
    assert window.calls_page.model.call_at(0).file_path in window.statusBar().currentMessage()


def test_reconnect_switches_the_database(qtbot, services, tmp_path, add_calls):
    window = make_window(qtbot, services)
    other = Database.open(f"sqlite:///{tmp_path / 'team.sqlite3'}")
    insert_calls(other, 12)
    other.close()
    old = services.db
    window.reconnect(other.url)
    qtbot.waitUntil(lambda: services.db is not old, timeout=10000)
    wait_loaded(qtbot, window.calls_page.model)
    assert window.calls_page.model.total() == 12
    assert "team.sqlite3" in window.database_label.text()
    services.db.close()


def test_a_failed_reconnect_keeps_the_current_database(qtbot, services, tmp_path):
    window = make_window(qtbot, services)
    old = services.db
    window.reconnect(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    qtbot.waitUntil(lambda: "Still using" in window.statusBar().currentMessage(), timeout=10000)
    assert services.db is old


def test_closing_the_window_stops_running_jobs(qtbot, services):
    import threading

    window = make_window(qtbot, services)
    stopped = threading.Event()

    def slow(ctx):
        while not ctx.cancelled:
            threading.Event().wait(0.01)
        stopped.set()

    JobRunner(slow).start()
    window.close()
    assert stopped.is_set()
    assert JobRunner.running() == []


def test_back_returns_to_the_area_the_call_was_opened_from(qtbot, services, tmp_path):
    from tests.recordings import write_call
    from tests.store_data import add_test_call

    with services.db.session() as s:
        call_id = add_test_call(s, "a.wav", file_path=str(write_call(tmp_path / "a.wav", 2.0)), duration=2.0)
    window = make_window(qtbot, services)
    window.show_area("scorecards")
    view = window.open_call(call_id)
    assert window.current_area() == "calls" and view.back_button.text() == "← Back to Scorecards"
    window.open_call(call_id)  # another call from within the call view keeps the way back
    view.back_button.click()
    assert window.current_area() == "scorecards"
    window.show_area("calls")
    window.open_call(call_id)
    assert view.back_button.text() == "← Back to calls"
    view.back_button.click()
    assert window.current_area() == "calls" and not window.showing_call()


def test_after_a_reconnect_the_user_belongs_to_the_new_database(qtbot, services, tmp_path, monkeypatch):
    from qa_desk.permissions import Actor
    from qa_desk.store.users import create_user, list_users

    window = make_window(qtbot, services)
    before = services.user
    local = Database.open(f"sqlite:///{tmp_path}/local.sqlite3")
    local.close()
    window.reconnect(local.url)
    qtbot.waitUntil(lambda: services.db.url == local.url, timeout=10000)
    assert services.user.name == before.name and services.user.user_id is not None  # the same person, stored there
    with services.db.session() as s:
        assert [u.name for u in list_users(s)] == [before.name]
    # A file whose people sign in: the user is asked to, and cancelling leaves nobody signed in.
    shared = Database.open(f"sqlite:///{tmp_path}/shared.sqlite3")
    with shared.session() as s:
        create_user(s, Actor("bootstrap", "admin"), "李组长", "lead", password="a long secret")
    shared.close()
    asked = []
    monkeypatch.setattr("qa_desk.ui.sign_in.SignInDialog.ask", lambda dialog: asked.append(dialog) or None)
    window.reconnect(shared.url)
    qtbot.waitUntil(lambda: services.db.url == shared.url, timeout=10000)
    assert asked and services.user is None and not window.user_label.isVisible()
