"""The Scorecards area on a real database with months of real evaluations: the table and
its filters, the empty state, drilling down from a team to its agents, from an agent to
the evaluations and from an evaluation to its call, the team view, the export job, and
screenshots of the three screens."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel
from scorecard_data import build_centre
from ui_data import make_window

from qa_desk.scoring.periods import parse_period
from qa_desk.store import evaluations as ev_store
from qa_desk.store import scorecards as store
from qa_desk.store.database import Database
from qa_desk.ui.scorecards_page import ScorecardsPage

NOVEMBER = parse_period("2026-11")


@pytest.fixture(scope="session")
def centre_template(tmp_path_factory):
    """Three months of a centre, built once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("centre") / "centre.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    try:
        build_centre(db, months=3)
    finally:
        db.close()
    return path


@pytest.fixture
def centre(ui_db, centre_template):
    """The test's database, holding a copy of the centre (SQLite's online backup)."""
    ui_db.engine.dispose()
    with closing(sqlite3.connect(centre_template)) as source:
        with closing(sqlite3.connect(ui_db.engine.url.database)) as target:
            source.backup(target)
    return ui_db


def make_page(qtbot, services) -> ScorecardsPage:
    page = ScorecardsPage(services, today=lambda: date(2026, 11, 20))
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    wait_loaded(qtbot, page)
    return page


def wait_loaded(qtbot, page) -> None:
    qtbot.waitUntil(lambda: page.scorecard() is not None and not page.is_loading(), timeout=10000)


def row_names(page) -> list[str]:
    return [page.model.row_at(r).name for r in range(page.model.rowCount())]


def test_the_scorecard_of_the_month(qtbot, services, centre):
    page = make_page(qtbot, services)
    card = page.scorecard()
    assert card.period == NOVEMBER and card.level == "agent"
    assert page.showing() == "table" and page.model.rowCount() == 11
    assert page.filters.period_button.text().startswith("November 2026")
    with centre.session() as s:
        expected = store.scorecard(s, NOVEMBER)
    assert page.summary.text().startswith(f"Centre · November 2026: {expected.centre.current.evaluations} evaluations")
    assert "3 of 11 agents behind the quota of 4" in page.summary.text()
    # Two forms in the figures: the note says how they are combined.
    assert page.notes.isVisible() and "2 form versions" in page.notes.text()
    assert page.export_button.isEnabled()
    assert [page.filters.team.itemText(i) for i in range(page.filters.team.count())] == [
        "All teams", "Customer Care EN", "Retention EN", "宽带客服一组", "账单客服二组"]
    assert page.filters.form.count() == 3
    behind = {page.model.row_at(r).name for r in range(11) if page.model.row_at(r).behind}
    assert behind == {r.name for r in expected.behind_quota()}


def test_filters_pick_period_team_form_and_level(qtbot, services, centre):
    page = make_page(qtbot, services)
    f = page.filters
    f.previous_button.click()
    wait_loaded(qtbot, page)
    assert page.scorecard().period == parse_period("2026-10")
    assert not any(page.model.row_at(r).behind for r in range(11))  # every quota met in October
    f.next_button.click()
    wait_loaded(qtbot, page)
    f.kind.setCurrentIndex(f.kind.findData("quarter"))
    wait_loaded(qtbot, page)
    assert page.scorecard().period == parse_period("2026-Q4")
    assert page.model.text(0, "evaluations").endswith("/ 12")  # a quarter's quota
    f.kind.setCurrentIndex(f.kind.findData("week"))
    wait_loaded(qtbot, page)
    assert page.scorecard().period == parse_period("2026-W47")  # this week: the quarter holds today
    f.calendar.clicked.emit(f.calendar.selectedDate().addDays(10))  # a day picked on the calendar
    wait_loaded(qtbot, page)
    assert page.scorecard().period.kind == "week" and page.scorecard().period.start == date(2026, 11, 23)
    f.kind.setCurrentIndex(f.kind.findData("range"))
    assert f.date_from.isVisible() and not f.period_button.isVisible()
    f.date_to.setDate(f.date_to.date().addDays(20))
    wait_loaded(qtbot, page)
    assert page.scorecard().period.kind == "range" and page.scorecard().period.days == 27
    f.kind.setCurrentIndex(f.kind.findData("month"))
    wait_loaded(qtbot, page)
    assert page.scorecard().period == NOVEMBER

    f.team.setCurrentIndex(f.team.findData("宽带客服一组"))
    wait_loaded(qtbot, page)
    assert row_names(page) == ["张伟", "李娜", "王芳"]
    assert page.summary.text().startswith("宽带客服一组 · November 2026")
    f.form.setCurrentIndex(f.form.findData("hotline-zh"))
    wait_loaded(qtbot, page)
    assert not page.notes.isVisible()  # one form: nothing to explain
    sections = [c.header for c in page.model.columns() if c.key.startswith("section:")]
    assert sections[0] == "接听与等待" and "Opening" not in sections
    f.clear()
    f.teams_button.click()
    wait_loaded(qtbot, page)
    assert page.scorecard().level == "team"
    assert row_names(page) == ["Customer Care EN", "Retention EN", "宽带客服一组", "账单客服二组"]


def test_a_period_without_evaluations(qtbot, services, centre):
    page = make_page(qtbot, services)
    page.filters.next_button.click()
    wait_loaded(qtbot, page)
    assert page.showing() == "empty"
    assert page.empty.findChild(QLabel, "areaTitle").text() == "No evaluations in December 2026"
    assert not page.export_button.isEnabled() and not page.clear_button.isVisible()
    page.previous_button.click()
    wait_loaded(qtbot, page)
    assert page.showing() == "table"
    # A team and a form with nothing between them: the way out is to clear the filters.
    page.filters.team.setCurrentIndex(page.filters.team.findData("宽带客服一组"))
    page.filters.form.setCurrentIndex(page.filters.form.findData("contact-centre-en"))
    wait_loaded(qtbot, page)
    assert page.showing() == "empty" and page.clear_button.isVisible()
    page.clear_button.click()
    wait_loaded(qtbot, page)
    assert page.showing() == "table" and page.model.rowCount() == 11


def test_drill_down_from_team_to_agent_to_call(qtbot, services, centre):
    page = make_page(qtbot, services)
    page.filters.teams_button.click()
    wait_loaded(qtbot, page)
    team_row = row_names(page).index("账单客服二组")
    page.table.activated.emit(page.model.index(team_row, 0))
    wait_loaded(qtbot, page)
    assert page.scorecard().level == "agent" and page.filters.team_name() == "账单客服二组"
    assert row_names(page) == ["刘洋", "赵磊", "陈静"]

    # Enter on an agent's row opens the agent.
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(2, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.showing() == "agent"
    detail = page.detail
    qtbot.waitUntil(lambda: not detail.is_loading(), timeout=10000)
    assert detail.name.text() == "陈静" and "账单客服二组 · November 2026" in detail.where.text()
    with centre.session() as s:
        agent = page.model.row_at(2)
        counted = {e.id for e in ev_store.list_evaluations(s, agent="陈静", since=NOVEMBER.start, until=NOVEMBER.end)
                   if e.status != "draft"}
        team_id = next(t.id for t in store.teams(s) if t.name == "账单客服二组")
        team_trend = store.figures_by_period(s, [parse_period("2026-09"), parse_period("2026-10"), NOVEMBER],
                                             team_id=team_id)
    items = detail.evaluation_items()
    assert {int(i.data(1, Qt.ItemDataRole.UserRole)) for i in items} == counted
    assert len(items) == agent.current.evaluations
    assert items[0].text(0) >= items[-1].text(0)  # newest call first
    # The trends: every evaluation of the last 6 months, the team's average per month.
    assert detail.score_chart.has_data() and detail.section_chart.has_data() and detail.flag_chart.has_data()
    team_tips = [text for *_, text in detail.score_chart.tips.rects]
    assert f"账单客服二组 average, 2026-11: {team_trend[-1].percent:.1f}%" in team_tips

    detail.evaluations.setFocus()
    detail.evaluations.setCurrentItem(items[0])
    with qtbot.waitSignal(page.call_requested, timeout=3000) as opened:
        qtbot.keyClick(detail.evaluations, Qt.Key.Key_Return)
    assert opened.args[0] == items[0].data(0, Qt.ItemDataRole.UserRole)
    detail.back_button.click()
    assert page.showing() == "table"


def test_the_window_opens_the_call_behind_an_evaluation(qtbot, services, centre):
    window = make_window(qtbot, services)
    page = window.scorecards_page
    page.filters.set_period(NOVEMBER)
    window.show_area("scorecards")
    wait_loaded(qtbot, page)
    assert page.scorecard().period == NOVEMBER
    page.open_row(row_names(page).index("张伟"))
    qtbot.waitUntil(lambda: not page.detail.is_loading(), timeout=10000)
    item = page.detail.evaluation_items()[0]
    call_id = item.data(0, Qt.ItemDataRole.UserRole)
    page.detail.evaluations.itemActivated.emit(item, 0)
    assert window.current_area() == "calls" and window.showing_call()
    assert window.call_view.call_id() == call_id


def test_team_view(qtbot, services, centre):
    page = make_page(qtbot, services)
    page.tabs.setCurrentIndex(1)
    assert page.showing() == "team_view"
    view = page.team_view
    qtbot.waitUntil(lambda: not view.is_loading(), timeout=10000)
    percents = [r.current.percent for r in view.bars.rows if r.current.percent is not None]
    assert percents == sorted(percents, reverse=True) and len(view.bars.rows) == 11
    with centre.session() as s:
        counts = store.score_distribution(s, NOVEMBER)
    assert view.distribution.has_data()
    top = max(counts, key=counts.get)
    assert f"{counts[top]} evaluations" in view.distribution.hover_text(top + 5, 0.5)
    # A new filter redraws it; double-clicking a bar opens the agent.
    page.filters.team.setCurrentIndex(page.filters.team.findData("Retention EN"))
    wait_loaded(qtbot, page)
    qtbot.waitUntil(lambda: not view.is_loading(), timeout=10000)
    assert {r.name for r in view.bars.rows} == {"Emma Clarke", "Tom Baker"}
    view.bars.row_activated.emit(view.bars.rows[0])
    assert page.showing() == "agent" and page.detail.name.text() == view.bars.rows[0].name
    # An English agent's sections carry the English form's titles, though 问题解决 and Resolution
    # share a key (and the Chinese form's title is the centre's newest).
    qtbot.waitUntil(lambda: not page.detail.is_loading(), timeout=10000)
    assert page.detail.section_chart.legend_entries == [
        "Opening", "Understanding the need", "Resolution", "Communication", "Closing and records"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_runs_as_a_job(qtbot, services, centre, tmp_path, suffix):
    page = make_page(qtbot, services)
    messages = []
    page.message.connect(messages.append)
    path = tmp_path / f"scorecards{suffix}"
    runner = page.export_to(path)
    assert runner is not None and page.is_exporting() and page.export_bar.isVisible()
    assert not page.export_button.isEnabled()
    assert page.export_to(tmp_path / "twice.xlsx") is None  # one export at a time
    qtbot.waitUntil(lambda: not page.is_exporting(), timeout=30000)
    assert path.stat().st_size > 1000
    assert page.export_bar.status.text().startswith(f"Exported to {path}")
    assert page.export_bar.open_button.isVisible() and not page.export_bar.progress.isVisible()
    assert page.export_button.isEnabled() and messages and "Exported" in messages[-1]


def test_export_from_the_file_dialog_cancel_and_errors(qtbot, services, centre, tmp_path, monkeypatch):
    page = make_page(qtbot, services)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "november"), "CSV files (*.csv)"))
    page.export_button.click()
    qtbot.waitUntil(lambda: not page.is_exporting(), timeout=30000)
    assert (tmp_path / "november.csv").exists()
    # Cancelled at once: nothing is left behind.
    page.export_to(tmp_path / "cancelled.xlsx")
    page.export_bar.cancel_button.click()
    qtbot.waitUntil(lambda: not page.is_exporting(), timeout=30000)
    if page.export_bar.status.text() == "Export cancelled.":
        assert not (tmp_path / "cancelled.xlsx").exists()
        assert not list(tmp_path.glob(".cancelled*"))
    # A folder that is not there: the message says so, in the bar.
    page.export_to(tmp_path / "nowhere" / "x.xlsx")
    qtbot.waitUntil(lambda: not page.is_exporting(), timeout=30000)
    assert "does not exist" in page.export_bar.status.text()
    assert page.export_bar.status.styleSheet()


def test_another_database(qtbot, services, centre, tmp_path):
    page = make_page(qtbot, services)
    page.filters.team.setCurrentIndex(page.filters.team.findData("宽带客服一组"))
    wait_loaded(qtbot, page)
    other = Database.open(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        services.db = other
        page.hide()
        page.show()  # the area shown again: the scorecard of the database in use
        wait_loaded(qtbot, page)
        assert page.showing() == "empty" and page.filters.team.count() == 1
        assert page.filters.team_name() is None
    finally:
        services.db = centre
        other.close()


def test_screenshots(qtbot, services, ui_db, screenshots_dir):
    build_centre(ui_db, months=6)
    window = make_window(qtbot, services)
    page = window.scorecards_page
    page.filters.set_period(NOVEMBER)
    window.show_area("scorecards")
    wait_loaded(qtbot, page)
    page.table.selectRow(5)
    assert window.grab().save(str(screenshots_dir / "scorecards.png"))
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not page.team_view.is_loading(), timeout=10000)
    assert window.grab().save(str(screenshots_dir / "team_view.png"))
    page.tabs.setCurrentIndex(0)
    page.open_row(row_names(page).index("李娜"))
    qtbot.waitUntil(lambda: not page.detail.is_loading(), timeout=10000)
    assert window.grab().save(str(screenshots_dir / "agent_detail.png"))
    for name in ("scorecards", "team_view", "agent_detail"):
        assert (screenshots_dir / f"{name}.png").stat().st_size > 20_000
