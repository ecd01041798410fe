"""The window's menus: the entries a desktop user looks for, their keys, and what the keys do."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from ui_data import make_window

from qa_desk.audio.outputs import FakeOutput
from qa_desk.samples import load_sample_calls
from qa_desk.store.models import Call
from qa_desk.ui.import_dialog import ImportDialog
from qa_desk.ui.main_window import AREAS
from qa_desk.ui.shortcuts_help import SHORTCUTS, ShortcutsHelp

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def menus(window) -> dict[str, list[tuple[str, list[str]]]]:
    """{menu title: [(entry, [keys])]} without the separators."""
    return {
        top.text(): [(a.text(), [k.toString() for k in a.shortcuts()]) for a in top.menu().actions()
                     if not a.isSeparator()]
        for top in window.menuBar().actions()
    }


def standard(key: str) -> list[str]:
    return [k.toString() for k in QKeySequence.keyBindings(getattr(QKeySequence.StandardKey, key))]


def test_the_usual_entries_with_the_usual_keys(qtbot, services):
    window = make_window(qtbot, services)
    shown = menus(window)
    assert list(shown) == ["&File", "&Edit", "&View", "&Help"]
    assert shown["&File"] == [("&Import recordings…", ["Ctrl+I"]), ("Load &sample calls", []),
                              ("&Export scorecards…", []), ("S&ettings…", ["Ctrl+,"]), ("&Quit", ["Ctrl+Q"])]
    # The platform's own keys where Qt knows them (Linux and Windows here; ⌘F, ⌃⌘F… on a Mac).
    assert shown["&Edit"] == [("&Find…", standard("Find")), ("Search what was &said…", ["Ctrl+Shift+F"])]
    areas = [(window.nav.item(row).text(), [f"Ctrl+{row + 1}"]) for row in range(len(AREAS))]
    assert shown["&View"] == areas + [("&Transcription jobs", ["Ctrl+J"]), ("&Full screen", standard("FullScreen"))]
    assert shown["&Help"] == [("&Keyboard shortcuts", standard("HelpContents")), ("&About QA Desk", []),
                              ("About &Qt", [])]
    if sys.platform != "darwin":
        assert [standard(k)[0] for k in ("Find", "FullScreen", "HelpContents")] == ["Ctrl+F", "F11", "F1"]
    # On a Mac these go to the application menu, where its users look for them.
    roles = {a.text(): a.menuRole() for a in window.findChildren(QAction)}
    assert roles["S&ettings…"] == QAction.MenuRole.PreferencesRole
    assert roles["&Quit"] == QAction.MenuRole.QuitRole
    assert roles["&About QA Desk"] == QAction.MenuRole.AboutRole
    assert roles["About &Qt"] == QAction.MenuRole.AboutQtRole


def test_no_key_does_two_things(qtbot, services):
    window = make_window(qtbot, services)
    keys = [k for entries in menus(window).values() for _text, ks in entries for k in ks]
    assert len(keys) == len(set(keys))
    # The call view's own keys: only the two the menus take over (same thing, see below) meet them.
    call_keys = {QKeySequence(k).toString() for _action, ks in SHORTCUTS for k in ks}
    assert set(keys) & call_keys == {"Ctrl+F", "F1"}


def test_the_keys_do_what_the_menus_say(qtbot, services, add_calls):
    add_calls(5)
    window = make_window(qtbot, services)
    qtbot.waitUntil(window.isActiveWindow)
    view = window.calls_page.view
    for number, key in zip(range(1, 7), AREAS):
        qtbot.keyClick(view if key == "calls" else window, getattr(Qt.Key, f"Key_{number}"), CTRL)
        assert window.current_area() == key
        assert window.area_actions[key].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    qtbot.keyClick(view, Qt.Key.Key_Comma, CTRL)
    assert window.current_area() == "settings"
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)

    qtbot.keyClick(view, Qt.Key.Key_F, CTRL)  # the library's search box
    assert window.calls_page.filter_bar.search.hasFocus()
    window.show_area("forms")
    assert not window.find_action.isEnabled()  # nothing to search there
    window.show_area("clips")
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert window.clips_area.filter_bar.search.hasFocus()

    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert isinstance(window._help, ShortcutsHelp) and window._help.isVisible()
    window._help.close()
    qtbot.keyClick(window, Qt.Key.Key_I, CTRL)
    assert isinstance(window.import_dialog, ImportDialog) and window.import_dialog.isVisible()
    window.import_dialog.close()

    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert window.full_screen_action.isChecked()
    window.full_screen_action.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.full_screen_action.isChecked()

    window.export_action.trigger()  # no evaluations yet: the Scorecards area says when it exports
    assert window.current_area() == "scorecards"
    assert "exported" in window.statusBar().currentMessage()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)
    assert not window.isVisible()


@pytest.fixture
def a_call(ui_db) -> int:
    assert load_sample_calls(ui_db).count("imported") == 4
    with ui_db.session() as session:
        return session.scalars(select(Call.id)).first()


def test_in_a_call_find_and_help_are_the_call_views(qtbot, services, a_call):
    """Ctrl+F and F1 are the call view's own keys too; both bound would leave Qt running
    neither, so the menus hold them and do there what the call view does."""
    window = make_window(qtbot, services)
    window.audio_output_factory = FakeOutput
    view = window.open_call(a_call)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    assert not any(s.isEnabled() for s in view.shortcuts["search"] + view.shortcuts["help"])
    assert all(s.isEnabled() for s in view.shortcuts["play_pause"])
    assert window.find_action.isEnabled()
    view.waveform.plot.setFocus()
    qtbot.keyClick(view.waveform.plot, Qt.Key.Key_F, CTRL)
    assert view.transcript.search.hasFocus()
    qtbot.keyClick(view.transcript.search, Qt.Key.Key_F1)
    assert view._help is not None and view._help.isVisible()
    assert window._help is None  # the call view's help, not a second one
    view._help.close()
    QApplication.processEvents()
