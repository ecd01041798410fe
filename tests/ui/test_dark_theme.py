"""Light and dark: the window drawn with the dark palette (as on a dark desktop, or
chosen in Settings), every area and a call grabbed to screenshots/dark/ to be looked
at, and the muted texts checked to stay readable against their background."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from qa_desk.samples import load_sample_calls
from qa_desk.ui.theme import apply_theme, is_dark


@pytest.fixture
def dark(qapp):
    style, palette = qapp.style().name(), qapp.palette()
    assert apply_theme(qapp, "dark") and is_dark(qapp)
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)


def _contrast(a, b) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(c):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_area_and_a_call_in_dark(qtbot, services, dark, screenshots_dir):
    from ui_data import grab_every_area, make_window

    load_sample_calls(services.db)
    window = make_window(qtbot, services)
    window.resize(1400, 860)
    folder = screenshots_dir / "dark"
    grab_every_area(qtbot, window, folder)
    window.show_area("calls")
    view = window.open_call(window.calls_page.model.call_at(0).id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    qtbot.wait(200)
    assert window.grab().save(str(folder / "call_view.png"))
    # Every label drawn in a palette colour is readable on the window (WCAG AA for large
    # text, 3:1, at least): muted captions included.
    palette = QApplication.instance().palette()
    window_colour = palette.color(QPalette.ColorRole.Window)
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text().strip():
            colour = label.palette().color(label.foregroundRole())
            assert _contrast(colour, window_colour) >= 3.0, (label.objectName(), label.text()[:40])
