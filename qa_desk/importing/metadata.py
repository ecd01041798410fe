"""What we know about a call besides its audio: who handled it, when, which way.

Call details arrive from two places (the recording's file name and the
recorder's CSV/XLSX export), in the contact centre's own words, often in
Chinese. This module holds the shared record and the parsing both use, so a
direction or a start time means the same thing whichever way it came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time

from ..wording import translate

__all__ = ["CallMetadata", "MetadataError", "normalise_direction", "parse_start_time"]


@dataclass(frozen=True)
class CallMetadata:
    agent: str | None = None         # agent's display name
    agent_id: str | None = None      # agent's id in the ACD / HR system (工号)
    team: str | None = None
    started_at: datetime | None = None
    direction: str | None = None     # "inbound", "outbound" or None
    queue: str | None = None
    customer_ref: str | None = None  # customer's number or account reference

    def merged_over(self, other: CallMetadata) -> CallMetadata:
        """Our fields win; ``other`` fills the ones we do not know.

        Used to lay, e.g., the sidecar row over what the file name says.
        """
        gaps = {f.name: getattr(other, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **gaps)


class MetadataError(Exception):
    """Call details that cannot be used; the message names the file and, where
    there is one, the row, so the analyst can fix the export and try again."""

    def __init__(self, message: str, *, source=None, row: int | None = None):
        super().__init__(message)
        self.source = source
        self.row = row


# Keys are compared after casefolding and dropping spaces, hyphens and
# underscores, so "In-bound", "INBOUND" and "inbound call" all count.
_INBOUND = {"in", "i", "ib", "inbound", "incoming", "inboundcall", "incomingcall", "呼入", "来电", "呼入电话"}
_OUTBOUND = {"out", "o", "ob", "outbound", "outgoing", "outboundcall", "outgoingcall",
             "呼出", "外呼", "去电", "呼出电话"}


def normalise_direction(text) -> str | None:
    """Map the many spellings of call direction to "inbound" / "outbound".

    Blank means unknown (None). Anything else raises ValueError with a message
    ready to follow "calls.csv row 7: ".
    """
    if text is None:
        return None
    key = re.sub(r"[\s\-_]+", "", str(text)).casefold()
    if not key:
        return None
    if key in _INBOUND:
        return "inbound"
    if key in _OUTBOUND:
        return "outbound"
    raise ValueError(translate(
        "Errors", "direction '{value}' is not inbound or outbound; write e.g. inbound/outbound or 呼入/呼出"
    ).format(value=str(text).strip()))


# Tried after datetime.fromisoformat, which already covers "2026-11-23 10:15:00",
# "2026-11-23T10:15:00+08:00" and friends.
_START_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                  "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M")
# Compact stamps (20261123101500, 20261123-101500) are matched digit for digit:
# strptime lets %M and %S take one digit, so 202611231015 would become 10:01:05.
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})[-_T ]?(\d{2})(\d{2})(\d{2})?")
# Chinese recorders write 2026年11月23日 10时15分00秒; turn it into 2026-11-23 10:15:00.
_CHINESE_DATE = str.maketrans({"年": "-", "月": "-", "日": " ", "时": ":", "点": ":", "分": ":", "秒": " "})


def parse_start_time(value) -> datetime:
    """A call's start time from a spreadsheet cell or a piece of text.

    Day-first and month-first forms such as 11/23/2026 are refused rather than
    guessed: a wrong guess silently files calls under the wrong day.
    A time-zone offset in ISO text is kept (the result is then aware).
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):  # a date-only XLSX cell: the day is known, the time is not
        return datetime.combine(value, time())
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 20261123101500 typed into a number cell comes back as a float
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(_not_a_time(value))
    text = value.strip()
    cleaned = re.sub(r"\s+", " ", text.translate(_CHINESE_DATE)).strip().rstrip(":")
    compact = _COMPACT.fullmatch(cleaned)
    if compact:
        try:
            return datetime(*(int(part) for part in compact.groups() if part is not None))
        except ValueError:
            raise ValueError(_not_a_time(text)) from None
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    for pattern in _START_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    raise ValueError(_not_a_time(text))


def _not_a_time(value) -> str:
    return translate(
        "Errors", "start time '{value}' is not a date/time; write it as e.g. 2026-11-23 10:15:00"
    ).format(value=value)
