"""Transcript files read into utterances: Vosk result JSON, SRT, WebVTT; every refusal with its line."""

from __future__ import annotations

import json

import pytest

from qa_desk.transcription.formats import (
    SRT,
    VOSK_JSON,
    WEBVTT,
    TranscriptFileError,
    parse_transcript_file,
)

# Recorded output of vosk-model-small-cn-0.22: space-separated words, and an [unk].
CHINESE_RESULT = (
    '{"result":[{"conf":1.0,"end":1.11,"start":0.54,"word":"您好"},'
    '{"conf":0.93,"end":1.5,"start":1.11,"word":"请问"},'
    '{"conf":1.0,"end":1.62,"start":1.5,"word":"[unk]"}],"text":"您好 请问 [unk]"}'
)


def english_result(words: list[tuple[str, float, float]], conf: float = 0.98) -> dict:
    return {
        "result": [{"conf": conf, "end": e, "start": s, "word": w} for w, s, e in words],
        "text": " ".join(w for w, _, _ in words),
    }


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(path, **kwargs) -> TranscriptFileError:
    with pytest.raises(TranscriptFileError) as caught:
        parse_transcript_file(path, **kwargs)
    return caught.value


def cells(utterances):
    return [(u.speaker, round(u.start, 3), round(u.end, 3), u.text) for u in utterances]


# --- Vosk result JSON --------------------------------------------------------------------


def test_chinese_vosk_result_keeps_words_and_joins_the_text(tmp_path):
    path = write(tmp_path, "call.json", CHINESE_RESULT)
    parsed = parse_transcript_file(path, speaker="agent")
    assert parsed.format == VOSK_JSON
    [utterance] = parsed.utterances
    assert utterance.speaker == "agent"
    assert [(w.word, w.start, w.end, w.conf) for w in utterance.words] == [
        ("您好", 0.54, 1.11, 1.0), ("请问", 1.11, 1.5, 0.93)]  # [unk] carries no words
    assert utterance.text == "您好请问"  # Chinese words joined without spaces
    assert (utterance.start, utterance.end) == (0.54, 1.5)


def test_english_results_as_a_list_are_grouped_at_pauses(tmp_path):
    results = [
        english_result([("thank", 0.5, 0.8), ("you", 0.8, 1.0), ("for", 1.0, 1.1), ("calling", 1.1, 1.6)]),
        {"text": ""},  # silence: Vosk's empty final result
        english_result([("how", 3.2, 3.4), ("can", 3.4, 3.6), ("i", 3.6, 3.7), ("help", 3.7, 4.0)]),
    ]
    path = write(tmp_path, "call.json", json.dumps(results, indent=2))
    parsed = parse_transcript_file(path, speaker="agent")
    assert cells(parsed.utterances) == [
        ("agent", 0.5, 1.6, "thank you for calling"), ("agent", 3.2, 4.0, "how can i help")]
    assert parsed.utterances[0].words[0].conf == 0.98


def test_json_lines_and_pretty_printed_results_one_after_another(tmp_path):
    lines = [json.dumps(english_result([("hello", 0.2, 0.6)])), '{"partial": "my bi"}',
             json.dumps(english_result([("my", 1.0, 1.2), ("bill", 1.2, 1.5)]))]
    jsonl = write(tmp_path, "a.json", "\n".join(lines) + "\n")
    assert cells(parse_transcript_file(jsonl, speaker="customer").utterances) == [
        ("customer", 0.2, 1.5, "hello my bill")]
    # What Vosk's example script prints: each result pretty-printed, one after another.
    pretty = "\n".join(json.dumps(english_result([(w, s, s + 0.3)]), indent=2) for w, s in [("yes", 5.0), ("please", 5.4)])
    parsed = parse_transcript_file(write(tmp_path, "b.json", pretty), speaker="customer")
    assert cells(parsed.utterances) == [("customer", 5.0, 5.7, "yes please")]


def test_vosk_without_a_speaker_is_refused(tmp_path):
    error = refused(write(tmp_path, "call.json", CHINESE_RESULT))
    assert error.line is None
    assert str(error) == ("call.json: a Vosk result has no speaker: name the file <recording>.agent.json or "
                          "<recording>.customer.json (or .left/.right), or use --speaker")


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ('{"result": [{"word": "hi", "start": 0.1, "end": 0.3}]}\n{"result": [}\n', 2, "not valid JSON"),
        ('[\n  {"result": []},\n  {"result": []}\n  {"result": []}\n]', 4, "expected ',' or ']'"),
        ('{"text": ""}\n{"result": [{"word": "hi", "start": 0.5, "end": 0.2}]}', 2,
         "word 1 ('hi') ends (0.2 s) before it starts (0.5 s)"),
        ('{"result": [{"word": "hi", "start": "soon", "end": 0.2}]}', 1, "word 1 ('hi') has no valid start and end time"),
        ('{"result": "hi"}', 1, "'result' is not a list of words"),
        ('\n\n{"alternatives": [{"confidence": 200.0, "result": [], "text": "hi"}]}', 3, "'alternatives'"),
        ('{"text": "hello there"}', 1, "a result without word times"),
        ('{"spk": [0.1, 0.2]}', 1, "not a Vosk result"),
        ('[1, 2]', 1, "expected a Vosk result object"),
    ],
)
def test_malformed_vosk_json_names_the_line(tmp_path, text, line, reason):
    error = refused(write(tmp_path, "call.agent.json", text), speaker="agent")
    assert error.line == line and reason in error.reason
    assert str(error).startswith(f"call.agent.json: line {line}: ")


def test_json_nested_too_deeply_is_refused_not_a_crash(tmp_path):
    error = refused(write(tmp_path, "deep.json", "[" * 100_000), speaker="agent")
    assert str(error) == "deep.json: line 1: not a Vosk result (JSON nested too deeply)"


def test_vosk_words_after_the_end_of_the_call(tmp_path):
    late = json.dumps(english_result([("bye", 720.0, 720.4)]))
    error = refused(write(tmp_path, "call.agent.json", f'{{"text": ""}}\n{late}\n'), speaker="agent", duration=300.0)
    assert str(error) == ("call.agent.json: line 2: word 'bye' at 00:12:00 is after the end of the call (05:00); "
                          "is this the transcript of another call?")
    # Within the slack a word is kept, its end clipped to the call.
    near = json.dumps(english_result([("bye", 300.5, 301.5)]))
    [u] = parse_transcript_file(write(tmp_path, "near.agent.json", near), speaker="agent", duration=300.0).utterances
    assert (u.words[0].start, u.words[0].end) == (300.5, 300.5)


# --- WebVTT --------------------------------------------------------------------------------

WEBVTT_CALL = """\ufeffWEBVTT - exported by the call recorder
Kind: captions

STYLE
::cue(v[voice="Agent"]) { color: blue }

NOTE the agent is on the left channel,
the customer on the right

REGION
id:bottom

greeting
00:00.500 --> 00:03.000 align:start position:10%
<v Agent>Thank you for calling, how can I <b>help</b>?</v>

00:00:03.400 --> 00:00:06.000
<v.loud Customer>My bill &amp; my plan
are both wrong.</v>

00:06.500 --> 00:08.000
<v 坐席>您好，工号1023为您服务</v>

00:08.000 --> 00:10.000
<v Agent>Sure, I can go.</v> <v Customer>Thanks a lot.</v>
"""


def test_webvtt_with_voices(tmp_path):
    parsed = parse_transcript_file(write(tmp_path, "call.vtt", WEBVTT_CALL), duration=10.0)
    assert parsed.format == WEBVTT
    assert cells(parsed.utterances) == [
        ("agent", 0.5, 3.0, "Thank you for calling, how can I help?"),
        ("customer", 3.4, 6.0, "My bill & my plan are both wrong."),
        ("agent", 6.5, 8.0, "您好，工号1023为您服务"),
        # Two voices in one cue share its time in proportion to their text.
        ("agent", 8.0, 9.0, "Sure, I can go."),
        ("customer", 9.0, 10.0, "Thanks a lot."),
    ]
    greeting = parsed.utterances[0]
    # No word times in a cue: words spread over it so the pane can still follow.
    assert [w.word for w in greeting.words] == ["Thank", "you", "for", "calling,", "how", "can", "I", "help?"]
    assert greeting.words[0].start == 0.5 and greeting.words[-1].end == 3.0
    assert all(a.end <= b.start + 1e-3 for a, b in zip(greeting.words, greeting.words[1:]))
    assert all(w.conf is None for w in greeting.words)
    chinese = parsed.utterances[2]
    assert [w.word for w in chinese.words] == ["您", "好，", "工", "号", "1023", "为", "您", "服", "务"]


def test_webvtt_needs_its_header(tmp_path):
    error = refused(write(tmp_path, "call.vtt", "\n00:01.000 --> 00:02.000\n<v Agent>hi</v>\n"))
    assert str(error) == "call.vtt: line 2: a WebVTT file starts with 'WEBVTT'"


# --- SRT --------------------------------------------------------------------------------


def test_srt_with_labels_in_gbk_from_a_windows_recorder(tmp_path):
    text = ("1\r\n00:00:01,000 --> 00:00:03,200\r\n坐席：您好，请问有什么可以帮您？\r\n\r\n"
            "2\r\n00:00:03,500 --> 00:00:06,000\r\n客户:我这个月的话费\r\n怎么多了五十块？\r\n\r\n"
            "3\r\n00:00:06,000 --> 00:00:07,000\r\n客服：好的。\r\n")
    parsed = parse_transcript_file(write(tmp_path, "call.srt", text, "gbk"))
    assert parsed.format == SRT
    assert cells(parsed.utterances) == [
        ("agent", 1.0, 3.2, "您好，请问有什么可以帮您？"),
        ("customer", 3.5, 6.0, "我这个月的话费怎么多了五十块？"),
        ("agent", 6.0, 7.0, "好的。"),
    ]
    words = parsed.utterances[1].words
    assert [w.word for w in words][:4] == ["我", "这", "个", "月"]  # per character
    assert words[0].start == 3.5 and words[-1].end == 6.0


def test_srt_english_labels_any_case_and_dialogue_in_one_cue(tmp_path):
    text = ("1\n00:00:00,500 --> 00:00:02,000\nAGENT: Good morning.\n\n"
            "2\n00:00:02,000 --> 00:00:04,000\n- Agent: Can I help?\n- customer: Yes: a bill.\n\n"
            "3\n00:00:04,500 --> 00:00:05,000\n[Customer] Thanks\n")
    assert cells(parse_transcript_file(write(tmp_path, "c.srt", text)).utterances) == [
        ("agent", 0.5, 2.0, "Good morning."),
        ("agent", 2.0, 3.0, "Can I help?"),
        ("customer", 3.0, 4.0, "Yes: a bill."),  # "Yes" is no speaker
        ("customer", 4.5, 5.0, "Thanks"),
    ]


@pytest.mark.parametrize(
    "first, second, labels, expected",
    [
        ("Speaker 1", "Speaker 2", None, ("agent", "customer")),
        ("SPEAKER_00", "SPEAKER_01", None, ("agent", "customer")),  # diarisation counts from 0
        ("说话人1", "说话人2", None, ("agent", "customer")),
        ("Speaker 1", "Speaker 2", {"Speaker 2": "agent", "speaker 1": "customer"}, ("customer", "agent")),
        ("Li Na", "Caller", {"li na": "agent"}, ("agent", "customer")),
    ],
)
def test_numbered_and_mapped_speakers(tmp_path, first, second, labels, expected):
    text = f"1\n00:00:01,000 --> 00:00:02,000\n{first}: hello\n\n2\n00:00:02,500 --> 00:00:03,000\n{second}: hi\n"
    parsed = parse_transcript_file(write(tmp_path, "c.srt", text), labels=labels)
    assert tuple(u.speaker for u in parsed.utterances) == expected


def test_cues_without_labels_take_the_given_speaker(tmp_path):
    text = "1\n00:00:01,000 --> 00:00:02,000\nNote: the account is closed\n\n00:00:03,000 --> 00:00:04,000\nok\n"
    path = write(tmp_path, "c.srt", text)
    assert cells(parse_transcript_file(path, speaker="customer").utterances) == [
        ("customer", 1.0, 2.0, "Note: the account is closed"), ("customer", 3.0, 4.0, "ok")]
    plain = write(tmp_path, "d.srt", "1\n00:00:01,000 --> 00:00:02,000\nok then\n")
    assert str(refused(plain)) == "d.srt: line 3: no speaker label; start the line with Agent: or Customer:, or use --speaker"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nAgent: hi\n\n2\n00:00:03,000 --> 00:00:0x,000\nAgent: bye\n",
         "a.srt: line 6: bad timestamp '00:00:0x,000' (expected hh:mm:ss,mmm)"),
        ("a.srt", "1\n00:00:05,000 --> 00:00:04,000\nAgent: hi\n",
         "a.srt: line 2: the cue ends (00:00:04,000) before it starts (00:00:05,000)"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nAgent: hi\n\nhello there\n",
         "a.srt: line 5: expected a cue number and a time line '00:00:01,000 --> 00:00:02,500'"),
        ("a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Li Na>hi</v>\n",
         "a.vtt: line 4: unknown speaker label 'Li Na' (use Agent/Customer, 坐席/客户 or Speaker 1/2, map the label, "
         "or use --speaker)"),
        ("a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent>hi</v>\n\n00:61.000 --> 00:62.000\n<v Agent>x</v>\n",
         "a.vtt: line 6: bad timestamp '00:61.000' (expected hh:mm:ss.ttt or mm:ss.ttt)"),
        ("a.vtt", "WEBVTT\n00:01.000 --> 00:02.000\n<v Agent>hi</v>\n",
         "a.vtt: line 2: a blank line must separate the WEBVTT header from the cues"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nSpeaker 3: hi\n",
         "a.srt: line 3: unknown speaker label 'Speaker 3' (use Agent/Customer, 坐席/客户 or Speaker 1/2, map the "
         "label, or use --speaker)"),
        ("a.vtt", "WEBVTT\n\nNOTE nothing said\n", "a.vtt: no cues with text in the file"),
        ("a.srt", "  \n\n", "a.srt: the file is empty"),
        ("a.txt", "hello", "a.txt: not a transcript file (expected WebVTT, SRT or Vosk result JSON)"),
    ],
)
def test_malformed_subtitles_are_refused_with_line_and_reason(tmp_path, name, text, message):
    assert str(refused(write(tmp_path, name, text))) == message


def test_cue_after_the_end_of_the_call(tmp_path):
    text = "1\n00:00:01,000 --> 00:00:02,000\nAgent: hi\n\n2\n00:12:00,000 --> 00:12:03,000\nAgent: bye\n"
    path = write(tmp_path, "a.srt", text)
    assert str(refused(path, duration=300.0)) == ("a.srt: line 6: cue at 00:12:00 is after the end of the call (05:00); "
                                                  "is this the transcript of another call?")
    assert "the end of the call (11:40);" in str(refused(path, duration=3700.0 - 3000))
    # A last cue lingering a second past the end is the call's: its end is clipped.
    ok = write(tmp_path, "b.srt", "1\n00:04:59,000 --> 00:05:01,500\nAgent: bye\n")
    assert cells(parse_transcript_file(ok, duration=300.0).utterances) == [("agent", 299.0, 300.0, "bye")]


def test_bytes_that_are_no_text(tmp_path):
    binary = tmp_path / "a.srt"
    binary.write_bytes(b"RIFF\x00\x00WAVEfmt ")
    assert str(refused(binary)) == "a.srt: not a text file; a transcript is a WebVTT, SRT or Vosk result JSON file"
    utf16 = tmp_path / "b.srt"
    utf16.write_bytes("1\r\n00:00:01,000 --> 00:00:02,000\r\nAgent: hi\r\n".encode("utf-16"))
    assert cells(parse_transcript_file(utf16).utterances) == [("agent", 1.0, 2.0, "hi")]
