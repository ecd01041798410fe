"""`qa-desk export transcript CALL -f txt|srt|vtt|json [-o FILE] [--anonymise]` through the
real command line: call times, speakers, words with times and confidence, masking."""

from __future__ import annotations

import json

import pytest
from clip_library import EN_AGENT, ZH_AGENT, recorded_call

from qa_desk.cli import main
from qa_desk.store.audit import audit_entries
from qa_desk.store.calls import add_call
from qa_desk.store.database import Database
from qa_desk.transcription.formats import SRT, WEBVTT, parse_transcript_file
from store_data import call_row


@pytest.fixture
def library(db_url, tmp_path):
    """Call 1 (Chinese, agent 李娜), call 2 (English, Sarah Lee), call 3 without a transcript."""
    db = Database.open(db_url)
    try:
        recorded_call(db, tmp_path)
        recorded_call(db, tmp_path, english=True)
        with db.session() as s:
            add_call(s, call_row("untranscribed.wav"))
    finally:
        db.close()
    return db_url


def run(capsys, url: str, *argv: str):
    code = main(["--db", url, "export", "transcript", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_txt_is_printed_by_default_with_call_times(capsys, library):
    code, out, err = run(capsys, library, "1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Call 1 · zh.wav" and lines[1] == f"{ZH_AGENT} · Billing CN"
    assert lines[2] == "Started 2026-11-03 09:30:00 · 0:10"
    assert lines[4:] == ["[00:00] Agent: 您好我是李娜请问有什么可以帮您", "[00:03] Customer: 我的手机号是",
                         "[00:05] Customer: 一三八零零一三八零零零", "[00:08] Agent: 好的谢谢您"]


def test_srt_and_vtt_files_read_back_with_the_calls_times(capsys, library, tmp_path):
    code, out, _ = run(capsys, library, "zh.wav", "-o", str(tmp_path / "call.srt"))
    assert code == 0 and out == f"Call 1: transcript written to {tmp_path / 'call.srt'} (srt)\n"
    parsed = parse_transcript_file(tmp_path / "call.srt")
    assert parsed.format == SRT
    assert [(u.speaker, u.start, u.end) for u in parsed.utterances] == [
        ("agent", 0.5, 2.46), ("customer", 3.0, 4.425), ("customer", 5.0, 7.4), ("agent", 8.0, 9.4)]
    assert run(capsys, library, "1", "-f", "vtt", "-o", str(tmp_path / "call.txt"))[0] == 0  # -f wins
    assert parse_transcript_file(tmp_path / "call.txt").format == WEBVTT
    # A file export carries what the customer said: the audit log says who wrote which.
    db = Database.open(library)
    try:
        with db.session() as s:
            logged = audit_entries(s, action="export.transcript")
    finally:
        db.close()
    assert [(e.new["call"], e.new["format"], e.new["anonymised"]) for e in logged] == [(1, "vtt", False),
                                                                                     (1, "srt", False)]
    assert logged[0].new["path"] == str(tmp_path / "call.txt")


def test_json_has_every_word_with_time_speaker_and_confidence(capsys, library):
    code, out, _ = run(capsys, library, "2", "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data["call"]["id"] == 2 and data["call"]["agent"] == EN_AGENT and data["call"]["file_name"] == "en.wav"
    words = data["result"]
    assert words[0] == {"word": "hello", "start": 0.5, "end": 0.7, "conf": 0.9, "speaker": "agent"}
    assert [w["word"] for w in words if w["speaker"] == "customer"][4:7] == ["one", "three", "eight"]
    assert [u["speaker"] for u in data["utterances"]] == ["agent", "customer", "customer", "agent"]


def test_anonymised_the_name_is_a_label_the_number_masked_and_the_file_name_left_out(capsys, library, tmp_path):
    code, out, _ = run(capsys, library, "1", "--anonymise", "--language", "zh")
    assert code == 0
    assert ZH_AGENT not in out and "zh.wav" not in out and "一三八" not in out
    assert "[00:05] 客户：***********" in out and "[00:00] 坐席：您好我是坐席A请问" in out
    code, out, _ = run(capsys, library, "2", "--anonymise", "-o", str(tmp_path / "en.json"))
    assert code == 0 and out.endswith("(json, anonymised)\n")
    data = json.loads((tmp_path / "en.json").read_text(encoding="utf-8"))
    assert data["call"]["agent"] == "Agent A" and "file_name" not in data["call"] and data["call"]["anonymised"]
    assert "Sarah" not in json.dumps(data) and "three" not in json.dumps(data)
    assert sum(w["word"] == "*" for w in data["result"]) == 11  # the words keep their times
    assert next(w for w in data["result"] if w["word"] == "*")["start"] == 5.0


def test_problems_exit_2(capsys, library, tmp_path):
    code, _, err = run(capsys, library, "42")
    assert code == 2 and "no call '42'" in err
    code, _, err = run(capsys, library, "3")
    assert code == 2 and "no transcript yet" in err
    code, _, err = run(capsys, library, "1", "-o", str(tmp_path / "call.docx"))
    assert code == 2 and "-f txt, srt, vtt or json" in err
    code, _, err = run(capsys, library, "1", "-o", str(tmp_path / "missing" / "call.srt"))
    assert code == 2 and "no such folder" in err
    assert list(tmp_path.glob("*.partial")) == []
