"""Dates, numbers and percentages as the interface's language writes them (qa_desk.ui.formatting)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from PySide6.QtCore import QLocale, Qt
from sqlalchemy import insert
from ui_data import TEAMS, call_rows, wait_loaded

from qa_desk.store.models import Agent, Call, Team
from qa_desk.ui.calls_model import STARTED, CallsTableModel
from qa_desk.ui.formatting import day, moment, number, percent, time_of_day
from qa_desk.ui.trend_charts import percent_text

AT = datetime(2026, 11, 2, 9, 5, 7)


@pytest.fixture
def locale_of():
    """locale_of("zh_CN"): Qt's default locale for the test, the one before it restored after."""
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)


def test_chinese(locale_of):
    locale_of("zh_CN")
    assert moment(AT) == "2026/11/2 09:05"
    assert moment(AT, seconds=True) == "2026/11/2 09:05:07"
    assert day(date(2026, 11, 2)) == "2026/11/2"
    assert day(AT) == "2026/11/2"
    assert time_of_day(time(9, 5, 7)) == "09:05"
    assert time_of_day(AT, seconds=True) == "09:05:07"
    assert number(1234) == "1,234"
    assert number(1234.5, 1) == "1,234.5"
    assert percent(85) == "85.0%"
    assert percent(92.857, 0) == "93%"


def test_english_dates_are_iso_with_a_24_hour_clock(locale_of):
    locale_of("en_US")
    assert moment(AT) == "2026-11-02 09:05"  # not the locale's own 11/2/26 9:05 AM
    assert moment(datetime(2026, 11, 2, 21, 30), seconds=True) == "2026-11-02 21:30:00"
    assert day(date(2026, 1, 9)) == "2026-01-09"
    assert time_of_day(time(21, 5)) == "21:05"
    assert number(1234567) == "1,234,567"
    assert number(1234.5, 1) == "1,234.5"
    assert number(0.2, 2) == "0.20"
    assert percent(85) == "85.0%"
    assert percent(97.46) == "97.5%"


def test_missing_values(locale_of):
    locale_of("en_US")
    assert percent(None) == percent_text(None) == "—"
    assert number(None) == "—"
    assert moment(None) == day(None) == time_of_day(None) == ""
    assert percent_text(84.66) == "84.7%"  # the charts' percentages come from the same helper


def test_a_locale_writing_the_year_first_keeps_its_own_order(locale_of):
    # Qt's data, not a table of ours: Japanese writes 2026/11/02 and a 24-hour H:mm.
    locale_of("ja_JP")
    assert moment(AT, seconds=True) == "2026/11/02 9:05:07"


def _two_calls(db) -> None:
    """Two calls whose Chinese texts sort the wrong way round: "2026/11/12" < "2026/11/2"."""
    with db.session() as session:
        team = session.execute(insert(Team).values(name=TEAMS[0]).returning(Team.id)).scalar_one()
        agent = session.execute(insert(Agent).values(name="李娜", external_id="1023", team_id=team)
                                .returning(Agent.id)).scalar_one()
        rows = call_rows(2, [agent])
        rows[0]["started_at"] = datetime(2026, 11, 12, 14, 30)
        rows[1]["started_at"] = datetime(2026, 11, 2, 9, 0)
        session.execute(insert(Call), rows)


def test_calls_show_the_chinese_date_and_sort_by_time(qtbot, ui_db, locale_of):
    locale_of("zh_CN")
    _two_calls(ui_db)
    model = CallsTableModel(ui_db)
    model.sort(STARTED, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    shown = [model.index(r, STARTED).data() for r in range(model.rowCount())]
    assert shown == ["2026/11/2 09:00", "2026/11/12 14:30"]
    assert shown != sorted(shown)  # the order is the times', not the texts'
    model.sort(STARTED, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    assert [model.index(r, STARTED).data() for r in range(model.rowCount())] == ["2026/11/12 14:30",
                                                                                 "2026/11/2 09:00"]
