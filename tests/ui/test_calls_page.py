"""The call library page: first-run welcome, filter bar, "no calls match", activation."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, Qt
from ui_data import AGENTS, TEAMS, wait_loaded

from qa_desk.store.calls import CallFilter
from qa_desk.ui.call_filter_bar import period_range
from qa_desk.ui.calls_page import CallsPage


def make_page(qtbot, db) -> CallsPage:
    page = CallsPage(db)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    wait_loaded(qtbot, page.model)
    # the agent and team lists arrive by their own job
    qtbot.waitUntil(lambda: page.filter_bar.team.count() > 1 or page.showing() == "welcome", timeout=5000)
    return page


def test_an_empty_library_offers_import_and_samples(qtbot, ui_db):
    page = make_page(qtbot, ui_db)
    assert page.showing() == "welcome"
    assert page.welcome.isVisible()
    with qtbot.waitSignal(page.import_requested, timeout=1000):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.load_samples_requested, timeout=1000):
        qtbot.mouseClick(page.samples_button, Qt.MouseButton.LeftButton)


def test_the_filter_bar_drives_the_table(qtbot, ui_db, add_calls):
    add_calls(300)
    page = make_page(qtbot, ui_db)
    assert page.showing() == "calls"
    assert page.count_label.text() == "300 calls"
    bar = page.filter_bar
    assert bar.agent.count() == 1 + len(AGENTS)
    assert bar.team.count() == 1 + len(TEAMS)

    # Pick an agent from the list: the table shows only their calls.
    index = bar.agent.findText("张伟", Qt.MatchFlag.MatchStartsWith)
    bar.agent.setCurrentIndex(index)
    bar.agent.activated.emit(index)
    wait_loaded(qtbot, page.model)
    assert {page.model.call_at(r).agent for r in range(page.model.rowCount())} == {"张伟"}
    assert page.count_label.text() == "30 of 300 calls"

    # A typed name (not picked from the list) still finds the agent.
    bar.agent.setEditText("sarah mitchell")
    bar.agent.lineEdit().editingFinished.emit()
    wait_loaded(qtbot, page.model)
    assert page.model.filter().agent == "sarah mitchell"
    assert page.model.total() == 30

    bar.agent.setCurrentIndex(0)
    bar.agent.activated.emit(0)
    bar.team.setCurrentIndex(bar.team.findText(TEAMS[3]))
    wait_loaded(qtbot, page.model)
    assert page.model.filter() == CallFilter(team=page.model.filter().team)
    assert {page.model.call_at(r).team for r in range(page.model.rowCount())} == {TEAMS[3]}

    # Search text waits for a pause in typing, then filters.
    bar.team.setCurrentIndex(0)
    qtbot.keyClicks(bar.search, "13800000042")
    qtbot.waitUntil(lambda: page.model.filter().text == "13800000042", timeout=2000)
    wait_loaded(qtbot, page.model)
    assert page.model.total() == 1


def test_a_filter_that_matches_nothing_says_so_and_can_be_cleared(qtbot, ui_db, add_calls):
    add_calls(40)
    page = make_page(qtbot, ui_db)
    page.filter_bar.search.setText("no such customer")
    qtbot.waitUntil(lambda: page.showing() == "no_match", timeout=3000)
    assert page.no_match.isVisible()
    assert page.count_label.text() == "0 of 40 calls"
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.showing() == "calls", timeout=3000)
    assert page.filter_bar.search.text() == ""
    assert page.model.total() == 40


def test_custom_period_shows_the_date_pickers(qtbot, ui_db, add_calls):
    add_calls(400)  # 7 minutes apart from 2026-11-02 08:00: into 2026-11-03
    page = make_page(qtbot, ui_db)
    bar = page.filter_bar
    assert not bar.date_from.isVisible()
    bar.period.setCurrentIndex(bar.period.findData("custom"))
    assert bar.date_from.isVisible() and bar.date_to.isVisible()
    bar.date_from.setDate(QDate(2026, 11, 3))
    bar.date_to.setDate(QDate(2026, 11, 3))
    wait_loaded(qtbot, page.model)
    flt = page.model.filter()
    assert (flt.since, flt.until) == (datetime(2026, 11, 3), datetime(2026, 11, 4))
    starts = [page.model.call_at(r).started_at for r in range(page.model.rowCount())]
    assert starts and all(s.date() == date(2026, 11, 3) for s in starts)


def test_period_ranges():
    today = date(2026, 11, 23)
    assert period_range("any", today) == (None, None)
    assert period_range("today", today) == (datetime(2026, 11, 23), datetime(2026, 11, 24))
    assert period_range("7d", today) == (datetime(2026, 11, 17), datetime(2026, 11, 24))
    assert period_range("month", date(2026, 12, 31)) == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert period_range("custom", today, date(2026, 11, 5), date(2026, 11, 1)) == (
        datetime(2026, 11, 1),
        datetime(2026, 11, 6),
    )


def test_double_click_activates_the_call(qtbot, ui_db, add_calls):
    add_calls(10)
    page = make_page(qtbot, ui_db)
    view = page.view
    rect = view.visualRect(page.model.index(2, 0))
    with qtbot.waitSignal(page.call_activated, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [page.model.call_id(2)]
    assert page.loaded_call(page.model.call_id(2)).file_path.startswith("/recordings/")


def test_scrolling_to_the_end_fetches_the_next_page(qtbot, ui_db, add_calls):
    add_calls(450)
    page = make_page(qtbot, ui_db)
    assert page.model.rowCount() == 200
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > 200, timeout=5000)
    assert page.model.rowCount() <= 450
