"""`qa-desk call`: one call's details and audio metrics, in words and as JSON, with exit codes."""

from __future__ import annotations

import json

import pytest
from test_vad import layout, write

from qa_desk.cli import main
from qa_desk.paths import resources_dir

SAMPLES = resources_dir() / "samples"


@pytest.fixture
def sqlite_url(tmp_path):
    """For behaviour that is the CLI's, not the database's: SQLite only keeps the suite fast."""
    return f"sqlite:///{tmp_path / 'qa-desk.sqlite3'}"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(capsys, db_url):
    code, _, _ = run(capsys, "--db", db_url, "import", str(SAMPLES), "--metadata", str(SAMPLES / "metadata.csv"))
    assert code == 0
    return db_url


def test_call_shows_metadata_and_metrics(capsys, demo):
    code, out, err = run(capsys, "--db", demo, "call", "张伟_20261103-143311_13912345678.wav")
    assert code == 0, err
    assert "张伟 (1047)" in out and "Broadband CN" in out and "2026-11-03 14:33:11" in out
    assert "2 × 8000 Hz: agent left, customer right" in out and str(SAMPLES) in out
    assert "talk         agent 6.4 s, customer 9.2 s" in out
    assert "first words  agent after 0.50 s" in out
    # The scripted overlap: the agent cuts in at 4.94 s while the customer is talking.
    assert "4.94–5.76 s agent talked over the customer" in out
    assert "agent interrupting: 1" in out


def test_call_shows_dead_air_and_holds(capsys, demo):
    code, out, _ = run(capsys, "--db", demo, "call", "Li Na_20261103-091502_13800138000.flac")
    assert code == 0
    assert "longest 4.00 s; dead air: 1 of ≥ 3 s" in out and "13.18–17.18 s (4.0 s)" in out
    assert "holds        none (≥ 20 s)" in out
    assert "20.72–21.20 s customer talked over the agent" in out
    code, out, _ = run(capsys, "--db", demo, "call", "Li Na_20261103-091502_13800138000.flac", "--hold-seconds", "4")
    assert "holds        1 (≥ 4 s)" in out


def test_call_json(capsys, demo):
    code, out, _ = run(capsys, "--db", demo, "call", "Sarah Mitchell_20261104-101845_2125550147.wav", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["call"]["agent"] == "Sarah Mitchell" and data["call"]["team"] == "Customer Care EN"
    assert data["call"]["channel_map"] == {"0": "agent", "1": "customer"}
    metrics = data["metrics"]
    assert metrics["overtalk"] == [{"start": 25.82, "end": 26.2, "started_by": "customer"}]
    assert metrics["first_agent_words"] == 0.5 and metrics["holds"] == []
    assert metrics["talk_ratio"] == pytest.approx(metrics["talk"]["agent"] / metrics["talk"]["customer"], abs=0.01)
    # By id as well, with the same numbers (stored, not measured again).
    code, out, _ = run(capsys, "--db", demo, "call", str(data["call"]["id"]), "--json")
    assert json.loads(out) == data
    code, out, _ = run(capsys, "--db", demo, "call", str(data["call"]["id"]), "--json", "--recompute")
    assert json.loads(out)["metrics"] == metrics


def test_mono_call_says_what_cannot_be_told(capsys, sqlite_url, tmp_path):
    path = write(tmp_path / "rec" / "mono.wav", layout(8.0, [[(0.5, 3.0), (4.0, 6.0)]]))
    run(capsys, "--db", sqlite_url, "import", str(path))
    code, out, _ = run(capsys, "--db", sqlite_url, "call", "mono.wav")
    assert code == 0
    assert "talk         mixed 4.5 s" in out
    assert "cannot be told apart on a mono recording" in out and "first words  –" in out


def test_unknown_call_exits_2(capsys, sqlite_url):
    code, _, err = run(capsys, "--db", sqlite_url, "call", "404")
    assert code == 2 and "no call '404'" in err
    code, _, err = run(capsys, "--db", sqlite_url, "call", "nothing.wav")
    assert code == 2


def test_ambiguous_file_name_exits_2_and_lists_the_ids(capsys, sqlite_url, tmp_path):
    for folder, seed in (("a", 1), ("b", 2)):
        write(tmp_path / folder / "same.wav", layout(3.0, [[(0.5, 1.5)], []], seed=seed))
    run(capsys, "--db", sqlite_url, "import", str(tmp_path / "a"), str(tmp_path / "b"))
    code, _, err = run(capsys, "--db", sqlite_url, "call", "same.wav")
    assert code == 2 and "names 2 calls" in err


def test_missing_or_unreadable_recording_exits_1(capsys, sqlite_url, tmp_path):
    path = write(tmp_path / "rec" / "gone.wav", layout(3.0, [[(0.5, 1.5)], [(2.0, 2.5)]]))
    run(capsys, "--db", sqlite_url, "import", str(path))
    path.unlink()
    code, out, err = run(capsys, "--db", sqlite_url, "call", "gone.wav")
    assert code == 1 and out == ""
    assert "gone.wav" in err and "missing" in err
    path.write_text("not audio any more\n" * 50, encoding="utf-8")
    code, _, err = run(capsys, "--db", sqlite_url, "call", "gone.wav")
    assert code == 1 and "gone.wav" in err and "cannot be read" in err


def test_database_that_cannot_be_used_exits_3(capsys, tmp_path):
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.sqlite3'}", "call", "1")
    assert code == 3 and "does not exist" in err
