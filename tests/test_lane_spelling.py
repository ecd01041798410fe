"""How the rule matcher reads a call fast: a lane's text, its line breaks and UTF-16
units, the one-byte syllable spelling of a rulebook's phrases, patterns run only where
their first characters were found, and the normal form's shortcut for Chinese phrases.
Each shortcut must give what the plain way gives."""

from __future__ import annotations

import random
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_desk.scoring import pinyin_codes
from qa_desk.scoring.checks import check_call, check_text
from qa_desk.scoring.lanes import Lane
from qa_desk.scoring.phrase_index import _literal_start
from qa_desk.scoring.rulebook import parse_rulebook
from qa_desk.store.transcripts import UtteranceView, Word
from qa_desk.text import _fold_token, fold

HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]


def _one_character_a_syllable() -> list[str]:
    table, first = pinyin_codes.table(), {}
    for point in range(0x4E00, 0xA000):
        first.setdefault(int(table[point]), chr(point))
    return [c for code, c in first.items() if code != ord(pinyin_codes.OTHER)]


def book(rules: str):
    return parse_rulebook(f"key: t\nname: t\nlanguage: zh-CN\nrules:\n{rules}", "t.yaml")


def utterance(speaker: str, start: float, text: str, words: list[str] | None = None) -> UtteranceView:
    words = list(text) if words is None else words
    timed = tuple(Word(w, start + i * 0.3, start + i * 0.3 + 0.25) for i, w in enumerate(words))
    return UtteranceView(speaker, start, start + 0.3 * max(len(words), 1), text, timed)


def test_every_han_character_is_its_own_normal_form():
    for first, last in ((0x3400, 0x4DC0), (0x4E00, 0xA000)):
        text = "".join(map(chr, range(first, last)))
        assert fold(text) == text
        assert "".join(_fold_token(text).split()) == text  # what fold did before its shortcut
    assert fold("您好，欢迎致电！") == "您好欢迎致电"
    assert fold("VIP账户") == "vip 账户"


def test_utf16_units_keep_the_offsets_of_the_string():
    assert pinyin_codes.utf16_units("您好\n").tolist() == [ord("您"), ord("好"), 10]
    units = pinyin_codes.utf16_units("好😀的\ud800")  # an emoji, a lone surrogate
    assert len(units) == 4 and units[1] == 0xFFFF and units[0] == ord("好") and units[2] == ord("的")


def test_a_rulebook_of_few_syllables_is_spelled_in_one_byte():
    keys = ["保证收益", "\n嗯", "不知道"]
    spelling = pinyin_codes.Spelling(keys)
    assert spelling.width == 1
    assert spelling.keys(keys) == [spelling.spell(k).tobytes() for k in keys]
    assert spelling.spell("保证收益").tobytes() == spelling.spell("保正收益").tobytes()
    assert spelling.spell("保证收益").tobytes() != spelling.spell("保证受理").tobytes()
    assert len(spelling.spell("x保😀")) == 3  # every character one byte, whatever it is


def _plain_hits(phrases: list[str], text: str) -> list[tuple[str, str]]:
    return sorted((p, f"p{i}") for i, p in enumerate(phrases) for m in re.finditer(f"(?={re.escape(p)})", text))


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.booleans())
def test_one_or_two_bytes_a_character_find_what_plain_search_finds(seed, many_syllables):
    """Phrases of 400 different syllables are more than a byte can number: the spelling
    falls back to two bytes a character, and either way finds what a naive search finds."""
    rng = random.Random(seed)
    alphabet = _one_character_a_syllable() if many_syllables else HAN[:40]
    phrases = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(2, 4))) for _ in range(400)})
    if many_syllables:  # every syllable in some phrase
        phrases = sorted(set(phrases) | {alphabet[i] + alphabet[i + 1] for i in range(0, len(alphabet) - 1, 2)})
    lines = "".join(f"  - {{id: p{i}, title: p, category: forbidden_phrase, severity: minor, phrases: [{p}]}}\n"
                    for i, p in enumerate(phrases))
    rulebook = book(lines)
    index = rulebook.matcher()._role("agent")
    assert index.sounds.spelling.width == (2 if many_syllables else 1)
    text = "".join(rng.choice(alphabet) for _ in range(300))
    found = sorted((f.matched_text, f.rule_key) for f in check_text(rulebook, text))
    assert found == _plain_hits(phrases, text)


def test_line_breaks_place_offsets_in_their_utterances():
    for texts in (["您好请问", "有什么", "可以帮您"], ["Hello there!", "how can I", "help"], ["您好 VIP", "", "账户"]):
        lane = Lane("agent", [utterance("agent", 10.0 * i, t) for i, t in enumerate(texts)])
        text = lane.text
        for offset in range(1, len(text)):
            if text[offset] == "\n":
                continue
            line_start = text.rfind("\n", 0, offset) + 1
            assert lane.line_at(offset) == (text.count("\n", 0, offset) - 1, line_start)
            assert lane.utterance_at(offset) == text.count("\n", 0, offset) - 1


def test_the_characters_every_match_of_a_pattern_starts_with():
    assert _literal_start("难道.{0,12}吗") == "难道"
    assert _literal_start("到底(?:有没有|是不是)") == "到底"
    assert _literal_start("how (are|were) you") == "how "
    assert _literal_start("ab+c") == "ab"
    for unsure in ("ab|cd", "(?:a|b)c", "(?i)abc", "^abc", "a*b", "[|]ab", "x[|]|y", "a(b|c)|d"):
        assert _literal_start(unsure) == "", unsure
    assert _literal_start("ab?c") == "a" and _literal_start("ab{2}") == "a" and _literal_start(r"a\dc") == "a"


PATTERNS = ["难道.{0,12}吗", "到底(?:有没有|是不是)", "帮您.{0,4}查询", "(?:信用|银行)卡", "ok (fine|good)", "a+b"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["难道", "你", "不知道", "吗", "到底", "有没有", "帮您", "查询", "信用卡",
                                          "银行", "卡", "ok ", "fine", "aab", " "]), max_size=12), min_size=1, max_size=3))
def test_a_pattern_runs_only_where_its_first_characters_are_and_finds_the_same(utterances):
    lines = "".join(f"  - {{id: r{i}, title: r, category: rhetorical_question, severity: minor, "
                    f"patterns: ['{p}']}}\n" for i, p in enumerate(PATTERNS))
    rulebook = book(lines)
    lane = Lane("agent", [utterance("agent", 10.0 * i, "".join(words)) for i, words in enumerate(utterances)])
    hits = rulebook.matcher().scan(lane.text, "agent", lane.units)
    every = sorted((i, m.start(), m.end()) for i, p in enumerate(PATTERNS)
                   for m in re.finditer(p, lane.text, re.MULTILINE) if m.group() and "\n" not in m.group())
    assert sorted((h.rule, h.start, h.end) for h in hits) == every


def test_an_utterance_start_rules_exception_counts_at_the_start_only():
    rulebook = book("  - {id: f, title: f, category: filler_words, severity: minor, phrases: [额], "
                    "at: utterance start, exceptions: [额度], kind: {at_most: 0}}\n")
    call = [utterance("agent", 1.0, "额度是五万"), utterance("agent", 5.0, "额是五万的额度"),
            utterance("agent", 9.0, "额度")]
    findings = check_call(rulebook, call, None, 20.0)
    assert [(f.rule_key, f.kind, f.occurrences) for f in findings] == [("f", "count", ((5.0, 5.25),))]


def test_units_and_line_breaks_of_a_chinese_lane():
    lane = Lane("agent", [utterance("agent", 0.0, "您好"), utterance("agent", 2.0, "请问")])
    assert lane.text == "\n您好\n请问"
    assert lane.units is not None and lane.units.dtype == np.uint16
    assert lane.units.tolist() == [ord(c) for c in lane.text]
    mixed = Lane("agent", [utterance("agent", 0.0, "您好 VIP")])
    assert mixed.text == "\n您好 vip" and mixed.units is None
