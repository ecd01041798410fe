"""`qa-desk calibration`: list, show (blind for who has not submitted), report, the workbook, exit codes."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from qa_desk.cli import main
from qa_desk.store.database import Database
from qa_desk.store.models import User
from qa_desk.store.users import hash_password

from calibration_data import CHEN, LEAD, LIU, REVIEWERS, WANG, score, three_reviewer_session


PASSWORD = "test secret"  # everyone's: on a shared database --as NAME signs in as NAME


@pytest.fixture(autouse=True)
def signs_in(monkeypatch):
    monkeypatch.setenv("QA_DESK_PASSWORD", PASSWORD)


@pytest.fixture
def calibration_url(db_url):
    """A session with the lead and three reviewers: everyone has scored but 刘质检."""
    db = Database.open(db_url)
    with db.session() as s:
        s.add_all(User(name=a.name, role=a.role, active=True, password_hash=hash_password(PASSWORD))
                  for a in (LEAD, *REVIEWERS))
    session_id, (call,) = three_reviewer_session(db, submit=False)
    for actor, diff in ((LEAD, {}), (WANG, {"courtesy_words": "partial"}), (CHEN, {"attentive": "no"})):
        score(db, actor, session_id, call, diff)
    db.close()
    return db_url


def test_list_and_show_keep_the_blind_rule(capsys, calibration_url):
    assert main(["--db", calibration_url, "calibration", "list", "--as", LIU.name]) == 0
    line = capsys.readouterr().out.strip()
    assert "November calibration" in line and "scored 3/4" in line and "you: 0/1" in line
    assert main(["--db", calibration_url, "calibration", "show", "1", "--as", LIU.name]) == 0
    out = capsys.readouterr().out
    assert "blind" in out and WANG.name + ":" not in out
    assert main(["--db", calibration_url, "calibration", "show", "1", "--json", "--as", WANG.name]) == 0
    shown = json.loads(capsys.readouterr().out)
    (call,) = shown["calls"]
    result = call["result"]
    assert call["revealed"] and result["reference"] == LEAD.name
    assert [r["reviewer"] for r in result["reviewers"]] == [LEAD.name, WANG.name, CHEN.name]
    courtesy = next(i for i in result["items"] if i["item"] == "courtesy_words")
    assert courtesy["agreement"] == pytest.approx(2 / 3)


def test_report_and_workbook(capsys, calibration_url, tmp_path):
    path = tmp_path / "calibration.xlsx"
    assert main(["--db", calibration_url, "calibration", "report", "--since", "2020-01-01", "-o", str(path),
                 "--json", "--as", LEAD.name]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [r["reviewer"] for r in report["reviewers"]] == sorted([WANG.name, CHEN.name])
    assert "Wrote" in captured.err and path.exists()
    assert load_workbook(path).sheetnames[0] == "Reviewers"
    assert main(["--db", calibration_url, "calibration", "show", "1", "-o", str(tmp_path / "s.xlsx"),
                 "--as", LEAD.name]) == 0
    assert "1 calibrated call" in capsys.readouterr().out


def test_refusals_and_exit_codes(capsys, calibration_url, tmp_path):
    assert main(["--db", calibration_url, "calibration", "report", "--as", WANG.name]) == 1
    assert "may not manage calibration sessions" in capsys.readouterr().err
    assert main(["--db", calibration_url, "calibration", "show", "99", "--as", LEAD.name]) == 2
    assert "no calibration session 99" in capsys.readouterr().err
    assert main(["--db", calibration_url, "calibration", "report", "-o", str(tmp_path / "x.csv"),
                 "--as", LEAD.name]) == 2
    with pytest.raises(SystemExit):
        main(["--db", calibration_url, "calibration", "report", "--since", "yesterday"])
