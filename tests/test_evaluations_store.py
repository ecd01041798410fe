"""Evaluations from draft to resolution (SQLite and PostgreSQL): suggested answers,
autosave, submission, dispute and re-scoring with history, and concurrent saves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_desk.scoring.findings import Finding
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.scoring.suggestions import suggest_answers
from qa_desk.store import evaluations as ev
from qa_desk.store import flags as flag_store
from qa_desk.store.database import Database
from qa_desk.store.forms import save_form

from actors import ADMIN, lead, reviewer
from store_data import add_test_call
from test_form_scoring import SHEET

WANG, LI = reviewer("王质检"), lead("李组长")
ZHANG = reviewer("张伟")  # the agent's dispute, as recorded for them
ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")


def _flags(session, call_id: int) -> list:
    forbidden = Finding(
        rule_key="zh-forbidden-01", rule_title="推诿搪塞", category="forbidden_phrase", severity="major",
        speaker="agent", start=31.0, end=31.8, matched_text="不知道", words=(), kind="exact", confidence=1.0,
        reason="禁用语", form_item="no_forbidden_phrases",
    )
    homophone = replace(forbidden, rule_key="zh-rhetorical-01", rule_title="反问", matched_text="难到", kind="possible",
                        start=50.0, end=50.5, confidence=0.6)
    rulebook_id, _ = flag_store.ensure_rulebook(session, key="zh-CN", name="规范", language="zh-CN",
                                                content_hash="r" * 64, definition={})
    flag_store.save_findings(session, call_id, rulebook_id, [forbidden, homophone])
    return flag_store.flags_for_call(session, call_id)


@pytest.fixture
def draft(db):
    with db.session() as s:
        call_id = add_test_call(s)
        form_id = save_form(s, ZH, actor=ADMIN).id
        suggestions = suggest_answers(ZH, _flags(s, call_id), checked=True)
        view = ev.start_evaluation(s, call_id, form_id, WANG, suggestions)
    return db, view


def test_flags_suggest_answers_and_the_draft_marks_them(draft):
    db, view = draft
    forbidden = view.answers["no_forbidden_phrases"]
    assert (forbidden.value, forbidden.suggested_value, forbidden.suggested_by_rule) == ("no", "no", "zh-forbidden-01")
    assert forbidden.suggested_flag_id is not None
    # Checked and no flag of its rules: the passing answer. A sound-alike flag suggests nothing.
    assert view.answers["standard_opening"].value == "yes"
    assert "no_rhetorical_questions" not in view.answers  # an open sound-alike flag: the reviewer decides
    assert "approved_scripts" not in view.answers  # no rules: nothing to suggest
    assert (view.status, view.reviewer, view.form_key, view.form_version) == ("draft", "王质检", "hotline-zh", 1)


def test_a_reviewer_scores_a_call_end_to_end_and_the_score_matches_the_hand_calculation(draft):
    db, view = draft
    edits = {key: ev.AnswerEdit(value) for key, value in SHEET.items()}
    edits["no_forbidden_phrases"] = ev.AnswerEdit("no", "“不知道”推诿客户")
    with db.session() as s:
        saved = ev.save_answers(s, view.id, view.row_version, edits, WANG)
        ev.add_timed_comment(s, view.id, 125.0, 132.0, "打断客户", WANG)
    assert saved.row_version == view.row_version + 1
    with db.session() as s:
        submitted = ev.submit(s, view.id, saved.row_version, WANG)
    assert (submitted.status, submitted.score, submitted.max_score) == ("submitted", 70.5, 91)
    assert submitted.percent == pytest.approx(77.4725, abs=1e-3)
    with db.session() as s:
        back = ev.get_evaluation(s, view.id)
    assert back.answers["no_forbidden_phrases"].comment == "“不知道”推诿客户"
    assert [(c.start, c.end, c.text) for c in back.timed_comments] == [(125.0, 132.0, "打断客户")]
    # The reviewer changed a suggested answer: both are kept.
    opening = back.answers["standard_closing"]
    assert (opening.value, opening.suggested_value, opening.changed_from_suggestion) == ("no", "yes", True)


def test_submitting_needs_every_item_answered_and_bad_answers_change_nothing(draft):
    db, view = draft
    with db.session() as s, pytest.raises(ev.EvaluationError, match=r"items still need an answer: 三声"):
        ev.submit(s, view.id, view.row_version, WANG)
    with db.session() as s, pytest.raises(ev.AnswerError, match="N/A is not allowed"):
        ev.save_answers(s, view.id, view.row_version, {"standard_opening": ev.AnswerEdit("no"),
                                                        "privacy_protected": ev.AnswerEdit("na")}, WANG)
    with db.session() as s:
        unchanged = ev.get_evaluation(s, view.id)
    assert unchanged.answers["standard_opening"].value == "yes" and unchanged.row_version == view.row_version


def test_a_dispute_and_its_resolution_with_a_rescore_are_in_the_history(draft):
    db, view = draft
    with db.session() as s:
        saved = ev.save_answers(s, view.id, view.row_version, {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, WANG)
        ev.submit(s, view.id, saved.row_version, WANG)
    with db.session() as s:
        with pytest.raises(ev.EvaluationError, match="only through a dispute"):
            ev.save_answers(s, view.id, saved.row_version + 1, {"standard_closing": ev.AnswerEdit("yes")}, WANG)
    with db.session() as s:
        with pytest.raises(ev.EvaluationError, match="needs the agent's reason"):
            ev.dispute(s, view.id, ZHANG, "  ")
        disputed = ev.dispute(s, view.id, ZHANG, "结束语说了，在 4:58，转写漏了")
    with db.session() as s:
        resolved = ev.resolve(s, view.id, disputed.row_version, LI, "听过录音，结束语确实说了",
                              {"standard_closing": ev.AnswerEdit("yes")})
    assert (resolved.status, resolved.score) == ("resolved", 72.5)
    with db.session() as s:
        events = ev.history(s, view.id)
    assert [e.action for e in events] == ["created", "submitted", "disputed", "rescored", "resolved"]
    rescored = events[3]
    assert rescored.by == "李组长"
    assert rescored.old["answers"] == {"standard_closing": "no"} and rescored.new["answers"] == {"standard_closing": "yes"}
    assert (rescored.old["score"], rescored.new["score"]) == (70.5, 72.5)
    assert events[2].text == "结束语说了，在 4:58，转写漏了" and events[2].by == "张伟"
    with db.session() as s, pytest.raises(ev.EvaluationError, match="cannot be acknowledged"):
        ev.acknowledge(s, view.id, ZHANG)


def test_a_save_from_an_older_copy_is_refused(draft):
    db, view = draft
    with db.session() as s:
        ev.save_answers(s, view.id, view.row_version, {"attentive": ev.AnswerEdit("yes")}, WANG)
    with db.session() as s, pytest.raises(ev.ConcurrentEdit, match="changed by 王质检 since you opened it"):
        ev.save_answers(s, view.id, view.row_version, {"attentive": ev.AnswerEdit("no")}, WANG)  # their other window
    with db.session() as s:
        assert ev.get_evaluation(s, view.id).answers["attentive"].value == "yes"


def test_two_reviewers_saving_at_once_on_a_shared_database(draft, db_url):
    """Both copies read the same version and both saves are in flight: the database's
    row-version check lets exactly one through (on PostgreSQL, a real second connection)."""
    db, view = draft
    if db.backend != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race needs a shared server")
    other = Database.open(db_url)
    try:
        with db.session() as first, other.session() as second:
            mine = ev.get_evaluation(first, view.id)
            theirs = ev.get_evaluation(second, view.id)
            assert mine.row_version == theirs.row_version
            ev.save_answers(first, view.id, mine.row_version, {"attentive": ev.AnswerEdit("yes")}, WANG)
            first.commit()
            # The second session still holds the version it read: its UPDATE finds no row.
            with pytest.raises(ev.ConcurrentEdit):
                ev.save_answers(second, view.id, theirs.row_version, {"attentive": ev.AnswerEdit("no")}, WANG)  # their other window
        with db.session() as s:
            final = ev.get_evaluation(s, view.id)
        assert final.answers["attentive"].value == "yes" and final.updated_by == "王质检"
    finally:
        other.close()


def test_the_list_of_evaluations(draft):
    db, view = draft
    with db.session() as s:
        rows = ev.list_evaluations(s)
        assert [(r.id, r.form_key, r.status, r.reviewer) for r in rows] == [(view.id, "hotline-zh", "draft", "王质检")]
        assert ev.list_evaluations(s, status="submitted") == []
