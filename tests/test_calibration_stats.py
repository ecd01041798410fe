"""Calibration statistics: several reviewers' sheets on one call side by side, and each
reviewer's drift from the reference month by month."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_desk.scoring.calibration import CalibrationError, calibrate, calibration_report, modal_answer
from qa_desk.scoring.form_schema import check_form
from qa_desk.scoring.forms import Form, load_form, shipped_forms

# A small points form that is easy to score by hand (12 points).
DEFINITION, PROBLEMS = check_form({
    "key": "calibration-test", "name": "Calibration test", "language": "en",
    "sections": [
        {"key": "call", "title": "Call", "items": [
            {"key": "greeting", "question": "Greets the caller", "points": 2},
            {"key": "tone", "question": "Friendly tone", "answer": "yes_partial_no", "points": 2},
            {"key": "accuracy", "question": "Correct information", "answer": "scale", "scale": 4, "points": 4},
            {"key": "transfer", "question": "Explains a transfer", "points": 2, "na": True},
            {"key": "privacy", "question": "Verifies identity", "points": 2, "critical": "fail_all"},
        ]},
    ],
}, "calibration-test.yaml", None)
FORM = Form.from_definition(DEFINITION)

# Amy: 2 + 2 + 4 + N/A + 2 = 10 of 10 = 100 %; Bo: 2 + 1 + 3 + 2 + 2 = 10 of 12 = 83.3 %;
# Cai: 0 + 1 + 3 + N/A + 2 = 6 of 10 = 60 %.
SHEETS = {
    "Amy": {"greeting": "yes", "tone": "yes", "accuracy": "4", "transfer": "na", "privacy": "yes"},
    "Bo": {"greeting": "yes", "tone": "partial", "accuracy": "3", "transfer": "yes", "privacy": "yes"},
    "Cai": {"greeting": "no", "tone": "partial", "accuracy": "3", "transfer": "na", "privacy": "yes"},
}


def test_the_form_used_here_is_valid():
    assert PROBLEMS == []


def test_against_the_median_each_item_has_its_modal_answer_and_each_reviewer_a_deviation():
    result = calibrate(FORM, SHEETS, call_id=7, held_on=datetime(2026, 10, 12, 15, 0))
    assert (result.call_id, result.held_on, result.form_key, result.reference) == (
        7, date(2026, 10, 12), "calibration-test", None)
    assert result.reference_percent == pytest.approx(100 * 10 / 12)
    assert [(i.key, i.modal, i.reference, i.agreement) for i in result.items] == [
        ("greeting", "yes", "yes", pytest.approx(2 / 3)), ("tone", "partial", "partial", pytest.approx(2 / 3)),
        ("accuracy", "3", "3", pytest.approx(2 / 3)), ("transfer", "na", "na", pytest.approx(2 / 3)),
        ("privacy", "yes", "yes", 1.0)]
    amy, bo, cai = result.reviewers
    assert amy.deviation == pytest.approx(100 - 250 / 3) and amy.abs_deviation == pytest.approx(50 / 3)
    assert bo.deviation == 0 and cai.deviation == pytest.approx(60 - 250 / 3)
    assert cai.abs_deviation == pytest.approx(70 / 3)
    assert [(r.reviewer, r.items_matched, r.items_compared, r.items_differing) for r in result.reviewers] == [
        ("Amy", 3, 5, ("tone", "accuracy")), ("Bo", 4, 5, ("transfer",)), ("Cai", 4, 5, ("greeting",))]
    assert amy.agreement_rate == pytest.approx(0.6)
    assert result.item("greeting").matches == {"Amy": True, "Bo": True, "Cai": False}
    assert result.agreement == pytest.approx((4 * 2 / 3 + 1) / 5)
    spread = result.spread
    assert (spread.low, spread.high, spread.range) == (60, 100, 40)
    assert spread.mean == pytest.approx((100 + 250 / 3 + 60) / 3)
    # Population standard deviation: from the mean 81.11, squares 356.8 + 4.9 + 445.7 over 3.
    assert spread.stdev == pytest.approx(16.4054, abs=1e-4)


def test_against_a_named_reference_the_lead_is_right_by_definition():
    result = calibrate(FORM, SHEETS, reference="Amy")
    amy, bo, cai = result.reviewers
    assert (amy.is_reference, amy.deviation, amy.items_matched, amy.items_compared) == (True, 0, 5, 5)
    assert bo.deviation == pytest.approx(250 / 3 - 100) and cai.deviation == pytest.approx(-40)
    assert bo.items_differing == ("tone", "accuracy", "transfer")
    assert cai.items_differing == ("greeting", "tone", "accuracy")
    assert result.reference_percent == 100
    # The items' agreement is still the room's (the reference among them).
    assert result.item("tone").agreement == pytest.approx(2 / 3) and result.item("tone").reference == "yes"


def test_a_tie_has_no_modal_answer_and_counts_as_a_mismatch_for_everyone_against_the_median():
    sheets = {"Amy": {**SHEETS["Amy"]}, "Bo": {**SHEETS["Amy"], "greeting": "no"}}
    result = calibrate(FORM, sheets)
    greeting = result.item("greeting")
    assert (greeting.modal, greeting.reference, greeting.contested, greeting.agreement) == (None, None, True, 0.5)
    assert greeting.matches == {"Amy": False, "Bo": False}
    assert result.reviewer("Amy").items_differing == ("greeting",)
    # With a named reference a tie does not matter: the reference's answer is right.
    named = calibrate(FORM, sheets, reference="Amy").item("greeting")
    assert (named.contested, named.reference, named.matches) == (False, "yes", {"Amy": True, "Bo": False})


def test_modal_answer_leaves_blanks_out():
    assert modal_answer(["yes", None, "yes", "no"]) == ("yes", pytest.approx(2 / 3))
    assert modal_answer([None, None]) == (None, None)
    assert modal_answer(["3", "2"]) == (None, 0.5)


def test_na_is_an_answer_for_agreement_and_scored_as_the_form_says():
    sheets = {"Amy": SHEETS["Amy"], "Bo": {**SHEETS["Amy"], "transfer": "yes"}}
    result = calibrate(FORM, sheets, reference="Amy")
    assert result.reviewer("Bo").items_differing == ("transfer",)
    assert result.reviewer("Bo").deviation == 0  # N/A leaves the maximum: 12 of 12 is 10 of 10
    passing = Form.from_definition({**DEFINITION, "na": "pass"})
    assert calibrate(passing, sheets, reference="Amy").reviewer("Bo").deviation == 0


def test_blank_items_are_not_compared():
    sheets = {"Amy": SHEETS["Amy"], "Bo": {**SHEETS["Bo"], "tone": None}, "Cai": {**SHEETS["Cai"]}}
    del sheets["Cai"]["accuracy"]
    result = calibrate(FORM, sheets)
    assert result.item("tone").matches["Bo"] is None and result.item("tone").agreement == 0.5
    assert result.reviewer("Cai").unanswered == ("accuracy",) and result.reviewer("Cai").items_compared == 4
    # The named reference's blank leaves the item out for everyone.
    blank = calibrate(FORM, {"Amy": {**SHEETS["Amy"], "greeting": None}, "Bo": SHEETS["Bo"]}, reference="Amy")
    assert blank.item("greeting").matches == {"Amy": None, "Bo": None}
    assert blank.reviewer("Bo").items_compared == 4


def test_a_critical_item_disagreement_is_called_out():
    sheets = {"Amy": SHEETS["Amy"], "Dan": {**SHEETS["Amy"], "privacy": "no"}}
    dan = calibrate(FORM, sheets, reference="Amy").reviewer("Dan")
    assert (dan.auto_failed, dan.percent, dan.deviation) == (True, 0, -100)
    assert dan.items_differing == dan.critical_differing == ("privacy",)


@pytest.mark.parametrize("answers, reference, words", [
    ({}, None, "at least one reviewer"),
    ({"Amy": SHEETS["Amy"]}, "Bo", "the reference reviewer Bo has no answers"),
    ({"Amy": {"greeting": "maybe"}}, None, "reviewer Amy: item greeting: 'maybe' is not an answer"),
    ({"Amy": {"greeting": "na"}}, None, "reviewer Amy: item greeting: N/A is not allowed"),
    ({"Amy": {"greting": "yes"}}, None, "reviewer Amy: no item greting"),
    ({"Amy": {}, " Amy ": {}}, None, "reviewer Amy has two answer sheets"),
    ({"": {}}, None, "a reviewer without a name"),
])
def test_bad_inputs_are_named(answers, reference, words):
    with pytest.raises(CalibrationError, match=words):
        calibrate(FORM, answers, reference=reference)


def test_a_shipped_weighted_form_calibrates():
    form = next(load_form(p) for p in shipped_forms() if p.stem == "contact-centre-en")
    best = {i.key: i.passing() for i in form.items() if not i.bonus}
    worse = {**best, "attentive": "partial"}
    result = calibrate(form, {"lead": best, "Amy": worse, "Bo": best}, reference="lead")
    assert result.reference_percent == 100 and result.reviewer("Bo").deviation == 0
    assert result.reviewer("Amy").deviation < 0 and result.reviewer("Amy").items_differing == ("attentive",)


# --- the report over time ---------------------------------------------------------------

def test_the_report_follows_each_reviewer_month_by_month_leaving_the_reference_out():
    october = calibrate(FORM, SHEETS, reference="Amy", call_id=1, held_on=date(2026, 10, 3))
    october_2 = calibrate(FORM, SHEETS, call_id=2, held_on=date(2026, 10, 20))
    november = calibrate(FORM, {"Bo": SHEETS["Bo"], "Cai": SHEETS["Bo"]}, call_id=3, held_on=date(2026, 11, 2))
    report = calibration_report([november, october, october_2])
    assert [r.reviewer for r in report] == ["Amy", "Bo", "Cai"]
    amy, bo, cai = report
    # Amy was the reference on call 1: only call 2 counts for her.
    assert (amy.overall.calls, amy.overall.items_matched, amy.overall.items_compared) == (1, 3, 5)
    assert amy.overall.mean_abs_deviation == pytest.approx(50 / 3)
    assert [m.label for m, _ in bo.months] == ["2026-10", "2026-11"]
    bo_october = dict((m.label, f) for m, f in bo.months)["2026-10"]
    # Call 1: -16.7 against Amy, 2 of 5 items; call 2: 0 against the median, 4 of 5.
    assert bo_october.calls == 2 and bo_october.mean_abs_deviation == pytest.approx(50 / 6)
    assert bo_october.mean_deviation == pytest.approx(-50 / 6)
    assert bo_october.agreement_rate == pytest.approx(6 / 10)
    assert bo.overall.agreement_rate == pytest.approx(11 / 15) and bo.overall.calls == 3
    assert cai.months[-1][1].mean_abs_deviation == 0


def test_a_report_needs_the_day_each_calibration_was_held():
    with pytest.raises(CalibrationError, match="has no date"):
        calibration_report([calibrate(FORM, SHEETS, call_id=4)])
    assert calibration_report([]) == []


# --- properties -------------------------------------------------------------------------

def sheet_for(form: Form):
    items = form.items()
    return st.fixed_dictionaries({i.key: st.none() | st.sampled_from(i.values()) for i in items})


sheets = st.dictionaries(st.sampled_from(["Amy", "Bo", "Cai", "Dan", "Eve"]), sheet_for(FORM), min_size=1)


@settings(max_examples=200, deadline=None)
@given(sheets, st.data())
def test_the_reference_never_deviates_from_itself(answers, data):
    reference = data.draw(st.sampled_from(sorted(answers)))
    result = calibrate(FORM, answers, reference=reference)
    me = result.reviewer(reference)
    assert me.deviation in (0, None) and me.items_differing == () and me.items_matched == me.items_compared
    for item in result.items:
        assert item.agreement is None or 0 < item.agreement <= 1
    spread = result.spread
    if spread.low is not None:
        assert spread.low <= spread.mean + 1e-9 and spread.mean <= spread.high + 1e-9 and spread.stdev >= 0


@settings(max_examples=200, deadline=None)
@given(sheets)
def test_against_the_median_deviations_straddle_zero_and_an_odd_room_has_a_zero(answers):
    result = calibrate(FORM, answers)
    deviations = [r.deviation for r in result.reviewers if r.deviation is not None]
    if deviations:
        assert min(deviations) <= 1e-9 and max(deviations) >= -1e-9
        if len(deviations) % 2:
            assert min(abs(d) for d in deviations) == pytest.approx(0, abs=1e-9)
    # Unanimous answers agree fully and everyone matches them.
    same = calibrate(FORM, {name: next(iter(answers.values())) for name in answers})
    assert all(r.items_differing == () for r in same.reviewers)
    assert all(i.agreement in (None, 1.0) for i in same.items)
