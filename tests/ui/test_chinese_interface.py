"""The window in Simplified Chinese, as a Chinese contact centre sees it: the compiled
translation installed before the window is built, then each area's text checked and
grabbed (screenshots/zh/…) to be looked at."""

from __future__ import annotations

import pytest

from qa_desk.samples import load_sample_calls
from qa_desk.ui.translations import install_translators


@pytest.fixture
def chinese(qapp):
    """Chinese as the app installs it: QA Desk's and Qt's translations, the domain's
    sentences and the default locale (dates, numbers)."""
    installed = install_translators(qapp, "zh_CN")
    assert any(t.language() == "zh_CN" and "qa_desk" in t.filePath() for t in installed)
    yield installed
    install_translators(qapp, "en")


def test_every_area_in_chinese(qtbot, services, chinese, screenshots_dir):
    from ui_data import grab_every_area, make_window

    load_sample_calls(services.db)
    window = make_window(qtbot, services)
    window.resize(1400, 860)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert all(not t.isascii() for t in titles), titles  # every area's name in Chinese
    assert window.windowTitle().startswith("QA Desk")
    grab_every_area(qtbot, window, screenshots_dir / "zh")
