"""Reporting periods a team lead picks for a scorecard: a week, a month, a quarter or a range.

Written as a manager says them: ``2026-10`` (October), ``2026-Q4``, ``2026-W44`` (ISO
week), ``2026-10-01..2026-10-15`` (a custom range, both days included). Every period
knows the one before it (the same kind, or a range of the same length just before), so
a scorecard can show the change, and how many evaluations the monitoring quota asks for
in it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..wording import translate

KINDS = ("week", "month", "quarter", "range")
# An average month, for the quota of a week or a range: 4 a month is 1 a week.
_DAYS_PER_MONTH = 365.25 / 12

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|to)\s*(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """Text that names no period; the message says what was expected."""


@dataclass(frozen=True, order=True)
class Period:
    start: date  # first day
    end: date  # last day, included
    kind: str = "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(translate(
                "Errors", "A period cannot end ({end}) before it starts ({start}): put the earlier day first."
            ).format(end=self.end, start=self.start))
        if self.kind not in KINDS:
            raise PeriodError(translate("Errors", "Unknown kind of period '{kind}': use week, month, quarter or "
                                                  "range.").format(kind=self.kind))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """The period as it is typed: 2026-10, 2026-Q4, 2026-W44, 2026-10-01..2026-10-15."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_moment(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def after(self) -> datetime:
        """The first moment after the period (queries use ``>= first_moment`` and ``< after``)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def contains(self, day: date | datetime) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """The period just before: the previous week, month or quarter, or a range as long."""
        if self.kind == "week":
            return week_of(self.start - timedelta(days=7))
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.start - timedelta(days=1))
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, "range")

    def next(self) -> Period:
        if self.kind == "week":
            return week_of(self.end + timedelta(days=1))
        if self.kind == "month":
            return month_of(self.end + timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.end + timedelta(days=1))
        start = self.end + timedelta(days=1)
        return Period(start, start + timedelta(days=self.days - 1), "range")

    def quota(self, per_month: int) -> int:
        """Evaluations the monitoring quota asks for per agent in this period."""
        if per_month <= 0:
            return 0
        if self.kind == "month":
            return per_month
        if self.kind == "quarter":
            return 3 * per_month
        # A week or a range: in proportion to its days, rounded up (a quota is whole
        # evaluations, and "behind" should not appear from a rounding down).
        return max(1, math.ceil(per_month * self.days / _DAYS_PER_MONTH - 1e-9))


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1), "month")


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = month_of(date(day.year, first_month + 2, 1)).end
    return Period(start, end, "quarter")


def week_of(day: date) -> Period:
    """The ISO week (Monday to Sunday) holding ``day``."""
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=6), "week")


def period_of(kind: str, day: date) -> Period:
    """The week, month or quarter holding ``day``."""
    makers = {"week": week_of, "month": month_of, "quarter": quarter_of}
    if kind not in makers:
        raise PeriodError(translate("Errors", "'{kind}' is not a kind of period: use week, month or quarter.").format(
            kind=kind))
    return makers[kind](day)


def parse_period(text: str) -> Period:
    """``2026-10``, ``2026-Q4``, ``2026-W44`` or ``2026-10-01..2026-10-15``; PeriodError otherwise."""
    text = text.strip()
    try:
        if m := _MONTH.match(text):
            return month_of(date(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.match(text):
            return quarter_of(date(int(m[1]), 3 * int(m[2]) - 2, 1))
        if m := _WEEK.match(text):
            return week_of(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _RANGE.match(text):
            return Period(date.fromisoformat(m[1]), date.fromisoformat(m[2]), "range")
    except ValueError as exc:  # month 13, week 54, 2026-02-30 ...
        raise PeriodError(translate(
            "Errors", "'{text}' is not a real period ({error}): check the month, week or day numbers.").format(
            text=text, error=exc)) from None
    raise PeriodError(translate(
        "Errors", "'{text}' is not a period: use a month (2026-10), a quarter (2026-Q4), an ISO week (2026-W44) "
        "or a range (2026-10-01..2026-10-15).").format(text=text))


def periods_back(last: Period, count: int) -> list[Period]:
    """``count`` consecutive periods ending with ``last``, oldest first (trend charts)."""
    periods = [last]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


__all__ = [
    "KINDS", "Period", "PeriodError", "month_of", "parse_period", "period_of", "periods_back",
    "quarter_of", "week_of",
]
