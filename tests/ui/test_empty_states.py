"""Empty states: on an empty database (and one with calls only), every list says why it is
empty and offers the next step, and only a step the signed-in role may take.

The grabs (screenshots/empty/<lang>/) are for a person to look at, per role.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from test_search_what_was_said import library  # noqa: F401 - fixture: five calls with transcripts
from ui_data import make_window

from qa_desk.permissions import Actor
from qa_desk.ui.translations import install_translators

ROLES = ("reviewer", "lead", "trainer", "manager", "admin")
QUEUE, OVERVIEW, RULES, CALIBRATION, AUDIT, USERS = range(6)


def sign_in(services, role: str) -> Actor:
    services.user = Actor("王质检" if role == "reviewer" else f"{role} 甲", role)
    return services.user


def window_as(qtbot, services, role: str):
    sign_in(services, role)
    window = make_window(qtbot, services)
    window.apply_role()
    window.resize(1400, 860)
    return window


def shown(widget) -> bool:
    """Shown, as far as its own setting goes (the page holding it may be another tab)."""
    return not widget.isHidden()


def explained(page) -> str:
    """An AreaPage's title and text, both there."""
    assert page.title().strip() and len(page.text()) > 40, (page.title(), page.text())
    return page.text()


def open_tab(qtbot, window, index: int):
    window.show_area("review")
    window.review_page.tabs.setCurrentIndex(index)
    tab = window.review_page.tabs.widget(index)
    for busy in ("is_loading", "is_busy"):
        if hasattr(tab, busy):
            qtbot.waitUntil(lambda t=tab, b=busy: not getattr(t, b)(), timeout=10000)
    return tab


@pytest.mark.parametrize("role", ROLES)
def test_the_review_tabs_say_why_they_are_empty(qtbot, services, role):
    window = window_as(qtbot, services, role)
    lead = role in ("lead", "admin")
    scores = role in ("reviewer", "lead", "admin")

    queue = open_tab(qtbot, window, QUEUE)
    qtbot.waitUntil(lambda: queue.empty.isVisible(), timeout=10000)
    explained(queue.empty)
    assert not queue.table.isVisible()
    assert shown(queue.rules_button) is lead  # only a lead sets up sampling rules
    assert shown(queue.calls_button) is scores  # "meanwhile, pick any call": for those who score
    assert shown(queue.overview_button) is not scores

    overview = open_tab(qtbot, window, OVERVIEW)
    qtbot.waitUntil(lambda: overview.empty.isVisible(), timeout=10000)
    assert "sampling rule" in explained(overview.empty)
    assert shown(overview.rules_button) is lead and shown(overview.previous_button)

    rules = open_tab(qtbot, window, RULES)
    qtbot.waitUntil(lambda: rules.empty.isVisible(), timeout=10000)
    explained(rules.empty)
    assert shown(rules.empty_new_button) is lead

    calibration = open_tab(qtbot, window, CALIBRATION)
    qtbot.waitUntil(lambda: calibration.empty.isVisible(), timeout=10000)
    explained(calibration.empty)
    assert shown(calibration.empty_new_button) is lead
    assert calibration.empty.title() == {
        "reviewer": "No calibration sessions for you yet", "trainer": "Calibration is for reviewers and team leads",
        "manager": "Calibration is for reviewers and team leads"}.get(role, "No calibration sessions yet")

    audit = open_tab(qtbot, window, AUDIT)
    if role in ("reviewer", "trainer"):
        assert audit.empty.isVisible() and not audit.clear_button.isVisible()
        assert "for team leads, managers and admins" in audit.empty.title()
    else:  # the local user's creation is logged: filters that match nothing say so
        assert not audit.empty.isVisible()
        audit.user.setText("nobody at all")
        audit.refresh()
        assert audit.empty.isVisible() and audit.empty.title() == "No entry matches these filters"
        explained(audit.empty)
        audit.clear_button.click()
        assert not audit.empty.isVisible() and audit.table.rowCount() >= 1 and not audit.user.text()

    users = open_tab(qtbot, window, USERS)
    qtbot.waitUntil(lambda: users.alone.isVisible(), timeout=10000)
    assert "Only one user so far" in users.alone.text()
    assert ("Add user…" in users.alone.text()) is (role == "admin") is users.add_button.isEnabled()


@pytest.mark.parametrize("role", ROLES)
def test_the_other_areas_say_why_they_are_empty(qtbot, services, role):
    window = window_as(qtbot, services, role)
    manages_clips = role in ("trainer", "admin")

    window.show_area("scorecards")
    cards = window.scorecards_page
    qtbot.waitUntil(lambda: cards.showing() == "empty" and not cards.is_loading(), timeout=10000)
    assert cards.empty.title() == "No evaluations yet"
    assert "no calls to evaluate yet" in explained(cards.empty)
    assert cards.calls_button.isVisible() and not cards.previous_button.isVisible()  # no period has any

    window.show_area("clips")
    clips = window.clips_area
    qtbot.waitUntil(lambda: clips.is_idle() and clips.list_pages.currentWidget() is clips.empty, timeout=10000)
    assert clips.empty.title() == "No clips yet"
    assert ("Save as clip" in explained(clips.empty)) is manages_clips
    assert clips.calls_button.isVisible() is manages_clips and not clips.show_all_button.isVisible()
    playlists = clips.playlists.empty
    assert playlists.isVisible() and ("start one with New…" in playlists.text()) is manages_clips

    window.show_area("forms")
    forms = window.forms_page
    qtbot.waitUntil(lambda: not forms.is_loading(), timeout=10000)
    assert forms.forms()  # the shipped forms: never empty on a new database
    assert shown(forms.empty_new_button) is (role in ("lead", "admin")) is shown(forms.empty_import_button)

    window.show_area("calls")
    window.jobs_panel.show()
    assert window.jobs_panel.pages.currentWidget() is window.jobs_panel.empty
    assert "Transcribe" in window.jobs_panel.empty.text()

    search = window.calls_page.open_transcript_search()
    qtbot.waitUntil(lambda: not search.is_searching(), timeout=10000)
    assert search.results.currentWidget() is search.empty
    assert search.empty.title() == "No transcripts to search yet" and "Speech models" in explained(search.empty)
    search.text.setText("投诉")
    search.search()
    qtbot.waitUntil(lambda: not search.is_searching(), timeout=10000)
    assert search.summary.text() == "Nobody said “投诉” in these calls."
    assert search.empty.title() == "No transcripts to search yet"  # nothing said, because nothing is transcribed
    search.close()


def test_a_queue_whose_calls_are_all_done_and_hidden(qtbot, ui_db):
    from datetime import date, datetime
    from types import SimpleNamespace

    from qa_desk.ui.review_queue import MyQueueView

    view = MyQueueView(lambda: ui_db, "王质检")
    view.set_actor(Actor("王质检", "reviewer"))
    qtbot.addWidget(view)
    view.show()
    view._items = [SimpleNamespace(call_id=7, call_name="a.wav", agent="张伟", started_at=datetime(2026, 11, 2, 9),
                                   duration=61.0, due_on=date(2026, 11, 9), status="done", reason="random",
                                   overdue=False)]
    view.show_done.setChecked(False)
    assert view.empty.isVisible() and view.empty.title() == "Every call in your queue is done"
    assert view.show_done_button.isVisible() and not view.rules_button.isVisible()
    view.show_done_button.click()
    assert view.show_done.isChecked() and view.table.isVisible() and not view.empty.isVisible()


def test_speech_models_say_why_nothing_can_be_transcribed(qtbot, services):
    window = window_as(qtbot, services, "reviewer")
    window.show_area("settings")
    models = window.settings_page.speech_models
    assert not models.models()
    assert models.empty_hint.isVisible() and not models.table.isVisible()
    assert "cannot be transcribed" in models.empty_hint.text() and models.download_button.isEnabled()


@pytest.mark.parametrize("role", ("reviewer", "manager"))
def test_a_call_with_no_transcript_flags_or_evaluation(qtbot, services, add_calls, role):
    add_calls(3)
    window = window_as(qtbot, services, role)
    view = window.open_call(1)
    flags, evaluation = view.flags, view.evaluation
    qtbot.waitUntil(lambda: flags.empty_text() == "Not checked yet: no transcript", timeout=10000)
    assert "transcribed" in flags.empty_detail.text()
    assert flags.empty_button.isHidden()  # "Check now" would find nothing to check
    qtbot.waitUntil(lambda: evaluation.form_choice.count() > 0, timeout=10000)
    view.review_tabs.setCurrentWidget(evaluation)
    if role == "reviewer":
        assert evaluation.start_row.isVisible() and evaluation.start_button.isEnabled()
        assert evaluation.status.text() == ""
    else:  # a manager does not score: no start button, and who does
        assert not evaluation.start_row.isVisible() and not evaluation.start_button.isEnabled()
        assert "Reviewers and team leads score calls" in evaluation.status.text()
    view.close_call()


@pytest.mark.parametrize("role", ("reviewer", "trainer"))
def test_calls_but_nothing_else(qtbot, services, add_calls, role):
    from qa_desk.store.playlists import create_playlist

    add_calls(12)
    with services.db.session() as session:
        create_playlist(session, "Onboarding week 1", actor=Actor("admin", "admin"))
    window = window_as(qtbot, services, role)

    window.show_area("scorecards")
    cards = window.scorecards_page
    qtbot.waitUntil(lambda: cards.showing() == "empty" and not cards.is_loading(), timeout=10000)
    text = explained(cards.empty)
    if role == "reviewer":
        assert "Score a call" in text and cards.calls_button.isVisible()
    else:  # a trainer does not score: told who does, not sent to do it
        assert "reviewers and team leads submit" in text and not cards.calls_button.isVisible()

    # An agent with no evaluation in the period: the list says why it is empty.
    cards.open_row(0)
    qtbot.waitUntil(lambda: not cards.detail.is_loading(), timeout=15000)
    detail = cards.detail
    assert detail.no_evaluations.isVisible() and not detail.evaluations.isVisible()
    assert ("score one of the agent's calls" in detail.no_evaluations.text()) is (role == "reviewer")
    cards.show_overview()

    window.show_area("clips")
    clips = window.clips_area
    qtbot.waitUntil(lambda: clips.is_idle() and clips.playlists.playlist() is not None, timeout=10000)
    text = clips.playlists.empty.text()
    assert text.startswith("This playlist has no clips yet")
    assert ("Save as clip" in text) is (role == "trainer")  # the library has none to add yet
    assert ("a trainer adds them" in text) is (role == "reviewer")


def test_a_search_without_hits_offers_every_call(qtbot, services, library):  # noqa: F811
    """Transcripts exist but nobody said it with the speaker chosen: "Search every call"
    drops the speaker and the period, and finds it."""
    from test_search_what_was_said import type_words, wait_found

    window = window_as(qtbot, services, "reviewer")
    dialog = window.calls_page.open_transcript_search()
    qtbot.waitUntil(lambda: not dialog.is_searching(), timeout=10000)
    assert dialog.empty.title() == "Search what was said" and "投诉" in dialog.empty.text()
    dialog.speaker.setCurrentIndex(dialog.speaker.findData("agent"))
    type_words(dialog, "complain")
    wait_found(qtbot, dialog)
    assert dialog.results.currentWidget() is dialog.empty and dialog.empty.title() == "Nobody said “complain”"
    assert dialog.widen_button.isVisible() and "search every call" in dialog.empty.text()
    dialog.widen_button.click()
    wait_found(qtbot, dialog)
    assert dialog.speaker.currentIndex() == 0 and dialog.results.currentWidget() is dialog.view
    assert dialog.model.rowCount() == 1
    dialog.close()


def test_an_empty_state_leads_where_it_says(qtbot, services):
    """A reviewer's empty queue: "pick any call in Calls" goes to Calls; a lead's goes to
    Sampling rules, whose "New rule…" opens the rule dialog."""
    window = window_as(qtbot, services, "reviewer")
    queue = open_tab(qtbot, window, QUEUE)
    qtbot.waitUntil(lambda: queue.empty.isVisible(), timeout=10000)
    assert "pick any call in Calls" in queue.empty.text()
    queue.calls_button.click()
    assert window.current_area() == "calls" and window.calls_page.welcome.isVisible()

    sign_in(services, "lead")
    window.apply_role()
    queue = open_tab(qtbot, window, QUEUE)
    qtbot.waitUntil(lambda: queue.rules_button.isVisible(), timeout=10000)
    queue.rules_button.click()
    rules = window.review_page.rules
    assert window.review_page.tabs.currentWidget() is rules
    qtbot.waitUntil(lambda: rules.empty.isVisible(), timeout=10000)
    asked = []

    class Refused:  # the dialog as a lead cancelling it
        def __init__(self, rule, parent):
            asked.append(rule)

        def exec(self):
            return 0

    rules.rule_dialog_factory = Refused
    rules.empty_new_button.click()
    assert asked == [None]  # a new rule, not an edit


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_grab_the_empty_screens(qtbot, qapp, services, lang, screenshots_dir):
    """Every empty screen per role, for a person to look at (screenshots/empty/<lang>/)."""
    folder = screenshots_dir / "empty" / lang
    folder.mkdir(parents=True, exist_ok=True)
    if lang == "zh":
        install_translators(qapp, "zh_CN")
    try:
        window = window_as(qtbot, services, "admin")
        for role in ROLES:
            sign_in(services, role)
            window.apply_role()
            window.show_user()
            for index, name in enumerate(("queue", "overview", "rules", "calibration", "audit", "users")):
                open_tab(qtbot, window, index)
                qtbot.wait(150)
                assert window.grab().save(str(folder / f"{role}_review_{name}.png"))
            for area in ("scorecards", "clips"):
                window.show_area(area)
                page = window.stack.currentWidget()
                busy = page.is_loading if area == "scorecards" else (lambda p=page: not p.is_idle())
                qtbot.waitUntil(lambda b=busy: not b(), timeout=10000)
                qtbot.wait(150)
                assert window.grab().save(str(folder / f"{role}_{area}.png"))
        window.show_area("settings")
        window.settings_page.show_part("speech_models")
        qtbot.wait(150)
        assert window.grab().save(str(folder / "speech_models.png"))
        window.show_area("calls")
        window.jobs_panel.show()
        qtbot.wait(150)
        assert window.grab().save(str(folder / "calls_and_jobs.png"))
        search = window.calls_page.open_transcript_search()
        qtbot.waitUntil(lambda: not search.is_searching(), timeout=10000)
        qtbot.wait(150)
        assert search.grab().save(str(folder / "transcript_search.png"))
        search.close()
        assert all(label.text() for label in window.findChildren(QLabel, "areaTitle") if label.isVisible())
    finally:
        if lang == "zh":
            install_translators(qapp, "en")
