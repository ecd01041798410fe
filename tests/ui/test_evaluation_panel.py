"""Scoring a call in the call view: the form panel beside the flags, suggested answers,
running totals, the critical banner, comments at moments, autosave, submit, dispute and
resolution — on the 张伟 sample call and a real SQLite database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_flags_pane import REVIEWER, flags_view, store_findings, zhang_wei  # noqa: F401 - fixture

from qa_desk.store import evaluations as store

# Every item's best answer except these; worked out by hand on hotline-zh:
#   response 4/4 (N/A leaves 2 out) · opening/closing 2/4 · service language 12/15 ·
#   attitude 16.5 + bonus 2, capped at 18/18 · accuracy 25/25 · resolution 18/20 ·
#   compliance 12/12  →  91 of 98 = 92.86 %
CHANGES = {"answered_quickly": "na", "standard_closing": "no", "no_forbidden_phrases": "no",
           "attentive": "partial", "need_identified": "3"}


def open_panel(qtbot, db, call_id):
    view = flags_view(qtbot, db, call_id)
    view.review_tabs.setCurrentWidget(view.evaluation)
    panel = view.evaluation
    qtbot.waitUntil(lambda: panel.start_button.isEnabled() or panel.pages.currentIndex() == 1, timeout=5000)
    return view, panel


def start(qtbot, panel):
    assert panel.form_choice.currentText() == "电话客服质检表 (v1)"  # the reviewer's language
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentIndex() == 1, timeout=5000)


def stored_evaluation(db, call_id):
    with db.session() as s:
        (row,) = store.list_evaluations(s)
        assert row.call_id == call_id
        return store.get_evaluation(s, row.id)


def row(panel, key):
    return next(r for r in panel.rows if r.item.key == key)


def test_a_reviewer_scores_the_call_end_to_end(qtbot, ui_db, zhang_wei):  # noqa: F811
    store_findings(ui_db, zhang_wei)
    view, panel = open_panel(qtbot, ui_db, zhang_wei)
    start(qtbot, panel)
    # The flags' suggestions are filled in, marked, and linked to their flags.
    opening = row(panel, "standard_opening")
    assert opening.value() == "no" and opening.buttons["no"].isChecked()
    assert "Suggested: No" in opening.suggestion.text() and "flag:" in opening.suggestion.text()
    assert row(panel, "patient_attitude").value() == "0"
    assert row(panel, "no_rhetorical_questions").value() is None  # a sound-alike suggests nothing
    assert not panel.submit_button.isEnabled()
    # The critical banner follows a failing critical answer.
    panel.answer("privacy_protected", "no")
    assert panel.banner.isVisible() and "The whole evaluation scores 0" in panel.banner.text()
    panel.answer("privacy_protected", None)
    assert not panel.banner.isVisible()
    # Answer with a click, with the keyboard, and the rest as a reviewer would.
    row(panel, "standard_opening").buttons["yes"].click()
    assert "you answered Yes" in opening.suggestion.text()
    attentive = row(panel, "attentive")
    attentive.setFocus()
    qtbot.keyClick(attentive, Qt.Key.Key_P)
    assert attentive.value() == "partial"
    for item_row in panel.rows:
        value = CHANGES.get(item_row.item.key, item_row.item.passing())
        if item_row.value() != value:
            panel.answer(item_row.item.key, value)
    result = panel.score()
    assert (result.score, result.max_score) == (91, 98)
    assert panel.total.text().startswith("Total: 91 / 98 · 92.9%")
    accuracy = next(b for b in panel.sections if b.section.key == "accuracy")
    assert accuracy.subtotal.text().startswith("25 / 25")
    row(panel, "no_forbidden_phrases").comment.setText("“不知道”推诿客户")
    row(panel, "no_forbidden_phrases").comment.editingFinished.emit()
    # A comment on the selected span shows as a mark on the waveform.
    panel.add_timed_comment("打断客户", 5.0, 8.0)
    qtbot.waitUntil(lambda: panel.moments.count() == 1, timeout=5000)
    assert (5.0, "打断客户") in view.waveform.markers()
    assert panel.submit_button.isEnabled()
    with qtbot.waitSignal(panel.step_done, timeout=5000):
        panel.submit()
    stored = stored_evaluation(ui_db, zhang_wei)
    assert (stored.status, stored.score, stored.max_score) == ("submitted", 91, 98)
    assert stored.answers["no_forbidden_phrases"].comment == "“不知道”推诿客户"
    assert stored.answers["standard_opening"].suggested_value == "no"  # what was suggested is kept
    assert [(c.start, c.end, c.text) for c in stored.timed_comments] == [(5.0, 8.0, "打断客户")]
    assert not panel.submit_button.isVisible() and panel.dispute_button.isVisible()
    assert all(not b.isEnabled() for r in panel.rows for b in r.buttons.values())


def test_answers_are_saved_without_submitting_and_survive_closing_the_call(qtbot, ui_db, zhang_wei):  # noqa: F811
    view, panel = open_panel(qtbot, ui_db, zhang_wei)
    start(qtbot, panel)
    panel.answer("standard_opening", "yes")
    with qtbot.waitSignal(panel.saved, timeout=5000):  # the autosave, as soon as the event loop is free
        pass
    panel.answer("standard_closing", "no")
    view.close_call()  # before the event loop ran the autosave: saved at once
    stored = stored_evaluation(ui_db, zhang_wei)
    assert (stored.status, stored.answers["standard_opening"].value, stored.answers["standard_closing"].value) == (
        "draft", "yes", "no")
    # Opening the call again goes on with the draft.
    view.open_call(zhang_wei)
    qtbot.waitUntil(lambda: panel.pages.currentIndex() == 1, timeout=5000)
    assert row(panel, "standard_closing").value() == "no"


def test_a_dispute_and_its_resolution_from_the_panel(qtbot, ui_db, zhang_wei, monkeypatch):  # noqa: F811
    view, panel = open_panel(qtbot, ui_db, zhang_wei)
    start(qtbot, panel)
    for item_row in panel.rows:
        panel.answer(item_row.item.key, CHANGES.get(item_row.item.key, item_row.item.passing()))
    with qtbot.waitSignal(panel.step_done, timeout=5000):
        panel.submit()
    answers = iter(["结束语说了，转写漏了", "听过录音，结束语确实说了"])
    monkeypatch.setattr(panel, "ask_text", lambda title, label: next(answers))
    with qtbot.waitSignal(panel.step_done, timeout=5000):
        panel.ask_dispute()
    assert panel.resolve_button.isVisible() and row(panel, "standard_closing").buttons["yes"].isEnabled()
    panel.answer("standard_closing", "yes")
    with qtbot.waitSignal(panel.step_done, timeout=5000):
        panel.ask_resolve()
    stored = stored_evaluation(ui_db, zhang_wei)
    assert (stored.status, stored.score) == ("resolved", 93)
    with ui_db.session() as s:
        lines = panel.history_lines(store.history(s, stored.id))
    assert [line.split(" · ")[2] for line in lines] == ["started", "submitted", "disputed", "re-scored", "resolved"]
    assert "standard_closing: no → yes" in lines[3] and "score 91 → 93" in lines[3]
    panel.show_history()  # the same lines in the History… dialog
    qtbot.waitUntil(lambda: getattr(panel, "history_dialog", None) is not None, timeout=5000)
    listing = panel.history_dialog.listing
    assert [listing.item(i).text() for i in range(listing.count())] == lines


def test_a_save_from_a_stale_copy_is_refused_and_the_panel_reloads(qtbot, ui_db, zhang_wei):  # noqa: F811
    view, panel = open_panel(qtbot, ui_db, zhang_wei)
    start(qtbot, panel)
    stored = stored_evaluation(ui_db, zhang_wei)
    with ui_db.session() as s:  # the same reviewer saves first from another window
        store.save_answers(s, stored.id, stored.row_version, {"attentive": store.AnswerEdit("no")}, REVIEWER)
    messages = []
    panel.message.connect(messages.append)
    panel.answer("attentive", "yes")
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert "since you opened it" in messages[0]
    qtbot.waitUntil(lambda: row(panel, "attentive").value() == "no", timeout=5000)  # theirs is shown


@pytest.mark.usefixtures("zhang_wei")
def test_screenshot_call_evaluation(qtbot, services, zhang_wei, screenshots_dir):  # noqa: F811
    from test_flags_pane import decided_flags, screenshot_window

    decided_flags(services.db, zhang_wei)
    window = screenshot_window(qtbot, services, zhang_wei)
    view = window.call_view
    view.review_tabs.setCurrentWidget(view.evaluation)
    panel = view.evaluation
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=5000)
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentIndex() == 1, timeout=5000)
    for key, value in (("answered_quickly", "yes"), ("hold_announced_thanked", "na"), ("response_time", "na"),
                       ("correct_information", "no")):
        panel.answer(key, value)
    panel.add_timed_comment("打断客户，催促挂机", 11.5, 13.0)
    qtbot.waitUntil(lambda: panel.moments.count() == 1, timeout=5000)
    view.side.setSizes([260, 520])
    qtbot.wait(100)
    assert window.grab().save(str(screenshots_dir / "call_evaluation.png"))

