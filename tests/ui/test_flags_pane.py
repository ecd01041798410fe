"""Flags in the call view: the list, waveform bars, tinted words, playing a flag, and the
reviewer's decisions (confirm, dismiss with a reason, note, reopen) stored with who made them.

The sample call 张伟 (a rude agent) on a real SQLite database; its flags are stored with
store.flags.save_findings from Finding objects written here, as a scan would store them.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from test_call_view import ZHANG_WEI, Outputs
from test_jobs_panel import ZH as WINDOW_ZH
from ui_data import make_window

from qa_desk.samples import load_sample_calls
from qa_desk.scoring.findings import Finding
from qa_desk.permissions import Actor
from qa_desk.settings import Settings
from qa_desk.store import flags as store_flags
from qa_desk.store.models import Call
from qa_desk.ui.call_view import CallView
from qa_desk.ui.waveform import MARK_ROW

REVIEWER = "王质检"


def words(*items):
    return tuple({"word": w, "start": a, "end": b} for w, a, b in items)


def finding(rule_key, title, category, severity, kind, start, end, said, said_words=(), reason="", speaker="agent"):
    return Finding(rule_key=rule_key, rule_title=title, category=category, severity=severity, speaker=speaker,
                   start=start, end=end, matched_text=said, words=said_words, kind=kind,
                   confidence=0.6 if kind == "possible" else 1.0, reason=reason, form_item="no_forbidden_phrases")


# What the zh-CN rulebook finds in the 张伟 sample (its transcript's word times).
FINDINGS = [
    finding("zh-greeting-01", "开场白：您好", "required_greeting", "major", "missing", 0.0, 10.0, None,
            reason="The agent did not say “您好” within the first 10 s."),
    finding("zh-rhetorical-01", "反问客户：什么事", "rhetorical_question", "minor", "possible", 0.694, 1.275, "什么事",
            words(("什", 0.694, 0.887), ("么", 0.887, 1.081), ("事？", 1.081, 1.275)),
            "Sounds like “什么事儿”: perhaps a speech recognition error."),
    finding("zh-address-01", "称呼客户用“您”，不用“你”", "impolite_address", "minor", "exact", 4.937, 5.138, "你",
            words(("你", 4.937, 5.138)), "The agent said “你”, an impolite form of address."),
    finding("zh-forbidden-01", "推诿搪塞：不知道／不清楚／不了解", "forbidden_phrase", "major", "exact", 11.837, 12.344,
            "不知道，", words(("不", 11.837, 12.006), ("知", 12.006, 12.175), ("道，", 12.175, 12.344)),
            "The agent said “不知道，”, a forbidden phrase."),
    finding("zh-forbidden-05", "推卸责任：让客户打别的电话", "forbidden_phrase", "critical", "exact", 18.112, 19.43,
            "你打别的电话问吧", words(("你", 18.112, 18.277), ("打", 18.277, 18.442), ("别", 18.442, 18.606),
                                      ("的", 18.606, 18.771), ("电", 18.771, 18.936), ("话", 18.936, 19.101),
                                      ("问", 19.101, 19.265), ("吧。", 19.265, 19.43)),
            "The agent sent the customer elsewhere."),
]


@pytest.fixture
def zhang_wei(ui_db) -> int:
    load_sample_calls(ui_db)
    with ui_db.session() as s:
        return s.execute(select(Call.id).where(Call.file_name == ZHANG_WEI)).scalar_one()


def store_findings(db, call_id, findings=FINDINGS) -> None:
    with db.session() as s:
        rulebook_id, _version = store_flags.ensure_rulebook(
            s, key="zh-CN", name="服务用语规范（默认）", language="zh-CN", content_hash="c1bf04b975cc" + "0" * 52,
            definition={"rules": []})
        store_flags.save_findings(s, call_id, rulebook_id, findings)


def stored(db, call_id) -> dict:
    with db.session() as s:
        return {f.rule_key: f for f in store_flags.flags_for_call(s, call_id)}


def history(db, flag_id) -> list:
    with db.session() as s:
        return store_flags.flag_history(s, flag_id)


def flags_view(qtbot, db, call_id, reviewer=REVIEWER, outputs=None) -> CallView:
    from qa_desk.store.users import local_user

    with db.session() as s:  # the file's local user, as the first run stores it (an admin by default)
        local_user(s, reviewer, "admin")
    view = CallView(db, output_factory=outputs or Outputs(), settings=Settings(reviewer_name=reviewer))
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    qtbot.waitExposed(view)
    view.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: view.flags.pages.currentWidget() is view.flags.list or view.flags.empty_text()
                    not in ("", "Reading flags…"), timeout=5000)
    return view


def type_chinese(widget, text: str) -> None:
    """Chinese arrives as an input method's commit, as from a pinyin IME (QTest types ASCII only)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def row_of(view, rule_key) -> int:
    return next(i for i, f in enumerate(view.flags.flags()) if f.rule_key == rule_key)


def click_flag(qtbot, view, rule_key) -> None:
    pane = view.flags
    rect = pane.list.visualRect(pane.model.index(row_of(view, rule_key)))
    qtbot.mouseClick(pane.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def wait_status(qtbot, view, rule_key, status) -> None:
    qtbot.waitUntil(lambda: view.flags.flags()[row_of(view, rule_key)].status == status, timeout=5000)


def test_flags_listed_marked_on_the_waveform_and_tinted_in_the_transcript(qtbot, ui_db, zhang_wei):
    store_findings(ui_db, zhang_wei)
    view = flags_view(qtbot, ui_db, zhang_wei)
    pane = view.flags
    texts = [pane.model.index(r).data() for r in range(pane.model.rowCount())]
    assert len(texts) == 5
    assert texts[0].startswith("Major · 0:00–0:10 · Required greeting")
    assert "Missing: required phrase not said" in texts[0]
    assert "Minor · 0:00 · Rhetorical question · “什么事”" in texts[1]
    assert "Possible match: sounds like the phrase (homophone)" in texts[1]
    assert texts[3] == ("Major · 0:11 · Forbidden phrase · “不知道，” · 推诿搪塞：不知道／不清楚／不了解 · Open")
    assert texts[4].startswith("Critical · 0:18 · Forbidden phrase · “你打别的电话问吧”")
    assert pane.counts.text() == "5 · 5 open"

    # Waveform: a bar per flag with a place (not the missing greeting), severity colours.
    bars = view.waveform.flag_marks.flag_spans()
    assert [round(a, 1) for a, _b, _id in bars] == [0.7, 4.9, 11.8, 18.1]
    assert "Flags" in [label for _y, label in view.waveform.plot.getAxis("left")._tickLevels[0]]
    # Transcript: the words each flag points at.
    by_key = {f.rule_key: f.id for f in pane.flags()}
    assert view.transcript.flag_words(by_key["zh-forbidden-01"]) == ["不知道，"]
    assert view.transcript.flag_words(by_key["zh-forbidden-05"]) == ["你打别的电话问吧。"]
    assert view.transcript.flag_words(by_key["zh-address-01"]) == ["你"]
    assert view.transcript.flag_words(by_key["zh-greeting-01"]) == []
    # The tooltip says why, and that nobody decided yet.
    tip = pane.model.index(3).data(Qt.ItemDataRole.ToolTipRole)
    assert "a forbidden phrase" in tip and "No decision yet." in tip


def test_clicking_a_flag_or_its_bar_plays_from_a_second_before_it(qtbot, ui_db, zhang_wei):
    store_findings(ui_db, zhang_wei)
    outputs = Outputs()
    view = flags_view(qtbot, ui_db, zhang_wei, outputs=outputs)
    click_flag(qtbot, view, "zh-forbidden-01")
    player = view.player()
    assert player.state == "playing"
    assert player.position() == pytest.approx(11.837 - 1.0, abs=0.02)
    assert view.flags.selected_flag().rule_key == "zh-forbidden-01"
    player.pause()

    # The critical flag's bar above the lanes.
    wave = view.waveform
    scene = wave.vb.mapViewToScene(QPointF(18.5, MARK_ROW / 2))
    qtbot.mouseClick(wave.plot.viewport(), Qt.MouseButton.LeftButton, pos=wave.plot.mapFromScene(scene))
    assert view.flags.selected_flag().rule_key == "zh-forbidden-05"
    assert player.state == "playing"
    assert player.position() == pytest.approx(18.112 - 1.0, abs=0.02)
    player.pause()

    # Keyboard: Down to the next flag, Enter plays it.
    view.flags.list.setFocus()
    view.flags.select_flag(view.flags.flags()[row_of(view, "zh-address-01")].id)
    qtbot.keyClick(view.flags.list, Qt.Key.Key_Down)
    assert view.flags.selected_flag().rule_key == "zh-forbidden-01"
    qtbot.keyClick(view.flags.list, Qt.Key.Key_Up)
    qtbot.keyClick(view.flags.list, Qt.Key.Key_Return)
    assert player.position() == pytest.approx(4.937 - 1.0, abs=0.02)


def test_confirm_with_c_records_the_reviewer(qtbot, ui_db, zhang_wei):
    store_findings(ui_db, zhang_wei)
    view = flags_view(qtbot, ui_db, zhang_wei)
    pane = view.flags
    messages = []
    view.message.connect(messages.append)
    click_flag(qtbot, view, "zh-forbidden-01")
    view.player().pause()
    assert pane.confirm_button.isEnabled() and not pane.reopen_button.isEnabled()
    qtbot.keyClick(pane.list, Qt.Key.Key_C)
    wait_status(qtbot, view, "zh-forbidden-01", "confirmed")
    flag = stored(ui_db, zhang_wei)["zh-forbidden-01"]
    assert flag.status == "confirmed" and flag.decided_by == REVIEWER
    assert [(e.action, e.by) for e in history(ui_db, flag.id)] == [("confirmed", REVIEWER)]
    assert pane.model.index(row_of(view, "zh-forbidden-01")).data().endswith("Confirmed · 王质检")
    assert pane.selected_flag().rule_key == "zh-forbidden-01"  # the list keeps its place
    assert not pane.confirm_button.isEnabled() and pane.reopen_button.isEnabled()
    assert pane.counts.text() == "5 · 4 open"
    assert f"Flag confirmed by {REVIEWER}." in messages
    tip = pane.model.index(row_of(view, "zh-forbidden-01")).data(Qt.ItemDataRole.ToolTipRole)
    assert "王质检 · Confirmed" in tip


def test_dismiss_asks_for_a_reason_and_cancel_changes_nothing(qtbot, ui_db, zhang_wei):
    store_findings(ui_db, zhang_wei)
    view = flags_view(qtbot, ui_db, zhang_wei)
    pane = view.flags
    click_flag(qtbot, view, "zh-rhetorical-01")
    view.player().pause()

    qtbot.keyClick(pane.list, Qt.Key.Key_D)
    dialog = pane.dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Dismiss flag"
    assert not dialog.ok_button.isEnabled()  # no reason yet
    qtbot.keyClicks(dialog.text, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert stored(ui_db, zhang_wei)["zh-rhetorical-01"].status == "open"

    qtbot.mouseClick(pane.dismiss_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    type_chinese(dialog.text, "客户问的是")
    assert dialog.ok_button.isEnabled()
    dialog.text.clear()
    qtbot.mouseClick(dialog.findChild(type(pane.dismiss_button), "reason1"), Qt.MouseButton.LeftButton)  # a quick pick
    assert dialog.value() == "Speech recognition error: not what was said"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_status(qtbot, view, "zh-rhetorical-01", "dismissed")
    flag = stored(ui_db, zhang_wei)["zh-rhetorical-01"]
    assert (flag.decided_by, flag.dismiss_reason) == (REVIEWER, "Speech recognition error: not what was said")
    text = pane.model.index(row_of(view, "zh-rhetorical-01")).data()
    assert text.endswith("Dismissed · 王质检")
    # A dismissed flag's bar turns grey and its words are no longer tinted.
    assert view.transcript.flag_words(flag.id) == []


def test_note_reopen_and_history_each_record_who(qtbot, ui_db, zhang_wei):
    store_findings(ui_db, zhang_wei)
    with ui_db.session() as s:
        flag_id = stored(ui_db, zhang_wei)["zh-forbidden-05"].id
        store_flags.confirm(s, flag_id, Actor("李组长", "lead"))
    view = flags_view(qtbot, ui_db, zhang_wei)
    pane = view.flags
    click_flag(qtbot, view, "zh-forbidden-05")
    view.player().pause()
    assert pane.model.index(row_of(view, "zh-forbidden-05")).data().endswith("Confirmed · 李组长")

    qtbot.mouseClick(pane.note_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog.windowTitle() == "Note on flag" and not dialog.ok_button.isEnabled()
    type_chinese(dialog.text, "培训时用作反面案例")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.flags()[row_of(view, "zh-forbidden-05")].note == "培训时用作反面案例", timeout=5000)

    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_R)
    wait_status(qtbot, view, "zh-forbidden-05", "open")
    assert [(e.action, e.by, e.text) for e in history(ui_db, flag_id)] == [
        ("confirmed", "李组长", None), ("noted", REVIEWER, "培训时用作反面案例"), ("reopened", REVIEWER, None)]

    qtbot.mouseClick(pane.history_button, Qt.MouseButton.LeftButton)
    rows = pane.dialog.rows()
    assert [(who, what, text) for _when, who, what, text in rows] == [
        ("李组长", "Confirmed", ""), (REVIEWER, "Note", "培训时用作反面案例"), (REVIEWER, "Reopened", "")]
    pane.dialog.reject()
    card = pane.model.index(row_of(view, "zh-forbidden-05")).data()
    assert card.endswith("Open")


def test_empty_states_and_the_rescan_request(qtbot, ui_db, zhang_wei):
    view = flags_view(qtbot, ui_db, zhang_wei)
    pane = view.flags
    assert pane.empty_text() == "Not checked yet"
    asked = []
    view.rescan_requested.connect(asked.append)
    qtbot.mouseClick(pane.empty_button, Qt.MouseButton.LeftButton)
    assert asked == [zhang_wei]
    view.set_checking(True)
    assert pane.empty_text() == "Checking the call against the rulebook…"

    store_findings(ui_db, zhang_wei, [])  # what a scan that finds nothing stores
    view.reload_flags()
    qtbot.waitUntil(lambda: pane.empty_text() == "No flags: this call meets the standard", timeout=5000)
    assert pane.empty_detail.text().startswith("Checked with 服务用语规范（默认） (version 1) on ")
    assert view.waveform.flag_marks.flag_spans() == [] and pane.actions_row.isHidden()


# --- screenshots --------------------------------------------------------------------------------


def decided_flags(db, call_id) -> None:
    """Several flags of each severity, one confirmed and one dismissed (with a note)."""
    store_findings(db, call_id)
    keys = stored(db, call_id)
    with db.session() as s:
        store_flags.confirm(s, keys["zh-forbidden-01"].id, Actor("王质检", "reviewer"))
        store_flags.dismiss(s, keys["zh-rhetorical-01"].id, Actor("李组长", "lead"), "语音识别错误，坐席说的是“什么事儿”的语气词")
        store_flags.add_note(s, keys["zh-forbidden-05"].id, Actor("王质检", "reviewer"), "培训时用作反面案例")


def screenshot_window(qtbot, services, call_id):
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    view = window.open_call(call_id)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: len(view.flags.flags()) == 5, timeout=5000)
    view.flags.select_flag(view.flags.flags()[row_of(view, "zh-forbidden-05")].id)
    view.seek(18.6)
    qtbot.wait(100)
    return window


def test_screenshot_call_flags(qtbot, services, zhang_wei, screenshots_dir):
    decided_flags(services.db, zhang_wei)
    window = screenshot_window(qtbot, services, zhang_wei)
    assert window.grab().save(str(screenshots_dir / "call_flags.png"))


ZH = {
    **WINDOW_ZH,
    "Flags": "质检标记", "Check again": "重新检查", "Confirm": "确认", "Dismiss…": "驳回…", "Note…": "备注…",
    "Reopen": "重新打开", "History": "记录", "{0} · {1} open": "{0} 条 · {1} 条待处理", "Open": "待处理",
    "Confirmed · {0}": "已确认 · {0}", "Dismissed · {0}": "已驳回 · {0}", "Critical": "严重", "Major": "重要",
    "Minor": "轻微", "Forbidden phrase": "服务禁语", "Required greeting": "开场白", "Impolite address": "不礼貌称呼",
    "Rhetorical question": "反问", "Agent": "坐席", "Customer": "客户",
    "Possible match: sounds like the phrase (homophone)": "疑似匹配：同音字",
    "Missing: required phrase not said": "缺失：未说规定用语", "Reason: {0}": "驳回理由：{0}", "Note: {0}": "备注：{0}",
    "Transcript": "转写", "Search this call": "在本通话中搜索", "← Back to calls": "← 返回通话列表",
    "Whole call": "整通", "Marks": "标记", "Play": "播放", "Speed": "语速", "Volume": "音量", "Listen to": "收听",
    "Both": "双方", "Loop selection": "循环所选", "Shortcuts": "快捷键", "Talk time": "通话时长",
    "Talk-to-listen": "说听比", "Longest silence": "最长静音", "Holds": "保持", "Overtalk": "抢话",
    "Agent's first words": "坐席首句用时",
}


class Chinese:
    """The stand-in zh_CN translation of test_jobs_panel, with the flags' strings."""

    def __init__(self, app):
        from PySide6.QtCore import QTranslator

        class Translator(QTranslator):
            def translate(self, context, source, disambiguation=None, n=-1):  # noqa: N802
                return ZH.get(source)

            def isEmpty(self):  # noqa: N802
                return False

        self.app, self.translator = app, Translator()

    def __enter__(self):
        self.app.installTranslator(self.translator)
        return self

    def __exit__(self, *exc):
        self.app.removeTranslator(self.translator)


def test_screenshot_call_flags_in_chinese(qtbot, qapp, services, zhang_wei, screenshots_dir):
    decided_flags(services.db, zhang_wei)
    with Chinese(qapp):
        window = screenshot_window(qtbot, services, zhang_wei)
        pane = window.call_view.flags
        assert pane.title.text() == "质检标记" and pane.confirm_button.text() == "确认"
        assert pane.model.index(row_of(window.call_view, "zh-forbidden-01")).data().endswith("已确认 · 王质检")
        for button in (pane.confirm_button, pane.dismiss_button, pane.note_button, pane.reopen_button,
                       pane.history_button):
            assert button.width() >= button.sizeHint().width(), button.text()
        assert window.grab().save(str(screenshots_dir / "call_flags_zh.png"))
