"""The scoring engine: hand calculations on the shipped forms, and properties that
must hold on any valid form (hypothesis)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_desk.scoring.form_schema import ANSWER_TYPES, check_form
from qa_desk.scoring.forms import Form, load_form, shipped_forms
from qa_desk.scoring.score import AnswerError, score_form


def shipped(key: str) -> Form:
    return next(load_form(p) for p in shipped_forms() if p.stem == key)


# A reviewer's sheet on the Chinese hotline form, worked out by hand:
#   接听与等待    N/A, yes 2, N/A                                  2 / 2   (N/A leaves the maximum)
#   开场与结束    yes 2, no 0                                      2 / 4
#   服务用语      partial 1.5, yes 3, no 0, yes 3, partial 1.5      9 / 15
#   服务态度      3/4 of 4 = 3, yes 3, 2/4 of 4 = 2, yes 4,
#                 partial 1.5, bonus yes 2 (13.5 + 2, within 18)   15.5 / 18
#   业务准确      yes 10, partial 4, yes 7                         21 / 25
#   问题解决      4/5 of 5 = 4, partial 5, N/A                     9 / 15
#   合规          yes 6, yes 6                                     12 / 12
#   total 70.5 of 91 = 77.47 %
SHEET = {
    "answered_quickly": "na", "hold_announced_thanked": "yes", "response_time": "na",
    "standard_opening": "yes", "standard_closing": "no",
    "courtesy_words": "partial", "approved_scripts": "yes", "no_forbidden_phrases": "no",
    "no_rhetorical_questions": "yes", "positive_information": "partial",
    "positive_proactive": "3", "attentive": "yes", "patient_attitude": "2", "not_rushing": "yes",
    "clear_moderate_pace": "partial", "beyond_expectations": "yes",
    "correct_information": "yes", "correct_process": "partial", "complete_record": "yes",
    "need_identified": "4", "first_call_resolution": "partial", "transfer_explained": "na",
    "identity_verified": "yes", "privacy_protected": "yes",
}


def test_a_full_sheet_on_the_chinese_form_matches_the_hand_calculation():
    result = score_form(shipped("hotline-zh"), SHEET)
    assert [(s.key, s.earned, s.max) for s in result.sections] == [
        ("response", 2, 2), ("opening_closing", 2, 4), ("service_language", 9, 15), ("attitude", 15.5, 18),
        ("accuracy", 21, 25), ("resolution", 9, 15), ("compliance", 12, 12)]
    assert (result.score, result.max_score) == (70.5, 91)
    assert result.percent == pytest.approx(77.4725, abs=1e-4)
    assert (result.auto_failed, result.critical_failures, result.complete) == (False, (), True)


def test_na_counted_as_a_pass_when_the_form_says_so():
    form = shipped("hotline-zh")
    passing = Form.from_definition({**form.definition, "na": "pass"})
    result = score_form(passing, SHEET)
    # The three N/A items (2 + 2 + 5 points) count in full: 79.5 of 100.
    assert (result.score, result.max_score) == (79.5, 100)


def test_a_failed_fail_section_item_zeroes_only_its_section():
    result = score_form(shipped("hotline-zh"), {**SHEET, "correct_information": "no"})
    accuracy = next(s for s in result.sections if s.key == "accuracy")
    assert (accuracy.earned, accuracy.max, accuracy.failed) == (0, 25, True)
    assert (result.score, result.max_score, result.auto_failed) == (49.5, 91, False)
    assert result.critical_failures == ("correct_information",)


def test_a_failed_fail_all_item_zeroes_the_evaluation():
    result = score_form(shipped("hotline-zh"), {**SHEET, "privacy_protected": "no"})
    assert (result.score, result.percent, result.auto_failed) == (0, 0, True)
    compliance = next(s for s in result.sections if s.key == "compliance")
    assert (compliance.earned, compliance.failed) == (6, False)  # the section keeps its own figure
    # N/A on a critical item never fails it.
    assert not score_form(shipped("hotline-zh"), {**SHEET, "identity_verified": "na"}).auto_failed


def test_a_bonus_makes_up_lost_points_but_does_not_pass_the_maximum():
    form = shipped("hotline-zh")
    perfect = {**SHEET, "positive_proactive": "4", "patient_attitude": "4", "clear_moderate_pace": "yes"}
    attitude = next(s for s in score_form(form, perfect).sections if s.key == "attitude")
    assert (attitude.earned, attitude.max) == (18, 18)  # 18 + bonus 2, capped at 18


def test_the_weighted_english_form_by_hand():
    form = shipped("contact-centre-en")
    answers = {i.key: i.passing() for i in form.items()}
    answers.update({"standard_opening": "no", "identity_verified": "na", "need_identified": "3",
                    "went_extra_mile": "no"})
    # opening: 0 of 3 → 0 % (weight 10); discovery: 3 + 3 of 8 → 75 % (20); the rest 100 %.
    # (0·10 + 75·20 + 100·35 + 100·20 + 100·15) / 100 = 85
    result = score_form(form, answers)
    assert result.percent == pytest.approx(85.0)
    assert (result.score, result.max_score) == (pytest.approx(85.0), 100)


def test_a_draft_scores_what_has_been_answered_and_lists_the_rest():
    form = shipped("hotline-zh")
    result = score_form(form, {"standard_opening": "yes", "standard_closing": "no"})
    assert (result.score, result.max_score, result.percent) == (2, 4, 50)
    assert not result.complete and "correct_information" in result.unanswered
    assert "beyond_expectations" not in result.unanswered  # a bonus need not be answered
    assert score_form(form, {}).percent is None


@pytest.mark.parametrize("answers, message", [
    ({"standard_opening": "partial"}, "'partial' is not an answer to it (answers: yes, no)"),
    ({"need_identified": "6"}, "'6' is not an answer to it"),
    ({"privacy_protected": "na"}, "N/A is not allowed on this item"),
    ({"no_such_item": "yes"}, "no item no_such_item on the form hotline-zh"),
])
def test_answers_an_item_does_not_allow_are_refused(answers, message):
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score_form(shipped("hotline-zh"), answers)


# --- properties on any valid form ------------------------------------------------------


@st.composite
def forms(draw, na_policy=None):
    weighted = draw(st.booleans())
    n_sections = draw(st.integers(1, 4))
    sections, k = [], 0
    for s in range(n_sections):
        items = []
        for _ in range(draw(st.integers(1, 5))):
            answer = draw(st.sampled_from(ANSWER_TYPES))
            item = {"key": f"i{k}", "question": "q", "answer": answer, "points": draw(st.integers(1, 10)),
                    "na": draw(st.booleans()), "critical": draw(st.sampled_from([None, None, "fail_section", "fail_all"]))}
            if answer == "scale":
                item["scale"] = draw(st.integers(1, 10))
            if answer == "yes_partial_no":
                item["partial"] = draw(st.sampled_from([0.25, 0.5, 0.75]))
            items.append({key: value for key, value in item.items() if value is not None})
            k += 1
        section = {"key": f"s{s}", "title": "t", "items": items}
        if draw(st.booleans()):
            items.append({"key": f"i{k}", "question": "bonus", "points": draw(st.integers(1, 5)), "bonus": True})
            k += 1
            section["bonus_cap"] = draw(st.sampled_from([0, 1, 3]))
        sections.append(section)
    if weighted:
        weights = [100 // n_sections] * n_sections
        weights[0] += 100 - sum(weights)
        for section, weight in zip(sections, weights):
            section["weight"] = weight
    data = {"key": "gen", "name": "generated", "language": "en", "sections": sections,
            "na": na_policy or draw(st.sampled_from(["exclude", "pass"]))}
    definition, problems = check_form(data, "gen.yaml", None)
    assert problems == []  # only valid forms are generated
    return Form.from_definition(definition)


@st.composite
def form_and_answers(draw, na_policy=None):
    form = draw(forms(na_policy))
    answers = {i.key: draw(st.sampled_from(list(i.values()) + [None])) for i in form.items()}
    return form, answers


@settings(max_examples=300, deadline=None)
@given(form_and_answers())
def test_the_score_stays_within_zero_and_the_maximum(case):
    form, answers = case
    result = score_form(form, answers)
    caps = sum(s.bonus_cap for s in form.sections)
    assert result.score >= 0
    if form.scoring == "points":
        assert result.score <= result.max_score + caps + 1e-9
        if caps == 0:
            assert result.score <= result.max_score + 1e-9
    else:
        assert result.max_score == 100
        if caps == 0:
            assert result.score <= 100 + 1e-9
    for section in result.sections:
        assert 0 <= section.earned <= section.max + next(s.bonus_cap for s in form.sections if s.key == section.key) + 1e-9


@settings(max_examples=300, deadline=None)
@given(form_and_answers(na_policy="exclude"), st.data())
def test_na_never_changes_the_percentage_of_the_other_items(case, data):
    form, answers = case
    allowing = [i for i in form.items() if i.na and not i.bonus]
    if not allowing:
        return
    item = data.draw(st.sampled_from(allowing))
    with_na = score_form(form, {**answers, item.key: "na"})
    # The same sheet on the form without that item at all.
    definition = copy.deepcopy(form.definition)
    for section in definition["sections"]:
        section["items"] = [i for i in section["items"] if i["key"] != item.key]
        if section.get("points") is not None:
            section["points"] = sum(i["points"] for i in section["items"] if not i["bonus"])
    definition["sections"] = [s for s in definition["sections"] if any(not i["bonus"] for i in s["items"])]
    if not definition["sections"]:
        assert with_na.percent is None or with_na.auto_failed
        return
    reduced = Form.from_definition(definition)
    kept = {i.key for i in reduced.items()}
    without = score_form(reduced, {k: v for k, v in answers.items() if k in kept})
    if with_na.percent is None:
        assert without.percent is None
    else:
        assert with_na.percent == pytest.approx(without.percent)


@settings(max_examples=300, deadline=None)
@given(form_and_answers())
def test_critical_failures_behave_as_declared(case):
    form, answers = case
    result = score_form(form, answers)
    failed = {i.key: i.critical for i in form.items() if i.critical and answers.get(i.key) == i.failing()}
    assert set(result.critical_failures) == set(failed)
    assert result.auto_failed == ("fail_all" in failed.values())
    if result.auto_failed:
        assert result.score == 0 and result.percent in (0, None)
    for section, score in zip(form.sections, result.sections):
        zeroed = any(failed.get(i.key) == "fail_section" for i in section.items)
        assert score.failed == zeroed
        if zeroed:
            assert score.earned == 0
    # Answering every failed critical item "yes"/full instead never lowers the score.
    fixed = {**answers, **{key: form.item(key).passing() for key in failed}}
    assert score_form(form, fixed).score >= result.score - 1e-9


@settings(max_examples=300, deadline=None)
@given(form_and_answers())
def test_a_bonus_never_exceeds_its_cap(case):
    form, answers = case
    result = score_form(form, answers)
    for section, score in zip(form.sections, result.sections):
        without_bonus = score_form(form, {**answers, **{i.key: None for i in section.items if i.bonus}})
        plain = next(s for s in without_bonus.sections if s.key == section.key)
        assert score.earned <= score.max + section.bonus_cap + 1e-9
        assert score.earned >= plain.earned - 1e-9  # a bonus only ever adds
        if section.bonus_cap == 0 and not score.failed:
            assert score.earned <= max(score.max, plain.earned) + 1e-9
