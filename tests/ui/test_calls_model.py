"""CallsTableModel over 5,000 real rows: lazy pages, server-side sort and filters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from ui_data import AGENTS, BASE_TIME, TEAMS, wait_loaded

from qa_desk.durations import format_duration
from qa_desk.store.calls import CallFilter
from qa_desk.ui.calls_model import (
    AGENT,
    CUSTOMER,
    DIRECTION,
    DURATION,
    PAGE_SIZE,
    QUEUE,
    STARTED,
    STATUS,
    TEAM,
    CallsTableModel,
)

CALLS = 5000


@pytest.fixture
def model(qtbot, ui_db, add_calls):
    add_calls(CALLS)
    model = CallsTableModel(ui_db)
    model.refresh()
    wait_loaded(qtbot, model)
    return model


def column(model, col):
    return [model.index(r, col).data() for r in range(model.rowCount())]


def fetch_all(qtbot, model):
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        wait_loaded(qtbot, model)


def test_starts_with_one_page_and_fetches_more_on_demand(qtbot, model):
    assert model.total() == CALLS
    assert model.library_total() == CALLS
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())  # one page in flight at a time
    wait_loaded(qtbot, model)
    assert model.rowCount() == 2 * PAGE_SIZE
    # Newest first by default, and pages continue where the last one ended.
    starts = column(model, STARTED)
    assert starts == sorted(starts, reverse=True)
    assert len({model.call_id(r) for r in range(model.rowCount())}) == 2 * PAGE_SIZE


def test_sort_by_agent_and_duration_happens_in_the_database(qtbot, model):
    model.sort(AGENT, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    assert model.rowCount() == PAGE_SIZE
    names = column(model, AGENT)
    assert names == sorted(names)
    assert names[0] == min(name for name, _, _ in AGENTS)

    model.sort(DURATION, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    durations = [model.call_at(r).duration for r in range(model.rowCount())]
    assert durations == sorted(durations, reverse=True)
    assert durations[0] == max(20 + (i * 37) % 3700 for i in range(CALLS))


def test_filters_by_team_agent_text_and_date(qtbot, model, ui_db):
    model.set_filter(CallFilter(team=TEAMS[2]))
    wait_loaded(qtbot, model)
    team_agents = {name for name, _, team in AGENTS if team == 2}
    expected = sum(1 for i in range(CALLS) if AGENTS[i % len(AGENTS)][0] in team_agents)
    assert model.total() == expected
    assert model.library_total() == CALLS
    assert set(column(model, TEAM)) == {TEAMS[2]}

    model.set_filter(CallFilter(agent="张伟"))
    wait_loaded(qtbot, model)
    assert model.total() == CALLS // len(AGENTS)
    assert set(column(model, AGENT)) == {"张伟"}

    model.set_filter(CallFilter(text="13800004999"))
    wait_loaded(qtbot, model)
    assert model.total() == 1

    day = datetime(2026, 11, 3)
    following = datetime(2026, 11, 4)
    model.set_filter(CallFilter(since=day, until=following))
    wait_loaded(qtbot, model)
    expected = sum(1 for i in range(CALLS) if day <= BASE_TIME + timedelta(minutes=7 * i) < following)
    assert expected > 0 and model.total() == expected
    assert all(c.startswith("2026-11-03") for c in column(model, STARTED))


def test_the_last_filter_wins_when_changed_quickly(qtbot, model):
    model.set_filter(CallFilter(agent="李娜"))
    model.set_filter(CallFilter(agent="Dave Wilson"))
    wait_loaded(qtbot, model)
    assert set(column(model, AGENT)) == {"Dave Wilson"}
    assert model.filter().agent == "Dave Wilson"


def test_display_roles(qtbot, model):
    model.set_filter(CallFilter(text="13800000000"))
    wait_loaded(qtbot, model)
    index = model.index(0, DURATION)
    assert index.data() == format_duration(20)
    assert index.data(Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    assert model.index(0, DIRECTION).data() == "Outbound"
    assert model.index(0, STATUS).data() == "Imported"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("/recordings/")
    assert model.headerData(STARTED, Qt.Orientation.Horizontal) == "Start time"


def test_queue_and_customer_columns_show_and_sort(qtbot, model):
    assert model.headerData(QUEUE, Qt.Orientation.Horizontal) == "Queue"
    assert model.headerData(CUSTOMER, Qt.Orientation.Horizontal) == "Customer"
    assert set(column(model, QUEUE)) == {"billing-cn", "care-en"}
    model.sort(CUSTOMER, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    customers = column(model, CUSTOMER)
    assert customers == sorted(customers) and customers[0] == "13800000000"
    model.sort(QUEUE, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    assert column(model, QUEUE)[0] == "care-en"


def test_an_unknown_agent_matches_nothing(qtbot, model):
    model.set_filter(CallFilter(agent="nobody at all"))
    wait_loaded(qtbot, model)
    assert model.total() == 0 and model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


@pytest.mark.parametrize(
    "seconds, text", [(0, "0:00"), (59.6, "1:00"), (75, "1:15"), (3599, "59:59"), (3600, "1:00:00"), (7384, "2:03:04")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text
