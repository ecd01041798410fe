"""The window comes back as it was left: size and place, splitters, the library's columns.

Each test's layout.ini lives in its own QA_DESK_HOME (conftest.ui_home). The geometry
tests start QA Desk in a child process on made-up offscreen screens (a big one, a second
one beside it, a small laptop's), since the test process has its one 800×800 screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter
from sqlalchemy import select
from ui_data import make_window, wait_loaded

from qa_desk.audio.outputs import FakeOutput
from qa_desk.samples import load_sample_calls
from qa_desk.store.models import Call
from qa_desk.ui.layout_memory import layout_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sample_calls(ui_db) -> list[int]:
    """The four sample calls (with their transcripts), by id."""
    assert load_sample_calls(ui_db).count("imported") == 4
    with ui_db.session() as session:
        return list(session.scalars(select(Call.id).order_by(Call.id)))


def window_of_known_size(qtbot, services):
    """A window that fits this test screen's height (its width cannot shrink to 800), so
    restoring puts it back at exactly this size."""
    window = make_window(qtbot, services)
    window.audio_output_factory = FakeOutput
    window.resize(window.minimumWidth(), 700)
    qtbot.waitUntil(lambda: window.height() == 700)
    return window


def open_call(qtbot, window, call_id: int):
    view = window.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    qtbot.wait(50)  # the flags arrive, sizing the transcript against them
    return view


def test_splitters_and_columns_come_back_also_in_views_built_later(qtbot, services, sample_calls):
    window = window_of_known_size(qtbot, services)
    window.calls_page.view.horizontalHeader().resizeSection(0, 251)
    window.show_area("clips")
    clips = window.clips_area.split
    qtbot.waitUntil(clips.isVisible)
    clips.moveSplitter(333, 1)
    clip_sizes = clips.sizes()
    view = open_call(qtbot, window, sample_calls[0])  # built now: not there when the window was
    view.splitter.moveSplitter(420, 1)
    view.side.moveSplitter(150, 1)
    call_sizes, side_sizes = view.splitter.sizes(), view.side.sizes()
    assert call_sizes[0] == 420 and side_sizes[0] == 150
    untouched = window.forms_page.findChild(QSplitter, "formsSplitter")
    window.close()

    saved = QSettings(str(layout_file()), QSettings.Format.IniFormat)
    keys = saved.allKeys()
    assert "splitters/callsArea/callView/callSplitter" in keys
    assert "splitters/clipsArea/clipsSplitter" in keys
    assert not any(untouched.objectName() in key for key in keys)  # never moved: the page's own sizing stays

    again = make_window(qtbot, services)
    again.audio_output_factory = FakeOutput
    assert (again.width(), again.height()) == (window.width(), 700)
    header = again.calls_page.view.horizontalHeader()
    wait_loaded(qtbot, again.calls_page.model)
    qtbot.waitUntil(lambda: header.sectionSize(0) == 251)  # after the library sized its columns to the calls
    again.show_area("clips")
    qtbot.waitUntil(lambda: again.clips_area.split.sizes() == clip_sizes)  # not the area's own half and half
    view = open_call(qtbot, again, sample_calls[1])
    assert view.splitter.sizes() == call_sizes
    assert view.side.sizes() == side_sizes
    # Another call, with other flags, keeps the reviewer's split (the view sizes the
    # transcript against the flags only while the reviewer has not moved it).
    again.back_to_calls()
    view = open_call(qtbot, again, sample_calls[2])
    assert view.side.sizes() == side_sizes


def test_every_splitter_has_its_own_name(qtbot, services, sample_calls):
    window = make_window(qtbot, services)
    window.audio_output_factory = FakeOutput
    open_call(qtbot, window, sample_calls[0])
    window.show_area("clips")
    qtbot.waitUntil(lambda: window.clips_area.player is not None)
    qtbot.wait(20)
    splitters = [s for s in window.findChildren(QSplitter) if s.window() is window]
    assert len(splitters) >= 10
    paths = [s.property("layoutMemoryPath") for s in splitters]
    assert all(paths), [s for s in splitters if not s.property("layoutMemoryPath")]
    assert len(set(paths)) == len(paths)
    assert "clipsArea/clipsSplitter/clipsRightSplitter/clipPlayer/clipPlayerSplitter" in paths  # built when first shown


HAND_EDITED = (b"[window]\ngeometry=12\nstate=@ByteArray(xx)\n"
               b"[splitters]\ncallsArea\\callView\\callSplitter=not a state\n"
               b"[columns]\ncallsArea\\callsTable=1,two,3\n")


@pytest.mark.parametrize("content", [b"\x00\xff\xfe garbage \x89PNG\r\n", HAND_EDITED])
def test_a_broken_layout_file_opens_the_default_layout(qtbot, services, add_calls, content):
    add_calls(3)
    layout_file().write_bytes(content)
    window = make_window(qtbot, services)
    assert (window.width(), window.height()) == (1280, 800)
    window.calls_page.view.horizontalHeader().resizeSection(0, 251)
    window.close()
    saved = QSettings(str(layout_file()), QSettings.Format.IniFormat)  # written whole on closing
    assert saved.status() == QSettings.Status.NoError
    assert isinstance(saved.value("window/geometry"), QByteArray)
    again = make_window(qtbot, services)
    wait_loaded(qtbot, again.calls_page.model)
    qtbot.waitUntil(lambda: again.calls_page.view.horizontalHeader().sectionSize(0) == 251)


def test_no_layout_file_is_no_problem(qtbot, services):
    assert not layout_file().exists()
    window = make_window(qtbot, services)
    assert (window.width(), window.height()) == (1280, 800)
    window.close()
    assert layout_file().exists()


# --- the window's place, on screens that come and go -----------------------------------------

CHILD = r"""
import json, sys
from qa_desk.ui.sign_in import FirstRunDialog
FirstRunDialog.ask = FirstRunDialog.chosen  # the first run's defaults, without the dialog
from PySide6.QtWidgets import QApplication
from qa_desk.app import start_app

window = start_app(["qa-desk"])
app = QApplication.instance()
for _ in range(30):
    app.processEvents()
seen = {"shown": window.geometry().getRect(), "frame": window.frameGeometry().getRect(),
        "minimum": [window.minimumWidth(), window.minimumHeight()]}
place = json.loads(sys.argv[1])
if place:
    window.setGeometry(*place)
    for _ in range(30):
        app.processEvents()
    seen["placed"] = window.geometry().getRect()
window.close()
print(json.dumps(seen))
"""


def run_window(home: Path, screens: list[tuple[int, int, int, int]], place=None) -> dict:
    """Start QA Desk on these screens (x, y, width, height), move it to ``place``, close it."""
    config = home / "screens.json"
    config.write_text(json.dumps({"screens": [
        {"name": f"screen{i}", "x": x, "y": y, "width": w, "height": h, "logicalDpi": 96, "logicalBaseDpi": 96,
         "dpr": 1} for i, (x, y, w, h) in enumerate(screens)]}), encoding="utf-8")
    env = dict(os.environ, QA_DESK_HOME=str(home), QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    env.pop("QA_DESK_DB", None)
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(place)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_window_comes_back_where_it_was_and_never_off_screen(tmp_path):
    home = tmp_path / "child"
    home.mkdir()
    big, beside = (0, 0, 1920, 1200), (1920, 0, 1600, 900)
    first = run_window(home, [big, beside], place=[300, 200, 1400, 900])
    assert first["placed"] == [300, 200, 1400, 900]
    second = run_window(home, [big, beside], place=[2100, 100, 1300, 700])  # now on the second screen
    assert second["shown"] == [300, 200, 1400, 900]
    back = run_window(home, [big, beside])
    assert back["shown"] == [2100, 100, 1300, 700]

    # The second screen is gone, and the first is a small laptop's: the whole window is
    # on it, as small as it can be made if it was bigger.
    laptop = (0, 0, 1366, 768)
    alone = run_window(home, [laptop])
    x, y, width, height = alone["frame"]
    assert 0 <= x and x + width <= 1366 and 0 <= y and y + height <= 768, alone
