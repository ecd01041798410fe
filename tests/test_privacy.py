"""Card, phone and ID numbers said in a call, found across the recogniser's words and
hidden; the agent's name replaced by a label; what a number-looking word is not."""

from __future__ import annotations

import pytest

from qa_desk.privacy import (
    AGENT_NAME,
    CARD,
    ID_NUMBER,
    PHONE,
    RESIDENT_ID,
    anonymise,
    anonymise_transcript,
    find_agent_name,
    find_sensitive_numbers,
)
from qa_desk.store.transcripts import UtteranceView
from qa_desk.store.transcripts import Word as StoredWord
from qa_desk.transcription.words import Utterance, Word


def said(speaker: str, tokens: str, at: float = 0.0, step: float = 0.5, gaps: dict[int, float] | None = None):
    """An utterance of space-separated recogniser words, one every ``step`` seconds
    (``gaps`` adds a pause before word i)."""
    words = []
    for index, token in enumerate(tokens.split()):
        at += (gaps or {}).get(index, 0.0)
        words.append(Word(token, round(at, 3), round(at + step * 0.8, 3), 0.9))
        at += step
    return Utterance(speaker, words)


def found(utterances, **options):
    return [(s.kind, s.digits) for s in find_sensitive_numbers(utterances, **options)]


def texts(utterances):
    return [u.text for u in utterances]


# --- finding numbers --------------------------------------------------------------------------


def test_a_chinese_mobile_split_over_three_words_is_one_phone_number():
    call = [said("agent", "请 您 提供 一下 手机 号码"),
            said("customer", "我的 手机 号 是 一三八 零零一三 八零零零", at=4.0)]
    [span] = find_sensitive_numbers(call)
    assert (span.kind, span.digits, span.speaker) == (PHONE, "13800138000", "customer")
    assert (span.first_word, span.last_word) == ((1, 4), (1, 6))  # (utterance, word)
    assert (span.start, span.end) == (6.0, 7.4)  # from 一三八's start to 八零零零's end
    assert texts(anonymise(call, [span])) == ["请您提供一下手机号码", "我的手机号是***********"]


def test_yao_and_liang_are_digits_and_a_pause_between_groups_keeps_the_number_together():
    # Callers read a number in groups with a breath between: the recogniser makes each
    # group an utterance of its own; the number is still one.
    call = [said("customer", "幺三九", at=10.0), said("customer", "两两零零", at=11.6),
            said("customer", "幺二三四", at=13.5)]
    spans = find_sensitive_numbers(call)
    assert [(s.kind, s.digits, s.first_word, s.last_word) for s in spans] == [
        (PHONE, "13922001234", (0, 0), (2, 0))]
    assert texts(anonymise(call, spans)) == ["***", "****", "****"]


def test_a_long_pause_or_another_word_ends_a_number():
    call = [said("customer", "一二三 四五六", gaps={1: 5.0}), said("customer", "一二三 号 四五六", at=20.0)]
    assert found(call) == []


def test_spoken_english_digits_with_oh_and_double():
    call = [said("customer", "yeah it's five five five eight six seven five three oh nine"),
            said("customer", "the account is double four one two triple seven", at=10.0)]
    assert found(call) == [(PHONE, "5558675309"), (ID_NUMBER, "4412777")]
    masked = anonymise(call, find_sensitive_numbers(call))
    assert texts(masked) == ["yeah it's * * * * * * * * * *", "the account is double * * * triple *"]


def test_digits_as_separate_words_and_as_one_written_number():
    call = [said("customer", "it's 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 thanks"),
            said("customer", "call 010-8765-4321 please", at=15.0)]
    assert found(call) == [(CARD, "4111111111111111"), (PHONE, "01087654321")]


def test_cards_by_luhn_or_by_four_groups_of_four():
    luhn = said("customer", "卡号 是 六二二二零二一二三四五六七八九零三", at=0.0)  # 17 digits, Luhn-valid
    grouped = said("customer", "card number 1234 5678 9012 3456", at=10.0)  # not Luhn: the recogniser misheard
    assert found([luhn]) == [(CARD, "62220212345678903")]
    assert found([grouped]) == [(CARD, "1234567890123456")]


def test_a_card_keeps_its_last_four_digits_visible_unless_told_otherwise():
    call = [said("customer", "卡号 六二二二 零二零零 一二三四 五六七八")]
    spans = find_sensitive_numbers(call)
    assert [s.kind for s in spans] == [CARD]
    assert texts(anonymise(call, spans)) == ["卡号************五六七八"]
    assert texts(anonymise(call, spans, keep_card_digits=0)) == ["卡号****************"]
    english = [said("customer", "it is 4111 1111 1111 1111")]
    assert texts(anonymise(english, find_sensitive_numbers(english))) == ["it is **** **** **** 1111"]


def test_chinese_resident_id_with_its_check_letter():
    written = said("customer", "身份证 号 11010519491231002X 对")
    spoken = said("customer", "一一零一零五 一九四九一二三一 零零二 叉", at=10.0)
    assert found([written]) == [(RESIDENT_ID, "11010519491231002X")]
    assert found([spoken]) == [(RESIDENT_ID, "11010519491231002X")]
    assert texts(anonymise([spoken], find_sensitive_numbers([spoken]))) == ["*" * 18]  # 叉 (X) included
    wrong_check = said("customer", "110105194912310021")  # a misheard digit: still an ID
    assert found([wrong_check]) == [(ID_NUMBER, "110105194912310021")]


def test_international_landline_and_us_numbers():
    call = [said("customer", "call me on +44 20 7946 0958"),
            said("customer", "座机 (021) 6234 5678", at=10.0),
            said("customer", "it's 415 555 2671", at=20.0)]
    assert found(call) == [(PHONE, "442079460958"), (PHONE, "02162345678"), (PHONE, "4155552671")]


def test_other_id_like_numbers_from_the_minimum_length():
    call = [said("customer", "订单 号 是 七八九 四五六"), said("customer", "验证码 五三一", at=10.0)]
    assert found(call) == [(ID_NUMBER, "789456")]
    assert found(call, min_digits=3) == [(ID_NUMBER, "789456"), (ID_NUMBER, "531")]
    assert found(call, min_digits=8) == []


@pytest.mark.parametrize("tokens", [
    "我 明天 3点半 过来",  # a time
    "套餐 是 99元 一个月",  # a price
    "一共 两个 人 三 张 卡",  # counts
    "充值 100000元",  # an amount, however long
    "I paid $1,299.00 for it",  # money with separators
    "it was 125000 dollars",
    "on 2024-05-01 at 10:30",  # a date and a time
    "二零二四 零五 零一",  # a date read out
    "一下 一点 一样 一直",  # 一 inside ordinary words
    "no one else oh well",
])
def test_what_only_looks_like_a_number_is_left_alone(tokens):
    call = [said("customer", tokens)]
    assert find_sensitive_numbers(call) == []
    assert texts(anonymise_transcript(call).utterances) == texts(call)


def test_each_speaker_is_followed_separately():
    # The agent's "嗯" between the customer's digit groups interleaves in call order;
    # the customer's number is still one, and the agent's acknowledgements no part of it.
    call = [said("customer", "一三八", at=1.0), said("agent", "嗯", at=2.0),
            said("customer", "零零一三", at=2.6), said("agent", "好", at=4.6), said("customer", "八零零零", at=5.0)]
    [span] = find_sensitive_numbers(call)
    assert (span.kind, span.speaker, span.first_word, span.last_word) == (PHONE, "customer", (0, 0), (4, 0))
    assert texts(anonymise(call, [span])) == ["***", "嗯", "****", "好", "****"]


def test_fillers_inside_a_number_are_kept_but_covered():
    call = [said("customer", "一三八 嗯 零零一三 八零零零")]
    [span] = find_sensitive_numbers(call)
    assert (span.digits, span.start, span.end) == ("13800138000", 0.0, 1.9)
    assert texts(anonymise(call, [span])) == ["***嗯********"]


# --- the agent's name ------------------------------------------------------------------------


def test_the_agents_chinese_name_becomes_the_label_even_split_across_words():
    call = [said("agent", "您好 我 是 李 娜 工号 一零二三"), said("customer", "李娜 你好", at=6.0)]
    spans = find_agent_name(call, "李娜")
    assert [(s.kind, s.first_word, s.last_word) for s in spans] == [
        (AGENT_NAME, (0, 3), (0, 4)), (AGENT_NAME, (1, 0), (1, 0))]
    assert (spans[0].start, spans[0].end) == (1.5, 2.4)
    masked = anonymise(call, spans, agent_label="坐席A")
    assert texts(masked) == ["您好我是坐席A工号一零二三", "坐席A你好"]
    assert [w.word for w in masked[0].words] == ["您好", "我", "是", "坐席A", "工号", "一零二三"]


def test_a_three_character_name_is_also_found_by_its_given_name():
    call = [said("customer", "小明 你 上次 说 的"), said("agent", "我 是 王小明", at=5.0)]
    assert texts(anonymise(call, find_agent_name(call, "王小明"))) == ["Agent A你上次说的", "我是Agent A"]


def test_an_english_name_in_full_or_in_part_whole_words_only():
    call = [said("agent", "hi this is Sarah Johnson how can I help"),
            said("customer", "thanks sarah I'll announce it to Johnsons", at=8.0)]
    masked = anonymise(call, find_agent_name(call, "Sarah Johnson"), agent_label="Agent B")
    assert texts(masked) == ["hi this is Agent B how can I help", "thanks Agent B I'll announce it to Johnsons"]
    assert find_agent_name(call, "") == [] and find_agent_name(call, None) == []


def test_an_imported_transcript_keeps_its_punctuation():
    cue = Utterance("customer", [Word(t, i * 0.3, i * 0.3 + 0.25) for i, t in enumerate(
        ["谢谢", "李", "娜，", "我的", "号码", "是", "138", "0013", "8000。"])],
        given_text="谢谢李娜，我的号码是 138 0013 8000。", given_start=0.0, given_end=2.8)
    result = anonymise_transcript([cue], agent_name="李娜")
    assert texts(result.utterances) == ["谢谢Agent A，我的号码是 *** **** ****。"]
    assert [s.kind for s in result.spans] == [AGENT_NAME, PHONE]


# --- the export's privacy option in one call ------------------------------------------------------


def test_anonymise_transcript_gives_text_to_write_and_times_to_beep():
    call = [
        said("agent", "您好 我 是 李娜 请问 有 什么 可以 帮 您"),
        said("customer", "我 的 卡号 是 六二二二 零二零零 一二三四 五六七八", at=6.0),
        said("customer", "手机 一三八 零零一三 八零零零", at=12.0),
    ]
    result = anonymise_transcript(call, agent_name="李娜", agent_label="坐席A")
    assert texts(result.utterances) == [
        "您好我是坐席A请问有什么可以帮您", "我的卡号是************五六七八", "手机***********"]
    assert [s.kind for s in result.spans] == [AGENT_NAME, CARD, PHONE]
    assert result.audio_spans() == [(8.0, 9.9), (12.5, 13.9)]
    assert result.audio_spans(names=True)[0] == (1.5, 1.9)
    # Times stay: the masked transcript lines up with the beeped audio.
    assert [(w.start, w.end) for w in result.utterances[2].words] == [(w.start, w.end) for w in call[2].words]


def test_stored_utterances_and_text_without_words():
    stored = [
        UtteranceView("customer", 1.0, 3.0, "一三八零零一三八零零零",
                      (StoredWord("一三八零零一三八零零零", 1.0, 3.0, 0.8),)),
        UtteranceView("customer", 5.0, 9.0, "my card is 4111111111111111", ()),  # word times lost
    ]
    result = anonymise_transcript(stored)
    assert [(s.kind, s.start, s.end) for s in result.spans] == [(PHONE, 1.0, 3.0), (CARD, 5.0, 9.0)]
    assert texts(result.utterances) == ["***********", "my card is ************1111"]
    assert result.utterances[1].words == []


def test_nothing_to_hide_changes_nothing():
    call = [said("agent", "thank you for calling how can I help"), said("customer", "我 想 查 话费", at=4.0)]
    result = anonymise_transcript(call, agent_name="Li Na")
    assert result.spans == []
    assert [(u.speaker, u.start, u.end, u.text, u.words) for u in result.utterances] == [
        (u.speaker, u.start, u.end, u.text, u.words) for u in call]


def test_an_exported_clip_excerpt_carries_no_number_or_name(tmp_path):
    # The export's order: hide on the whole call (a number may start before the clip),
    # then cut the excerpt and write it; the audio gets the same spans.
    from qa_desk.reports.transcript_files import write_transcript
    from qa_desk.transcription.formats import parse_transcript_file

    call = [said("agent", "我 是 李娜 请 说 一下 卡号"),
            said("customer", "六二二二 零二零零", at=4.0), said("customer", "一二三四 五六七八", at=6.5)]
    result = anonymise_transcript(call, agent_name="李娜")
    path = write_transcript(tmp_path / "clip.srt", result.utterances, span=(5.0, 8.0))
    [cue] = parse_transcript_file(path).utterances
    assert (cue.speaker, cue.text, cue.start) == ("customer", "****五六七八", 1.5)
    assert result.audio_spans() == [(4.0, 7.4)]
