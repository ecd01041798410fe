"""How QA Desk writes a call's length or a talk time, in the window and on the command line."""

from __future__ import annotations


def format_duration(seconds: float | None) -> str:
    """m:ss under an hour, h:mm:ss from an hour on (how agents and leads read talk time)."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
