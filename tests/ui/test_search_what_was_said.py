"""Search what was said, from the call library: words, speaker and period; the total and
the utterances with the words in bold; double-click opens the call at that moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from test_call_view import Outputs
from ui_data import make_window

from qa_desk.store.models import Call
from qa_desk.store.transcripts import UtteranceRow, replace_transcript
from qa_desk.ui.transcript_search import HTML_ROLE, SAID, SEARCH_DELAY_MS, snippet_html

# (day offset from 2026-11-02, [(speaker, start, text)]) for the first calls of the library.
SAID_IN_CALLS = [
    (0, [("agent", 0.5, "您好，请问有什么可以帮您？"), ("customer", 3.0, "我要投诉你们的宽带服务。")]),
    (1, [("agent", 0.6, "您好。"), ("customer", 12.4, "上次投诉了也没人管，我还要投诉！")]),
    (2, [("agent", 30.2, "如果您要投诉，我可以帮您登记。"), ("customer", 35.0, "好的。")]),
    (9, [("customer", 8.0, "我早就想投诉了。")]),  # the week before
    (3, [("customer", 5.0, "I'd like to complain about my bill."), ("agent", 9.0, "I'm sorry to hear that.")]),
]


def words_of(text: str, start: float) -> list[dict]:
    return [{"word": c, "start": round(start + 0.2 * i, 2), "end": round(start + 0.2 * i + 0.18, 2)}
            for i, c in enumerate(text)]


@pytest.fixture
def library(ui_db, add_calls) -> list[int]:
    """Ten calls; the first five have transcripts, on the days of SAID_IN_CALLS (2026-11-02 onwards)."""
    add_calls(10)
    with ui_db.session() as s:
        ids = sorted(s.query(Call.id).all())[: len(SAID_IN_CALLS)]
        for (call_id,), (day, lines) in zip(ids, SAID_IN_CALLS):
            s.get(Call, call_id).started_at = datetime(2026, 11, 2, 10, 0) + timedelta(days=day)
            rows = [UtteranceRow(who, at, at + 0.2 * len(text), text, words_of(text, at)) for who, at, text in lines]
            replace_transcript(s, call_id, engine="vosk", model_name="vosk-model-cn-0.22", language="zh",
                               utterances=rows)
        return [call_id for (call_id,) in ids]


def type_words(dialog, text: str) -> None:
    dialog.text.clear()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(dialog.text, event)


def wait_found(qtbot, dialog) -> None:
    qtbot.wait(SEARCH_DELAY_MS + 50)
    qtbot.waitUntil(lambda: not dialog.is_searching() and dialog.summary.text() != "Searching…", timeout=5000)


def column(dialog, col: int) -> list[str]:
    return [dialog.model.index(r, col).data() for r in range(dialog.model.rowCount())]


def test_snippet_bolds_the_matches_and_starts_near_the_first():
    assert snippet_html("我要投诉你们", ((2, 4),)) == "我要<b>投诉</b>你们"
    assert snippet_html("a<b & 投诉", ((6, 8),)) == "a&lt;b &amp; <b>投诉</b>"
    long = "很" * 100 + "投诉"
    assert snippet_html(long, ((100, 102),), context=5) == "…很很很很很<b>投诉</b>"


def test_search_by_words_speaker_and_period(qtbot, services, library):
    window = make_window(qtbot, services)
    page = window.calls_page
    qtbot.mouseClick(page.said_button, Qt.MouseButton.LeftButton)
    dialog = page.search_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Search what was said"

    type_words(dialog, "投诉")
    wait_found(qtbot, dialog)
    assert dialog.summary.text() == "4 utterances say it."
    assert column(dialog, 0)[0] == "2026-11-11 10:00"  # newest call first
    assert set(column(dialog, 2)) == {"Customer", "Agent"}
    html = [dialog.model.index(r, SAID).data(HTML_ROLE) for r in range(dialog.model.rowCount())]
    assert html[0] == "我早就想<b>投诉</b>了。"
    assert "上次<b>投诉</b>了也没人管，我还要<b>投诉</b>！" in html
    assert column(dialog, 1)[0]  # the agent's name

    # "Every call where the customer said 投诉 last week": the customer, 2026-11-02 … 11-08.
    dialog.speaker.setCurrentIndex(dialog.speaker.findData("customer"))
    dialog.period.setCurrentIndex(dialog.period.findData("custom"))
    assert dialog.date_from.isVisible() and dialog.date_to.isVisible()
    dialog.date_from.setDate(QDate(2026, 11, 2))
    dialog.date_to.setDate(QDate(2026, 11, 8))
    wait_found(qtbot, dialog)
    assert column(dialog, 0) == ["2026-11-03 10:00", "2026-11-02 10:00"]
    assert column(dialog, 2) == ["Customer", "Customer"]
    assert column(dialog, 3) == ["0:12", "0:03"]
    assert dialog.summary.text() == "2 utterances say it."

    dialog._today = lambda: date(2026, 11, 8)  # "Last 7 days" as seen on the 8th
    dialog.period.setCurrentIndex(dialog.period.findData("7d"))
    wait_found(qtbot, dialog)
    assert column(dialog, 0) == ["2026-11-03 10:00", "2026-11-02 10:00"]

    type_words(dialog, "complain")
    dialog.speaker.setCurrentIndex(0)
    wait_found(qtbot, dialog)
    assert column(dialog, SAID) == ["I'd like to complain about my bill."]
    assert dialog.summary.text() == "1 utterance says it."
    type_words(dialog, "退订")
    wait_found(qtbot, dialog)
    assert dialog.model.rowCount() == 0 and dialog.summary.text() == "Nobody said “退订” in these calls."


def test_double_click_opens_the_call_at_the_moment(qtbot, services, library):
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    page = window.calls_page
    # The window's connection (main_window wires call_moment_requested this way).
    page.call_moment_requested.connect(lambda call_id, at, words: window.open_call(call_id).show_moment(at, words))
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = page.search_dialog
    assert dialog is not None and dialog.isVisible()
    type_words(dialog, "投诉")
    dialog.speaker.setCurrentIndex(dialog.speaker.findData("agent"))
    wait_found(qtbot, dialog)
    assert column(dialog, 3) == ["0:30"]
    rect = dialog.view.visualRect(dialog.model.index(0, SAID))
    qtbot.mouseClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert window.showing_call()
    view = window.call_view
    qtbot.waitUntil(lambda: view.call() is not None and view.call().id == library[2], timeout=10000)
    assert view.position() == pytest.approx(30.2 - 1.0, abs=0.01)  # a second before the words
    assert view.transcript.search.text() == "投诉" and view.transcript.matches() == ["投诉"]


def test_without_the_window_s_connection_a_hit_still_opens_its_call(qtbot, services, library):
    from qa_desk.ui.calls_page import CallsPage

    page = CallsPage(services.db)  # a library page on its own: nobody listens for moments
    qtbot.addWidget(page)
    page.show()
    opened = []
    page.call_activated.connect(opened.append)
    dialog = page.open_transcript_search()
    type_words(dialog, "complain")
    wait_found(qtbot, dialog)
    dialog.view.setCurrentIndex(dialog.model.index(0, 0))
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert opened == [library[4]]


def test_screenshot_transcript_search(qtbot, services, library, screenshots_dir):
    window = make_window(qtbot, services)
    dialog = window.calls_page.open_transcript_search()
    type_words(dialog, "投诉")
    wait_found(qtbot, dialog)
    dialog.view.selectRow(1)
    qtbot.wait(50)
    assert dialog.grab().save(str(screenshots_dir / "transcript_search.png"))
