"""`qa-desk transcript show` and `qa-desk transcript import`, through the parser they add and their runner."""

from __future__ import annotations

import argparse
import json

import pytest
from recordings import write_call

from qa_desk.cli import _width
from qa_desk.cli_transcripts import add_transcript_parser, run_transcript
from qa_desk.importing.importer import import_recordings
from qa_desk.store.database import Database

VTT = ("WEBVTT\n\n00:00.500 --> 00:01.500\n<v Agent>您好，请问有什么可以帮您？</v>\n\n"
       "00:01.800 --> 00:02.800\n<v Customer>My bill is wrong.</v>\n")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="qa-desk")
    add_transcript_parser(top.add_subparsers(dest="command"))
    return top


def run(capsys, url: str, *argv: str):
    code = run_transcript(parser().parse_args(["transcript", *argv]), url)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def library(db_url, tmp_path):
    """A database with one stereo call (id 1) named call.wav."""
    db = Database.open(db_url)
    try:
        import_recordings(db, [write_call(tmp_path / "rec" / "call.wav", 3.0)])
    finally:
        db.close()
    return db_url


def test_import_then_show(capsys, library, tmp_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    code, out, err = run(capsys, library, "import", "call.wav", str(vtt))
    assert code == 0, err
    assert out.strip() == ("Call 1 call.wav: transcript attached from call.vtt (WebVTT file, language zh): "
                           "2 utterances (agent, customer), 15 words")
    code, out, err = run(capsys, library, "show", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Call 1  call.wav"
    assert lines[1].startswith("Transcript: WebVTT file (imported), language zh, 2 utterances, 15 words, ")
    assert lines[3].split() == ["Speaker", "Start", "End", "Text"]
    assert lines[4].split() == ["Agent", "0:00.5", "0:01.5", "您好，请问有什么可以帮您？"]
    assert lines[5].split() == ["Customer", "0:01.8", "0:02.8", "My", "bill", "is", "wrong."]
    # Columns line up in a terminal, Chinese taking two columns a character.
    text_column = {_width(line[:line.index(word)]) for line, word in zip(lines[3:6], ("Text", "您好", "My"))}
    assert len(text_column) == 1


def test_show_json_has_utterances_with_words(capsys, library, tmp_path):
    agent = tmp_path / "call.agent.json"
    agent.write_text(json.dumps({"result": [
        {"conf": 1.0, "end": 1.11, "start": 0.54, "word": "您好"},
        {"conf": 0.93, "end": 1.5, "start": 1.11, "word": "请问"}], "text": "您好 请问"}), encoding="utf-8")
    assert run(capsys, library, "import", "1", str(agent))[0] == 0
    code, out, _ = run(capsys, library, "show", "call.wav", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["call"] == {"id": 1, "file_name": "call.wav"}
    transcript = data["transcript"]
    assert (transcript["engine"], transcript["model_name"], transcript["language"]) == (
        "imported", "Vosk result JSON", "zh")
    assert transcript["utterances"] == [{
        "speaker": "agent", "start": 0.54, "end": 1.5, "text": "您好请问",
        "words": [{"word": "您好", "start": 0.54, "end": 1.11, "conf": 1.0},
                  {"word": "请问", "start": 1.11, "end": 1.5, "conf": 0.93}],
    }]


def test_speaker_and_labels_from_the_command_line(capsys, library, tmp_path):
    srt = tmp_path / "recorder.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:01,000\nhello\n\n2\n00:00:01,500 --> 00:00:02,000\nLi Na: hi\n",
                   encoding="utf-8")
    code, _, err = run(capsys, library, "import", "1", str(srt))
    assert code == 1
    assert err.strip() == ("qa-desk: recorder.srt: line 3: no speaker label; start the line with Agent: or Customer:, "
                           "or use --speaker (nothing was stored)")
    code, _, err = run(capsys, library, "import", "1", str(srt), "--speaker", "customer", "--label", "Li Na=agent")
    assert code == 0, err
    _, out, _ = run(capsys, library, "show", "1", "--json")
    assert [(u["speaker"], u["text"]) for u in json.loads(out)["transcript"]["utterances"]] == [
        ("customer", "hello"), ("agent", "hi")]


def test_a_refused_file_names_file_line_and_reason_and_keeps_the_transcript(capsys, library, tmp_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    run(capsys, library, "import", "1", str(vtt))
    late = tmp_path / "late.vtt"
    late.write_text(VTT + "\n12:00.000 --> 12:01.000\n<v Agent>bye</v>\n", encoding="utf-8")
    code, out, err = run(capsys, library, "import", "1", str(late))
    assert (code, out) == (1, "")
    assert err.strip() == ("qa-desk: late.vtt: line 9: cue at 00:12:00 is after the end of the call (00:03); "
                           "is this the transcript of another call? (nothing was stored)")
    _, out, _ = run(capsys, library, "show", "1", "--json")
    assert len(json.loads(out)["transcript"]["utterances"]) == 2


def test_usage_errors(capsys, library, tmp_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    code, _, err = run(capsys, library, "import", "99", str(vtt))
    assert code == 2 and "no call '99'" in err
    code, _, err = run(capsys, library, "import", "1", str(tmp_path / "missing.srt"))
    assert code == 2 and "missing.srt: no such file" in err
    with pytest.raises(SystemExit) as exited:  # argparse: a label without a role
        parser().parse_args(["transcript", "import", "1", str(vtt), "--label", "Speaker 2"])
    assert exited.value.code == 2


def test_a_call_without_transcript(capsys, library):
    code, out, _ = run(capsys, library, "show", "1")
    assert code == 0 and "No transcript yet" in out
    code, out, _ = run(capsys, library, "show", "1", "--json")
    assert json.loads(out) == {"call": {"id": 1, "file_name": "call.wav"}, "transcript": None}


def test_database_that_cannot_be_opened(capsys, tmp_path):
    code, _, err = run(capsys, f"sqlite:///{tmp_path / 'no' / 'such' / 'qa.sqlite3'}", "show", "1")
    assert code == 3 and "does not exist" in err
