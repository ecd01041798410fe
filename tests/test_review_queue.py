"""Review queues (SQLite and PostgreSQL): a reviewer's queue, done when submitted,
overdue, a lead's overview, reassigning, assigning by hand and cancelling."""

from __future__ import annotations

from datetime import date

import pytest

from qa_desk.permissions import PermissionDenied
from qa_desk.scoring.periods import parse_period
from qa_desk.store import assignments as queue
from qa_desk.store import sampling
from qa_desk.store.audit import audit_entries
from qa_desk.store.models import ReviewAssignment

from review_data import LEAD, REVIEWER, centre, start_draft, submit_evaluation

NOVEMBER = parse_period("2026-11")


@pytest.fixture
def queued(db):
    """Each agent's 2 random November calls, shared between two reviewers, due 30 November."""
    calls = centre(db, calls_per_agent=3)
    with db.session() as s:
        rule_id = sampling.save_rule(s, {"name": "monthly", "per_agent": 2}, actor=LEAD).id
        report = sampling.run_rule(s, rule_id, NOVEMBER, reviewers=["王质检", "赵质检"], actor=LEAD, seed=11,
                                   today=date(2026, 11, 20))
    return db, calls, report


def test_my_queue_lists_the_reviewers_calls_with_what_a_reviewer_needs(queued):
    db, _calls, report = queued
    mine = [a for a in report.assignments if a.reviewer == "王质检"]
    with db.session() as s:
        items = queue.my_queue(s, "王质检", today=date(2026, 11, 25))
    assert {i.call_id for i in items} == {a.call_id for a in mine} and len(items) == 3
    first = items[0]
    assert first.agent in {"张伟", "李娜", "陈新"} and first.call_name.endswith(".wav")
    assert first.due_on == date(2026, 11, 30) and first.status == "assigned" and not first.overdue
    assert first.started_at.month == 11 and first.duration > 0 and "random sample (seed 11)" in first.reason


def test_an_assignment_is_done_when_its_reviewer_submits_the_call(queued):
    db, _calls, report = queued
    mine = [a.call_id for a in report.assignments if a.reviewer == "王质检"]
    start_draft(db, mine[1], "王质检")  # a draft is not done
    submit_evaluation(db, mine[0], "赵质检")  # someone else's evaluation does not do my work
    with db.session() as s:
        assert all(i.status == "assigned" for i in queue.my_queue(s, "王质检"))
    evaluation_id = submit_evaluation(db, mine[0], "王质检")
    with db.session() as s:
        items = {i.call_id: i for i in queue.my_queue(s, "王质检")}
        assert (items[mine[0]].status, items[mine[0]].evaluation_id) == ("done", evaluation_id)
        assert [i.call_id for i in queue.my_queue(s, "王质检", include_done=False)] == [
            c for c in items if c != mine[0]]
        progress = queue.progress(s, "王质检", NOVEMBER, today=date(2026, 11, 25))
    assert (progress.done, progress.total, progress.overdue) == (1, 3, 0)
    with db.session() as s:  # and it is stored, for reports reading the table
        row = s.query(ReviewAssignment).filter_by(call_id=mine[0]).one()
        assert (row.status, row.evaluation_id) == ("done", evaluation_id)


def test_overdue_and_the_overview_per_reviewer_and_agent(queued):
    db, _calls, report = queued
    mine = [a.call_id for a in report.assignments if a.reviewer == "王质检"]
    submit_evaluation(db, mine[0], "王质检")
    with db.session() as s:
        items = queue.my_queue(s, "王质检", today=date(2026, 12, 1))
        assert [i.overdue for i in items if i.status == "assigned"] == [True, True]
        view = queue.overview(s, NOVEMBER, today=date(2026, 12, 1))
        october = queue.overview(s, parse_period("2026-10"), today=date(2026, 12, 1))
    assert [(r.name, r.assigned, r.done, r.overdue) for r in view.reviewers] == [
        ("王质检", 3, 1, 2), ("赵质检", 3, 0, 3)]
    assert {r.name: r.assigned for r in view.agents} == {"张伟": 2, "李娜": 2, "陈新": 2}
    assert sum(r.done for r in view.agents) == 1 and sum(r.overdue for r in view.agents) == 5
    assert october.reviewers == [] and october.agents == []


def test_a_lead_reassigns_an_open_call_and_the_audit_log_says_so(queued):
    db, _calls, report = queued
    moved = next(a for a in report.assignments if a.reviewer == "王质检")
    with db.session() as s:
        item = next(i for i in queue.my_queue(s, "王质检") if i.call_id == moved.call_id)
        after = queue.reassign(s, item.id, "赵质检", actor=LEAD)
        assert after.reviewer == "赵质检"
        assert moved.call_id in {i.call_id for i in queue.my_queue(s, "赵质检")}
        assert moved.call_id not in {i.call_id for i in queue.my_queue(s, "王质检")}
        entry = audit_entries(s, entity="review_assignment", entity_id=item.id)[0]
        assert (entry.action, entry.user_name, entry.old, entry.new) == (
            "review.reassigned", "林组长", {"reviewer": "王质检"}, {"reviewer": "赵质检"})
        runs = audit_entries(s, entity="sampling_run")
        assert runs[0].action == "sampling.run" and runs[0].new["seed"] == 11
    submit_evaluation(db, moved.call_id, "赵质检")
    with db.session() as s:
        with pytest.raises(ValueError, match="only an open assignment can move"):
            queue.reassign(s, item.id, "王质检", actor=LEAD)


def test_assigning_by_hand_and_cancelling(queued):
    db, calls, report = queued
    free = next(c for ids in calls.values() for c in ids if c not in {a.call_id for a in report.assignments})
    with db.session() as s:
        item = queue.assign_call(s, free, "钱质检", actor=LEAD, due_on=date(2026, 11, 28))
        assert (item.reviewer, item.due_on, item.reason) == ("钱质检", date(2026, 11, 28), "assigned by 林组长")
        with pytest.raises(ValueError, match="already in 钱质检's queue"):
            queue.assign_call(s, free, "王质检", actor=LEAD)
        with pytest.raises(LookupError):
            queue.assign_call(s, 99999, "王质检", actor=LEAD)
        queue.cancel(s, item.id, actor=LEAD)
        assert queue.my_queue(s, "钱质检") == []
        # A cancelled call may be queued again, and a run may pick it again.
        assert free not in sampling.open_assignments(s)
        queue.assign_call(s, free, "王质检", actor=LEAD)


def test_reviewers_cannot_move_or_cancel_queued_calls(queued):
    db, calls, _report = queued
    with db.session() as s:
        item = queue.my_queue(s, "王质检")[0]
        for attempt in (lambda: queue.reassign(s, item.id, "王质检", actor=REVIEWER),
                        lambda: queue.cancel(s, item.id, actor=REVIEWER),
                        lambda: queue.assign_call(s, calls["张伟"][0], "王质检", actor=REVIEWER)):
            with pytest.raises(PermissionDenied):
                attempt()
