"""Acoustic rules on call metrics laid out by hand: dead air, holds, overtalk, talk ratio,
speech rate, first-words latency; and silence where a metric could not be measured."""

from __future__ import annotations

import pytest

from qa_desk.audio.metrics import CallMetrics, Overtalk
from qa_desk.audio.vad import Segment
from qa_desk.scoring.acoustic_checks import acoustic_findings, announced_silences
from qa_desk.scoring.checks import check_call
from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook, parse_rulebook
from qa_desk.store.transcripts import UtteranceView, Word

RULES = """key: t
name: t
language: zh-CN
rules:
  - {id: dead, title: 冷场, category: dead_air, severity: minor, seconds: 10}
  - {id: hold, title: 等待过长, category: hold_silence, severity: major, seconds: 60}
  - {id: talkover, title: 打断, category: overtalk, severity: major, count: 2, seconds: 10}
  - {id: ratio, title: 说听比, category: talk_ratio, severity: minor, min: 0.33, max: 3}
  - {id: pace, title: 语速, category: speech_rate, severity: minor, unit: characters, min: 120, max: 300}
  - {id: first, title: 开口慢, category: first_words_latency, severity: minor, seconds: 8}
  - {id: announce, title: 请稍等, category: hold_courtesy, severity: minor, phrases: [请您稍等], window: before hold 30 s}
"""


@pytest.fixture(scope="module")
def rulebook():
    return parse_rulebook(RULES, "t.yaml")


def metrics(**values) -> CallMetrics:
    base = dict(duration=300.0, talk={"agent": 120.0, "customer": 100.0}, talk_ratio=1.2, silences=[],
                longest_silence=0.0, holds=[], overtalk=[], first_agent_words=1.5,
                speech_rate={"agent": 220.0, "customer": 200.0}, speech_rate_unit="characters",
                params={"min_silence": 3.0, "hold_seconds": 20.0, "min_overtalk": 0.3})
    base.update(values)
    if "silences" in values and "holds" not in values:
        base["holds"] = [s for s in base["silences"] if s.duration >= 20.0]
    return CallMetrics(**base)


def fired(rulebook, m, utterances=()):
    return [(f.rule_key, f.start, f.end) for f in check_call(rulebook, list(utterances), m, m.duration)]


def test_a_calm_call_fires_nothing(rulebook):
    assert fired(rulebook, metrics()) == []


def test_dead_air_and_long_holds(rulebook):
    m = metrics(silences=[Segment(30.0, 38.0), Segment(50.0, 62.5), Segment(100.0, 175.0)])
    assert fired(rulebook, m) == [("dead", 50.0, 62.5), ("dead", 100.0, 175.0), ("hold", 100.0, 175.0)]
    by_key = {f.rule_key: f for f in check_call(rulebook, [], m, 300.0)}
    assert by_key["hold"].reason == "The line was silent for 75 s at 1:40.0, longer than the 60 s a hold should last."
    assert by_key["dead"].kind == "acoustic" and by_key["dead"].speaker is None
    # Exactly at the threshold is not over it.
    assert fired(rulebook, metrics(silences=[Segment(10.0, 20.0)])) == []


def test_an_announced_hold_is_not_dead_air(rulebook):
    words = (Word("请您", 95.0, 95.5), Word("稍等", 95.5, 96.0))
    announce = UtteranceView("agent", 95.0, 96.0, "请您稍等", words)
    m = metrics(silences=[Segment(50.0, 62.5), Segment(100.0, 130.0)])
    assert fired(rulebook, m, [announce]) == [("dead", 50.0, 62.5)]
    assert announced_silences(m, [(95.0, 30.0)]) == {1}
    assert announced_silences(m, [(60.0, 30.0)]) == set()  # said after the silence began


def test_the_agent_talking_over_the_customer(rulebook):
    two = [Overtalk(10.0, 11.0, "agent"), Overtalk(20.0, 21.0, "agent"), Overtalk(30.0, 40.0, "customer")]
    assert fired(rulebook, metrics(overtalk=two)) == []  # 2 interruptions, 2 s: within the limits
    three = two + [Overtalk(50.0, 51.5, "agent")]
    f, = check_call(rulebook, [], metrics(overtalk=three), 300.0)
    assert (f.rule_key, f.speaker, f.start, f.end) == ("talkover", "agent", 10.0, 51.5)
    assert f.occurrences == ((10.0, 11.0), (20.0, 21.0), (50.0, 51.5))
    assert f.reason == ("The agent started talking over the customer 3 times (3.5 s in all); "
                        "the rule allows 2 times and 10 s in all.")
    long = [Overtalk(10.0, 21.0, "agent")]  # once, but 11 s
    assert [k for k, *_ in fired(rulebook, metrics(overtalk=long))] == ["talkover"]


def test_talk_ratio_speech_rate_and_first_words(rulebook):
    assert fired(rulebook, metrics(talk_ratio=3.5)) == [("ratio", None, None)]
    assert fired(rulebook, metrics(talk_ratio=0.2)) == [("ratio", None, None)]
    f, = check_call(rulebook, [], metrics(speech_rate={"agent": 340.0, "customer": 400.0}), 300.0)
    assert (f.rule_key, f.speaker) == ("pace", "agent")
    assert f.reason == "The agent spoke 340 characters a minute (the rule wants 120–300 characters a minute)."
    # A rate in other units (an English transcript) cannot be compared with this rule.
    assert fired(rulebook, metrics(speech_rate={"agent": 340.0}, speech_rate_unit="words")) == []
    f, = check_call(rulebook, [], metrics(first_agent_words=12.25), 300.0)
    assert (f.rule_key, f.speaker, f.start, f.end) == ("first", "agent", 0.0, 12.25)


def test_unmeasured_metrics_skip_their_rules(rulebook):
    mono = metrics(talk_ratio=None, overtalk=None, first_agent_words=None, speech_rate=None, speech_rate_unit=None)
    assert fired(rulebook, mono) == []
    for rule in rulebook.rules:
        if rule.acoustic:
            assert acoustic_findings(rule, mono) == []


def test_the_default_rulebooks_acoustic_thresholds():
    zh = load_rulebook(default_rulebook_path("zh-CN"))
    m = metrics(silences=[Segment(30.0, 41.0), Segment(100.0, 170.0)], talk_ratio=3.2,
                speech_rate={"agent": 310.0}, first_agent_words=9.0,
                overtalk=[Overtalk(t, t + 1.0, "agent") for t in (10.0, 20.0, 30.0)])
    assert sorted({f.rule_key for f in check_call(zh, [], m, 300.0)}) == [
        "zh-dead-air-01", "zh-first-words-01", "zh-hold-silence-01", "zh-overtalk-01",
        "zh-speech-rate-01", "zh-talk-ratio-01"]
    en = load_rulebook(default_rulebook_path("en"))
    words = metrics(speech_rate={"agent": 200.0}, speech_rate_unit="words")
    assert [f.rule_key for f in check_call(en, [], words, 300.0)] == ["en-speech-rate-01"]
