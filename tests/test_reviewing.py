"""Opening a call for review (SQLite and PostgreSQL): which evaluation and which form."""

from __future__ import annotations

from qa_desk import reviewing
from qa_desk.permissions import Actor
from qa_desk.store import evaluations as store

from store_data import agent_calls


def _submit(db, sheet, who: Actor) -> None:
    view = sheet.evaluation
    edits = {i.key: store.AnswerEdit(i.passing()) for i in sheet.form.items() if not i.bonus}
    with db.session() as s:
        saved = store.save_answers(s, view.id, view.row_version, edits, who)
        store.submit(s, view.id, saved.row_version, who)


def test_the_shipped_forms_are_offered_in_the_reviewers_language(db):
    (call,) = agent_calls(db, 1)
    zh = reviewing.open_sheet(db, call, "王质检", "zh_CN")
    assert sorted(f.key for f in zh.forms) == ["contact-centre-en", "hotline-zh"]
    assert next(f.key for f in zh.forms if f.id == zh.default_form_id) == "hotline-zh"
    en = reviewing.open_sheet(db, call, "Sam", "en")
    assert next(f.key for f in en.forms if f.id == en.default_form_id) == "contact-centre-en"
    assert zh.evaluation is None


def test_the_teams_usual_form_comes_first(db):
    first, second = agent_calls(db, 2)
    english = next(f.id for f in reviewing.open_sheet(db, first, "Sam", "en").forms if f.key == "contact-centre-en")
    reviewing.start_evaluation(db, first, english, Actor("Sam", "reviewer"))
    # A Chinese-speaking reviewer on the same team's next call is offered the team's form.
    sheet = reviewing.open_sheet(db, second, "王质检", "zh")
    assert sheet.default_form_id == english


def test_a_lead_opens_the_reviewers_submitted_evaluation_but_not_a_draft(db):
    (call,) = agent_calls(db, 1)
    form_id = reviewing.open_sheet(db, call, "王质检").default_form_id
    sheet = reviewing.start_evaluation(db, call, form_id, Actor("王质检", "reviewer"))
    assert sheet.evaluation.status == "draft" and sheet.form.key == "hotline-zh"
    assert reviewing.open_sheet(db, call, "李组长").evaluation is None  # a draft is the reviewer's own
    _submit(db, sheet, Actor("王质检", "reviewer"))
    lead = reviewing.open_sheet(db, call, "李组长")
    assert (lead.evaluation.reviewer, lead.evaluation.status) == ("王质检", "submitted")
