"""The Calibration tab: sessions, the blind rule on screen, the results grid, starting and closing."""

from __future__ import annotations

from calibration_data import CHEN, LEAD, LIU, WANG, score, three_reviewer_session
from PySide6.QtCore import Qt

from qa_desk.permissions import Actor
from qa_desk.ui.calibration_page import CalibrationPage
from qa_desk.ui.calibration_results import agreement_colour
from qa_desk.ui.calibration_start_dialog import CalibrationStartDialog, load_choices


def _page(qtbot, services, actor) -> CalibrationPage:
    page = CalibrationPage(services, actor)
    qtbot.addWidget(page)
    page.resize(1280, 820)
    with qtbot.waitSignal(page.view_loaded, timeout=5000):
        page.show()
    return page


def _grid(page) -> dict[str, list[str]]:
    grid = page.results.grid
    headers = [grid.horizontalHeaderItem(c).text() for c in range(grid.columnCount())]
    return {headers[c]: [grid.item(r, c).text() if grid.item(r, c) else "" for r in range(grid.rowCount())]
            for c in range(grid.columnCount())}


def test_three_reviewers_side_by_side(qtbot, services, screenshots_dir):
    three_reviewer_session(services.db)
    page = _page(qtbot, services, LEAD)
    assert page.session_list.count() == 1 and page.new_button.isVisible() and page.close_button.isEnabled()
    assert page.results.grid.isVisible()
    columns = _grid(page)
    assert list(columns)[1:] == [LEAD.name + " ★", WANG.name, CHEN.name, LIU.name, "Reference", "Agreement"]
    items = columns["Item"]
    courtesy = next(i for i, text in enumerate(items) if text.startswith("礼貌用语") or "礼貌" in text)
    assert columns["Agreement"][courtesy] == "50%"
    assert (columns[WANG.name][courtesy], columns[LIU.name][courtesy]) == ("partial", "yes")
    cell = page.results.grid.item(courtesy, list(columns).index("Agreement"))
    assert cell.background().color() == agreement_colour(0.5)
    differs = page.results.grid.item(courtesy, 2)  # 王质检's "partial" against the lead's "yes"
    assert differs.background().style() != Qt.BrushStyle.NoBrush
    deviation = items.index("Deviation (points)")
    assert columns[LEAD.name + " ★"][deviation] == "+0.0" and columns[CHEN.name][deviation].startswith("-")
    assert "spread" in page.results.spread.text()
    assert page.results.grid.grab().width() > 0
    page.grab().save(str(screenshots_dir / "calibration_session.png"))
    assert (screenshots_dir / "calibration_session.png").stat().st_size > 10_000


def test_a_reviewer_scores_blind_and_asks_for_the_call(qtbot, services):
    session_id, (call,) = three_reviewer_session(services.db, submit=False)
    score(services.db, WANG, session_id, call)
    page = _page(qtbot, services, LIU)
    assert not page.new_button.isVisible() and not page.close_button.isVisible()
    assert not page.results.grid.isVisible()
    assert "blind" in page.results.status.text() and WANG.name in page.results.status.text()
    assert page.results.score_button.isEnabled() and page.results.score_button.text() == "Score this call"
    with qtbot.waitSignal(page.score_requested) as signal:
        page.results.score_button.click()
    assert signal.args == [session_id, call]
    # Once 刘质检 has submitted, the page (told the sheet changed) shows everyone's answers.
    score(services.db, LIU, session_id, call)
    with qtbot.waitSignal(page.view_loaded, timeout=5000):
        page.sheet_changed()
    assert page.results.grid.isVisible() and page.results.score_button.text() == "View my sheet"
    assert list(_grid(page))[1:3] == [WANG.name, LIU.name]


def test_starting_and_closing_a_session(qtbot, services, add_calls):
    add_calls(3)
    choices = load_choices(services.db, LEAD)
    dialog = CalibrationStartDialog(services.db, LEAD, choices, call_ids=[1, 2])
    qtbot.addWidget(dialog)
    dialog.name.setText("Complaints queue")
    dialog.other_reviewers.setText(f"{WANG.name}, {CHEN.name}, x")
    dialog.calls.setText("1, #2, abc")
    dialog.buttons.accepted.emit()
    assert "abc" in dialog.error.text()
    dialog.calls.setText("1, #2")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.buttons.accepted.emit()
    summary = dialog.summary
    assert summary.participants == (LEAD.name, WANG.name, CHEN.name, "x") and len(summary.calls) == 2
    # A reviewer may not start one: the store says no, the dialog says why.
    refused = CalibrationStartDialog(services.db, Actor(WANG.name, "reviewer"), choices, call_ids=[1])
    qtbot.addWidget(refused)
    refused.name.setText("mine")
    refused.other_reviewers.setText(CHEN.name)
    refused.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not refused.error.isHidden(), timeout=5000)
    assert "may not manage calibration sessions" in refused.error.text()

    page = _page(qtbot, services, LEAD)
    assert page.results.call_box.count() == 2 and page.results.call_box.isEnabled()
    with qtbot.waitSignal(page.view_loaded, timeout=5000):
        page.close_button.click()
    assert page.results._view.summary.status == "closed" and not page.close_button.isEnabled()
