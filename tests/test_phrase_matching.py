"""Finding rule phrases in transcripts: every forbidden phrase of the standard, exceptions,
homophones, whole English words, and the normal form's invariances."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_desk.scoring import pinyin_codes
from qa_desk.scoring.checks import check_call, check_text
from qa_desk.scoring.lanes import fold_lines
from qa_desk.text import fold
from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook, parse_rulebook
from qa_desk.store.transcripts import UtteranceView, Word
from qa_desk.transcription.words import join_words

DISMISSIVE = ("不知道 我不知道 不清楚 不了解 不能 我忙着呢 不是我管的 这个不是我管的别问我 你问我我问谁 "
              "不是我受理的 等受理你那问题的人来再说 我解决不了 你爱找谁找谁去 我能有什么办法").split()
IMPATIENT = ("说呀我听着呢 什么呀 你先听我说 你到底听不听我说 你怎么搞的 半天才讲话 你懂不懂 "
             "我都这么说了你怎么还不明白 你凭什么这么说 真啰嗦 真烦人 我不是已经和你说过了 什么乱七八糟的 "
             "你想清楚了再问 你会不会讲话 急什么").split()
SLANG = "我晕 我靠 天啊 怎么这样 真是的 鬼知道".split()
NEGATIVE = "我只能 我没有权利".split()


@pytest.fixture(scope="module")
def zh():
    return load_rulebook(default_rulebook_path("zh-CN"))


@pytest.fixture(scope="module")
def en():
    return load_rulebook(default_rulebook_path("en"))


def said(speaker: str, start: float, words: list[str], step: float = 0.3, text: str | None = None) -> UtteranceView:
    """An utterance as the store keeps a recogniser's: words with times, text = the words joined."""
    timed = tuple(Word(w, round(start + i * step, 3), round(start + (i + 1) * step - 0.02, 3), 0.9)
                  for i, w in enumerate(words))
    return UtteranceView(speaker, timed[0].start, timed[-1].end,
                         join_words(words) if text is None else text, timed)


def asr_split(phrase: str, rng: random.Random) -> list[str]:
    """A phrase cut into recogniser words of one to three characters."""
    words, i = [], 0
    while i < len(phrase):
        n = rng.choice((1, 2, 2, 3))
        words.append(phrase[i:i + n])
        i += n
    return words


def by_rule(findings):
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule_key, []).append(f)
    return out


def test_every_forbidden_phrase_of_the_standard_is_caught_where_it_was_said(zh):
    rng = random.Random(5)
    phrases = DISMISSIVE + IMPATIENT + SLANG + NEGATIVE
    utterances, starts = [], {}
    t = 30.0
    for phrase in phrases:
        # The phrase inside a sentence, split into words as a recogniser splits it.
        words = ["好的"] + asr_split(phrase, rng) + ["吧"]
        utterances.append(said("agent", t, words))
        starts[phrase] = (t + 0.3, words)
        t += 0.3 * len(words) + 2.0
    findings = check_call(zh, utterances, None, t)
    for phrase in phrases:
        hits = [f for f in findings if f.matched_text and phrase in f.matched_text.replace(" ", "")
                and f.category in ("forbidden_phrase", "negative_framing") and f.kind == "exact"]
        assert hits, phrase
        hit = next(f for f in hits if f.start == pytest.approx(starts[phrase][0]))
        assert hit.speaker == "agent" and hit.confidence == 1.0
        assert hit.matched_text == phrase
        assert "".join(w["word"] for w in hit.words) == phrase
        assert hit.end == pytest.approx(hit.words[-1]["end"])
        expected = ("negative_framing", {"minor"}) if phrase in NEGATIVE else ("forbidden_phrase", {"major", "critical"})
        assert hit.category == expected[0] and hit.severity in expected[1], phrase
        assert hit.reason.startswith("The agent said “") and hit.form_item


def test_recogniser_spaces_inside_a_phrase_do_not_matter(zh):
    call = [said("agent", 20.0, ["你", "爱", "找", "谁", "找", "谁", "去"]),
            said("agent", 30.0, ["你爱", "找谁", "找谁去"]),
            said("agent", 40.0, ["好", "你爱找谁找谁去"], text="好 你爱找谁  找谁去")]
    hits = by_rule(check_call(zh, call, None, 60.0))["zh-forbidden-04"]
    assert [(f.start, f.matched_text, f.kind) for f in hits] == [
        (20.0, "你爱找谁找谁去", "exact"), (30.0, "你爱找谁找谁去", "exact"), (40.3, "你爱找谁找谁去", "exact")]


def test_exceptions_that_contain_the_phrase_do_not_fire(zh):
    polite = ["不 知道 您 是否 方便", "我 不 知道 您 说 的 是 哪 一 笔", "能 不能 麻烦 您 稍等", "您 有 不 清楚 的 地方 请 说",
              "我 这边 听 不 清楚", "您 的 额度 是 五万", "你们 公司 的 地址", "我 靠近 窗口"]
    for sentence in polite:
        fired = [f.rule_key for f in check_text(zh, sentence, at=30) if f.category == "forbidden_phrase"]
        assert fired == [], sentence
    assert [f.rule_key for f in check_text(zh, "你们 好", at=30)] == []
    assert [f.rule_key for f in check_text(zh, "你 好", at=30)] == ["zh-address-02"]  # 您好, not 你好
    assert [f.rule_key for f in check_text(zh, "你 说 吧", at=30)] == ["zh-address-01"]
    # The exception covers the phrase only where it stands: 不知道 said elsewhere still counts.
    assert [f.rule_key for f in check_text(zh, "不 知道 您 的 意思 我 也 不 知道", at=30)] == ["zh-forbidden-01"]


def test_homophones_are_possible_hits_with_lower_confidence(zh):
    for heard, meant, rule in [("你 爱 找 谁 找 谁 区", "你爱找谁找谁去", "zh-forbidden-04"),  # qu
                               ("我 解觉 不了", "我解决不了", "zh-forbidden-04"),  # jue
                               ("真 凡人", "真烦人", "zh-forbidden-07")]:  # fan
        findings = [f for f in check_text(zh, heard, at=30) if f.rule_key == rule]
        assert len(findings) == 1, heard
        f = findings[0]
        assert f.kind == "possible" and f.confidence < 1.0
        assert f.matched_text == heard.replace(" ", "")
        assert f"sounds like “{meant}”" in f.reason
    exact = [f for f in check_text(zh, "你 爱 找 谁 找 谁 去", at=30) if f.rule_key == "zh-forbidden-04"]
    assert [(f.kind, f.confidence) for f in exact] == [("exact", 1.0)]  # once, as exact
    # Rules without homophones, and phrases under 3 syllables, match only as written.
    assert [f for f in check_text(zh, "您 要 记 什么", at=30) if f.rule_key == "zh-forbidden-10"] == []
    assert [f for f in check_text(zh, "不 恩", at=30) if f.category == "forbidden_phrase"] == []


def test_homophones_in_a_rulebook_of_its_own():
    rulebook = parse_rulebook(
        "key: t\nname: t\nlanguage: zh-CN\nrules:\n"
        "  - {id: g-1, title: 保证收益, category: forbidden_phrase, severity: critical,\n"
        "     phrases: [保证收益], exceptions: [不保证收益], homophones: true}\n", "t.yaml")
    f, = check_text(rulebook, "这个 产品 保正 收益 很 高")
    assert (f.kind, f.matched_text, f.confidence) == ("possible", "保正收益", pytest.approx(0.6))
    assert check_text(rulebook, "这个 产品 不 保证 收益") == []
    assert check_text(rulebook, "这个 产品 不 保正 收益") == []  # the exception by sound excuses the sound-alike
    assert [f.kind for f in check_text(rulebook, "保证 收益")] == ["exact"]


def test_english_phrases_match_whole_words_only(en):
    fired = lambda text: [(f.rule_key, f.matched_text) for f in check_text(en, text, at=30)]  # noqa: E731
    assert fired("no reason whatsoever") == []
    assert fired("Whatever!") == [("en-forbidden-04", "Whatever!")]
    assert fired("whatever you need, sir") == []
    assert fired("I DON'T know.") == [("en-forbidden-01", "I DON'T know.")]
    assert fired("idontknow") == []
    assert fired("my PayPal account") == []
    assert fired("listen pal") == [("en-address-01", "pal")]
    assert fired("calm downtown") == []


def test_a_phrase_never_spans_two_utterances(zh):
    call = [said("agent", 20.0, ["这个", "我", "不"]), said("agent", 22.0, ["知道", "啊"])]
    assert "zh-forbidden-01" not in by_rule(check_call(zh, call, None, 30.0))


def test_utterance_start_phrases_only_count_at_the_start(zh):
    text = lambda s: [f.rule_key for f in check_text(zh, s, at=30)]  # noqa: E731
    assert text("嗯 好的") == ["zh-filler-01"]
    assert text("好的 嗯") == []
    assert text("额度 是 五万") == []


def test_the_speaker_filter(zh):
    call = [said("customer", 20.0, ["我", "不", "知道", "你", "说", "什么"]),
            said("agent", 25.0, ["我", "不", "知道"])]
    findings = check_call(zh, call, None, 30.0)
    assert [(f.rule_key, f.speaker) for f in findings if f.kind == "exact"] == [("zh-forbidden-01", "agent")]
    assert check_text(zh, "我 不 知道", speaker="customer", at=30) == []


def test_the_pinyin_table_agrees_with_pypinyin():
    from pypinyin import lazy_pinyin

    table = pinyin_codes.table()
    rng = random.Random(3)
    points = [p for p in range(0x4E00, 0xA000) if table[p] != ord(pinyin_codes.OTHER)]
    for point in rng.sample(points, 3000) + [ord(c) for c in "行绿女嗯呣欸区去"]:
        assert pinyin_codes.syllable_of(chr(point)) == lazy_pinyin(chr(point))[0], chr(point)
    assert pinyin_codes.encode("保证收益") == pinyin_codes.encode("保正收益")
    assert pinyin_codes.encode("保证收益") != pinyin_codes.encode("保证受理")


CJK_WORDS = ["您好", "请问", "有", "什么", "可以", "帮", "您", "这边", "查询", "一下", "账户", "额度", "好的"]
# Words that never turn a phrase into one of its exceptions (有不清楚…, 不知道您…).
BEFORE = [w for w in CJK_WORDS if w != "有"]
AFTER = [w for w in CJK_WORDS if not w.startswith("您")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(BEFORE), max_size=6), st.sampled_from(DISMISSIVE + IMPATIENT + SLANG),
       st.lists(st.sampled_from(AFTER), max_size=6), st.randoms(use_true_random=False),
       st.lists(st.sampled_from([" ", "  ", "\u3000", " \t "]), min_size=30, max_size=30))
def test_matching_is_invariant_to_spaces_between_chinese_words(before, phrase, after, rng, gaps):
    zh = _zh()
    words = before + asr_split(phrase, rng) + after
    plain = said("agent", 30.0, words)
    spaced_text = "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words))
    spaced = said("agent", 30.0, words, text=spaced_text)
    key = lambda fs: sorted((f.rule_key, f.kind, f.start, f.matched_text) for f in fs)  # noqa: E731
    expected = key(check_call(zh, [plain], None, 40.0))
    assert key(check_call(zh, [spaced], None, 40.0)) == expected
    assert any(f[3] and phrase in f[3] for f in expected)


_ZH = []


def _zh():
    if not _ZH:
        _ZH.append(load_rulebook(default_rulebook_path("zh-CN")))
    return _ZH[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6))
def test_lane_folding_shortcuts_equal_fold(texts):
    text, lines, codes = fold_lines(texts)
    assert lines == [fold(t) for t in texts]
    assert text == "\n" + "\n".join(lines)


def test_lane_folding_shortcuts_on_typical_text():
    for texts in (["您好请问有什么可以帮您", "好的"], ["Hello, how can I help?", "I DON'T  know!", ""],
                  ["您的 VIP 账户", "Ｗｈａｔｅｖｅｒ"]):
        text, lines, _ = fold_lines(texts)
        assert lines == [fold(t) for t in texts]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_a_large_chinese_rulebook_finds_what_plain_search_finds(seed):
    """A rulebook with many different first characters, matched on the syllable
    spelling, must find exactly what a naive search finds."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 300)]
    phrases = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(2, 4))) for _ in range(150)})
    lines = "\n".join(f"  - {{id: p{i}, title: p, category: forbidden_phrase, severity: minor, phrases: [{p}]}}"
                      for i, p in enumerate(phrases))
    rulebook = parse_rulebook(f"key: t\nname: t\nlanguage: zh-CN\nrules:\n{lines}\n", "t.yaml")
    index = rulebook.matcher()._role("agent")
    assert index.exact is None and index.sounds is not None
    text = "".join(rng.choice(alphabet[:60]) for _ in range(400))
    for p in rng.sample(phrases, 5):
        at = rng.randrange(len(text))
        text = text[:at] + p + text[at:]
    found = sorted((f.matched_text, f.rule_key) for f in check_text(rulebook, text))
    naive = sorted((p, f"p{i}") for i, p in enumerate(phrases) for _ in range(text.count(p)))
    # count() skips overlapping repeats of one phrase; those do not occur in 400 random characters.
    assert found == naive


def test_the_syllable_spelling_is_found_only_at_character_boundaries():
    """Two bytes a character: a phrase's bytes must never be found straddling two
    characters (the first byte of each character is >= 0x80, the second < 0x80)."""
    text = "\n您好请问\n有什么可以帮您"
    spelled = bytes(pinyin_codes.syllable_bytes(text))
    assert len(spelled) == 2 * len(text)
    assert spelled == bytes(pinyin_codes.syllable_bytes(text, np.frombuffer(text.encode("utf-32-le"), np.uint32)))
    assert all(b >= 0x80 for b in spelled[0::2]) and all(b < 0x80 for b in spelled[1::2])
    table = pinyin_codes.table()
    assert int(table.max()) - ord(pinyin_codes.OTHER) < 128 * 128  # every code fits the spelling

def test_same_sounding_phrases_of_different_rules_are_both_kept():
    rulebook = parse_rulebook(
        "key: t\nname: t\nlanguage: zh-CN\nrules:\n"
        "  - {id: a, title: a, category: forbidden_phrase, severity: minor, phrases: [两丛]}\n"
        "  - {id: b, title: b, category: forbidden_phrase, severity: minor, phrases: [两从, 两聪明], homophones: true}\n",
        "t.yaml")
    fired = lambda text: sorted((f.rule_key, f.kind) for f in check_text(rulebook, text))  # noqa: E731
    assert fired("两丛") == [("a", "exact")]
    assert fired("两从") == [("b", "exact")]
    assert fired("两葱明") == [("b", "possible")]
