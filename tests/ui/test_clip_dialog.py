"""Save as clip / Edit clip: the span it will save, tags with completion, the form part, saving as a job."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from clip_data import LI_NA, SARAH, sample_calls, sample_clips

from qa_desk.permissions import Actor
from qa_desk.store.clips import find_clips, get_clip
from qa_desk.store.transcripts import latest_transcript
from qa_desk.ui.clip_dialog import ClipDialog

TRAINER = Actor("王芳", "trainer")


@pytest.fixture
def calls(ui_db):
    return sample_calls(ui_db)


def lines_of(db, call_id):
    with db.session() as session:
        return latest_transcript(session, call_id).utterances


def new_dialog(qtbot, db, call_id, span, **options) -> ClipDialog:
    dialog = ClipDialog(db, by=TRAINER, call_id=call_id, span=span, duration=35.0, utterances=lines_of(db, call_id),
                        **options)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.choices_ready)  # the tags and forms have arrived
    return dialog


def test_the_dialog_shows_the_snapped_span_it_will_save(qtbot, ui_db, calls):
    dialog = new_dialog(qtbot, ui_db, calls[SARAH], (1.0, 4.0))
    plan = dialog.planned_span()
    assert plan.start < 1.0 and plan.end > 4.0  # the words touched, whole
    assert (plan.audio_start, plan.audio_end) == (pytest.approx(plan.start - 0.5), pytest.approx(plan.end + 0.5))
    assert "snapped to whole words" in dialog.span_label.text()
    assert "Heard with the roll" in dialog.span_label.text()
    assert "Thank you for calling Northwind Energy" in dialog.excerpt.text()
    dialog.snap.setChecked(False)
    dialog.pre_roll.setValue(0.0)
    dialog.post_roll.setValue(0.0)
    assert (dialog.planned_span().start, dialog.planned_span().end) == (1.0, 4.0)
    assert "snapped" not in dialog.span_label.text() and "roll" not in dialog.span_label.text()
    assert not dialog.save_button.isEnabled()  # no title yet


def test_saving_cuts_the_clip_with_its_tags_and_form_item(qtbot, ui_db, calls):
    dialog = new_dialog(qtbot, ui_db, calls[LI_NA], (0.8, 6.0))
    dialog.title.insert("标准开场白")  # QTest types ASCII only
    dialog.kind.setCurrentIndex(dialog.kind.findData("good"))
    dialog.tags.setText("开场白，opening, Opening")
    assert dialog.choose_part("hotline-zh", "opening_closing", "standard_opening")
    dialog.notes.setPlainText("报工号")
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    clip = saved.args[0]
    assert clip.tags == ("开场白", "opening") and clip.kind == "good" and clip.author == "王芳"
    assert (clip.form_key, clip.section_key, clip.item_key) == ("hotline-zh", "opening_closing", "standard_opening")
    assert clip.start == pytest.approx(0.6) and "工号1023" in clip.excerpt_text
    assert not dialog.isVisible()
    with ui_db.session() as session:
        assert [c.id for c in find_clips(session, text="工号")] == [clip.id]


def test_tags_complete_from_the_library_keeping_the_ones_typed(qtbot, ui_db, calls):
    sample_clips(ui_db, calls)
    dialog = new_dialog(qtbot, ui_db, calls[SARAH], (1.0, 4.0))
    assert "opening" in dialog.popular.text()  # the most used tags, one click away
    completer = dialog.completer
    assert set(completer.model().stringList()[:2]) == {"impolite", "opening"}  # most used (twice) first
    dialog.tags.setFocus()
    qtbot.keyClicks(dialog.tags, "greeting, clo")
    assert completer.currentCompletion() == "greeting, closing, "  # the tag being typed, completed
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.tags.text() == "greeting, closing, "
    dialog.tags.setText("greeting, 开")
    completer.setCompletionPrefix(dialog.tags.text())  # as the line edit does for typed text
    assert completer.currentCompletion() == "greeting, 开场白, "
    dialog.popular.linkActivated.emit("impolite")
    assert dialog.tags_typed() == ["greeting", "开", "impolite"]


def test_a_span_that_cannot_be_a_clip_says_why(qtbot, ui_db, calls):
    dialog = new_dialog(qtbot, ui_db, calls[SARAH], (40.0, 50.0))
    dialog.title.setText("after the end")
    assert dialog.planned_span() is None
    assert not dialog.save_button.isEnabled()
    assert dialog.span_label.text()


def test_editing_a_clip_changes_its_words_only(qtbot, ui_db, calls):
    clips = sample_clips(ui_db, calls)
    first = ClipDialog(ui_db, by=TRAINER, clip=clips[0])
    qtbot.addWidget(first)
    qtbot.waitUntil(first.choices_ready)
    assert first.part.value() == ("hotline-zh", "opening_closing", "standard_opening")
    assert first.part.section.currentText().endswith("› 开场与结束")
    clip = clips[3]
    dialog = ClipDialog(ui_db, by=TRAINER, clip=clip)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.choices_ready)
    assert dialog.title.text() == clip.title and dialog.tags_typed() == ["opening", "greeting"]
    assert dialog.options.isHidden() and dialog.save_button.text() == "Save changes"
    dialog.title.setText("Greeting, the Northwind way")
    dialog.tags.setText("greeting")
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save()
    with ui_db.session() as session:
        stored = get_clip(session, clip.id)
    assert stored.title == "Greeting, the Northwind way" and stored.tags == ("greeting",)
    assert (stored.start, stored.end) == (clip.start, clip.end)


def test_save_clip_dialog_screenshot(qtbot, ui_db, calls, screenshots_dir):
    sample_clips(ui_db, calls)
    dialog = new_dialog(qtbot, ui_db, calls[LI_NA], (17.5, 21.0), title="让客户久等后主动致歉")
    dialog.tags.setText("致歉, hold, ")
    dialog.notes.setPlainText("稍等之后先道歉，再说明查询结果。")
    dialog.choose_part("hotline-zh", "service_language", "courtesy_words")
    dialog.resize(640, dialog.sizeHint().height())
    qtbot.wait(50)
    assert dialog.grab().save(str(screenshots_dir / "save_clip_dialog.png"))
