"""What a rule means for a whole call: windows, required phrases, counts and rates, speakers,
holds, and the findings' shape."""

from __future__ import annotations

import json
import textwrap

import pytest

from qa_desk.audio.metrics import CallMetrics
from qa_desk.audio.vad import Segment
from qa_desk.scoring.checks import check_call, check_text
from qa_desk.scoring.findings import Finding
from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook, parse_rulebook
from qa_desk.store.transcripts import UtteranceView, Word
from qa_desk.transcription.words import join_words


@pytest.fixture(scope="module")
def zh():
    return load_rulebook(default_rulebook_path("zh-CN"))


def said(speaker: str, start: float, text: str, step: float = 0.3) -> UtteranceView:
    words = text.split()
    timed = tuple(Word(w, round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3)) for i, w in enumerate(words))
    return UtteranceView(speaker, timed[0].start, timed[-1].end, join_words(words), timed)


def metrics(duration: float, silences=(), holds=None, **extra) -> CallMetrics:
    silences = [Segment(a, b) for a, b in silences]
    values = dict(duration=duration, talk={"agent": 60.0, "customer": 60.0}, talk_ratio=1.0, silences=silences,
                  longest_silence=max((s.duration for s in silences), default=0.0),
                  holds=[s for s in silences if s.duration >= 20] if holds is None else holds,
                  overtalk=[], first_agent_words=1.0, params={"hold_seconds": 20.0})
    values.update(extra)
    return CallMetrics(**values)


def book(rules: str, language: str = "zh-CN"):
    text = f"key: t\nname: t\nlanguage: {language}\nrules:\n" + textwrap.indent(textwrap.dedent(rules).strip("\n"), "  ")
    return parse_rulebook(text + "\n", "t.yaml")


def keys(findings, kind=None):
    return [f.rule_key for f in findings if kind is None or f.kind == kind]


GOOD_CALL = [
    said("agent", 1.0, "您好 很 高兴 为您 服务 请问 有 什么 可以 帮 您"),
    said("customer", 5.0, "我 想 查 一下 账单"),
    said("agent", 8.0, "好的 我 帮 您 查询 一下"),
    said("customer", 40.0, "好 的 谢谢"),
    said("agent", 45.0, "请问 还有 什么 可以 帮 到 您 的 吗"),
    said("customer", 50.0, "没有 了"),
    said("agent", 52.0, "感谢 您 的 来电 再见"),
]


def test_a_call_that_follows_the_standard_has_no_findings(zh):
    assert check_call(zh, GOOD_CALL, metrics(60.0), 60.0) == []


def test_greeting_window_present_or_missing(zh):
    late = [said("agent", 15.0, "您好 很 高兴 为您 服务")] + GOOD_CALL[1:]
    findings = check_call(zh, late, None, 60.0)
    missing = [f for f in findings if f.rule_key == "zh-greeting-01"]
    assert len(missing) == 1
    f = missing[0]
    assert (f.kind, f.start, f.end, f.speaker, f.matched_text, f.words) == ("missing", 0.0, 10.0, "agent", None, ())
    assert f.reason == "The agent did not say “您好” within the first 10 s."
    assert "zh-greeting-02" not in keys(findings)  # its window is 20 s: 15 s is in time
    # A straddling utterance: the words' own times decide.
    straddle = [said("agent", 8.5, "喂 喂 喂 喂 您好", step=0.4)] + GOOD_CALL[1:]
    assert "zh-greeting-01" in keys(check_call(zh, straddle, None, 60.0))
    straddle = [said("agent", 8.5, "喂 喂 您好", step=0.4)] + GOOD_CALL[1:]
    assert "zh-greeting-01" not in keys(check_call(zh, straddle, None, 60.0))


def test_closing_is_counted_back_from_the_last_words(zh):
    early = GOOD_CALL[:-1] + [said("agent", 52.0, "好 的"), said("customer", 120.0, "嗯 好")]
    findings = check_call(zh, early, None, 200.0)
    missing = {f.rule_key: f for f in findings if f.kind == "missing"}
    assert set(missing) == {"zh-closing-01", "zh-closing-02", "zh-closing-03"}
    last = early[-1].end
    assert (missing["zh-closing-02"].start, missing["zh-closing-02"].end) == (pytest.approx(last - 30), pytest.approx(last))
    # Recording running on after the last words does not make the closing "missing".
    assert check_call(zh, GOOD_CALL, None, 300.0) == []


def test_counts_and_rates_give_one_finding_listing_every_occurrence():
    rulebook = book("""
        - id: c-1
          title: 不好意思
          category: filler_words
          severity: minor
          phrases: [不好意思]
          kind: {at_most: 2}
        - id: c-2
          title: 嗯
          category: filler_words
          severity: minor
          phrases: [嗯]
          at: utterance start
          kind: {per_minute: 2}
          min_count: 3
    """)
    call = [said("agent", 10.0 * i, "不好意思 让 您 久等") for i in range(3)]
    f, = check_call(rulebook, call, None, 60.0)
    assert (f.rule_key, f.kind, f.start, f.end) == ("c-1", "count", 10.0 * 0, pytest.approx(call[2].words[0].end))
    assert f.occurrences == tuple((u.words[0].start, u.words[0].end) for u in call)
    assert f.matched_text == "不好意思 · 不好意思 · 不好意思"
    assert len(f.words) == 3 and f.reason.endswith("3 times (at most 2 are allowed).")
    assert check_call(rulebook, call[:2], None, 60.0) == []
    # 3 fillers in 1.5 minutes of talk: 2 a minute is not more than 2; 4 is.
    fillers = [said("agent", 30.0 * i, "嗯 好的 " + "我 看 一下 " * 9, step=0.5) for i in range(3)]
    talk = sum(u.end - u.start for u in fillers) / 60
    assert 3 / talk > 2 and check_call(rulebook, fillers, None, 90.0)[0].kind == "count"
    m = metrics(90.0, talk={"agent": 120.0, "customer": 10.0})  # the audio's talk time is used when known
    assert check_call(rulebook, fillers, m, 90.0) == []
    assert check_call(rulebook, fillers[:2], None, 90.0) == []  # fewer than min_count never fire


def test_speakers_any_customer_and_mono():
    rulebook = book("""
        - id: s-1
          title: 投诉
          category: forbidden_phrase
          severity: minor
          speaker: customer
          phrases: [投诉你们]
        - id: s-2
          title: 脏话
          category: forbidden_phrase
          severity: major
          speaker: any
          phrases: [我靠]
        - id: s-3
          title: 不知道
          category: forbidden_phrase
          severity: major
          phrases: [不知道]
    """)
    call = [said("customer", 1.0, "我 要 投诉 你们 我靠"), said("agent", 5.0, "我靠 投诉 你们 不 知道")]
    found = sorted((f.rule_key, f.speaker) for f in check_call(rulebook, call, None, 10.0))
    assert found == [("s-1", "customer"), ("s-2", "agent"), ("s-2", "customer"), ("s-3", "agent")]
    # On a mono recording nobody can tell who spoke: agent rules fire as "possible".
    mono = [said("mixed", 1.0, "我 要 投诉 你们 不 知道")]
    f, = check_call(rulebook, mono, None, 10.0)
    assert (f.rule_key, f.speaker, f.kind, f.confidence) == ("s-3", "mixed", "possible", 0.5)
    assert "mono recording" in f.reason


def test_hold_courtesy_before_and_after_long_holds(zh):
    call = GOOD_CALL[:3] + [said("agent", 10.0, "好的 请您 稍等"), said("agent", 75.0, "抱歉 让您 久等 了")] + [
        said("customer", 80.0, "好"), said("agent", 85.0, "请问 还有 什么 可以 帮 到 您 的 吗"),
        said("agent", 90.0, "感谢 您 的 来电 再见")]
    hold = metrics(100.0, silences=[(11.0, 74.0)])
    findings = check_call(zh, call, hold, 100.0)
    # Announced and thanked; a 63 s hold is still longer than the 60 s target.
    assert keys(findings) == ["zh-hold-silence-01"]
    assert findings[0].kind == "acoustic" and (findings[0].start, findings[0].end) == (11.0, 74.0)
    silent = [u for u in call if "稍等" not in u.text and "久等" not in u.text]
    findings = {f.rule_key: f for f in check_call(zh, silent, hold, 100.0)}
    assert {"zh-hold-01", "zh-hold-02", "zh-dead-air-01"} <= set(findings)
    before, after = findings["zh-hold-01"], findings["zh-hold-02"]
    assert (before.kind, before.start, before.end) == ("missing", 0.0, 11.0)
    assert (after.kind, after.start, after.end) == ("missing", 74.0, 89.0)
    assert "the 63 s hold at 0:11.0" in before.reason
    # A 25 s hold needs announcing but is not "long": no apology required.
    short = metrics(100.0, silences=[(11.0, 36.0)])
    assert {"zh-hold-01", "zh-dead-air-01"} <= set(keys(check_call(zh, silent, short, 100.0)))
    assert "zh-hold-02" not in keys(check_call(zh, silent, short, 100.0))
    # Without metrics nobody knows where the holds were.
    assert not {"zh-hold-01", "zh-hold-02"} & set(keys(check_call(zh, silent, None, 100.0)))


def test_check_text_explains_each_rule_it_triggers(zh):
    assert [(f.rule_key, f.kind) for f in check_text(zh, "您好 很 高兴 为您 服务", at=2.0)] == [
        ("zh-greeting-01", "exact"), ("zh-greeting-02", "exact")]
    f = check_text(zh, "您好", at=2.0)[0]
    assert f.reason == ("The agent said “您好”: it counts as the required greeting the rule “开场问候“您好”” "
                        "requires within the first 10 s.")
    assert (f.start, f.end) == (2.0, 2.0)
    assert [f.rule_key for f in check_text(zh, "您好", at=12.0)] == []  # too late for "first 10 s"
    assert [f.rule_key for f in check_text(zh, "感谢 您 的 来电", at=500.0)] == ["zh-closing-02"]
    assert check_text(zh, "不知道", speaker="customer") == []


def test_findings_are_json_and_round_trip(zh):
    findings = check_call(zh, [said("agent", 1.0, "您好 我 不 知道 你 爱 找 谁 找 谁 区")], metrics(30.0), 30.0)
    assert findings
    for f in findings:
        data = json.loads(json.dumps(f.as_dict(), ensure_ascii=False))
        assert Finding.from_dict(data).as_dict() == data
    first = findings[0].as_dict()
    assert set(first) >= {"rule_key", "rule_title", "category", "severity", "speaker", "start", "end",
                          "matched_text", "words", "kind", "confidence", "reason", "form_item"}


def test_dicts_and_utterances_without_words_are_accepted(zh):
    as_dicts = [{"speaker": "agent", "start": 20.0, "end": 22.0, "text": "我不知道",
                 "words": [{"word": "我", "start": 20.0, "end": 20.4}, {"word": "不知道", "start": 20.4, "end": 21.5}]}]
    f = next(f for f in check_call(zh, as_dicts, None, 30.0) if f.rule_key == "zh-forbidden-01")
    assert (f.start, f.end, f.matched_text) == (20.0, 21.5, "我不知道")
    assert f.words == ({"word": "我", "start": 20.0, "end": 20.4}, {"word": "不知道", "start": 20.4, "end": 21.5})
    subtitles = [UtteranceView("agent", 20.0, 23.0, "这个我不知道，你问别人吧。", ())]
    f = next(f for f in check_call(zh, subtitles, None, 30.0) if f.rule_key == "zh-forbidden-01")
    assert (f.start, f.end, f.matched_text, f.words) == (20.0, 23.0, "我不知道", ())


def test_without_a_transcript_only_acoustic_rules_run(zh):
    m = metrics(100.0, silences=[(10.0, 25.0)], first_agent_words=12.0)
    assert keys(check_call(zh, [], m, 100.0)) == ["zh-first-words-01", "zh-dead-air-01"]
    assert check_call(zh, [], None, 100.0) == []
