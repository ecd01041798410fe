"""`qa-desk evaluations`: filters, JSON, exit codes."""

from __future__ import annotations

import json

from qa_desk.cli import main
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.store import evaluations as ev
from qa_desk.store.database import Database
from qa_desk.store.forms import save_form

from store_data import agent_calls
from actors import ADMIN, reviewer
from test_form_scoring import SHEET


def _library(db_url: str) -> int:
    db = Database.open(db_url)
    form = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    ids = agent_calls(db, 2, first_day=3)
    with db.session() as s:
        form_id = save_form(s, form, actor=ADMIN).id
        first = ev.start_evaluation(s, ids[0], form_id, reviewer("王质检"))
        saved = ev.save_answers(s, first.id, first.row_version, {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, reviewer("王质检"))
        ev.submit(s, first.id, saved.row_version, reviewer("王质检"))
        ev.start_evaluation(s, ids[1], form_id, reviewer("李质检"))
    db.close()
    return first.id


def test_evaluations_listed_with_scores_and_filters(capsys, db_url):
    submitted = _library(db_url)
    assert main(["--db", db_url, "evaluations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["status"], r["reviewer"]) for r in rows] == [("draft", "李质检"), ("submitted", "王质检")]
    done = rows[1]
    assert (done["id"], done["agent"], done["form"], done["score"], done["max_score"]) == (
        submitted, "张伟", "hotline-zh", 70.5, 91)
    assert main(["--db", db_url, "evaluations", "--agent", "1047", "--until", "2026-11-03"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "70.5 / 91" in out[1] and "77.5" in out[1] and "hotline-zh v1" in out[1]
    assert main(["--db", db_url, "evaluations", "--agent", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "No evaluations match."
    assert main(["--db", db_url, "evaluations", "--since", "last week"]) == 2
