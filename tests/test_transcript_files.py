"""Transcripts written as TXT, SRT, WebVTT and JSON, whole calls and clip excerpts; what is
written as SRT/WebVTT/JSON reads back through the project's own transcript reader."""

from __future__ import annotations

import json

import pytest

from qa_desk.reports.transcript_files import (
    MAX_CUE_SECONDS,
    MAX_CUE_WIDTH,
    transcript_excerpt,
    transcript_json,
    transcript_srt,
    transcript_txt,
    transcript_webvtt,
    write_transcript,
)
from qa_desk.store.transcripts import UtteranceView
from qa_desk.store.transcripts import Word as StoredWord
from qa_desk.transcription.formats import SRT, VOSK_JSON, WEBVTT, parse_transcript_file
from qa_desk.transcription.words import Utterance, Word, group_utterances, in_call_order


def said(speaker: str, words: list[tuple[str, float, float]], conf: float | None = 0.9) -> Utterance:
    return Utterance(speaker, [Word(w, s, e, conf) for w, s, e in words])


def chinese_call() -> list[Utterance]:
    return [
        said("agent", [("您好", 0.52, 0.98), ("请问", 1.02, 1.4), ("有", 1.4, 1.55), ("什么", 1.55, 1.8),
                       ("可以", 1.8, 2.05), ("帮", 2.05, 2.2), ("您", 2.2, 2.41)]),
        said("customer", [("我", 3.1, 3.22), ("想", 3.22, 3.4), ("查", 3.4, 3.61), ("一下", 3.61, 3.9),
                          ("我", 3.9, 4.0), ("的", 4.0, 4.08), ("账单", 4.08, 4.6)], conf=0.81),
        said("agent", [("好的", 5.2, 5.5), ("请", 5.5, 5.62), ("您", 5.62, 5.75), ("提供", 5.75, 6.1),
                       ("一下", 6.1, 6.3), ("手机", 6.3, 6.6), ("号码", 6.6, 7.0)]),
        said("customer", [("一三八", 7.8, 8.6), ("零零一三", 9.1, 10.2), ("八零零零", 10.9, 12.05)], conf=None),
    ]


def english_call() -> list[Utterance]:
    return [
        said("agent", [("thank", 0.4, 0.62), ("you", 0.62, 0.75), ("for", 0.75, 0.86), ("calling", 0.86, 1.3)]),
        said("customer", [("hi", 1.9, 2.1), ("i", 2.2, 2.28), ("have", 2.28, 2.5), ("a", 2.5, 2.55),
                          ("question", 2.55, 3.1), ("about", 3.1, 3.35), ("my", 3.35, 3.5), ("bill", 3.5, 3.9)]),
        said("agent", [("sure", 4.3, 4.7)]),
    ]


def cells(utterances):
    return sorted((u.speaker, round(u.start, 3), round(u.end, 3), u.text) for u in utterances)


def flat_words(utterances):
    return sorted((w.word, round(w.start, 3), round(w.end, 3), w.conf) for u in utterances for w in u.words)


# --- TXT -----------------------------------------------------------------------------------


def test_txt_is_one_readable_line_per_utterance_with_the_time_and_speaker():
    text = transcript_txt(chinese_call(), speaker_names={"agent": "坐席", "customer": "客户"},
                          heading=["通话 42 · 2024-05-01 09:30", "坐席：Agent A"])
    assert text == (
        "通话 42 · 2024-05-01 09:30\n"
        "坐席：Agent A\n"
        "\n"
        "[00:00] 坐席：您好请问有什么可以帮您\n"
        "[00:03] 客户：我想查一下我的账单\n"
        "[00:05] 坐席：好的请您提供一下手机号码\n"
        "[00:07] 客户：一三八零零一三八零零零\n"
    )


def test_txt_english_keeps_spaces_and_a_long_call_shows_hours():
    late = said("agent", [("goodbye", 3723.4, 3724.0)])
    text = transcript_txt(english_call() + [late])
    assert text.splitlines() == [
        "[0:00:00] Agent: thank you for calling",
        "[0:00:01] Customer: hi i have a question about my bill",
        "[0:00:04] Agent: sure",
        "[1:02:03] Agent: goodbye",
    ]


def test_a_mono_calls_mixed_speaker_has_no_label():
    assert transcript_txt([said("mixed", [("hello", 1.0, 1.5)])]) == "[00:01] hello\n"


# --- SRT and WebVTT, read back -------------------------------------------------------------


@pytest.mark.parametrize("call", [chinese_call, english_call])
def test_srt_reads_back_with_the_same_speakers_text_and_times(tmp_path, call):
    path = write_transcript(tmp_path / "call.srt", call())
    parsed = parse_transcript_file(path)
    assert parsed.format == SRT
    assert cells(parsed.utterances) == cells(call())


def test_srt_layout_numbers_cues_with_comma_milliseconds():
    srt = transcript_srt(english_call()[:1])
    assert srt == "1\n00:00:00,400 --> 00:00:01,300\nAgent: thank you for calling\n"


@pytest.mark.parametrize("call", [chinese_call, english_call])
def test_webvtt_reads_back_with_voices(tmp_path, call):
    path = write_transcript(tmp_path / "call.vtt", call(), heading=["Call 42", "Agent: Agent A"])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\nNOTE\nCall 42\n")
    assert "<v Agent>" in text and "<v Customer>" in text
    parsed = parse_transcript_file(path)
    assert parsed.format == WEBVTT
    assert cells(parsed.utterances) == cells(call())


def test_webvtt_escapes_what_would_read_as_markup(tmp_path):
    given = [Utterance("agent", [], given_text="Fees < $5 & no card -> free", given_start=1.0, given_end=3.25)]
    vtt = transcript_webvtt(given)
    assert "<v Agent>Fees &lt; $5 &amp; no card -&gt; free" in vtt
    path = write_transcript(tmp_path / "fees.vtt", given)
    assert cells(parse_transcript_file(path).utterances) == [("agent", 1.0, 3.25, "Fees < $5 & no card -> free")]


def test_chinese_labels_and_mixed_speakers_read_back(tmp_path):
    names = {"agent": "坐席", "customer": "客户"}
    path = write_transcript(tmp_path / "call.srt", chinese_call(), speaker_names=names)
    assert "坐席：您好请问有什么可以帮您" in path.read_text(encoding="utf-8-sig")
    assert cells(parse_transcript_file(path).utterances) == cells(chinese_call())
    mono = [said("mixed", [("您好", 0.5, 1.0)]), said("mixed", [("喂", 1.5, 1.8)])]
    path = write_transcript(tmp_path / "mono.vtt", mono)
    assert "<v" not in path.read_text(encoding="utf-8")
    assert cells(parse_transcript_file(path, speaker="mixed").utterances) == cells(mono)


def test_a_long_utterance_is_cut_into_readable_cues_at_word_boundaries(tmp_path):
    words, at = [], 10.0
    for index in range(60):
        word = ["please", "hold", "while", "i", "check", "the", "account", "details"][index % 8]
        words.append((word, round(at, 3), round(at + 0.3, 3)))
        at += 0.4
    long_turn = said("agent", words)
    path = write_transcript(tmp_path / "long.srt", [long_turn])
    cues = sorted(parse_transcript_file(path).utterances, key=lambda u: u.start)
    assert len(cues) > 3
    assert all(c.end - c.start <= MAX_CUE_SECONDS and len(c.text) <= MAX_CUE_WIDTH for c in cues)
    assert " ".join(c.text for c in cues) == long_turn.text
    starts = {w.start for w in long_turn.words}
    ends = {w.end for w in long_turn.words}
    assert all(c.start in starts and c.end in ends for c in cues)  # on word boundaries
    assert (cues[0].start, cues[-1].end) == (long_turn.start, long_turn.end)


def test_a_long_chinese_utterance_counts_characters_double():
    words = [("请您", 0.2 * i, 0.2 * i + 0.18) for i in range(30)]  # 60 characters in 6 s
    srt = transcript_srt([said("agent", words)])
    lines = [line for line in srt.splitlines() if line.startswith("Agent")]
    assert len(lines) == 2
    assert all(len(line.split(": ", 1)[1]) * 2 <= MAX_CUE_WIDTH for line in lines)


def test_an_imported_cue_with_its_own_punctuation_stays_one_cue(tmp_path):
    text = "您好，请问有什么可以帮您？"
    cue = Utterance("agent", [Word(c, 1 + i * 0.1, 1.1 + i * 0.1) for i, c in enumerate("您好请问有什么可以帮您")],
                    given_text=text, given_start=1.0, given_end=2.2)
    path = write_transcript(tmp_path / "cue.srt", [cue])
    assert cells(parse_transcript_file(path).utterances) == [("agent", 1.0, 2.2, text)]


def test_multi_line_text_and_arrows_cannot_break_a_cue(tmp_path):
    odd = Utterance("customer", [], given_text="first line\n\nsecond --> line", given_start=0.0, given_end=2.0)
    path = write_transcript(tmp_path / "odd.srt", [odd])
    assert cells(parse_transcript_file(path).utterances) == [("customer", 0.0, 2.0, "first line second -> line")]


def test_srt_and_txt_carry_a_byte_order_mark_webvtt_and_json_do_not(tmp_path):
    for name, bom in (("a.srt", True), ("a.txt", True), ("a.vtt", False), ("a.json", False)):
        path = write_transcript(tmp_path / name, chinese_call())
        assert path.read_bytes().startswith(b"\xef\xbb\xbf") is bom
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.srt", "a.txt", "a.vtt"]  # no leftovers


def test_unknown_format_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="call.docx.*txt, srt, vtt or json"):
        write_transcript(tmp_path / "call.docx", chinese_call())
    assert write_transcript(tmp_path / "call.out", english_call(), format="WebVTT").read_text().startswith("WEBVTT")


# --- JSON --------------------------------------------------------------------------------


def test_json_has_call_metadata_utterances_and_every_word_with_speaker(tmp_path):
    from datetime import datetime

    call = {"id": 42, "agent": "Agent A", "started_at": datetime(2024, 5, 1, 9, 30), "language": "zh-cn"}
    data = json.loads(transcript_json(chinese_call(), call=call))
    assert data["format"] == "qa-desk transcript" and data["version"] == 1
    assert data["call"] == {"id": 42, "agent": "Agent A", "started_at": "2024-05-01T09:30:00", "language": "zh-cn"}
    assert data["utterances"][1] == {"speaker": "customer", "start": 3.1, "end": 4.6, "text": "我想查一下我的账单"}
    assert data["result"][0] == {"word": "您好", "start": 0.52, "end": 0.98, "conf": 0.9, "speaker": "agent"}
    assert data["result"][-1] == {"word": "八零零零", "start": 10.9, "end": 12.05, "speaker": "customer"}
    assert data["text"].startswith("您好请问有什么可以帮您我想查一下")


@pytest.mark.parametrize("call", [chinese_call, english_call])
def test_json_reads_back_as_a_vosk_result_with_the_same_words(tmp_path, call):
    path = write_transcript(tmp_path / "call.json", call())
    parsed = parse_transcript_file(path, speaker="mixed")  # Vosk's shape has no speakers of its own
    assert parsed.format == VOSK_JSON
    assert flat_words(parsed.utterances) == flat_words(call())


def test_stored_utterances_are_written_the_same_way(tmp_path):
    stored = [
        UtteranceView("agent", 0.4, 1.3, "thank you for calling",
                      tuple(StoredWord(w.word, w.start, w.end, w.conf) for w in english_call()[0].words)),
        UtteranceView("customer", 1.9, 3.9, "hi i have a question about my bill", ()),  # words lost
    ]
    assert transcript_srt(stored) == transcript_srt(english_call()[:1] + [
        Utterance("customer", [], given_text="hi i have a question about my bill", given_start=1.9, given_end=3.9)])
    assert json.loads(transcript_json(stored))["result"][-1]["word"] == "calling"


# --- excerpts ------------------------------------------------------------------------------


def test_excerpt_keeps_what_is_said_in_the_span_timed_from_its_start():
    excerpt = transcript_excerpt(chinese_call(), 3.5, 6.2)
    assert cells(excerpt) == [
        ("agent", 1.7, 2.7, "好的请您提供一下"),  # 提供 ends at 6.1; 一下's middle (6.2) is on the edge
        ("customer", 0.0, 1.1, "查一下我的账单"),  # 查 starts before the span: clipped to 0
    ]
    customer = next(u for u in excerpt if u.speaker == "customer")
    assert (customer.words[0].word, customer.words[0].start, customer.words[0].end) == ("查", 0.0, 0.11)


def test_excerpt_cuts_a_word_only_when_most_of_it_is_outside():
    excerpt = transcript_excerpt(english_call(), 0.8, 2.8)  # question: 2.55–3.1
    assert [(u.speaker, u.text) for u in excerpt] == [("agent", "for calling"), ("customer", "hi i have a")]
    assert transcript_excerpt(english_call(), 0.7, 3.2)[1].text == "hi i have a question"


def test_a_whole_utterance_in_the_span_keeps_its_own_text():
    cue = Utterance("agent", [Word("您好，", 5.0, 5.4), Word("请问", 5.4, 5.8)], given_text="您好，请问？",
                    given_start=5.0, given_end=5.9)
    [kept] = transcript_excerpt([cue], 4.0, 8.0)
    assert (kept.text, kept.start, kept.end) == ("您好，请问？", 1.0, 1.9)
    [cut] = transcript_excerpt([cue], 5.3, 8.0)
    assert (cut.text, cut.start, cut.end) == ("请问", 0.1, 0.5)


def test_excerpt_srt_is_aligned_to_the_clips_own_audio(tmp_path):
    path = write_transcript(tmp_path / "clip.srt", chinese_call(), span=(7.5, 12.5))
    assert path.read_text(encoding="utf-8-sig").splitlines()[1] == "00:00:00,300 --> 00:00:04,550"
    assert cells(parse_transcript_file(path).utterances) == [("customer", 0.3, 4.55, "一三八零零一三八零零零")]


def test_excerpt_json_records_the_span_in_call_time(tmp_path):
    path = write_transcript(tmp_path / "clip.json", english_call(), span=(1.8, 4.0), call={"id": 7})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["clip"] == {"start": 1.8, "end": 4.0}
    assert data["result"][0] == {"word": "hi", "start": 0.1, "end": 0.3, "conf": 0.9, "speaker": "customer"}
    assert [u["text"] for u in data["utterances"]] == ["hi i have a question about my bill"]


def test_excerpt_of_an_empty_stretch_and_a_backwards_span():
    assert transcript_excerpt(chinese_call(), 20.0, 30.0) == []
    assert transcript_srt(transcript_excerpt(chinese_call(), 20.0, 30.0)) == ""
    with pytest.raises(ValueError, match="ends"):
        transcript_excerpt(chinese_call(), 5.0, 4.0)


def test_recogniser_output_grouped_by_the_project_round_trips(tmp_path):
    agent = group_utterances("agent", [Word("hello", 0.1, 0.4, 1.0), Word("there", 0.4, 0.8, 0.7),
                                       Word("bye", 9.0, 9.3, 0.95)])
    customer = group_utterances("customer", [Word("hi", 1.0, 1.2, 0.99)])
    utterances = in_call_order(agent + customer)
    path = write_transcript(tmp_path / "call.vtt", utterances)
    assert cells(parse_transcript_file(path).utterances) == cells(utterances)
