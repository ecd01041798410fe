"""`qa-desk demo`: what it prints, and its exit codes (refused, usage, database, interrupted)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from qa_desk.cli import main
from qa_desk.store.database import Database
from qa_desk.store.models import Call, Evaluation, Team

from store_data import add_test_call


def _counts(url: str) -> tuple[int, int, int]:
    db = Database.open(url)
    try:
        with db.session() as s:
            return tuple(s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Team, Call, Evaluation))
    finally:
        db.close()


def test_demo_builds_and_prints_what_it_created(capsys, db_url):
    assert main(["--db", db_url, "demo", "--agents", "3", "--months", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["agents"]) == 3 and report["months"] == 1 and report["seed"] == 2026
    teams, calls, evaluations = _counts(db_url)
    assert (len(report["teams"]), report["calls"], report["evaluations"]["total"]) == (teams, calls, evaluations)
    assert report["flags"]["total"] == sum(v for k, v in report["flags"].items() if k != "total") > 0

    # Run again: the database holds real data now, so the demo is refused and nothing changes.
    assert main(["--db", db_url, "demo", "--agents", "3", "--months", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "already holds" in captured.err and "evaluations" in captured.err and "empty database" in captured.err
    assert _counts(db_url) == (teams, calls, evaluations)


def test_demo_summary_in_words(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--db", url, "demo", "--agents", "6", "--months", "2", "--seed", "11"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Demo centre built:")
    for words in ("teams", "6 agents", "calls", "evaluations", "flags", "confirmed", "dismissed", "reviewers",
                  "seed 11"):
        assert words in out


def test_a_database_with_real_calls_is_refused(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    db = Database.open(url)
    with db.session() as s:
        add_test_call(s, "real.wav")
    db.close()
    assert main(["--db", url, "demo"]) == 1
    err = capsys.readouterr().err
    assert "1 call other than the sample calls" in err and "nothing was changed" in err
    assert _counts(url) == (0, 1, 0)


@pytest.mark.parametrize("argv, words", [
    (["--agents", "0"], "--agents must be between 1 and 2000"),
    (["--agents", "2001"], "--agents must be between 1 and 2000"),
    (["--months", "0"], "--months must be between 1 and 36"),
    (["--months", "37"], "--months must be between 1 and 36"),
])
def test_usage_errors(capsys, tmp_path, argv, words):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--db", url, "demo", *argv]) == 2
    assert words in capsys.readouterr().err


def test_a_database_that_cannot_be_opened(capsys, tmp_path):
    assert main(["--db", f"sqlite:///{tmp_path / 'missing' / 'demo.sqlite3'}", "demo"]) == 3
    assert "does not exist" in capsys.readouterr().err


def test_the_database_from_the_environment(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("QA_DESK_DB", url)
    assert main(["demo", "--agents", "2", "--months", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == _counts(url)[1]


def test_interrupted_writes_nothing(capsys, tmp_path, monkeypatch):
    from qa_desk import demo_writer

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_writer.CentreWriter, "_evaluate", interrupted)
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["--db", url, "demo", "--agents", "2", "--months", "1"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert _counts(url) == (0, 0, 0)
