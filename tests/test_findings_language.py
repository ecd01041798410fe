"""The sentences the rule checker and the sampler write for a person come out in that
person's language: each is one whole template, found by its exact English source and
filled after translation, so a translator can put the placeholders where Chinese wants them."""

from __future__ import annotations

import textwrap
from datetime import date, datetime

import pytest

from qa_desk import wording
from qa_desk.audio.metrics import CallMetrics, Overtalk
from qa_desk.audio.vad import Segment
from qa_desk.scoring.checks import check_call, check_text
from qa_desk.scoring.periods import parse_period
from qa_desk.scoring.rulebook import (
    RulebookError,
    default_rulebook_path,
    load_rulebook,
    parse_rulebook,
)
from qa_desk.scoring.sampling import (
    Candidate,
    SamplingRule,
    SamplingRuleError,
    select_calls,
)
from qa_desk.store.transcripts import UtteranceView, Word
from qa_desk.transcription.words import join_words

ZH = {
    ("Findings", "agent"): "坐席",
    ("Findings", "customer"): "客户",
    ("Findings", "speaker"): "说话人",
    ("Findings", "a forbidden phrase"): "禁用语",
    ("Findings", "the required greeting"): "规定的开场问候语",
    ("Findings", "within the first {seconds:g} s"): "在前 {seconds:g} 秒内",
    ("Findings", ", "): "、",
    ("Findings", "{phrases} or a similar phrase"): "{phrases}或类似说法",
    ("Findings", "The {who} said “{said}”, {noun} under the rule “{rule}”."):
        "{who}说了“{said}”，属于规则“{rule}”中的{noun}。",
    ("Findings", ("The {who} said “{said}”, {noun} under the rule “{rule}”; on a mono recording it may have been "
                  "the customer.")): "{who}说了“{said}”，属于规则“{rule}”中的{noun}；这是单声道录音，也可能是客户说的。",
    ("Findings", "The agent did not say {phrases} {window}."): "坐席未{window}说{phrases}。",
    ("Findings", "The {who} said “{said}”: it counts as {noun} the rule “{rule}” requires {window}."):
        "{who}说了“{said}”：这算作规则“{rule}”要求{window}说的{noun}。",
    ("Findings", "{what}; {allowed}."): "{what}；{allowed}。",
    ("Findings", "The agent started talking over the customer {n} times ({total:.1f} s in all)"):
        "坐席在客户说话时抢话 {n} 次（共 {total:.1f} 秒）",
    ("Findings", "the rule allows {count} times and {seconds:g} s in all"): "规则允许 {count} 次、共 {seconds:g} 秒",
    ("Findings", ("The {who} spoke {rate:.0f} characters a minute (the rule wants {low:g}–{high:g} characters a "
                  "minute).")): "{who}的语速为每分钟 {rate:.0f} 字（规则要求每分钟 {low:g}–{high:g} 字）。",
    ("Sampling", "{flags} critical flags: #{rank} most flagged of {agent}'s {eligible} eligible calls in {period}"):
        "{flags} 个致命项标记：在{agent}于 {period} 的 {eligible} 通符合条件的通话中标记数排第 {rank}",
    ("Sampling", "{why}; new agent (hired {hired})"): "{why}；新坐席（入职于 {hired}）",
    ("Sampling", "rule '{rule}': {why}"): "规则“{rule}”：{why}",
    ("Sampling", "sampling rule '{name}'"): "抽样规则“{name}”",
    ("Sampling", "{rule}: {problem}"): "{rule}：{problem}",
    ("Sampling", "calls per agent must be a whole number of 1 or more, not {value!r}"):
        "每位坐席的通话数必须是大于等于 1 的整数，而不是 {value!r}",
    ("Errors", "rule {id}"): "规则 {id}",
    ("Errors", "id '{id}' is used twice (first at line {line})"): "id“{id}”用了两次（第一次在第 {line} 行）",
}

RULES = """key: t
name: t
language: zh-CN
rules:
  - {id: talkover, title: 打断, category: overtalk, severity: major, count: 2, seconds: 10}
  - {id: pace, title: 语速, category: speech_rate, severity: minor, unit: characters, min: 120, max: 300}
  - {id: greet, title: 问候, category: required_greeting, severity: minor, phrases: [您好, 你好, 早上好, 下午好], window: first 10 s}
  - {id: first, title: 开口慢, category: first_words_latency, severity: minor, seconds: 8}
"""


@pytest.fixture
def chinese():
    asked: list[tuple[str, str]] = []

    def lookup(context: str, source: str) -> str:
        asked.append((context, source))
        return ZH.get((context, source), "")

    wording.use(lookup)  # tests/conftest.py puts English back after the test
    return asked


@pytest.fixture
def marked():
    """Every source comes back wrapped in ⟦…⟧: a sentence that is one whole template is
    wrapped as a whole, with nothing glued on outside it."""
    wording.use(lambda context, source: f"⟦{source}⟧")


@pytest.fixture(scope="module")
def zh():
    return load_rulebook(default_rulebook_path("zh-CN"))


def said(speaker: str, start: float, text: str, step: float = 0.3) -> UtteranceView:
    words = text.split()
    timed = tuple(Word(w, round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3))
                  for i, w in enumerate(words))
    return UtteranceView(speaker, timed[0].start, timed[-1].end, join_words(words), timed)


def metrics(**values) -> CallMetrics:
    base = {"duration": 300.0, "talk": {"agent": 120.0, "customer": 100.0}, "talk_ratio": 1.2, "silences": [],
                "longest_silence": 0.0, "holds": [], "overtalk": [], "first_agent_words": 1.5,
                "speech_rate": {"agent": 220.0, "customer": 200.0}, "speech_rate_unit": "characters",
                "params": {"min_silence": 3.0, "hold_seconds": 20.0, "min_overtalk": 0.3}}
    base.update(values)
    return CallMetrics(**base)


def forbidden_rule(rulebook):
    return next(r for r in rulebook.rules if r.category == "forbidden_phrase" and "不知道" in r.phrases)


def test_a_forbidden_phrase_finding_reads_in_chinese_with_what_was_said_and_the_rule(zh, chinese):
    f, = check_text(zh, "不知道")
    rule = forbidden_rule(zh)
    assert f.rule_key == rule.id
    assert f.reason == f"坐席说了“不知道”，属于规则“{rule.title}”中的禁用语。"
    # Looked up by the whole sentence's exact source, not by pieces of it.
    assert ("Findings", "The {who} said “{said}”, {noun} under the rule “{rule}”.") in chinese


def test_the_mono_warning_is_part_of_the_same_translated_sentence(chinese):
    rulebook = parse_rulebook(textwrap.dedent("""\
        key: t
        name: t
        language: zh-CN
        rules:
          - {id: s-3, title: 不知道, category: forbidden_phrase, severity: major, phrases: [不知道]}
        """), "t.yaml")
    f, = check_call(rulebook, [said("mixed", 1.0, "我 要 投诉 你们 不 知道")], None, 10.0)
    assert f.reason == "说话人说了“不知道”，属于规则“不知道”中的禁用语；这是单声道录音，也可能是客户说的。"


def test_a_missing_greeting_puts_the_window_where_chinese_wants_it(chinese):
    rulebook = parse_rulebook(RULES, "t.yaml")
    f, = [f for f in check_call(rulebook, [said("agent", 15.0, "您好 请问 有 什么 可以 帮 您")], None, 60.0)
          if f.rule_key == "greet"]
    assert f.reason == "坐席未在前 10 秒内说“您好”、“你好”、“早上好”或类似说法。"
    f, = check_text(rulebook, "您好", at=2.0)
    assert f.reason == "坐席说了“您好”：这算作规则“问候”要求在前 10 秒内说的规定的开场问候语。"


def test_audio_findings_read_in_chinese(chinese):
    rulebook = parse_rulebook(RULES, "t.yaml")
    three = [Overtalk(10.0, 11.0, "agent"), Overtalk(20.0, 21.0, "agent"), Overtalk(50.0, 51.5, "agent")]
    found = {f.rule_key: f.reason for f in check_call(
        rulebook, [], metrics(overtalk=three, speech_rate={"agent": 340.0}), 300.0)}
    assert found["talkover"] == "坐席在客户说话时抢话 3 次（共 3.5 秒）；规则允许 2 次、共 10 秒。"
    assert found["pace"] == "坐席的语速为每分钟 340 字（规则要求每分钟 120–300 字）。"


def test_a_sentence_without_a_translation_stays_english(chinese):
    rulebook = parse_rulebook(RULES, "t.yaml")
    f, = check_call(rulebook, [], metrics(first_agent_words=12.5), 300.0)
    assert f.reason == "The agent's first words came 12.5 s into the call (the rule allows 8 s)."
    assert ("Findings", "The agent's first words came {first:.1f} s into the call (the rule allows {limit:g} s).") in chinese


def test_a_pick_s_reason_reads_in_chinese(chinese):
    calls = [Candidate(i, 1, "李娜", datetime(2026, 10, 5, 9, 30), 300.0, critical_flags=flags,
                       hired_on=date(2026, 9, 1)) for i, flags in ((1, 3), (2, 0))]
    rule = SamplingRule(name="致命", per_agent=2, selection="critical_flags", new_agents_first=True)
    pick, = select_calls(rule, calls, seed=1, period=parse_period("2026-10"))
    assert pick.reason == ("规则“致命”：3 个致命项标记：在李娜于 2026-10 的 2 通符合条件的通话中标记数排第 1；"
                           "新坐席（入职于 2026-09-01）")


def test_problems_with_a_rule_read_in_chinese(chinese):
    with pytest.raises(SamplingRuleError) as error:
        SamplingRule(name="每月", per_agent=0)
    assert error.value.problems == ["抽样规则“每月”：每位坐席的通话数必须是大于等于 1 的整数，而不是 0"]
    twice = RULES + "  - {id: pace, title: 又是语速, category: dead_air, severity: minor, seconds: 5}\n"
    with pytest.raises(RulebookError) as error:
        parse_rulebook(twice, "t.yaml")
    # The "file:line:" prefix stays as it is: the problems are sorted by it.
    assert error.value.problems == ["t.yaml:9: 规则 pace: id“pace”用了两次（第一次在第 6 行）"]


@pytest.mark.usefixtures("marked")
def test_every_reason_is_one_whole_template(zh):
    rulebook = parse_rulebook(RULES, "t.yaml")
    three = [Overtalk(10.0, 11.0, "agent"), Overtalk(20.0, 21.0, "agent"), Overtalk(50.0, 51.5, "agent")]
    findings = check_call(rulebook, [said("agent", 15.0, "您好")], metrics(overtalk=three), 300.0)
    findings += check_text(zh, "不知道") + check_text(rulebook, "您好", at=2.0)
    findings += check_call(zh, [said("mixed", 1.0, "我 不 知道"), said("agent", 30.0, "您好")],
                           metrics(silences=[Segment(100.0, 180.0)], holds=[Segment(100.0, 180.0)]), 300.0)
    assert len({f.rule_key for f in findings}) >= 5
    for f in findings:
        assert f.reason.startswith("⟦") and f.reason.endswith("⟧"), f.reason
    calls = [Candidate(1, 1, "Li Na", datetime(2026, 10, 5), 300.0, dead_air=12.0, hired_on=date(2026, 9, 1))]
    for selection in ("random", "never_reviewed", "longest_dead_air", "shortest_handle", "longest_handle"):
        rule = SamplingRule(name="r", per_agent=1, selection=selection, new_agents_first=True)
        pick, = select_calls(rule, calls, seed=1, period=parse_period("2026-10"))
        # The rule's name, around the new-agent clause, around the selection's own sentence.
        assert pick.reason.startswith("⟦rule 'r': ⟦⟦") and pick.reason.endswith("; new agent (hired 2026-09-01)⟧⟧")
