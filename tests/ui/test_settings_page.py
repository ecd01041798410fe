"""Settings: live pattern check, saving, testing a database URL, asking to reconnect."""

from __future__ import annotations

from PySide6.QtCore import Qt

from qa_desk.settings import Settings, default_database_url
from qa_desk.ui.settings_page import SettingsPage


def make_page(qtbot, services) -> SettingsPage:
    page = SettingsPage(services)
    qtbot.addWidget(page)
    page.show()
    return page


def test_an_invalid_pattern_is_flagged_and_not_saved(qtbot, services):
    page = make_page(qtbot, services)
    assert page.pattern.is_valid()
    page.pattern.setText("{agent}_{started:%Y%m%d")
    assert not page.pattern.is_valid()
    assert "Invalid pattern" in page.pattern.feedback.text()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "Correct the file-name pattern" in page.save_result.text()
    assert not Settings.path().exists()


def test_save_writes_the_settings_file(qtbot, services):
    page = make_page(qtbot, services)
    assert page.url_edit.placeholderText() == default_database_url()
    page.channel.setCurrentIndex(page.channel.findData("right"))
    page.pattern.setText("{agent_id}-{started:%Y%m%d%H%M%S}")
    with qtbot.assertNotEmitted(page.database_change_requested):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.save_result.text() == "Settings saved."
    saved = Settings.load()
    assert saved.agent_channel == "right"
    assert saved.filename_pattern == "{agent_id}-{started:%Y%m%d%H%M%S}"
    assert services.settings.agent_channel == "right"  # the import dialog starts from it


def test_test_connection_reports_the_error(qtbot, services, tmp_path):
    page = make_page(qtbot, services)
    page.url_edit.setText(f"sqlite:///{tmp_path}/no/such/folder/qa.sqlite3")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=10000)
    assert "folder for the database file does not exist" in page.test_result.text()
    assert "b3261e" in page.test_result.styleSheet()

    page.url_edit.setText("not a url at all")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=10000)
    assert "is not a database URL" in page.test_result.text()


def test_test_connection_succeeds_on_a_good_database(qtbot, services, tmp_path):
    page = make_page(qtbot, services)
    page.url_edit.setText(f"sqlite:///{tmp_path}/other.sqlite3")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=10000)
    assert page.test_result.text() == "Connection works (sqlite)."


def test_saving_a_new_database_url_asks_to_reconnect(qtbot, services, tmp_path):
    page = make_page(qtbot, services)
    url = f"sqlite:///{tmp_path}/team.sqlite3"
    page.url_edit.setText(url)
    with qtbot.waitSignal(page.database_change_requested, timeout=1000) as blocker:
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [url]
    assert Settings.load().database_url == url
    assert "reconnects" in page.save_result.text()


def test_the_scorecard_quota_and_bands_are_saved_and_checked(qtbot, services):
    page = make_page(qtbot, services)
    assert (page.quota.value(), page.score_good.value(), page.score_poor.value()) == (4, 90.0, 75.0)
    page.quota.setValue(6)
    page.score_good.setValue(85.0)
    page.score_poor.setValue(88.0)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "cannot be above" in page.save_result.text() and not Settings.path().exists()
    page.score_poor.setValue(70.0)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    saved = Settings.load()
    assert (saved.monitoring_quota, saved.score_good, saved.score_poor) == (6, 85.0, 70.0)
    assert services.settings.thresholds().band(80.0) == "watch"  # scorecards read it at once


def test_the_interface_language_is_chosen_and_kept(qtbot, services):
    page = make_page(qtbot, services)
    page.reload()
    assert page.language.currentData() == ""  # the system's, until someone chooses
    assert [page.language.itemText(i) for i in range(1, page.language.count())] == ["简体中文", "English"]
    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.save_result.text() == "Settings saved. Start QA Desk again to see it in 简体中文."
    assert Settings.load().language == "zh_CN"
    page.reload()
    assert page.language.currentData() == "zh_CN"


def test_the_colours_follow_the_choice_at_once(qtbot, services, qapp):
    from qa_desk.ui.theme import is_dark

    style, palette = qapp.style().name(), qapp.palette()
    page = make_page(qtbot, services)
    page.reload()
    try:
        page.theme.setCurrentIndex(page.theme.findData("dark"))
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert Settings.load().theme == "dark" and is_dark(qapp)
        page.theme.setCurrentIndex(page.theme.findData("light"))
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert Settings.load().theme == "light" and not is_dark(qapp)
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)
