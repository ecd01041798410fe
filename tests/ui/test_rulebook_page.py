"""Settings → Service-language rulebook: the rulebook in use, choosing a file (an invalid
one is refused with every problem listed), the reviewer's name, and the rule tester."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QScrollArea
from ui_data import make_window

from qa_desk.scoring.rulebook import RulebookError, default_rulebook_path, load_rulebook
from qa_desk.settings import Settings
from qa_desk.ui.rulebook_page import TEST_DELAY_MS
from qa_desk.ui.settings_page import SettingsPage

BROKEN = """\
key: our-centre
name: Our centre's standard
language: zh-CN
colour: blue
rules:
  - id: ours-01
    title: 推诿
    category: forbidden_phrase
    severity: major
    phrases: [不知道]
  - id: ours-02
    title: 开场白
    category: greeting
    severity: urgent
    phrases: [您好]
  - id: ours-01
    title: 重复
    category: forbidden_phrase
    phrases: [不清楚]
"""


def rulebook_group(qtbot, services):
    page = SettingsPage(services)
    qtbot.addWidget(page)
    page.resize(900, 1400)
    page.show()
    group = page.rulebook
    qtbot.waitUntil(lambda: group.rulebook() is not None and not group.is_loading(), timeout=10000)
    return page, group


def choose(qtbot, monkeypatch, group, path) -> None:
    """Click "Choose file…" and pick path in the (stand-in) file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(group.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not group.is_loading(), timeout=10000)


def type_text(qtbot, field, text: str) -> None:
    """Type as a reviewer would: ASCII by keys, Chinese as an input method's commit."""
    field.clear()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def test_the_shipped_rulebook_for_the_call_language_is_shown(qtbot, services):
    shipped = load_rulebook(default_rulebook_path("zh"))
    _page, group = rulebook_group(qtbot, services)
    assert group.in_use.text() == "In use: the shipped rulebook for 'zh' calls (zh-CN.yaml)"
    assert group.name.text() == shipped.name
    assert group.language.text() == "zh-CN"
    assert group.version.text() == f"{shipped.definition['version']} ({shipped.version})"
    counts = group.counts.text()
    assert counts.startswith(f"{len(shipped.rules)} in all: Forbidden phrase ")
    assert f"Forbidden phrase {shipped.counts_by_category()['forbidden_phrase']}" in counts
    assert not group.default_button.isEnabled()  # already the default


def test_an_invalid_rulebook_is_refused_with_every_problem_and_the_old_one_stays(
        qtbot, services, monkeypatch, tmp_path):
    broken = tmp_path / "our-centre.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RulebookError) as expected:
        load_rulebook(broken)
    assert len(expected.value.problems) >= 4
    _page, group = rulebook_group(qtbot, services)
    before = group.name.text()

    choose(qtbot, monkeypatch, group, broken)
    assert group.result.text().startswith(
        f"This rulebook was not used: {len(expected.value.problems)} problem(s) to correct first.")
    assert group.problems.isVisible()
    assert group.problems.toPlainText().splitlines() == expected.value.problems
    assert any(line.startswith("our-centre.yaml:") and "colour" in line for line in expected.value.problems)
    assert group.name.text() == before and group.rulebook().key == "zh-CN"
    assert services.settings.rulebook_path is None
    assert Settings.load().rulebook_path is None  # nothing saved

    # An unreadable file is refused the same way.
    choose(qtbot, monkeypatch, group, tmp_path / "gone.yaml")
    assert "gone.yaml" in group.problems.toPlainText() and services.settings.rulebook_path is None


def test_a_valid_file_is_used_at_once_and_the_default_can_come_back(qtbot, services, monkeypatch, tmp_path):
    own = tmp_path / "centre-en.yaml"
    shutil.copy(default_rulebook_path("en"), own)
    _page, group = rulebook_group(qtbot, services)
    changed = []
    group.rulebook_changed.connect(changed.append)

    choose(qtbot, monkeypatch, group, own)
    assert services.settings.rulebook_path == str(own) and Settings.load().rulebook_path == str(own)
    assert group.in_use.text() == f"In use: your centre's own rulebook, {own}"
    assert group.language.text() == "en" and group.problems.isHidden()
    assert group.result.text().startswith("Now using centre-en.yaml:")
    assert changed == [str(own)]

    qtbot.mouseClick(group.default_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not group.is_loading() and group.language.text() == "zh-CN", timeout=10000)
    assert services.settings.rulebook_path is None and Settings.load().rulebook_path is None


def test_the_reviewer_name_is_saved(qtbot, services):
    _page, group = rulebook_group(qtbot, services)
    assert group.reviewer.placeholderText()  # the OS login, used while empty
    group.reviewer.setFocus()
    qtbot.keyClicks(group.reviewer, "Wang Fang")
    qtbot.keyClick(group.reviewer, Qt.Key.Key_Tab)
    assert services.settings.reviewer_name == "Wang Fang"
    assert Settings.load().reviewer_name == "Wang Fang" and services.settings.reviewer() == "Wang Fang"


def test_the_rule_tester_shows_which_rules_fire_and_why(qtbot, services):
    _page, group = rulebook_group(qtbot, services)
    assert group.test_summary.text() == "Type a sentence to see which rules fire on it."
    type_text(qtbot, group.test_text, "不知道")
    qtbot.wait(TEST_DELAY_MS + 100)  # live, after a pause in typing
    rows = group.results()
    assert [r[0] for r in rows] == ["zh-forbidden-01"]
    rule, title, category, severity, kind, matched, why = rows[0]
    assert (category, severity, kind, matched) == ("Forbidden phrase", "Major", "Exact", "不知道")
    assert title.startswith("推诿搪塞") and "forbidden phrase" in why
    assert group.test_summary.text() == "1 rule(s) fire."

    type_text(qtbot, group.test_text, "不知道您")  # polite: "I don't know whether you…"
    qtbot.wait(TEST_DELAY_MS + 100)
    assert group.results() == [] and group.test_summary.text() == "No rule fires on this text."

    type_text(qtbot, group.test_text, "不知道")
    group.test_speaker.setCurrentIndex(group.test_speaker.findData("customer"))
    qtbot.mouseClick(group.test_button, Qt.MouseButton.LeftButton)
    assert group.results() == []  # the customer may say it

    group.test_speaker.setCurrentIndex(group.test_speaker.findData("agent"))
    type_text(qtbot, group.test_text, "这个我不知道，你打别的电话问吧")
    qtbot.mouseClick(group.test_button, Qt.MouseButton.LeftButton)
    assert {"zh-forbidden-01", "zh-address-01"} <= {r[0] for r in group.results()}


def test_screenshot_rulebook_settings(qtbot, services, screenshots_dir, monkeypatch, tmp_path):
    window = make_window(qtbot, services)
    window.show_area("settings")
    group = window.settings_page.rulebook
    qtbot.waitUntil(lambda: group.rulebook() is not None and not group.is_loading(), timeout=10000)
    type_text(qtbot, group.test_text, "这个我不知道，你打别的电话问吧")
    qtbot.mouseClick(group.test_button, Qt.MouseButton.LeftButton)
    scroll = window.settings_page.findChild(QScrollArea)
    scroll.verticalScrollBar().setValue(group.y() - 10)
    qtbot.wait(50)
    assert window.grab().save(str(screenshots_dir / "rulebook_settings.png"))

    broken = tmp_path / "our-centre.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    choose(qtbot, monkeypatch, group, broken)
    scroll.verticalScrollBar().setValue(group.y() - 10)
    qtbot.wait(50)
    assert window.grab().save(str(screenshots_dir / "rulebook_refused.png"))
