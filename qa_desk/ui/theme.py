"""Light and dark: the window follows the system's colour scheme, or the one chosen in
Settings.

Qt's own Linux styles do not all follow a dark desktop, and an offscreen or plain X
session reports no scheme at all, so QA Desk draws with the Fusion style and sets the
palette itself: Qt's light palette, or a dark one built here. Widgets that colour text
themselves take their colours from ``colours()`` so that they stay readable on both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("", "light", "dark")  # "" follows the system

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8c8f94",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#3a3d41",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d52",
    QPalette.ColorRole.Midlight: "#3f4246",
    QPalette.ColorRole.Mid: "#5a5d62",
    QPalette.ColorRole.Dark: "#1a1b1d",
    QPalette.ColorRole.Shadow: "#101112",
    QPalette.ColorRole.Highlight: "#2f6fbf",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8ff",
    QPalette.ColorRole.LinkVisited: "#b596ff",
}


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def is_dark(app: QApplication | None = None) -> bool:
    """Whether the window is drawn dark now (its palette's window is darker than its text)."""
    app = app or QApplication.instance()
    if app is None:  # no application yet: nothing is drawn
        return False
    palette = app.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < palette.color(
        QPalette.ColorRole.WindowText).lightness()


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d82"))
    return palette


def apply_theme(app: QApplication, theme: str = "") -> bool:
    """Draw the application light or dark (``theme``: "", "light" or "dark"); True when dark."""
    dark = theme == "dark" or (theme == "" and system_is_dark())
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    return dark


def colours(dark: bool | None = None) -> dict[str, str]:
    """Text colours for states (error, ok, warning, muted) readable on the current palette."""
    dark = is_dark() if dark is None else dark
    if dark:
        return {"error": "#ff8a80", "ok": "#7fd18b", "warning": "#ffcc66", "muted": "#9aa0a6"}
    return {"error": "#b3261e", "ok": "#1e6b34", "warning": "#8a5a00", "muted": "#5f6368"}


__all__ = ["THEMES", "apply_theme", "colours", "dark_palette", "is_dark", "system_is_dark"]
