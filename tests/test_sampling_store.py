"""Sampling rules run on stored calls (SQLite and PostgreSQL): picks per rule, load
balance, reproducible seeds, already-queued calls left alone, and leads only."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from qa_desk.permissions import PermissionDenied
from qa_desk.scoring.periods import parse_period
from qa_desk.scoring.sampling import SamplingRuleError
from qa_desk.store import sampling
from qa_desk.store.audit import audit_entries
from qa_desk.store.models import ReviewAssignment, SamplingRun

from review_data import LEAD, REVIEWER, centre, submit_evaluation

NOVEMBER = parse_period("2026-11")
TODAY = date(2026, 11, 20)


def _rule(db, **fields) -> int:
    with db.session() as s:
        return sampling.save_rule(s, {"name": "monthly", "per_agent": 2} | fields, actor=LEAD).id


def _run(db, rule_id, reviewers=("王质检", "赵质检"), seed=7, **kw):
    with db.session() as s:
        return sampling.run_rule(s, rule_id, NOVEMBER, reviewers=list(reviewers), actor=LEAD, seed=seed,
                                 today=TODAY, **kw)


def _picked(report) -> set[int]:
    return {a.call_id for a in report.assignments}


def test_candidates_come_from_one_query_with_what_rules_rank_by(db):
    calls = centre(db)
    with db.session() as s:
        found = {c.call_id: c for c in sampling.candidates(s, NOVEMBER)}
    assert len(found) == 3 * 6 + 1  # the October call is outside; the call with no agent is in, unpickable
    second = found[calls["张伟"][1]]
    assert (second.agent_name, second.team, second.queue, second.duration) == ("张伟", "Billing CN", "billing", 200.0)
    assert (second.critical_flags, second.dead_air, second.reviewed) == (2, 20.0, False)
    assert found[calls["张伟"][2]].critical_flags == 0  # a minor flag is not critical
    assert found[calls["陈新"][0]].hired_on == date(2026, 10, 20)


def test_a_random_quota_run_picks_per_agent_and_writes_the_run_whole(db):
    centre(db)
    report = _run(db, _rule(db))
    assert report.picked == 6 and report.run_id is not None
    assert Counter(a.pick.agent_name for a in report.assignments) == {"张伟": 2, "李娜": 2, "陈新": 2}
    assert report.due_on == date(2026, 11, 30)
    with db.session() as s:
        run = s.get(SamplingRun, report.run_id)
        assert (run.seed, run.period, run.picked, run.ran_by, run.rule_definition["name"]) == (
            7, "2026-11", 6, "林组长", "monthly")
        rows = s.query(ReviewAssignment).filter_by(run_id=run.id).all()
        assert {r.call_id for r in rows} == _picked(report)
        assert all(r.status == "assigned" and r.due_on == date(2026, 11, 30) and "random sample (seed 7)" in r.reason
                   for r in rows)


def test_the_load_is_balanced_counting_what_reviewers_already_have(db):
    centre(db)
    first = _run(db, _rule(db, per_agent=1), reviewers=["王质检"])
    assert first.per_reviewer() == {"王质检": 3}
    second = _run(db, _rule(db, name="again", per_agent=1), reviewers=["王质检", "赵质检"], seed=8)
    # 王质检 already has 3 open: the next 3 go to 赵质检.
    assert second.load_before == {"王质检": 3, "赵质检": 0}
    assert second.per_reviewer() == {"王质检": 0, "赵质检": 3}
    with db.session() as s:  # the audit entry keeps the load, so the shares can be checked later too
        entry = audit_entries(s, entity="sampling_run", entity_id=second.run_id)[0]
        assert (entry.user_name, entry.new["seed"], entry.new["load_before"]) == ("林组长", 8, second.load_before)
        again = sampling.replay(s, second.run_id, current_load=entry.new["load_before"])
    assert [(a.call_id, a.reviewer) for a in again.assignments] == [(a.call_id, a.reviewer) for a in second.assignments]


def test_targeted_rules_pick_what_they_target(db):
    calls = centre(db)
    flagged = _run(db, _rule(db, name="critical", per_agent=3, selection="critical_flags"))
    # Only calls with a critical flag: each agent's second call.
    assert _picked(flagged) == {ids[1] for ids in calls.values()}
    assert all("2 critical flags" in a.pick.reason for a in flagged.assignments)
    dead_air = _run(db, _rule(db, name="dead air", per_agent=1, selection="longest_dead_air"), seed=3)
    assert _picked(dead_air) == {ids[2] for ids in calls.values()}  # 40 s, the longest


def test_min_duration_team_and_queue_filter_the_calls(db):
    calls = centre(db)
    report = _run(db, _rule(db, per_agent=6, min_duration=450, teams=["Billing CN"]))
    assert _picked(report) == set(calls["张伟"][4:] + calls["李娜"][4:])  # 500 s and 600 s calls only
    tech = _run(db, _rule(db, name="tech", per_agent=6, queues=["tech"], selection="shortest_handle"))
    assert _picked(tech) == set(calls["陈新"])


def test_new_agents_come_first_when_the_run_is_capped(db):
    calls = centre(db)
    report = _run(db, _rule(db, per_agent=2, new_agents_first=True, max_calls=3))
    assert [a.pick.agent_name for a in report.assignments][:2] == ["陈新", "陈新"]
    assert report.picked == 3 and "new agent (hired 2026-10-20)" in report.assignments[0].pick.reason
    assert set(calls["陈新"]) >= {a.call_id for a in report.assignments[:2]}


def test_never_reviewed_and_exclude_reviewed_skip_evaluated_calls(db):
    calls = centre(db, calls_per_agent=2)
    submit_evaluation(db, calls["张伟"][0], "王质检")
    report = _run(db, _rule(db, per_agent=2, selection="never_reviewed"))
    assert calls["张伟"][0] not in _picked(report)
    assert _picked(report) == {calls["张伟"][1], *calls["李娜"], *calls["陈新"]}


def test_a_run_is_reproducible_with_its_seed(db):
    centre(db)
    rule_id = _rule(db, per_agent=2)
    with db.session() as s:
        before = sampling.preview(s, rule_id, NOVEMBER, reviewers=["王质检", "赵质检"], seed=1234, today=TODAY)
    assert before.run_id is None
    with db.session() as s:
        assert s.query(ReviewAssignment).count() == 0  # a preview writes nothing
    run = _run(db, rule_id, seed=1234)
    assert [(a.call_id, a.reviewer) for a in run.assignments] == [(a.call_id, a.reviewer) for a in before.assignments]
    with db.session() as s:
        again = sampling.replay(s, run.run_id, today=TODAY)
    assert [(a.call_id, a.reviewer) for a in again.assignments] == [(a.call_id, a.reviewer) for a in run.assignments]
    assert again.seed == 1234


def test_a_seed_is_made_and_stored_when_none_is_given(db):
    centre(db)
    report = _run(db, _rule(db), seed=None)
    with db.session() as s:
        assert s.get(SamplingRun, report.run_id).seed == report.seed > 0


def test_already_queued_calls_are_not_queued_again_and_a_rerun_tops_up(db):
    calls = centre(db)
    rule_id = _rule(db, per_agent=2)
    first = _run(db, rule_id)
    second = _run(db, rule_id, seed=99)
    assert second.picked == 0  # every agent's quota is full this period
    other = _run(db, _rule(db, name="all", per_agent=6), seed=5)
    assert not (_picked(other) & _picked(first))
    assert len(_picked(other)) == 18 - 6
    with db.session() as s:
        rerun = sampling.rerun(s, first.run_id, actor=LEAD, today=TODAY)
    assert rerun.picked == 0 and rerun.seed == first.seed
    with db.session() as s:  # every agent call of November is queued once, and only once
        queued = [r.call_id for r in s.query(ReviewAssignment)]
    assert sorted(queued) == sorted(c for ids in calls.values() for c in ids)


def test_rules_are_checked_listed_and_deactivated(db):
    with db.session() as s:
        with pytest.raises(SamplingRuleError, match="calls per agent"):
            sampling.save_rule(s, {"name": "bad", "per_agent": 0}, actor=LEAD)
    rule_id = _rule(db)
    with db.session() as s:
        with pytest.raises(ValueError, match="already exists"):
            sampling.save_rule(s, {"name": "monthly", "per_agent": 3}, actor=LEAD)
        changed = sampling.save_rule(s, {"name": "monthly", "per_agent": 3}, actor=LEAD, rule_id=rule_id)
        assert changed.rule.per_agent == 3
        sampling.deactivate_rule(s, rule_id, actor=LEAD)
        assert sampling.list_rules(s) == []
        assert [r.name for r in sampling.list_rules(s, include_inactive=True)] == ["monthly"]
        assert sampling.find_rule(s, "monthly").id == rule_id
    with pytest.raises(ValueError, match="no longer active"):
        _run(db, rule_id)


def test_only_leads_and_admins_manage_rules_and_runs(db):
    centre(db)
    rule_id = _rule(db)
    with db.session() as s:
        with pytest.raises(PermissionDenied, match="王质检 \\(reviewer\\) may not manage sampling"):
            sampling.save_rule(s, {"name": "mine", "per_agent": 1}, actor=REVIEWER)
        with pytest.raises(PermissionDenied):
            sampling.run_rule(s, rule_id, NOVEMBER, reviewers=["王质检"], actor=REVIEWER, seed=1)
        with pytest.raises(PermissionDenied):
            sampling.deactivate_rule(s, rule_id, actor=REVIEWER)
    with db.session() as s:
        assert s.query(ReviewAssignment).count() == 0
        assert sampling.known_reviewers(s) == []  # nobody queued, nobody evaluated, no users
