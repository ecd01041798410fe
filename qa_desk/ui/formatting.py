"""Dates, times, numbers and percentages written as the interface's language writes them.

``install_translators`` makes the interface's locale Qt's default, so ``QLocale()`` here
is the person's locale; every format comes from Qt's own locale data.

Dates: where the locale writes its short date with a four-digit year first (Chinese
``yyyy/M/d``, also Japanese, Swedish, Hungarian…), its own short date and time formats
are used: 2026/11/2 09:05 is how a Chinese contact centre writes a call's start. Every
other locale (English ``M/d/yy`` or ``dd/MM/yyyy``, the C locale of scripts and tests)
gets ISO ``yyyy-MM-dd`` and a 24-hour ``HH:mm``: 11/2/26 is 2 November to an American
and 11 February to a team in London or Manila, a two-digit year hides which year an old
call is from, and centres that run shifts round the clock speak in 24-hour times.
Seconds are added to the locale's short time with its own separator (``HH:mm:ss``), not
taken from its long format, which names the time zone.

Numbers carry the locale's group and decimal separators (1,234.5); a percentage is the
number followed by the locale's percent sign with no space (85.0%), as English and
Chinese both write it. ``None`` is written "—" for numbers and "" for dates.

These are texts to read. A table that sorts by them keeps the raw value as its sort key,
and what a person types (a period "2026-11") or a file name built from a date stays ISO.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

MISSING = "—"
_SHORT = QLocale.FormatType.ShortFormat


def _own_formats(locale: QLocale) -> bool:
    """Whether the locale's short date is unambiguous: a four-digit year first."""
    return locale.dateFormat(_SHORT).lstrip().startswith("yyyy")


def _date_format(locale: QLocale) -> str:
    return locale.dateFormat(_SHORT) if _own_formats(locale) else "yyyy-MM-dd"


def _time_format(locale: QLocale, seconds: bool) -> str:
    fmt = locale.timeFormat(_SHORT) if _own_formats(locale) else "HH:mm"
    # The minutes' own separator before the seconds: 09:05:07, and 9.05.07 where minutes follow a dot.
    return re.sub(r"(\W?)mm", r"\1mm\1ss", fmt, count=1) if seconds else fmt


def qdate(d: date) -> QDate:
    """A Python date as Qt's (date pickers, QLocale formatting)."""
    return QDate(d.year, d.month, d.day)


def _qtime(t: time | datetime) -> QTime:
    # The stored clock time as it is: no time-zone conversion, as strftime wrote it.
    return QTime(t.hour, t.minute, t.second)


def moment(dt: datetime | None, *, seconds: bool = False) -> str:
    """A date and time of day: 2026-11-02 09:05 (English), 2026/11/2 09:05 (Chinese)."""
    if dt is None:
        return ""
    locale = QLocale()
    fmt = f"{_date_format(locale)} {_time_format(locale, seconds)}"
    return locale.toString(QDateTime(qdate(dt), _qtime(dt)), fmt)


def day(d: date | datetime | None) -> str:
    """A date: 2026-11-02 (English), 2026/11/2 (Chinese)."""
    if d is None:
        return ""
    locale = QLocale()
    return locale.toString(qdate(d), _date_format(locale))


def time_of_day(t: time | datetime | None, *, seconds: bool = False) -> str:
    """A clock time: 09:05, or 09:05:07 with seconds."""
    if t is None:
        return ""
    locale = QLocale()
    return locale.toString(_qtime(t), _time_format(locale, seconds))


def number(n: float | int | None, decimals: int = 0) -> str:
    """A number with the locale's separators: 1,234 or, with decimals=1, 1,234.5."""
    if n is None:
        return MISSING
    if isinstance(n, int) and decimals == 0:
        return QLocale().toString(n)
    return QLocale().toString(float(n), "f", decimals)


def percent(value: float | None, decimals: int = 1) -> str:
    """A percentage given in percent (85 for 85 %, not 0.85): 85.0%."""
    if value is None:
        return MISSING
    locale = QLocale()
    return locale.toString(float(value), "f", decimals) + locale.percent()


__all__ = ["MISSING", "day", "moment", "number", "percent", "qdate", "time_of_day"]
