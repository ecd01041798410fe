"""The audit log (SQLite and PostgreSQL): written with the change it records, rolled
back with it, append-only for everyone (store API and raw SQL), filtered, and an
evaluation's whole history — a dispute from submission to resolution."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError as SQLDatabaseError

from actors import ADMIN, lead, reviewer
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.store import audit
from qa_desk.store import evaluations as ev
from qa_desk.store.forms import save_form
from qa_desk.store.models import AuditEntry, Evaluation
from store_data import add_test_call
from test_form_scoring import SHEET

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
WANG, LI, AGENT = reviewer("王质检"), lead("李组长"), reviewer("张伟")


def _submitted(db) -> int:
    with db.session() as s:
        call_id, form_id = add_test_call(s), save_form(s, ZH, actor=ADMIN).id
        view = ev.start_evaluation(s, call_id, form_id, WANG)
        view = ev.save_answers(s, view.id, view.row_version, {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, WANG)
        return ev.submit(s, view.id, view.row_version, WANG).id


def _count(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_a_dispute_s_whole_history_is_in_the_log(db):
    evaluation_id = _submitted(db)
    with db.session() as s:
        disputed = ev.dispute(s, evaluation_id, AGENT, "结束语说了，转写漏了")
    with db.session() as s:
        ev.resolve(s, evaluation_id, disputed.row_version, LI, "听过录音，结束语确实说了",
                   {"standard_closing": ev.AnswerEdit("yes")})
    with db.session() as s:
        steps = audit.evaluation_history(s, evaluation_id)
    assert [(e.action, e.user_name) for e in steps] == [
        ("evaluation.created", "王质检"), ("evaluation.submitted", "王质检"), ("evaluation.disputed", "张伟"),
        ("evaluation.rescored", "李组长"), ("evaluation.resolved", "李组长")]
    rescored = steps[3]
    assert rescored.old["answers"] == {"standard_closing": "no"} and rescored.new["answers"] == {"standard_closing": "yes"}
    assert (rescored.old["score"], rescored.new["score"]) == (70.5, 72.5)
    assert steps[2].new["text"] == "结束语说了，转写漏了" and (steps[2].old, steps[2].new["status"]) == (
        {"status": "submitted"}, "disputed")
    # A draft's autosaves are work in progress, not in the log.
    assert not any(e.action == "evaluation.saved" for e in steps)


def test_the_entry_commits_with_the_change_and_rolls_back_with_it(db):
    evaluation_id = _submitted(db)
    before = _count(db)
    with pytest.raises(RuntimeError), db.session() as s:
        ev.dispute(s, evaluation_id, AGENT, "不同意")
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before + 1
        raise RuntimeError("the disk filled up before the commit")
    assert _count(db) == before
    with db.session() as s:
        assert s.get(Evaluation, evaluation_id).status == "submitted"  # neither the change nor its entry


def test_the_log_is_append_only_for_everyone(db):
    _submitted(db)
    # The store has no way to change or remove an entry, for any role…
    assert not any(name.startswith(("update", "delete", "remove", "edit")) for name in audit.__all__)
    # …and the database refuses it even to raw SQL with the app's own credentials.
    for statement in (update(AuditEntry).values(user_name="someone else"), delete(AuditEntry)):
        with pytest.raises(SQLDatabaseError, match="append-only"), db.session() as s:
            s.execute(statement)
    with pytest.raises(SQLDatabaseError, match="append-only"), db.session() as s:
        s.execute(text("UPDATE audit_entries SET summary = 'edited' WHERE id = (SELECT MIN(id) FROM audit_entries)"))
    with db.session() as s:
        assert {e.user_name for e in audit.audit_entries(s)} == {"王质检", ADMIN.name}


def test_filters_by_who_what_action_and_date(db):
    evaluation_id = _submitted(db)
    with db.session() as s:
        assert [e.action for e in audit.audit_entries(s, user="王质检")] == [
            "evaluation.submitted", "evaluation.created"]  # newest first
        assert [e.entity_id for e in audit.audit_entries(s, entity="evaluation", action="evaluation.created")] == [
            evaluation_id]
        assert [e.action for e in audit.audit_entries(s, entity="form")] == ["form.version_saved"]
        today = datetime.now(timezone.utc).date()  # entries are stamped in UTC
        assert len(audit.audit_entries(s, since=today, until=today)) == 3
        assert audit.audit_entries(s, until=today - timedelta(days=1)) == []
        assert len(audit.audit_entries(s, limit=1)) == 1
        assert audit.actions(s) == ["evaluation.created", "evaluation.submitted", "form.version_saved"]
