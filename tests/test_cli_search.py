"""`qa-desk search`, through the parser it adds, its runner and qa-desk's own main."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

import pytest

from qa_desk import cli
from qa_desk.cli_search import add_search_parser, run_search
from qa_desk.store.calls import add_call
from qa_desk.store.database import Database
from qa_desk.store.models import Agent
from qa_desk.store.transcripts import UtteranceRow, replace_transcript


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="qa-desk")
    add_search_parser(top.add_subparsers(dest="command"))
    return top


def run(capsys, url: str, *argv: str):
    code = run_search(parser().parse_args(["search", *argv]), url)
    out, err = capsys.readouterr()
    return code, out, err


def _call(session, name: str, started: datetime, agent_id: int) -> int:
    return add_call(session, dict(
        file_path=f"/rec/{name}", file_name=name, content_hash=name.ljust(64, "0"), file_size=1,
        audio_format="WAV", codec="PCM_16", duration=600.0, sample_rate=8000, channels=2,
        channel_map={"0": "agent", "1": "customer"}, status="transcribed", agent_id=agent_id, started_at=started,
    ))


@pytest.fixture
def library(db_url):
    db = Database.open(db_url)
    try:
        with db.session() as s:
            li = Agent(name="李娜")
            s.add(li)
            s.flush()
            first = _call(s, "first.wav", datetime(2026, 3, 5, 9, 30), li.id)
            second = _call(s, "second.wav", datetime(2026, 4, 2, 14, 0), li.id)
            replace_transcript(s, first, engine="vosk", model_name="cn", language="zh", utterances=[
                UtteranceRow("customer", 65.2, 68.0, "我要投诉你们的服务", []),
                UtteranceRow("agent", 70.0, 72.0, "非常抱歉给您带来不便", []),
            ])
            replace_transcript(s, second, engine="vosk", model_name="cn", language="zh", utterances=[
                UtteranceRow("agent", 5.0, 7.0, "请不要投诉，我帮您处理。", []),
            ])
    finally:
        db.close()
    return db_url


def test_one_line_per_hit_newest_call_first(capsys, library):
    code, out, err = run(capsys, library, "投诉")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["Call", "Date", "Agent", "Speaker", "Time", "Said"]
    assert lines[1].split() == ["2", "2026-04-02", "14:00", "李娜", "Agent", "0:05", "请不要投诉，我帮您处理。"]
    assert lines[2].split() == ["1", "2026-03-05", "09:30", "李娜", "Customer", "1:05", "我要投诉你们的服务"]
    assert lines[3] == "2 hits"


def test_filters_and_limit(capsys, library):
    code, out, _ = run(capsys, library, "投诉", "--speaker", "customer")
    assert code == 0 and out.splitlines()[-1] == "1 hit" and "first" not in out
    code, out, _ = run(capsys, library, "投诉", "--since", "2026-04-01")
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["2"]
    code, out, _ = run(capsys, library, "投诉", "--until", "2026-04-01 00:00")
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["1"]
    code, out, _ = run(capsys, library, "投诉", "--limit", "1")
    assert code == 0 and out.splitlines()[-1] == "1 of 2 hits (use --limit for more)"
    code, out, _ = run(capsys, library, "投诉", "--limit", "0")
    assert (code, out) == (0, "2 hits\n")


def test_long_utterances_are_cut_around_the_match(capsys, db_url):
    db = Database.open(db_url)
    try:
        with db.session() as s:
            call = _call(s, "long.wav", datetime(2026, 5, 1), None)
            said = "嗯" * 80 + "我要投诉" + "啊" * 80 + "投诉" + "好" * 10
            replace_transcript(s, call, engine="vosk", model_name="cn", language="zh",
                               utterances=[UtteranceRow("customer", 1.0, 30.0, said, [])])
    finally:
        db.close()
    code, out, _ = run(capsys, db_url, "投诉")
    snippet = out.splitlines()[1].split()[-1]
    # 30 characters either side of the first match; the second is out of sight.
    assert snippet == "…" + "嗯" * 28 + "我要投诉" + "啊" * 30 + "…"


def test_json(capsys, library):
    code, out, err = run(capsys, library, "抱歉", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert {k: hit[k] for k in ("call_id", "speaker", "start", "agent", "file_name", "started_at")} == {
        "call_id": 1, "speaker": "agent", "start": 70.0, "agent": "李娜", "file_name": "first.wav",
        "started_at": "2026-03-05 09:30:00",
    }
    start, end = hit["matches"][0]
    assert hit["snippet"][start:end] == "抱歉"


def test_no_hits_is_still_success(capsys, library):
    code, out, _ = run(capsys, library, "退款")
    assert (code, out.strip()) == (0, "Nothing found for '退款'")
    code, out, _ = run(capsys, library, "？！…")
    assert code == 0 and "only punctuation" in out
    code, out, _ = run(capsys, library, "？！…", "--json")
    assert (code, json.loads(out)) == (0, {"total": 0, "hits": []})


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_a_bad_date_is_a_usage_error(capsys, library, option):
    code, out, err = run(capsys, library, "投诉", option, "2026-13-45")
    assert (code, out) == (2, "")
    assert "'2026-13-45' is not a date" in err


def test_wired_into_qa_desk(capsys, library):
    code = cli.main(["--db", library, "search", "投诉", "--speaker", "agent", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [h["call_id"] for h in json.loads(out)["hits"]] == [2]
    assert cli.main(["--db", library, "search", "投诉", "--since", "yesterday"]) == 2


def test_an_unusable_database_is_exit_3(capsys, tmp_path):
    code, _, err = run(capsys, f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}", "投诉")
    assert code == 3 and "does not exist" in err
