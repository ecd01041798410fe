"""Calibration sessions in the store (SQLite and PostgreSQL): starting, blind scoring,
results as ``calibrate`` computes them, refusals, and nothing on a scorecard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qa_desk import reviewing
from qa_desk.permissions import Actor, PermissionDenied
from qa_desk.scoring.calibration import calibrate
from qa_desk.scoring.periods import month_of
from qa_desk.store import calibration as cal
from qa_desk.store import evaluations as store
from qa_desk.store import scorecards
from qa_desk.store.calibration_results import calibration_report, session_view
from qa_desk.store.forms import stored_form
from qa_desk.store.scorecard_rows import evaluation_rows

from calibration_data import CHEN, DIFFERENCES, LEAD, LIU, REVIEWERS, WANG, hotline_form, score, \
    three_reviewer_session
from store_data import agent_calls


def test_a_lead_starts_a_session_and_the_lead_reference_is_a_participant(db):
    session_id, (call,) = three_reviewer_session(db, submit=False)
    with db.session() as s:
        summary = cal.get_session(s, session_id, LEAD)
        assert summary.participants == (LEAD.name, WANG.name, CHEN.name, LIU.name)
        assert (summary.reference, summary.reference_reviewer, summary.status) == ("lead", LEAD.name, "open")
        assert [c.call_id for c in summary.calls] == [call] and summary.expected == 4
        assert summary.submitted == 0
        # A reviewer lists the sessions they are invited to, with their own progress.
        (mine,) = cal.list_sessions(s, WANG)
        assert (mine.id, mine.my_submitted) == (session_id, 0)
        assert cal.list_sessions(s, Actor("赵质检", "reviewer")) == []


def test_scoring_is_blind_until_one_submits(db):
    session_id, (call,) = three_reviewer_session(db, submit=False)
    score(db, WANG, session_id, call, DIFFERENCES[WANG.name])
    score(db, CHEN, session_id, call, DIFFERENCES[CHEN.name], submit=False)  # a draft
    with db.session() as s:
        liu = session_view(s, session_id, LIU).calls[0]
        assert not liu.revealed and liu.result is None and liu.mine is None
        assert liu.submitted_by == (WANG.name,)  # who, never what
        chen = session_view(s, session_id, CHEN).calls[0]
        assert chen.mine.status == "draft" and not chen.revealed and chen.result is None
        # The lead scores as the reference: blind too, until their own sheet is in.
        assert session_view(s, session_id, LEAD).calls[0].result is None
        wang = session_view(s, session_id, WANG).calls[0]
        assert wang.revealed
        # Drafts are nobody else's business: only the submitted sheet is in the results.
        assert [r.reviewer for r in wang.result.reviewers] == [WANG.name]
        assert wang.reference_pending  # the lead has not scored yet: the median stands in
        # A lead or admin who is not scoring follows the session at any time.
        other_lead = session_view(s, session_id, Actor("周组长", "lead")).calls[0]
        assert other_lead.revealed and other_lead.result is not None
        with pytest.raises(PermissionDenied):
            session_view(s, session_id, Actor("赵质检", "reviewer"))


def test_reading_a_sheet_directly_keeps_the_blind_rule(db):
    """The store's get_evaluation and history are the same gate as the session view: a
    script cannot read a colleague's calibration answers before submitting its own."""
    session_id, (call,) = three_reviewer_session(db, submit=False)
    wang = score(db, WANG, session_id, call, DIFFERENCES[WANG.name])
    chen = score(db, CHEN, session_id, call, DIFFERENCES[CHEN.name], submit=False)
    with db.session() as s:
        assert store.get_evaluation(s, wang.id, WANG).answers["courtesy_words"].value == "partial"
        for reader in (None, LIU, CHEN, LEAD):  # nobody named, not yet submitted, the scoring lead
            with pytest.raises(PermissionDenied):
                store.get_evaluation(s, wang.id, reader)
            with pytest.raises(PermissionDenied):
                store.history(s, wang.id, reader)
        assert store.get_evaluation(s, chen.id, CHEN).status == "draft"
        with pytest.raises(PermissionDenied):  # a draft stays its author's even once others submitted
            store.get_evaluation(s, chen.id, WANG)
        # A lead who is not scoring follows the session.
        assert store.get_evaluation(s, wang.id, Actor("周组长", "lead")).id == wang.id
    score(db, LIU, session_id, call, DIFFERENCES[LIU.name])
    with db.session() as s:
        assert store.get_evaluation(s, wang.id, LIU).reviewer == WANG.name
        assert [e.action for e in store.history(s, wang.id, LIU)][:1] == ["created"]


def test_results_agree_with_calibrate_against_the_leads_sheet(db):
    session_id, (call,) = three_reviewer_session(db)
    with db.session() as s:
        view = session_view(s, session_id, LIU)
        form = stored_form(s, view.summary.form_id)
        assert view.summary.submitted == 4
    (scores,) = view.calls
    assert scores.revealed and not scores.reference_pending
    result = scores.result
    answers = {name: {i.key: i.passing() for i in form.items() if not i.bonus} | diff
               for name, diff in DIFFERENCES.items()}
    expected = calibrate(form, answers, reference=LEAD.name, call_id=call)
    assert result.items == expected.items and result.reviewers == expected.reviewers
    assert result.spread == expected.spread
    assert result.item("courtesy_words").agreement == 0.5  # lead and 刘 yes, 王 and 陈 partial
    assert result.item("attentive").agreement == 0.75
    assert result.reviewer(CHEN.name).items_differing == ("courtesy_words", "attentive")
    assert result.reviewer(LEAD.name).deviation == 0.0
    assert result.reviewer(WANG.name).deviation < 0 and result.reviewer(LIU.name).deviation < 0


def test_the_median_reference(db):
    session_id, _ = three_reviewer_session(db, reference="median")
    with db.session() as s:
        summary = cal.get_session(s, session_id, LEAD)
        assert summary.reference_reviewer is None and LEAD.name not in summary.participants
        result = session_view(s, session_id, WANG).calls[0].result
    assert result.reference is None
    percents = sorted(r.percent for r in result.reviewers)
    assert result.reference_percent == pytest.approx(percents[1])  # three sheets: the middle one
    assert result.item("courtesy_words").contested is False
    assert result.item("courtesy_words").reference == "partial"  # 王 and 陈 against 刘


def test_refusals(db):
    (call,) = agent_calls(db, 1)
    form_id = hotline_form(db)
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            cal.start_session(s, WANG, name="x", form_id=form_id, call_ids=[call], reviewers=[CHEN.name, LIU.name])
        with pytest.raises(cal.CalibrationSessionError, match="at least two"):
            cal.start_session(s, LEAD, name="x", form_id=form_id, call_ids=[call], reviewers=[WANG.name],
                              reference="median")
        with pytest.raises(cal.CalibrationSessionError, match="expert"):
            cal.start_session(s, LEAD, name="x", form_id=form_id, call_ids=[call], reviewers=[WANG.name],
                              reference="expert")
        with pytest.raises(LookupError):
            cal.start_session(s, LEAD, name="x", form_id=form_id, call_ids=[call + 99], reviewers=[WANG.name, LIU.name])
        expert = cal.start_session(s, LEAD, name="expert", form_id=form_id, call_ids=[call],
                                   reviewers=[WANG.name], reference="expert", reference_reviewer=CHEN.name)
        assert expert.participants == (CHEN.name, WANG.name)
    with db.session() as s, pytest.raises(PermissionDenied):
        cal.calibration_evaluation(s, expert.id, call, LIU)  # not invited
    with db.session() as s, pytest.raises(PermissionDenied):
        cal.calibration_evaluation(s, expert.id, call, Actor("经理", "manager"))
    with db.session() as s, pytest.raises(PermissionDenied):
        cal.close_session(s, expert.id, Actor("周组长", "lead"))  # not the one who started it
    with db.session() as s:
        assert cal.close_session(s, expert.id, LEAD).status == "closed"
    with db.session() as s, pytest.raises(cal.CalibrationSessionError, match="closed"):
        cal.calibration_evaluation(s, expert.id, call, WANG)


def test_the_same_sheet_comes_back_and_a_closed_session_reveals_everything(db):
    session_id, (call,) = three_reviewer_session(db, submit=False)
    first = score(db, WANG, session_id, call, submit=False)
    with db.session() as s:
        assert cal.calibration_evaluation(s, session_id, call, WANG).id == first.id
        assert cal.calibration_session_of(s, first.id) == session_id
    score(db, CHEN, session_id, call)
    with db.session() as s:
        assert session_view(s, session_id, WANG).calls[0].result is None
        cal.close_session(s, session_id, LEAD)
    with db.session() as s:
        after = session_view(s, session_id, WANG).calls[0]
        assert after.revealed and [r.reviewer for r in after.result.reviewers] == [CHEN.name]


def test_calibration_sheets_are_not_on_scorecards_nor_in_the_calls_review(db):
    session_id, (call,) = three_reviewer_session(db)
    with db.session() as s:  # asking for the sheet again gives the same one
        cal.calibration_evaluation(s, session_id, call, WANG)
    with db.session() as s:
        assert store.list_evaluations(s) == []
        card = scorecards.scorecard(s, month_of(date(2026, 11, 3)))
        assert card.centre.current.evaluations == 0
        assert list(evaluation_rows(s, month_of(date(2026, 11, 3)))) == []  # nor in the scorecard export
    # Nobody's normal review of the call picks a calibration sheet up, drafts included.
    assert reviewing.open_sheet(db, call, WANG.name).evaluation is None
    assert reviewing.open_sheet(db, call, LEAD.name).evaluation is None
    # The calibration sheet opens by session and call, on the session's form only.
    sheet = reviewing.open_calibration_sheet(db, session_id, call, WANG)
    assert sheet.evaluation.reviewer == WANG.name and sheet.evaluation.status == "submitted"
    assert [f.id for f in sheet.forms] == [sheet.default_form_id] == [sheet.evaluation.form_id]
    # A normal review started after the calibration is its own evaluation.
    normal = reviewing.start_evaluation(db, call, sheet.default_form_id, WANG)
    assert normal.evaluation.id != sheet.evaluation.id
    with db.session() as s:
        assert [e.id for e in store.list_evaluations(s)] == [normal.evaluation.id]


def test_the_report_over_time(db):
    first, _ = three_reviewer_session(db, calls=2)
    with db.session() as s:
        report = calibration_report(s, LEAD)
        view = session_view(s, first, LEAD)
    assert [r.reviewer for r in report.reviewers] == sorted(r.name for r in REVIEWERS)  # the reference left out
    chen = next(r for r in report.reviewers if r.reviewer == CHEN.name)
    assert chen.overall.calls == 2
    deviation = view.calls[0].result.reviewer(CHEN.name).deviation
    assert chen.overall.mean_abs_deviation == pytest.approx(abs(deviation))
    assert chen.overall.items_compared == 2 * view.calls[0].result.reviewer(CHEN.name).items_compared
    with db.session() as s:
        tomorrow = date.today() + timedelta(days=1)
        assert calibration_report(s, LEAD, since=tomorrow).reviewers == ()
        with pytest.raises(PermissionDenied):
            calibration_report(s, WANG)


def test_a_closed_sessions_sheets_no_longer_change(db):
    session_id, (call_id,) = three_reviewer_session(db, submit=False)
    draft = score(db, WANG, session_id, call_id, submit=False)
    with db.session() as s:
        cal.close_session(s, session_id, LEAD)
    with db.session() as s:
        with pytest.raises(store.EvaluationError, match="closed calibration session"):
            store.save_answers(s, draft.id, draft.row_version, {"attentive": store.AnswerEdit("no")}, actor=WANG)
        with pytest.raises(store.EvaluationError, match="closed calibration session"):
            store.submit(s, draft.id, draft.row_version, actor=WANG)


def test_starting_and_closing_a_session_are_audited(db):
    from qa_desk.store.audit import audit_entries

    session_id, _ = three_reviewer_session(db, submit=False)
    with db.session() as s:
        cal.close_session(s, session_id, LEAD)
        entries = [(e.action, e.entity_id) for e in audit_entries(s, entity="calibration_session")]
    assert sorted(entries) == [("calibration.closed", session_id), ("calibration.started", session_id)]
