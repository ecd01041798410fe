"""The playlists panel: create, add the chosen clip, notes per entry, reorder by drag, remove, play all."""

from __future__ import annotations

import pytest
from clip_data import sample_calls, sample_clips, sample_playlist
from PySide6.QtCore import Qt

from qa_desk.permissions import Actor
from qa_desk.store.playlists import get_playlist, list_playlists
from qa_desk.ui.playlist_panel import PlaylistPanel

TRAINER = Actor("王芳", "trainer")


@pytest.fixture
def clips(ui_db):
    return sample_clips(ui_db, sample_calls(ui_db))


def make_panel(qtbot, db, chosen=lambda: None) -> PlaylistPanel:
    panel = PlaylistPanel(lambda: db, by=lambda: TRAINER, selected_clip=chosen)
    qtbot.addWidget(panel)
    panel.resize(460, 360)
    panel.show()
    panel.reload()
    qtbot.waitUntil(panel.is_idle)
    return panel


def settle(qtbot, panel) -> None:
    qtbot.waitUntil(panel.is_idle, timeout=5000)


def stored(db, playlist_id):
    with db.session() as session:
        return get_playlist(session, playlist_id)


def test_no_playlists_says_how_to_start(qtbot, ui_db):
    panel = make_panel(qtbot, ui_db)
    assert panel.playlist() is None and "New…" in panel.empty.text()
    assert not panel.add_button.isEnabled() and not panel.play_button.isEnabled()


def test_build_a_playlist_from_the_chosen_clips(qtbot, ui_db, clips):
    chosen = []
    panel = make_panel(qtbot, ui_db, lambda: chosen[-1] if chosen else None)
    panel.create_playlist("Week 1: openings")
    settle(qtbot, panel)
    assert panel.playlist().name == "Week 1: openings" and panel.chooser.currentText().startswith("Week 1")
    with qtbot.waitSignal(panel.message):
        panel.add_button.click()  # nothing chosen yet
    for clip in (clips[0], clips[3], clips[2]):
        chosen.append(clip)
        panel.add_button.click()
        settle(qtbot, panel)
    assert [e.clip.id for e in panel.playlist().entries] == [clips[0].id, clips[3].id, clips[2].id]
    assert panel.entries.item(1).text().startswith("2.  Warm greeting")
    assert "3 clips" in panel.chooser.currentText()
    panel.entries.setCurrentRow(1)
    panel.note.setText("Compare with the Chinese one")
    panel.note.editingFinished.emit()
    settle(qtbot, panel)
    assert stored(ui_db, panel.playlist().id).entries[1].notes == "Compare with the Chinese one"
    assert "Compare with the Chinese one" in panel.entries.item(1).text()


def test_dragging_reorders_and_the_order_is_stored(qtbot, ui_db, clips):
    playlist_id = sample_playlist(ui_db, clips)
    panel = make_panel(qtbot, ui_db)
    before = panel.entry_ids()
    panel.move_entry(2, 0)  # what dropping the last clip on top does
    settle(qtbot, panel)
    assert [e.id for e in stored(ui_db, playlist_id).entries] == [before[2], before[0], before[1]]
    assert panel.entry_ids() == [before[2], before[0], before[1]]
    assert panel.entries.item(0).text().startswith("1.  推诿客户")  # renumbered from what was stored
    panel.entries.setCurrentRow(1)
    panel.remove_button.click()
    settle(qtbot, panel)
    assert panel.entry_ids() == [before[2], before[1]]


def test_play_all_and_export_ask_with_the_playlist(qtbot, ui_db, clips):
    playlist_id = sample_playlist(ui_db, clips)
    panel = make_panel(qtbot, ui_db)
    with qtbot.waitSignal(panel.play_requested) as played:
        panel.play_button.click()
    assert played.args == [[clips[0].id, clips[3].id, clips[2].id], "新员工培训：开场与结束"]
    with qtbot.waitSignal(panel.export_requested) as export:
        panel.export_button.click()
    assert export.args == [playlist_id, "新员工培训：开场与结束"]
    with qtbot.waitSignal(panel.clip_chosen) as chosen:
        qtbot.mouseClick(panel.entries.viewport(), Qt.MouseButton.LeftButton,
                         pos=panel.entries.visualItemRect(panel.entries.item(1)).center())
    assert chosen.args == [clips[3].id]


def test_rename_and_delete(qtbot, ui_db, clips):
    sample_playlist(ui_db, clips)
    panel = make_panel(qtbot, ui_db)
    panel.create_playlist("English calls")
    settle(qtbot, panel)
    panel.rename_playlist("English calls, week 2")
    settle(qtbot, panel)
    assert panel.playlist().name == "English calls, week 2" and panel.chooser.count() == 2
    panel.delete_playlist()
    settle(qtbot, panel)
    with ui_db.session() as session:
        assert [p.name for p in list_playlists(session)] == ["新员工培训：开场与结束"]
    assert panel.playlist().name == "新员工培训：开场与结束"
