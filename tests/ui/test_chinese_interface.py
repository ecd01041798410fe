"""The window in Simplified Chinese, as a Chinese contact centre sees it: the compiled
translation installed before the window is built, then each area's text checked and
grabbed (screenshots/zh/…) to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from sqlalchemy import select

from qa_desk.samples import load_sample_calls
from qa_desk.store.models import Flag
from qa_desk.ui.translations import install_translators, uninstall_translators

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese(qapp):
    """Chinese as the app installs it: QA Desk's and Qt's translations, the domain's
    sentences and the default locale (dates, numbers)."""
    installed = install_translators(qapp, "zh_CN")
    assert any(t.language() == "zh_CN" and "qa_desk" in t.filePath() for t in installed)
    yield installed
    uninstall_translators(qapp)


def test_every_area_in_chinese(qtbot, services, chinese, screenshots_dir):
    from ui_data import grab_every_area, make_window

    load_sample_calls(services.db)
    window = make_window(qtbot, services)
    window.resize(1400, 860)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert all(not t.isascii() for t in titles), titles  # every area's name in Chinese
    assert window.windowTitle().startswith("QA Desk")
    grab_every_area(qtbot, window, screenshots_dir / "zh")


class RecordingTranslator(QTranslator):
    """Sees every lookup the interface makes (installed last, Qt asks it first) and
    answers none of them, so the real translators still do."""

    def __init__(self):
        super().__init__()
        self.asked: set[tuple[str, str]] = set()

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D102 - Qt's virtual
        self.asked.add((context, source))
        return ""

    def isEmpty(self):  # noqa: N802 - Qt's virtual: an empty translator is skipped
        return False


# pyqtgraph builds its plot menus (in English) with every plot; QA Desk's charts and
# waveform turn those menus off (setMenuEnabled(False)), so their words are never shown.
PYQTGRAPH_CONTEXTS = {"Form", "PlotItem", "GraphicsScene", "ViewBox", "ViewBoxMenu"}


def _ours(context: str) -> bool:
    """QA Desk's contexts (Qt's own, e.g. QPlatformTheme for dialog buttons, are Qt's to translate)."""
    return (not context.startswith("Q") or context == "QADeskApp") and context not in PYQTGRAPH_CONTEXTS


def test_every_string_looked_up_is_translated(qtbot, services, chinese, screenshots_dir):
    """Not only what lupdate found in the sources: every string the window actually asked
    for, in every area and a scored call with its flags and evaluation, including the
    domain's sentences (a flag's reason). A string built in a way lupdate cannot see (a
    helper taking a variable) shows up here as asked for but missing from the .ts."""
    import importlib.util

    from qa_desk.demo import build_demo_centre
    from ui_data import grab_every_area, make_window

    spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "scripts" / "translations.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    recorder = RecordingTranslator()
    QCoreApplication.installTranslator(recorder)
    try:
        build_demo_centre(services.db, agents=3, months=1)
        window = make_window(qtbot, services)
        window.resize(1400, 860)
        grab_every_area(qtbot, window, screenshots_dir / "zh-asked")
        window.show_area("calls")
        with services.db.session() as session:
            call_id = session.scalar(select(Flag.call_id).order_by(Flag.call_id).limit(1))
        view = window.open_call(call_id)
        qtbot.waitUntil(view.is_ready, timeout=20000)
        for tab in range(view.review_tabs.count()):
            view.review_tabs.setCurrentIndex(tab)
            qtbot.wait(100)
        assert window.grab().save(str(screenshots_dir / "zh-asked" / "call.png"))
    finally:
        QCoreApplication.removeTranslator(recorder)
    known = {(context, m.findtext("source")) for context, m in tool.messages("zh_CN")}
    unfinished = set(tool.unfinished("zh_CN"))
    asked = {(c, s) for c, s in recorder.asked if _ours(c)}
    assert len(asked) > 300  # the recorder did see the window's lookups
    unseen = sorted(asked - known)
    assert not unseen, "asked for but not in the .ts (lupdate cannot see them):\n" + "\n".join(map(repr, unseen))
    untranslated = sorted(asked & unfinished)
    assert not untranslated, "asked for but not translated:\n" + "\n".join(map(repr, untranslated))


def test_a_transcripts_source_in_chinese(qapp, chinese):
    """The stored engine and format words (imported · WebVTT file) are shown in the user's language."""
    from types import SimpleNamespace

    from qa_desk.ui.transcript_pane import TranscriptPane

    pane = TranscriptPane()
    attached = SimpleNamespace(engine="imported", model_name="WebVTT file")
    assert pane.source_text(attached) == "导入 · WebVTT 文件"
    assert pane.source_text(SimpleNamespace(engine="vosk", model_name="vosk-model-small-cn-0.22")) == \
        "Vosk · vosk-model-small-cn-0.22"
