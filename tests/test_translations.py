"""The interface in two languages: every string the UI shows goes through tr(), the
committed .ts sources hold all of them, Simplified Chinese translates every one, and
English (the source language) every plural form; the compiled .qm loads in Qt."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "scripts" / "translations.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def _strings(ts: Path) -> set[tuple[str, str]]:
    return {(context, message.findtext("source") or "") for context, message in tool.messages_of(ts)}


@pytest.mark.parametrize("language", tool.LANGUAGES)
def test_the_ts_sources_hold_every_string_of_the_interface(language, tmp_path):
    """lupdate run on today's code finds no string the committed .ts lacks (nor keeps
    one the code no longer has): run `python scripts/translations.py update` after a
    change to the UI's strings, then translate what it adds."""
    fresh = tmp_path / f"qa_desk_{language}.ts"
    extra = ["-pluralonly"] if language == "en" else []
    subprocess.run([tool._tool("lupdate"), *tool.sources(), "-no-obsolete", "-target-language", language, *extra,
                    "-ts", str(fresh)], cwd=ROOT, check=True, capture_output=True)
    committed, current = _strings(tool.ts_path(language)), _strings(fresh)
    assert not current - committed, f"not in {tool.ts_path(language).name}: {sorted(current - committed)[:20]}"
    assert not committed - current, f"no longer in the code: {sorted(committed - current)[:20]}"


@pytest.mark.parametrize("language", tool.LANGUAGES)
def test_every_string_is_translated(language):
    missing = tool.unfinished(language)
    assert not missing, f"{len(missing)} strings without a {language} translation, e.g. {missing[:10]}"


def test_placeholders_survive_translation():
    """A translation that drops {0} or %n would show the wrong thing, or raise."""
    import re

    wrong = []
    for context, message in tool.messages_of(tool.ts_path("zh_CN")):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        texts = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for text in texts:
            for token in set(re.findall(r"\{[^{}]*\}|%n|%\d", source)):
                if source.count(token) != text.count(token):
                    wrong.append((context, source, text))
    assert not wrong, wrong[:10]


def test_the_compiled_chinese_translation_loads_and_translates(qapp, tmp_path):
    from PySide6.QtCore import QCoreApplication, QTranslator

    (qm,) = [q for q in tool.build(quiet=True, into=tmp_path) if q.stem == "qa_desk_zh_CN"]
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("AuditPage", "Who") != "Who"
        assert QCoreApplication.translate("AuditPage", "%n entries", "", 3) .startswith("3")
    finally:
        QCoreApplication.removeTranslator(translator)
