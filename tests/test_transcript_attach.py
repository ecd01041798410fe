"""Attaching existing transcript files to calls: by hand, and picked up beside recordings at import.

Real recordings, real files, real databases (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from recordings import write_call, write_text_as
from sqlalchemy import func, select

from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.samples import load_sample_calls, samples_dir
from qa_desk.store.models import Call, Transcript
from qa_desk.store.transcripts import latest_transcript
from qa_desk.transcription.attach import (
    CallNotFound,
    SidecarFinder,
    TranscriptFileError,
    attach_transcript_files,
    find_transcript_sidecars,
    parse_transcript_files,
    resolve_speaker,
    speaker_from_file_name,
)

AGENT_VOSK = {"result": [{"conf": 1.0, "end": 1.11, "start": 0.54, "word": "您好"},
                         {"conf": 0.93, "end": 1.5, "start": 1.11, "word": "请问"},
                         {"conf": 1.0, "end": 1.62, "start": 1.5, "word": "[unk]"}], "text": "您好 请问 [unk]"}
CUSTOMER_VTT = "WEBVTT\n\n00:01.200 --> 00:02.400\n<v Customer>我的话费</v>\n"
BOTH_VTT = ("WEBVTT\n\n00:00.500 --> 00:01.500\n<v Agent>Good morning, how can I help?</v>\n\n"
            "00:01.800 --> 00:02.800\n<v Customer>My bill is wrong.</v>\n")
BAD_SRT = "1\n00:00:00,500 --> 00:00:01,500\nAgent: hello\n\n2\n00:00:02,000 --> 00:00:0x,000\nCustomer: hi\n"


def outcome_by_name(report):
    return {Path(o.path).name: o for o in report.outcomes}


def imported_call(db, path: Path, **options) -> int:
    report = import_recordings(db, [path], ImportOptions(**options))
    assert report.outcomes[-1].status == "imported", report.outcomes[-1].message
    return report.outcomes[-1].call_id


def transcript_of(db, call_id: int):
    with db.session() as session:
        return latest_transcript(session, call_id)


def status_of(db, call_id: int) -> str:
    with db.session() as session:
        return session.get(Call, call_id).transcript_status


def test_one_file_per_channel_is_merged_in_call_order(db, tmp_path):
    call_id = imported_call(db, write_call(tmp_path / "rec" / "call.wav", 3.0))
    agent = tmp_path / "agent.json"
    agent.write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    customer = tmp_path / "customer.vtt"
    customer.write_text(CUSTOMER_VTT, encoding="utf-8")
    transcript_id = attach_transcript_files(db, call_id, [(agent, "agent"), (customer, "customer")])
    transcript = transcript_of(db, call_id)
    assert transcript.id == transcript_id
    assert (transcript.engine, transcript.model_name, transcript.language) == (
        "imported", "Vosk result JSON + WebVTT file", "zh")
    assert [(u.speaker, u.start, u.text) for u in transcript.utterances] == [
        ("agent", 0.54, "您好请问"), ("customer", 1.2, "我的话费")]
    assert [w.word for w in transcript.utterances[0].words] == ["您好", "请问"]
    assert [w.word for w in transcript.utterances[1].words] == ["我", "的", "话", "费"]
    assert status_of(db, call_id) == "done"


def test_a_refused_file_stores_nothing_and_keeps_the_old_transcript(db, tmp_path):
    call_id = imported_call(db, write_call(tmp_path / "call.wav", 3.0))
    good = tmp_path / "good.vtt"
    good.write_text(BOTH_VTT, encoding="utf-8")
    first = attach_transcript_files(db, call_id, [(good, None)])
    assert transcript_of(db, call_id).language == "en"
    agent = tmp_path / "call.agent.json"
    agent.write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    bad = tmp_path / "bad.srt"
    bad.write_text(BAD_SRT, encoding="utf-8")
    with pytest.raises(TranscriptFileError) as caught:
        attach_transcript_files(db, call_id, [(agent, None), (bad, "customer")])
    assert str(caught.value) == "bad.srt: line 6: bad timestamp '00:00:0x,000' (expected hh:mm:ss,mmm)"
    kept = transcript_of(db, call_id)
    assert kept.id == first and kept.model_name == "WebVTT file" and len(kept.utterances) == 2
    with db.session() as session:
        assert session.execute(select(func.count(Transcript.id))).scalar_one() == 1


def test_the_same_speaker_from_two_files_is_refused(db, tmp_path):
    call_id = imported_call(db, write_call(tmp_path / "call.wav", 3.0))
    both = tmp_path / "call.vtt"
    both.write_text(BOTH_VTT, encoding="utf-8")
    agent = tmp_path / "call.agent.json"
    agent.write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    with pytest.raises(TranscriptFileError, match="call.vtt has the agent's lines too; attach one file per speaker"):
        attach_transcript_files(db, call_id, [(both, None), (agent, None)])
    assert transcript_of(db, call_id) is None and status_of(db, call_id) == "none"


def test_replacing_and_the_checks_against_the_call(db, tmp_path):
    call_id = imported_call(db, write_call(tmp_path / "call.wav", 3.0))
    late = tmp_path / "late.srt"
    late.write_text("1\n00:00:09,000 --> 00:00:10,000\nAgent: hello\n", encoding="utf-8")
    with pytest.raises(TranscriptFileError, match=r"line 2: cue at 00:00:09 is after the end of the call \(00:03\)"):
        attach_transcript_files(db, call_id, [(late, None)])
    right = tmp_path / "call.right.json"
    right.write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    attach_transcript_files(db, call_id, [(right, None)])
    assert {u.speaker for u in transcript_of(db, call_id).utterances} == {"customer"}  # agent on the left
    only_unk = tmp_path / "silence.agent.json"
    only_unk.write_text('{"result": [{"word": "[unk]", "start": 0.1, "end": 0.2}], "text": "[unk]"}\n', encoding="utf-8")
    with pytest.raises(TranscriptFileError, match="silence.agent.json: no words in the file"):
        attach_transcript_files(db, call_id, [(only_unk, None)])
    with pytest.raises(CallNotFound):
        attach_transcript_files(db, call_id + 100, [(right, None)])


def test_a_mono_call_takes_unlabelled_lines_as_mixed(sqlite_db, tmp_path):
    call_id = imported_call(sqlite_db, write_call(tmp_path / "mono.wav", 3.0, channels=1))
    srt = tmp_path / "mono.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:01,500\nhello there\n\n2\n00:00:02,000 --> 00:00:02,500\nAgent: hi\n",
                   encoding="utf-8")
    attach_transcript_files(sqlite_db, call_id, [(srt, None)])
    assert [u.speaker for u in transcript_of(sqlite_db, call_id).utterances] == ["mixed", "agent"]


def test_whose_file_it_is_from_its_name_or_the_channel_map(tmp_path):
    assert speaker_from_file_name(tmp_path / "call.agent.json") == "agent"
    assert speaker_from_file_name(tmp_path / "Call.RIGHT.srt") == "right"
    assert speaker_from_file_name(tmp_path / "call.json") is None
    stereo, swapped = {"0": "agent", "1": "customer"}, {"0": "customer", "1": "agent"}
    assert resolve_speaker(tmp_path / "x.json", "left", stereo) == "agent"
    assert resolve_speaker(tmp_path / "x.json", "left", swapped) == "customer"
    with pytest.raises(TranscriptFileError, match="x.json: the call has no right channel"):
        resolve_speaker(tmp_path / "x.json", "right", {"0": "mixed"})
    right = tmp_path / "call.right.json"
    right.write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    utterances, model, language = parse_transcript_files([(right, None)], duration=3.0, channel_map=swapped)
    assert [u.speaker for u in utterances] == ["agent"] and (model, language) == ("Vosk result JSON", "zh")
    # --speaker wins over the file name.
    utterances, _, _ = parse_transcript_files([(right, "customer")], duration=3.0, channel_map=swapped)
    assert [u.speaker for u in utterances] == ["customer"]


# --- sidecars: found beside the recording ---------------------------------------------------


def test_which_sidecars_are_found(tmp_path):
    recording = write_call(tmp_path / "Call 1.wav", 1.0)
    for name in ("Call 1.json", "Call 1.SRT", "Call 1.vtt", "call 1.txt", "Call 10.vtt", ".Call 1.vtt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert find_transcript_sidecars(recording) == [(tmp_path / "Call 1.vtt", None)]  # WebVTT first
    (tmp_path / "Call 1.agent.srt").write_text("x", encoding="utf-8")
    (tmp_path / "Call 1.agent.json").write_text("x", encoding="utf-8")
    (tmp_path / "Call 1.right.vtt").write_text("x", encoding="utf-8")
    # One file per speaker wins over a file with both; word times (Vosk) over cues.
    assert find_transcript_sidecars(recording) == [
        (tmp_path / "Call 1.agent.json", "agent"), (tmp_path / "Call 1.right.vtt", "right")]
    assert {p.name for p in SidecarFinder().candidates(recording)} == {
        "Call 1.json", "Call 1.SRT", "Call 1.vtt", "Call 1.agent.srt", "Call 1.agent.json", "Call 1.right.vtt"}
    assert find_transcript_sidecars(write_call(tmp_path / "other.wav", 1.0, seed=4)) == []


def test_sidecars_are_attached_at_import_and_are_not_report_noise(db, tmp_path):
    folder = tmp_path / "recordings"
    write_call(folder / "a.wav", 3.0, seed=1)
    (folder / "a.vtt").write_text(BOTH_VTT, encoding="utf-8")
    write_call(folder / "sub" / "b.wav", 3.0, seed=2)
    (folder / "sub" / "b.left.json").write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    (folder / "sub" / "b.right.vtt").write_text(CUSTOMER_VTT.replace("<v Customer>", ""), encoding="utf-8")
    write_call(folder / "c.wav", 3.0, seed=3)
    write_text_as(folder / "notes.txt")
    (folder / "orphan.vtt").write_text(BOTH_VTT, encoding="utf-8")
    report = import_recordings(db, [folder])
    got = outcome_by_name(report)
    assert set(got) == {"a.wav", "b.wav", "c.wav", "notes.txt", "orphan.vtt"}  # no line for a.vtt, b.*.json
    assert (got["a.wav"].status, got["a.wav"].transcript) == ("imported", "attached")
    assert got["a.wav"].message == "a.wav: imported (3.0 s); transcript attached (a.vtt)"
    assert got["b.wav"].transcript == "attached" and got["c.wav"].transcript is None
    assert got["orphan.vtt"].status == got["notes.txt"].status == "skipped"
    assert report.summary() == "3 imported, 0 already known, 0 failed, 2 skipped; 2 transcripts attached"
    assert report.as_dict()["transcripts"] == {"attached": 2, "not_attached": 0}
    b = transcript_of(db, got["b.wav"].call_id)
    # One file per channel: left is the agent, right the customer (the import's default).
    assert [(u.speaker, u.text) for u in b.utterances] == [("agent", "您好请问"), ("customer", "我的话费")]
    assert b.model_name == "Vosk result JSON + WebVTT file"
    assert transcript_of(db, got["c.wav"].call_id) is None


def test_a_bad_sidecar_keeps_the_recording(db, tmp_path):
    recording = write_call(tmp_path / "rec" / "call.wav", 3.0)
    (tmp_path / "rec" / "call.srt").write_text(BAD_SRT, encoding="utf-8")
    report = import_recordings(db, [tmp_path / "rec"])
    [outcome] = report.outcomes
    assert (outcome.status, outcome.transcript) == ("imported", "not_attached")
    assert outcome.message == ("call.wav: imported (3.0 s); transcript not attached: "
                               "call.srt: line 6: bad timestamp '00:00:0x,000' (expected hh:mm:ss,mmm)")
    assert report.ok  # the recording is in the library: nothing failed
    assert report.summary().endswith("; 1 transcript not attached")
    assert transcript_of(db, outcome.call_id) is None and status_of(db, outcome.call_id) == "none"

    # Fixed and imported again: the known call, still without a transcript, gets it.
    (tmp_path / "rec" / "call.srt").write_text(BAD_SRT.replace("0x", "03"), encoding="utf-8")
    [again] = import_recordings(db, [recording]).outcomes
    assert (again.status, again.transcript, again.call_id) == ("known", "attached", outcome.call_id)
    assert again.message == "call.wav: already in the library; transcript attached (call.srt)"
    assert [u.speaker for u in transcript_of(db, outcome.call_id).utterances] == ["agent", "customer"]
    # A call that has a transcript keeps it: the sidecar is not read again.
    (tmp_path / "rec" / "call.srt").write_text(BAD_SRT, encoding="utf-8")
    [third] = import_recordings(db, [recording]).outcomes
    assert (third.status, third.transcript) == ("known", None)


def test_a_moved_recording_known_by_its_hash_gets_its_sidecar(sqlite_db, tmp_path):
    original = write_call(tmp_path / "old" / "call.wav", 3.0)
    imported_call(sqlite_db, original)
    moved = tmp_path / "new" / "call.wav"
    moved.parent.mkdir()
    original.rename(moved)
    (moved.parent / "call.vtt").write_text(BOTH_VTT, encoding="utf-8")
    [outcome] = import_recordings(sqlite_db, [moved.parent]).outcomes
    assert (outcome.status, outcome.transcript) == ("known", "attached")


def test_a_transcript_named_with_its_recording_is_attached_not_imported(sqlite_db, tmp_path):
    recording = write_call(tmp_path / "call.wav", 3.0)
    sidecar = tmp_path / "call.vtt"
    sidecar.write_text(BOTH_VTT, encoding="utf-8")
    report = import_recordings(sqlite_db, [recording, sidecar])
    assert [(Path(o.path).name, o.status, o.transcript) for o in report.outcomes] == [
        ("call.wav", "imported", "attached")]
    lonely = tmp_path / "other.srt"
    lonely.write_text(BAD_SRT, encoding="utf-8")
    [outcome] = import_recordings(sqlite_db, [lonely]).outcomes
    assert (outcome.status, outcome.reason) == ("skipped", "not_a_recording")
    assert "qa-desk transcript import" in outcome.message


def test_agent_on_the_right_channel(sqlite_db, tmp_path):
    folder = tmp_path / "rec"
    write_call(folder / "call.wav", 3.0)
    (folder / "call.right.json").write_text(json.dumps(AGENT_VOSK), encoding="utf-8")
    [outcome] = import_recordings(sqlite_db, [folder], ImportOptions(agent_channel="right")).outcomes
    assert [u.speaker for u in transcript_of(sqlite_db, outcome.call_id).utterances] == ["agent"]


def test_sample_calls_come_with_their_transcripts(sqlite_db):
    report = load_sample_calls(sqlite_db)
    assert report.count("imported") == 4 and report.transcript_counts() == {"attached": 4, "not_attached": 0}
    script = {c["file"]: c for c in json.loads((samples_dir() / "transcripts.json").read_text("utf-8"))["calls"]}
    for outcome in report.outcomes:
        transcript = transcript_of(sqlite_db, outcome.call_id)
        lines = sorted(script[Path(outcome.path).name]["segments"], key=lambda s: (s["start"], s["end"]))
        assert [(u.speaker, u.text) for u in transcript.utterances] == [(s["speaker"], s["text"]) for s in lines]
        assert transcript.utterances[0].start == lines[0]["start"]
        assert transcript.language == script[Path(outcome.path).name]["language"][:2]
