"""`qa-desk sample` and `qa-desk queue`: rules from JSON, runs, dry runs, queues, exit codes."""

from __future__ import annotations

import json

import pytest

from qa_desk.cli import main
from qa_desk.store.database import Database
from qa_desk.store.users import create_user

from review_data import ADMIN, centre, submit_evaluation


PASSWORD = "test secret"  # both users': on a shared database --as NAME signs in as NAME


@pytest.fixture(autouse=True)
def signs_in(monkeypatch):
    monkeypatch.setenv("QA_DESK_PASSWORD", PASSWORD)


def _centre(db_url: str) -> dict[str, list[int]]:
    db = Database.open(db_url)
    calls = centre(db, calls_per_agent=3)
    with db.session() as s:  # a shared database knows its users; a local file would make one
        create_user(s, ADMIN, "林组长", "lead", password=PASSWORD)
        create_user(s, ADMIN, "王质检", "reviewer", password=PASSWORD)
    db.close()
    return calls


def _rule_file(tmp_path, **fields):
    path = tmp_path / "rule.json"
    path.write_text(json.dumps({"name": "monthly", "per_agent": 2} | fields, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_lead_adds_a_rule_runs_it_and_reviewers_see_their_queues(capsys, db_url, tmp_path):
    calls = _centre(db_url)
    lead = ["--db", db_url]
    assert main(lead + ["sample", "add", str(_rule_file(tmp_path)), "--as", "林组长"]) == 0
    assert "Sampling rule 'monthly' saved" in capsys.readouterr().out
    assert main(lead + ["sample", "rules", "--json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["monthly"]

    dry = ["sample", "run", "monthly", "--period", "2026-11", "--reviewers", "王质检,赵质检", "--seed", "42"]
    assert main(lead + dry + ["--dry-run", "--json", "--as", "林组长"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert (preview["picked"], preview["seed"], preview["run_id"], preview["dry_run"]) == (6, 42, None, True)
    assert main(lead + ["queue", "--reviewer", "王质检", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # a dry run queues nothing

    assert main(lead + dry[:-2] + ["--seed", "42", "--as", "林组长"]) == 0
    out = capsys.readouterr().out
    assert "queued 6 calls for 2026-11 by 'monthly' (seed 42" in out and "王质检: 3" in out

    assert main(lead + ["queue", "--reviewer", "王质检", "--json"]) == 0
    mine = json.loads(capsys.readouterr().out)
    picked = {a["call_id"]: a["reviewer"] for a in preview["assignments"]}
    assert {i["call_id"] for i in mine} == {c for c, r in picked.items() if r == "王质检"}
    submit_evaluation(Database.open(db_url), mine[0]["call_id"], "王质检")
    assert main(lead + ["queue", "--reviewer", "王质检"]) == 0
    assert "王质检: 1 of 3 done." in capsys.readouterr().out

    assert main(lead + ["queue", "--overview", "--period", "2026-11", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["assigned"], r["done"]) for r in view["reviewers"]] == [("王质检", 3, 1), ("赵质检", 3, 0)]
    assert sorted(r["name"] for r in view["agents"]) == sorted(calls)


def test_refusals_and_bad_input_have_their_exit_codes(capsys, db_url, tmp_path):
    _centre(db_url)
    db = ["--db", db_url]
    assert main(db + ["sample", "add", str(_rule_file(tmp_path)), "--as", "王质检"]) == 1
    assert "王质检 (reviewer) may not manage sampling" in capsys.readouterr().err
    assert main(db + ["sample", "add", str(_rule_file(tmp_path, per_agent=0)), "--as", "林组长"]) == 2
    assert "calls per agent must be a whole number" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert main(db + ["sample", "add", str(tmp_path / "broken.json"), "--as", "林组长"]) == 2
    assert "not JSON" in capsys.readouterr().err
    assert main(db + ["sample", "add", str(_rule_file(tmp_path)), "--as", "林组长"]) == 0
    assert main(db + ["sample", "add", str(_rule_file(tmp_path)), "--as", "林组长"]) == 2
    assert "use --replace" in capsys.readouterr().err
    assert main(db + ["sample", "add", str(_rule_file(tmp_path, per_agent=1)), "--replace", "--as", "林组长"]) == 0
    run = ["sample", "run", "monthly", "--reviewers", "王质检", "--as", "林组长"]
    assert main(db + run + ["--period", "2026-13"]) == 2
    assert "bad period '2026-13'" in capsys.readouterr().err
    assert main(db + ["sample", "run", "nope", "--period", "2026-11", "--reviewers", "王质检", "--as", "林组长"]) == 2
    assert "There is no sampling rule 'nope'" in capsys.readouterr().err
    assert main(db + ["sample", "run", "monthly", "--period", "2026-11", "--reviewers", "王质检",
                      "--as", "王质检"]) == 1
    assert main(["--db", "postgresql://nobody@127.0.0.1:1/none", "sample", "rules"]) == 3


def test_on_a_shared_database_a_name_alone_does_not_act(capsys, db_url, tmp_path, monkeypatch):
    _centre(db_url)
    monkeypatch.setenv("QA_DESK_PASSWORD", "not the lead's password")
    code = main(["--db", db_url, "sample", "add", str(_rule_file(tmp_path)), "--as", "林组长"])
    if db_url.startswith("sqlite"):
        assert code == 0  # a local file has one person, who holds the file
    else:
        assert code == 1 and "name or password is wrong" in capsys.readouterr().err
