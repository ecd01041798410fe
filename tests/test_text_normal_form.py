"""The normal form shared by rule matching and transcript search."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qa_desk.text import fold, fold_words


def test_chinese_is_compared_without_the_recognisers_spaces():
    assert fold("不 知道 您 的 意思") == "不知道您的意思"
    assert fold("不知道您的意思") == fold("不 知道 您 的 意思")


def test_full_width_case_and_punctuation_fold_away():
    assert fold("ＡＢＣ　１２３！") == "abc 123"
    assert fold("I DON'T know.") == "i don t know"
    assert fold("您好，欢迎致电！") == "您好欢迎致电"
    assert fold("  Calm   down!! ") == "calm down"


def test_english_keeps_word_boundaries_next_to_chinese():
    assert fold("您的 VIP 账户") == "您的 vip 账户"
    assert fold("VIP账户") == "vip 账户"


def test_folded_words_map_every_character_back_to_its_word():
    words = ["您好", "欢迎", "致电", "ABC", "银行"]
    text, owner = fold_words(words)
    assert text == "您好欢迎致电 abc 银行"
    assert len(owner) == len(text)
    assert [words[owner[i]] for i in range(len(text)) if owner[i] >= 0] == [
        w for w in words for _ in fold(w)
    ]
    assert owner[text.index(" ")] == -1


def test_words_that_fold_to_nothing_leave_no_trace():
    text, owner = fold_words(["嗯", "，", "好的"])
    assert text == "嗯好的" and owner == [0, 2, 2]


@given(st.lists(st.text(min_size=1, max_size=6), max_size=8))
def test_folding_words_equals_folding_their_joined_text(words):
    text, owner = fold_words(words)
    assert len(text) == len(owner)
    assert text == fold(" ".join(words))
    assert fold(text) == text  # idempotent
