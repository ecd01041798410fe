"""The window in Simplified Chinese, as a Chinese contact centre sees it: the compiled
translation installed before the window is built, then each area's text checked and
grabbed (screenshots/zh/…) to be looked at."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from qa_desk.samples import load_sample_calls
from qa_desk.ui.translations import qm_folder


@pytest.fixture
def chinese(qapp):
    translator = QTranslator()
    assert translator.load(str(qm_folder() / "qa_desk_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_every_area_in_chinese(qtbot, services, chinese, screenshots_dir):
    from ui_data import make_window

    load_sample_calls(services.db)
    window = make_window(qtbot, services)
    window.resize(1400, 860)
    folder = screenshots_dir / "zh"
    folder.mkdir(exist_ok=True)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert all(not t.isascii() for t in titles), titles  # every area's name in Chinese
    assert window.windowTitle().startswith("QA Desk")
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        page = window.stack.currentWidget()
        # Each area reads the database when first shown: grab it once it has.
        for ready in ("is_idle", "is_loading"):
            if hasattr(page, ready):
                qtbot.waitUntil(lambda p=page, r=ready: getattr(p, r)() is (r == "is_idle"), timeout=10000)
        qtbot.wait(150)
        assert window.grab().save(str(folder / f"area_{row}_{window.current_area()}.png"))
