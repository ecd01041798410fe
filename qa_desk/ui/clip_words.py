"""A clip in words: its kind, its span and its tags, written the same in the call view's
dialog, the Clips area's list, its player and its playlists.

No pyqtgraph here (unlike waveform_items.format_time): the Clips area is built with the
window, and the window's start must not pay for the plotting library's import.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QCoreApplication

from .formatting import number

KIND_COLOURS = {"good": "#2f855a", "needs_improvement": "#c05621", "other": "#4a5568"}
# Tags are typed in one line; Chinese writers separate with ，or 、, others with a comma.
TAG_SEPARATORS = re.compile(r"[,，、;；]")



def kind_name(kind: str) -> str:
    names = {"good": QCoreApplication.translate("Clips", "Good example"), "needs_improvement": QCoreApplication.translate("Clips", "Needs improvement"), "other": QCoreApplication.translate("Clips", "Other")}
    return names.get(kind, kind.replace("_", " ").capitalize())


def clip_time(seconds: float, decimals: int = 1) -> str:
    """m:ss.s (h:mm:ss.s past an hour): a clip's edges are a tenth of a second apart, not seconds."""
    scale = 10 ** decimals
    ticks = int(math.floor(max(0.0, seconds) * scale + 1e-6))
    whole, part = divmod(ticks, scale)
    frac = f".{part:0{decimals}d}" if decimals else ""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}{frac}" if hours else f"{minutes}:{secs:02d}{frac}"


def span_text(start: float, end: float) -> str:
    return QCoreApplication.translate("Clips", "{0}–{1} ({2} s)").format(clip_time(start), clip_time(end), number(end - start, 1))


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in TAG_SEPARATORS.split(text) if t.strip()]


def tags_text(tags) -> str:
    return ", ".join(tags)


def export_language(settings) -> str:
    """The language of an export's own words (index, labels): the window's, zh or en."""
    from PySide6.QtCore import QLocale

    chosen = getattr(settings, "language", "") or QLocale.system().name()
    return "zh" if chosen.lower().startswith("zh") else "en"
