"""The transcript pane: empty state, utterances by speaker, the current word, click to seek, search.

Transcripts are rows in a real database (Transcript + Utterance), read back with
store.transcripts.latest_transcript, as the call view does. The helpers here also
serve the call view's tests and screenshots (the sample calls' scripted lines).
"""

from __future__ import annotations


import json
import re
from pathlib import Path

from PySide6.QtCore import Qt

from qa_desk.store.calls import add_call
from qa_desk.store.models import Transcript, Utterance
from qa_desk.store.transcripts import latest_transcript
from qa_desk.ui.transcript_pane import TranscriptPane, join_words

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9'.-]+|\S")
# Enough of a word list to cut the sample calls' Chinese the way an engine would.
_ZH_WORDS = set(
    "您好 欢迎 致电 星海 通信 工号 为您 服务 请问 有什么 可以 帮您 这个月 话费 怎么 多了 五十块 好的 请您 稍等 "
    "我帮您 查询 一下 抱歉 让您 久等了 本月 开通了 视频 会员 每月 五十元 开通过 帮我 退掉 已为您 退订 费用 三个 "
    "工作日 退回 还有 什么 帮到 您的 没有了 谢谢 感谢 来电 再见 什么事 你好 我家 宽带 昨天 开始 上不了网 重启 "
    "路由器 重启过了 还是 不行 什么时候 修好 不知道 你自己 试试 能不能 派个 师傅 上门 看看 这个 别的 电话 问吧".split()
)


def _segment(run: str) -> list[str]:
    """Greedy longest match over the word list; unknown characters stand alone."""
    out, i = [], 0
    while i < len(run):
        size = next((n for n in (4, 3, 2) if run[i:i + n] in _ZH_WORDS), 1)
        out.append(run[i:i + size])
        i += size
    return out


def words_of(text: str, start: float, end: float) -> list[dict]:
    """Words with times spread over the line, as an engine would give them.

    Chinese is cut into words from a small word list, other text at spaces; punctuation
    sticks to the word before it (join_words then writes it back without a space).
    """
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if tokens and not re.match(r"[\w\u3400-\u9fff]", token):
            tokens[-1] += token
        elif re.match(r"[\u3400-\u9fff]", token):
            tokens.extend(_segment(token))
        else:
            tokens.append(token)
    weights = [len(t) for t in tokens]
    total, at, words = sum(weights), start, []
    for token, weight in zip(tokens, weights):
        span = (end - start) * weight / total
        words.append({"word": token, "start": round(at, 3), "end": round(at + span * 0.9, 3), "conf": 0.9})
        at += span
    return words


def sample_script(file_name: str) -> dict:
    calls = json.loads((SAMPLES / "transcripts.json").read_text(encoding="utf-8"))["calls"]
    return next(c for c in calls if c["file"] == file_name)


def add_sample_transcript(db, call_id: int, file_name: str) -> None:
    """The sample call's scripted lines stored as its transcript (as transcription will)."""
    script = sample_script(file_name)
    with db.session() as session:
        transcript = Transcript(call_id=call_id, engine="vosk", model_name="vosk-model-small-cn-0.22",
                                language=script["language"])
        transcript.utterances = [
            Utterance(speaker=s["speaker"], start=s["start"], end=s["end"], text=s["text"],
                      words=words_of(s["text"], s["start"], s["end"]))
            for s in script["segments"]
        ]
        session.add(transcript)


def stored_transcript(db, file_name: str):
    with db.session() as session:
        call_id = add_call(session, dict(
            file_path=str(SAMPLES / file_name), file_name=file_name, content_hash=file_name.encode().hex()[:64],
            file_size=1, audio_format="WAV", codec="PCM_16", duration=35.0, sample_rate=8000, channels=2,
            channel_map={"0": "agent", "1": "customer"},
        ))
    add_sample_transcript(db, call_id, file_name)
    with db.session() as session:
        return latest_transcript(session, call_id)


LI_NA = "Li Na_20261103-091502_13800138000.flac"
SARAH = "Sarah Mitchell_20261104-101845_2125550147.wav"


def make_pane(qtbot) -> TranscriptPane:
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.resize(420, 600)
    pane.show()
    return pane


def test_join_words_spaces_only_between_non_chinese_words():
    assert join_words(["您好，", "欢迎", "1023", "为您"]) == ("您好，欢迎1023为您", [(0, 3), (3, 5), (5, 9), (9, 11)])
    assert join_words(["Thank", "you", ",", "Sarah."])[0] == "Thank you, Sarah."


def test_empty_state_until_a_transcript_exists(qtbot):
    pane = make_pane(qtbot)
    assert pane.pages.currentWidget() is pane.empty
    assert pane.empty.text() == "Not transcribed yet"
    assert pane.empty.button.text() == "Transcribe" and not pane.empty.button.isHidden()
    assert pane.search_row.isHidden()
    assert not pane.has_transcript()
    pane.set_position(3.0)
    assert pane.current_word() is None


def test_utterances_by_speaker_with_times(qtbot, ui_db):
    pane = make_pane(qtbot)
    pane.set_transcript(stored_transcript(ui_db, LI_NA))
    assert pane.pages.currentWidget() is pane.text
    text = pane.text.toPlainText()
    lines = text.split("\n")
    assert lines[:4] == [
        "Agent  0:00", "您好，欢迎致电星海通信，工号1023为您服务，请问有什么可以帮您？",
        "Customer  0:07", "我这个月的话费怎么多了五十块？",
    ]
    assert text.count("Agent  ") == 5 and text.count("Customer  ") == 3
    assert "vosk-model-small-cn-0.22" in pane.source.text()


def test_current_word_follows_the_position(qtbot, ui_db):
    pane = make_pane(qtbot)
    transcript = stored_transcript(ui_db, LI_NA)
    pane.set_transcript(transcript)
    customer = transcript.utterances[1]
    word = customer.words[3]  # "话费" in the customer's first line
    pane.set_position((word.start + word.end) / 2)
    assert pane.current_word() == word.word == "话费"
    assert len(pane.text.extraSelections()) == 2  # the line, and the word in it
    pane.set_position(15.0)  # the hold: the agent's last word is long over
    assert pane.current_word() is None
    pane.set_position(0.0)
    assert pane.current_word() is None  # before anyone speaks


def test_clicking_a_word_seeks_to_it(qtbot, ui_db):
    pane = make_pane(qtbot)
    pane.set_transcript(stored_transcript(ui_db, SARAH))
    position, start = pane.spot_for_word("account")
    with qtbot.waitSignal(pane.seek_requested) as sought:
        qtbot.mouseClick(pane.text.viewport(), Qt.MouseButton.LeftButton, pos=pane.point_for_position(position))
    assert sought.args == [start]
    assert 5.5 < start < 8.9  # in the customer's first line


def test_search_highlights_and_steps_through_matches(qtbot, ui_db):
    pane = make_pane(qtbot)
    pane.set_transcript(stored_transcript(ui_db, LI_NA))
    pane.search.setText("退")
    assert pane.matches() == ["退", "退", "退"]  # 退掉, 退订, 退回
    assert pane.match_label.text() == "1 of 3"
    pane.find_next()
    pane.find_next()
    assert pane.match_label.text() == "3 of 3"
    pane.find_next()
    assert pane.current_match() == 0
    pane.find_previous()
    assert pane.match_label.text() == "3 of 3"
    assert len(pane.text.extraSelections()) == 3
    pane.search.setText("没有这个词")
    assert pane.match_label.text() == "No match" and pane.matches() == []


def test_search_ignores_case(qtbot, ui_db):
    pane = make_pane(qtbot)
    pane.set_transcript(stored_transcript(ui_db, SARAH))
    assert pane.find("THANK YOU") == 3
    qtbot.keyClick(pane.search, Qt.Key.Key_Return)
    assert pane.current_match() == 1
