"""Clips and transcript files from the call view: a waveform span, a flag, transcript
lines; the call's transcript saved as TXT, SRT, WebVTT or JSON."""

from __future__ import annotations

import json

import pytest
from clip_data import LI_NA, SARAH, sample_calls
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog
from test_call_view import open_view
from test_flags_pane import flags_view, store_findings, zhang_wei  # noqa: F401 - a fixture

from qa_desk.store.clips import find_clips


@pytest.fixture
def calls(ui_db):
    return sample_calls(ui_db)


def save(qtbot, dialog, title: str):
    qtbot.waitUntil(dialog.choices_ready)
    dialog.title.setText(title)
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save()
    return saved.args[0]


def test_a_waveform_span_becomes_a_clip(qtbot, ui_db, calls):
    view = open_view(qtbot, ui_db, calls[LI_NA])
    assert view.clips.save_button.isHidden()
    view.waveform.set_selection(0.8, 6.0)
    assert not view.clips.save_button.isHidden()
    dialog = view.clips.save_selection()
    assert dialog.planned_span().start == pytest.approx(0.6) and "工号" in dialog.excerpt.text()
    with qtbot.waitSignal(view.message) as said:
        clip = save(qtbot, dialog, "开场白")
    assert clip.call_id == calls[LI_NA] and "Saved the clip “开场白”" in said.args[0]
    view.waveform.clear_selection()
    assert view.clips.save_button.isHidden()


def test_a_flag_becomes_a_clip_from_its_context_menu(qtbot, ui_db, zhang_wei):  # noqa: F811
    store_findings(ui_db, zhang_wei)
    view = flags_view(qtbot, ui_db, zhang_wei)
    flags = view.flags
    row = next(r for r, f in enumerate(flags.model.all_flags()) if f.rule_key == "zh-forbidden-01")
    flags.list.customContextMenuRequested.emit(flags.list.visualRect(flags.model.index(row)).center())
    [action] = view.clips.menu.actions()
    assert action.text() == "Save as clip…" and action.isEnabled()
    action.trigger()
    dialog = view.clips.dialog
    assert dialog.title.text() == "推诿搪塞：不知道／不清楚／不了解" and dialog.kind.currentData() == "needs_improvement"
    clip = save(qtbot, dialog, dialog.title.text())
    assert clip.start == pytest.approx(11.837, abs=0.01) and clip.end >= 12.3
    # A flag for something never said has no moment to keep.
    missing = next(r for r, f in enumerate(flags.model.all_flags()) if f.start is None or f.kind == "missing")
    flags.list.customContextMenuRequested.emit(flags.list.visualRect(flags.model.index(missing)).center())
    assert view.clips.menu.actions()[0].isEnabled() == (flags.selected_flag().start is not None)


def test_selected_transcript_lines_become_a_clip_whole(qtbot, ui_db, calls):
    view = open_view(qtbot, ui_db, calls[LI_NA])
    pane = view.transcript
    first, _ = pane.spot_for_word("话费")  # the customer's line at 7.6 s
    last, _ = pane.spot_for_word("查询")  # the agent's answer, to 13.2 s
    cursor = QTextCursor(pane.text.document())
    cursor.setPosition(first)
    cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
    pane.text.setTextCursor(cursor)
    assert pane.selected_span() == (pytest.approx(7.571), pytest.approx(13.188))
    pane.text.customContextMenuRequested.emit(pane.point_for_position(first))
    action = next(a for a in view.clips.menu.actions() if a.text() == "Save selected lines as clip…")
    assert action.isEnabled()
    action.trigger()
    clip = save(qtbot, view.clips.dialog, "查询话费")
    assert (clip.start, clip.end) == (pytest.approx(7.571), pytest.approx(13.188, abs=0.1))  # the last word
    with ui_db.session() as session:
        assert [c.title for c in find_clips(session, text="五十块")] == ["查询话费"]


def test_the_call_transcript_is_exported_in_each_format(qtbot, ui_db, calls, tmp_path, monkeypatch):
    view = open_view(qtbot, ui_db, calls[SARAH])
    for name in ("call.txt", "call.srt", "call.vtt", "call.json"):
        with qtbot.waitSignal(view.message, timeout=10000) as said:
            view.clips.export_transcript(tmp_path / name)
        assert said.args[0] == f"Transcript saved to {tmp_path / name}"
    assert "Thank you for calling Northwind Energy" in (tmp_path / "call.txt").read_text(encoding="utf-8-sig")
    assert "-->" in (tmp_path / "call.srt").read_text(encoding="utf-8-sig")
    assert (tmp_path / "call.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert json.loads((tmp_path / "call.json").read_text(encoding="utf-8"))["call"]["agent"] == "Sarah Mitchell"
    # From the menu, anonymised, with the format picked in the file dialog.
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "anonymous"), "JSON (*.json)"))
    with qtbot.waitSignal(view.message, timeout=10000):
        view.clips.export_button.menu().actions()[1].trigger()
    data = json.loads((tmp_path / "anonymous").read_text(encoding="utf-8"))
    assert data["call"]["anonymised"] and "Sarah" not in json.dumps(data, ensure_ascii=False)
