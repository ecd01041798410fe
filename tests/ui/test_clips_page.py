"""The Clips area: search and filters over the library, a clip played in place,
editing, deleting, opening its call, playlists beside it; and screenshots."""

from __future__ import annotations

from datetime import date

import pytest
from clip_data import SARAH, sample_calls, sample_clips, sample_playlist
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from test_call_view import Outputs, _drag
from ui_data import make_window

from qa_desk.store.clips import find_clips
from qa_desk.store.playlists import get_playlist
from qa_desk.ui.clips_page import ClipsPage


@pytest.fixture
def calls(ui_db):
    return sample_calls(ui_db)


@pytest.fixture
def clips(ui_db, calls):
    return sample_clips(ui_db, calls)


def make_page(qtbot, services, outputs=None) -> ClipsPage:
    page = ClipsPage(services, output_factory=outputs or Outputs())
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    settle(qtbot, page)
    return page


def settle(qtbot, page) -> None:
    qtbot.waitUntil(page.is_idle, timeout=10000)


def titles(page) -> list[str]:
    return [c.title for c in page.model.clips()]


def search(qtbot, page, text: str) -> None:
    page.filter_bar.search.setText(text)
    page.filter_bar._debounce.timeout.emit()  # the pause after typing
    settle(qtbot, page)


def test_an_empty_library_says_how_to_make_the_first_clip(qtbot, services):
    page = make_page(qtbot, services)
    assert page.list_pages.currentWidget() is page.empty and "Save as clip" in page.empty.text()
    assert not page.edit_button.isEnabled() and not page.open_call_button.isEnabled()
    assert page.player.pages.currentWidget() is page.player.empty


def test_the_library_newest_first_with_its_filters(qtbot, services, clips):
    page = make_page(qtbot, services)
    assert titles(page) == [c.title for c in reversed(clips)]
    assert page.count.text() == "7 clips"
    assert page.filter_bar.tag.findData("impolite") > 0 and page.filter_bar.agent.findData("张伟") > 0
    page.filter_bar.kind.setCurrentIndex(page.filter_bar.kind.findData("needs_improvement"))
    settle(qtbot, page)
    assert len(titles(page)) == 3 and page.count.text() == "3 of 7 clips"
    page.filter_bar.tag.setCurrentIndex(page.filter_bar.tag.findData("impolite"))
    settle(qtbot, page)
    assert titles(page) == [clips[6].title, clips[5].title]
    page.filter_bar.clear()
    page.filter_bar.team.setCurrentIndex(page.filter_bar.team.findData("Billing CN"))
    settle(qtbot, page)
    assert set(titles(page)) == {clips[0].title, clips[1].title}
    page.filter_bar.clear()
    page.filter_bar.section.setCurrentIndex(page.filter_bar.section.findData("opening_closing"))
    settle(qtbot, page)
    assert titles(page) == [clips[0].title]
    page.filter_bar.clear()
    page.filter_bar._today = lambda: date(2026, 11, 3)
    page.filter_bar.period.setCurrentIndex(page.filter_bar.period.findData("today"))
    settle(qtbot, page)
    assert len(titles(page)) == 3  # Li Na's and 张伟's calls were on 3 November
    page.filter_bar.agent.setCurrentIndex(page.filter_bar.agent.findData("Sarah Mitchell"))
    settle(qtbot, page)
    assert page.list_pages.currentWidget() is page.empty and page.empty.title() == "No clip matches these filters"
    page.show_all_button.click()  # "Show every clip"
    settle(qtbot, page)
    assert len(titles(page)) == 7 and not page.filter_bar.is_filtered()


def test_search_finds_a_word_of_the_transcript(qtbot, services, clips):
    page = make_page(qtbot, services)
    search(qtbot, page, "师傅")  # said by the customer in 张伟's clip, in no title or note
    assert titles(page) == [clips[2].title]
    search(qtbot, page, "department")
    assert titles(page) == [clips[6].title]
    search(qtbot, page, "calm DOWN")
    assert titles(page) == [clips[5].title]


def test_choosing_a_clip_plays_it_in_place(qtbot, services, clips):
    outputs = Outputs()
    page = make_page(qtbot, services, outputs)
    page.select_clip(clips[3].id)
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == clips[3].id, timeout=10000)
    assert page.edit_button.isEnabled() and page.open_call_button.isEnabled()
    page.player.toggle_play()
    assert page.player.player().state == "playing"
    with qtbot.waitSignal(page.call_requested) as opened:
        page.open_call_button.click()
    assert opened.args == [clips[3].call_id, clips[3].start]


def test_edit_and_delete_a_clip(qtbot, services, clips, ui_db, monkeypatch):
    page = make_page(qtbot, services)
    page.select_clip(clips[1].id)
    dialog = page.edit_selected()
    qtbot.waitUntil(dialog.choices_ready)
    dialog.title.setText("久等后致歉 (edited)")
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save()
    settle(qtbot, page)
    assert page.selected_clip().title == "久等后致歉 (edited)"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    settle(qtbot, page)
    assert "久等后致歉 (edited)" not in titles(page) and len(titles(page)) == 6
    with ui_db.session() as session:
        assert len(find_clips(session)) == 6


def test_a_playlist_clip_and_play_all(qtbot, services, clips, ui_db):
    sample_playlist(ui_db, clips)
    page = make_page(qtbot, services)
    assert page.playlists.playlist().name == "新员工培训：开场与结束"
    page.filter_bar.kind.setCurrentIndex(page.filter_bar.kind.findData("needs_improvement"))
    settle(qtbot, page)
    page.playlists.clip_chosen.emit(clips[3].id)  # filtered out of the list, shown all the same
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == clips[3].id, timeout=10000)
    page.playlists.play_button.click()
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == clips[0].id, timeout=10000)
    assert page.player.playlist_position() == (0, 3)


def test_export_opens_the_dialog_for_the_clip_or_the_playlist(qtbot, services, clips, ui_db):
    playlist_id = sample_playlist(ui_db, clips)
    page = make_page(qtbot, services)
    page.select_clip(clips[0].id)
    dialog = page.export_selected()
    assert dialog.windowTitle() == "Export clip" and dialog.anonymise.isChecked()
    dialog.close()
    page.playlists.export_button.click()
    assert page._dialog.windowTitle() == "Export playlist" and page._dialog._playlist_id == playlist_id
    page._dialog.close()


def test_clips_area_screenshot(qtbot, services, clips, ui_db, screenshots_dir):
    sample_playlist(ui_db, clips)
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    window.resize(1440, 900)
    window.show_area("clips")
    page = window.clips_area
    settle(qtbot, page)
    page.select_clip(clips[2].id)
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == clips[2].id, timeout=10000)
    page.playlists.entries.setCurrentRow(1)
    qtbot.wait(100)
    assert window.grab().save(str(screenshots_dir / "clips_area.png"))


def test_a_trainer_saves_a_clip_finds_it_and_exports_a_playlist(qtbot, services, ui_db, calls, tmp_path,
                                                                 monkeypatch):
    """Issue 8's "done when", through the real widgets: select a span on a call's
    waveform, save it as a clip with tags, find it by a word of its transcript, build a
    playlist of three clips, reorder it, export it anonymised."""
    library = sample_clips(ui_db, calls)  # what the trainer saved before
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    view = window.open_call(calls[SARAH])
    qtbot.waitUntil(view.is_ready, timeout=20000)

    # 1. A span on the waveform: the agent asking for the account number.
    wave = view.waveform
    assert view.clips.save_button.isHidden()
    _drag(qtbot, wave.plot.viewport(), wave.x_for_time(9.9).toPoint(), wave.x_for_time(12.1).toPoint())
    assert wave.selection() is not None and view.clips.save_button.isVisible()
    qtbot.mouseClick(view.clips.save_button, Qt.MouseButton.LeftButton)
    dialog = view.clips.dialog
    qtbot.waitUntil(dialog.choices_ready)
    plan = dialog.planned_span()
    assert plan.start == pytest.approx(9.59, abs=0.3) and plan.end == pytest.approx(12.41, abs=0.3)
    qtbot.keyClicks(dialog.title, "Polite verification request")
    dialog.kind.setCurrentIndex(dialog.kind.findData("good"))
    qtbot.keyClicks(dialog.tags, "verification, ")
    dialog.tags.insert("礼貌")
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    new = saved.args[0]
    assert new.tags == ("verification", "礼貌") and new.author == services.settings.reviewer()

    # 2. Found again in the Clips area by a word said in it (not in its title, tags or notes).
    window.show_area("clips")
    page = window.clips_area
    settle(qtbot, page)
    assert len(page.model.clips()) == 8
    page.filter_bar.search.setFocus()
    qtbot.keyClicks(page.filter_bar.search, "account number")
    qtbot.waitUntil(lambda: titles(page) == ["Polite verification request"], timeout=5000)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == new.id, timeout=10000)

    # 3. A playlist of three clips.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Week 1: asking and apologising", True))
    qtbot.mouseClick(page.playlists.new_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    qtbot.mouseClick(page.playlists.add_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    page.filter_bar.search.clear()
    qtbot.waitUntil(lambda: len(page.model.clips()) == 8, timeout=5000)
    for clip in (library[1], library[5]):
        assert page.select_clip(clip.id)
        qtbot.mouseClick(page.playlists.add_button, Qt.MouseButton.LeftButton)
        settle(qtbot, page)
    playlist = page.playlists.playlist()
    assert [e.clip.id for e in playlist.entries] == [new.id, library[1].id, library[5].id]

    # 4. Reordered: the last one first (what a drop does to the list's model).
    page.playlists.move_entry(2, 0)
    settle(qtbot, page)
    with ui_db.session() as session:
        stored = get_playlist(session, playlist.id)
    assert [e.clip.id for e in stored.entries] == [library[5].id, new.id, library[1].id]
    assert page.playlists.entries.item(0).text().startswith("1.  \"Calm down")

    # 5. Exported anonymised, as a job with its progress.
    qtbot.mouseClick(page.playlists.export_button, Qt.MouseButton.LeftButton)
    export = page._dialog
    assert export.anonymise.isChecked()
    export.target.setText(str(tmp_path / "week-1"))
    with qtbot.waitSignal(export.exported, timeout=30000) as exported:
        qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    report = exported.args[0]
    assert report.anonymised and [c.clip_id for c in report.clips] == [library[5].id, new.id, library[1].id]
    files = sorted(p.name for p in (tmp_path / "week-1").iterdir())
    assert files[0].startswith("01-") and "index.html" in files
    index = (tmp_path / "week-1" / "index.html").read_text(encoding="utf-8")
    for name in ("Sarah", "Dave Wilson", "Li Na"):
        assert name not in index
    assert export.progress.value() == export.progress.maximum()
