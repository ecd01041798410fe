"""Call metrics over speech segments laid out by hand: every answer is known exactly."""

from __future__ import annotations

import json

import pytest

from qa_desk.audio.metrics import (
    HOLD_SECONDS, METRICS_VERSION, MIN_OVERTALK, MIN_SILENCE, CallMetrics, Overtalk, compute_metrics, speech_rate,
)
from qa_desk.audio.vad import Segment


def segs(*pairs: tuple[float, float]) -> list[Segment]:
    return [Segment(a, b) for a, b in pairs]


# Agent greets 0.5-3.0, customer asks 3.5-6.0; the agent answers from 5.0 (talking
# over the customer's last second), the customer cuts back in at 9.5 while the agent
# is still talking; then 25 s of silence on both sides (a hold), then the agent
# thanks the customer for waiting, and a 4 s pause before the closing.
CALL = {
    "agent": segs((0.5, 3.0), (5.0, 10.0), (35.0, 38.0), (42.0, 44.0)),
    "customer": segs((3.5, 6.0), (9.5, 10.5)),
}


def test_talk_time_and_talk_to_listen_ratio():
    m = compute_metrics(CALL, 45.0)
    assert m.talk == {"agent": pytest.approx(12.5), "customer": pytest.approx(3.5)}
    assert m.talk_ratio == pytest.approx(12.5 / 3.5)
    assert m.duration == 45.0


def test_dead_air_and_holds():
    m = compute_metrics(CALL, 45.0)
    # Gaps inside the call: 3.0-3.5 (0.5 s), 10.5-35.0 (24.5 s), 38.0-42.0 (4 s).
    assert m.silences == segs((10.5, 35.0), (38.0, 42.0))
    assert m.holds == segs((10.5, 35.0))
    assert m.longest_silence == pytest.approx(24.5)
    assert m.silence_total == pytest.approx(28.5) and m.hold_total == pytest.approx(24.5)
    # The thresholds are parameters: a centre that calls 5 s dead air and 60 s a hold.
    strict = compute_metrics(CALL, 45.0, min_silence=5.0, hold_seconds=60.0)
    assert strict.silences == segs((10.5, 35.0)) and strict.holds == []
    assert strict.params == {"min_silence": 5.0, "hold_seconds": 60.0, "min_overtalk": MIN_OVERTALK}


def test_silence_before_the_first_and_after_the_last_words_is_not_dead_air():
    m = compute_metrics({"agent": segs((6.0, 8.0)), "customer": segs((12.0, 14.0))}, 30.0)
    assert m.silences == segs((8.0, 12.0))  # not 0-6 (first words) nor 14-30 (waiting for the hang-up)
    assert m.first_agent_words == 6.0


def test_a_call_where_nobody_speaks_is_all_dead_air():
    m = compute_metrics({"agent": [], "customer": []}, 40.0)
    assert m.silences == segs((0.0, 40.0)) and m.holds == segs((0.0, 40.0))
    assert m.talk == {"agent": 0.0, "customer": 0.0}
    assert m.talk_ratio is None and m.first_agent_words is None and m.overtalk == []


def test_overtalk_says_who_started_it():
    m = compute_metrics(CALL, 45.0)
    assert m.overtalk == [Overtalk(5.0, 6.0, "agent"), Overtalk(9.5, 10.0, "customer")]
    assert m.interruptions == [Overtalk(5.0, 6.0, "agent")]  # the agent cut the customer off


def test_short_overlaps_are_turn_taking_not_overtalk():
    activity = {"agent": segs((0.0, 2.0), (4.0, 6.0)), "customer": segs((1.8, 3.0), (5.5, 8.0))}
    m = compute_metrics(activity, 8.0)
    assert m.overtalk == [Overtalk(5.5, 6.0, "customer")]  # the 0.2 s overlap at 1.8 is not counted
    assert compute_metrics(activity, 8.0, min_overtalk=0.1).overtalk == [
        Overtalk(1.8, 2.0, "customer"), Overtalk(5.5, 6.0, "customer"),
    ]


def test_overtalk_with_a_breath_inside_is_one_event_started_by_the_first_one_in():
    # The customer talks 1-5; the agent cuts in at 2, breathes at 2.8-3.0 and goes on.
    m = compute_metrics({"agent": segs((0.0, 0.8), (2.0, 2.8), (3.0, 4.5)), "customer": segs((1.0, 5.0))}, 6.0)
    assert m.overtalk == [Overtalk(2.0, 4.5, "agent")]


def test_both_starting_together():
    m = compute_metrics({"agent": segs((1.0, 3.0)), "customer": segs((1.0, 2.0))}, 4.0)
    assert m.overtalk == [Overtalk(1.0, 2.0, "both")]


def test_mono_cannot_tell_overtalk_ratio_or_first_words():
    m = compute_metrics({"mixed": segs((0.5, 3.0), (3.5, 6.0), (30.0, 31.0))}, 32.0)
    assert m.talk == {"mixed": pytest.approx(6.0)}
    assert m.overtalk is None and m.talk_ratio is None and m.first_agent_words is None
    assert m.silences == segs((6.0, 30.0)) and m.holds == segs((6.0, 30.0))
    assert m.as_dict()["overtalk"] is None


def test_defaults_are_what_a_contact_centre_expects():
    assert (MIN_SILENCE, HOLD_SECONDS, MIN_OVERTALK) == (3.0, 20.0, 0.3)
    # A 2.9 s pause is not dead air, 3 s is; 19.9 s of silence is dead air, 20 s a hold.
    m = compute_metrics({"agent": segs((0, 1), (3.9, 5), (8, 9), (28.9, 30), (50, 51)), "customer": []}, 52.0)
    assert [s.duration for s in m.silences] == pytest.approx([3.0, 19.9, 20.0])
    assert [s.duration for s in m.holds] == pytest.approx([20.0])


def test_as_dict_is_json_and_round_trips():
    transcript = [("agent", 0.5, 3.0, "Thank you for calling, how can I help?")]
    m = compute_metrics(CALL, 45.0, transcript=transcript)
    data = json.loads(json.dumps(m.as_dict()))
    assert data["version"] == METRICS_VERSION
    assert data["overtalk"][0] == {"start": 5.0, "end": 6.0, "started_by": "agent"}
    assert data["holds"] == [{"start": 10.5, "end": 35.0}]
    again = CallMetrics.from_dict(data)
    assert again.as_dict() == data
    assert again.overtalk == m.overtalk and again.silences == m.silences and again.talk == pytest.approx(m.talk)


def test_times_are_rounded_to_the_millisecond():
    m = compute_metrics({"agent": segs((0.123456, 1.987654)), "customer": segs((3.0, 4.0))}, 5.0)
    assert m.as_dict()["first_agent_words"] == 0.123
    assert m.as_dict()["talk"]["agent"] == 1.864


def test_from_dict_refuses_what_is_not_metrics():
    with pytest.raises((KeyError, TypeError, ValueError)):
        CallMetrics.from_dict({"version": 1, "talk": "lots"})


def test_speech_rate_in_words_for_english():
    transcript = [
        ("agent", 0.0, 6.0, "Thank you for calling Northwind Energy, my name is Sarah."),  # 10 words
        {"speaker": "agent", "start": 10.0, "end": 16.0, "text": "How can I help you today?"},  # 6 words
        ("customer", 6.5, 9.5, "I'd like to move my account."),  # 6 words ("I'd" is one)
    ]
    rates, unit = speech_rate(transcript)
    assert unit == "words"
    assert rates["agent"] == pytest.approx(16 / (12 / 60))  # 80 words per minute
    assert rates["customer"] == pytest.approx(6 / (3 / 60))


def test_speech_rate_in_characters_for_chinese():
    transcript = [
        ("agent", 0.0, 6.0, "您好，欢迎致电星海通信，工号1023为您服务。"),  # 16 Han characters + "1023" = 17
        ("customer", 7.0, 10.0, "我这个月的话费怎么多了五十块？"),  # 14 characters
    ]
    rates, unit = speech_rate(transcript)
    assert unit == "characters"
    assert rates == {"agent": pytest.approx(170.0), "customer": pytest.approx(280.0)}
    m = compute_metrics({"agent": segs((0, 6)), "customer": segs((7, 10))}, 10.0, transcript=transcript)
    assert m.speech_rate_unit == "characters" and m.as_dict()["speech_rate"] == {"agent": 170.0, "customer": 280.0}


def test_no_transcript_no_speech_rate():
    assert compute_metrics(CALL, 45.0).speech_rate is None
    assert speech_rate([]) == (None, None)
