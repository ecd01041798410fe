"""`qa-desk scorecards`: the table, JSON with every figure, filters, the quota setting, exit codes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qa_desk.cli import main
from qa_desk.scoring.periods import month_of
from qa_desk.settings import Settings
from qa_desk.store.database import Database

from test_scorecards_store import P_E2, P_E3, P_SHEET, build_centre

ZHANG = (P_SHEET + P_E2 + P_E3) / 3  # 60.2811, October 77.4725: -17.2


@pytest.fixture
def centre_url(db_url):
    db = Database.open(db_url)
    build_centre(db)
    db.close()
    return db_url


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_the_agent_table(capsys, centre_url):
    assert main(["--db", centre_url, "scorecards", "--period", "2026-11"]) == 0
    out = _lines(capsys)
    assert out[0] == "Scorecard 2026-11 (change against 2026-10)"
    assert out[1].split() == ["agent", "team", "evaluations", "behind", "score", "%", "change", "critical", "failures"]
    zhang = next(line for line in out if line.startswith("张伟"))
    assert zhang.split() == ["张伟", "Billing", "CN", "3", "/", "4", "1", "60.3", "-17.2", "1"]
    assert next(line for line in out if line.startswith("王芳")).split() == ["王芳", "–", "0", "/", "4", "4", "–", "–", "0"]
    assert next(line for line in out if line.startswith("Centre")).split() == ["Centre", "6", "59.7", "-6.2", "2"]
    assert "5 of 5 agents behind the quota of 4 a month" in out
    assert any("3 form versions" in line for line in out)


def test_json_has_every_figure(capsys, centre_url):
    assert main(["--db", centre_url, "scorecards", "--period", "2026-11", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert (card["period"], card["previous_period"], card["level"], card["quota_per_month"]) == (
        "2026-11", "2026-10", "agent", 4)
    zhang = next(r for r in card["rows"] if r["name"] == "张伟")
    assert (zhang["quota"], zhang["behind"], zhang["team"]) == (4, 1, "Billing CN")
    assert zhang["current"]["percent"] == pytest.approx(ZHANG)
    assert zhang["change"] == pytest.approx(ZHANG - P_SHEET)
    assert zhang["current"]["sections"]["accuracy"] == {
        "key": "accuracy", "title": "业务准确", "percent": 42.0, "evaluations": 2, "failed": 1}
    assert zhang["current"]["flags_per_call"]["forbidden_phrase"] == pytest.approx(2 / 3)
    assert zhang["current"]["metrics"]["talk_ratio"] == 1.25
    assert zhang["previous"]["evaluations"] == 1
    assert card["centre"]["agents"] == 5
    assert [v["version"] for v in card["form_versions"]] == [1, 1, 2]
    assert list(card["section_titles"])[:2] == ["opening_closing", "empathy"]


def test_teams_filters_and_quota(capsys, centre_url):
    assert main(["--db", centre_url, "scorecards", "--period", "2026-11", "--by", "team"]) == 0
    out = _lines(capsys)
    assert [line.split()[0] for line in out[2:6]] == ["Billing", "Care", "No", "Centre"]
    assert out[2].split() == ["Billing", "CN", "3", "5", "51.7", "-14.3", "2"]
    assert main(["--db", centre_url, "scorecards", "--period", "2026-11", "--team", "Billing CN", "--form",
                 "hotline-zh", "--quota", "2", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["quota"], r["behind"]) for r in card["rows"]] == [("张伟", 2, 0), ("李娜", 2, 0), ("钱七", 2, 2)]
    assert (card["team"], card["form"], card["centre"]["current"]["evaluations"]) == ("Billing CN", "hotline-zh", 5)
    Settings(monitoring_quota=3).save()
    assert main(["--db", centre_url, "scorecards", "--period", "2026-W45", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert (card["quota_per_month"], card["rows"][0]["quota"]) == (3, 1)


def test_the_default_period_is_this_month(capsys, db_url):
    assert main(["--db", db_url, "scorecards"]) == 0
    out = _lines(capsys)
    assert out == [f"Scorecard {month_of(date.today()).label} (change against "
                   f"{month_of(date.today()).previous().label})", "No agents match."]


@pytest.mark.parametrize("args, words", [
    (["--period", "October"], "is not a period"),
    (["--period", "2026-13"], "not a real period"),
    (["--quota", "-1"], "--quota must be 0 or more"),
    (["--team", "Nobody"], "no team 'Nobody'; teams: Billing CN, Care EN"),
    (["--form", "nope"], "no form 'nope'; forms: contact-centre-en, hotline-zh"),
])
def test_what_cannot_be_used_is_exit_2(capsys, centre_url, args, words):
    assert main(["--db", centre_url, "scorecards", *args]) == 2
    assert words in capsys.readouterr().err


def test_a_database_that_cannot_be_opened_is_exit_3(capsys, tmp_path):
    assert main(["--db", f"sqlite:///{tmp_path / 'missing' / 'qa.sqlite3'}", "scorecards"]) == 3
    assert "does not exist" in capsys.readouterr().err
