"""Reporting periods as a manager types them, the period before each, and the quota in each."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qa_desk.scoring.periods import (
    Period, PeriodError, month_of, parse_period, period_of, periods_back, quarter_of, week_of,
)


@pytest.mark.parametrize("text, start, end, kind, label", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "month", "2026-10"),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "month", "2026-02"),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "month", "2028-02"),  # leap year
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "month", "2026-12"),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter", "2026-Q4"),
    ("2026q1", date(2026, 1, 1), date(2026, 3, 31), "quarter", "2026-Q1"),
    ("2026-W44", date(2026, 10, 26), date(2026, 11, 1), "week", "2026-W44"),
    ("2026w1", date(2025, 12, 29), date(2026, 1, 4), "week", "2026-W01"),  # ISO week 1 starts in 2025
    ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 15), "range", "2026-10-01..2026-10-15"),
    (" 2026-10-01 to 2026-10-01 ", date(2026, 10, 1), date(2026, 10, 1), "range", "2026-10-01..2026-10-01"),
    ("2026-10-01/2026-11-15", date(2026, 10, 1), date(2026, 11, 15), "range", "2026-10-01..2026-11-15"),
])
def test_parse_period(text, start, end, kind, label):
    period = parse_period(text)
    assert (period.start, period.end, period.kind, period.label, str(period)) == (start, end, kind, label, label)
    assert parse_period(period.label) == period  # the label is typed back as the same period


@pytest.mark.parametrize("text, words", [
    ("October", "is not a period"),
    ("2026-13", "not a real period"),
    ("2026-W54", "not a real period"),
    ("2026-02-30..2026-03-01", "not a real period"),
    ("2026-10-15..2026-10-01", "cannot end"),
    ("2026-Q5", "is not a period"),
    ("", "is not a period"),
])
def test_bad_periods_say_what_is_expected(text, words):
    with pytest.raises(PeriodError, match=words):
        parse_period(text)


def test_a_period_error_is_a_value_error():
    assert issubclass(PeriodError, ValueError)
    with pytest.raises(PeriodError, match="Unknown kind"):
        Period(date(2026, 1, 1), date(2026, 1, 2), "fortnight")


@pytest.mark.parametrize("text, previous, following", [
    ("2026-01", "2025-12", "2026-02"),
    ("2026-03", "2026-02", "2026-04"),
    ("2026-Q1", "2025-Q4", "2026-Q2"),
    ("2026-W01", "2025-W52", "2026-W02"),
    ("2026-W53", "2026-W52", "2027-W01"),  # 2026 has 53 ISO weeks
    ("2026-10-11..2026-10-20", "2026-10-01..2026-10-10", "2026-10-21..2026-10-30"),
])
def test_previous_and_next(text, previous, following):
    period = parse_period(text)
    assert period.previous().label == previous
    assert period.next().label == following
    assert period.previous().next() == period
    assert period.previous().after == period.first_moment  # no gap and no overlap between the two


def test_moments_and_contains():
    nov = parse_period("2026-11")
    assert (nov.first_moment, nov.after) == (datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert nov.days == 30
    assert nov.contains(datetime(2026, 11, 30, 23, 59, 59)) and not nov.contains(datetime(2026, 12, 1))
    assert nov.contains(date(2026, 11, 1)) and not nov.contains(date(2026, 10, 31))


@pytest.mark.parametrize("text, per_month, quota", [
    ("2026-11", 4, 4),
    ("2026-Q4", 4, 12),
    ("2026-W45", 4, 1),  # 4 × 7 / 30.44 = 0.92, rounded up
    ("2026-11-01..2026-11-15", 4, 2),  # 1.97
    ("2026-11-01..2026-11-16", 4, 3),  # 2.10: a quota is whole evaluations, never rounded down
    ("2026-01-01..2026-12-31", 4, 48),  # a year of average months is exactly 48, not 49
    ("2026-W45", 10, 3),
    ("2026-11", 0, 0),  # no quota
    ("2026-W45", 0, 0),
])
def test_quota(text, per_month, quota):
    assert parse_period(text).quota(per_month) == quota


def test_periods_of_a_day_and_back():
    day = date(2026, 11, 18)
    assert month_of(day).label == "2026-11"
    assert quarter_of(day).label == "2026-Q4"
    assert week_of(day).label == "2026-W47" and week_of(day).start.weekday() == 0
    assert period_of("quarter", day) == quarter_of(day)
    with pytest.raises(PeriodError):
        period_of("year", day)
    assert [p.label for p in periods_back(month_of(day), 3)] == ["2026-09", "2026-10", "2026-11"]
    assert periods_back(month_of(day), 1) == [month_of(day)]


def test_periods_order_by_start():
    assert sorted([parse_period("2026-11"), parse_period("2026-Q3"), parse_period("2026-W44")]) == [
        parse_period("2026-Q3"), parse_period("2026-W44"), parse_period("2026-11")]
