"""Which answers a call's flags suggest for a form's items."""

from __future__ import annotations

from types import SimpleNamespace

from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.scoring.suggestions import suggest_answers

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")


def flag(rule_key: str, *, id: int = 1, status: str = "open", kind: str = "exact", severity: str = "major",
         start: float | None = 10.0, stale: bool = False):
    return SimpleNamespace(id=id, rule_key=rule_key, status=status, kind=kind, severity=severity, start=start,
                           stale=stale, rule_title=rule_key, matched_text="不知道")


def test_a_flag_suggests_the_failing_answer_linked_to_it():
    got = suggest_answers(ZH, [flag("zh-forbidden-01", id=7), flag("zh-overtalk-01", id=8, start=None)], True)
    assert (got["no_forbidden_phrases"].value, got["no_forbidden_phrases"].flag_id) == ("no", 7)
    assert got["patient_attitude"].value == "0"  # a scale item's failing answer
    assert got["standard_opening"].value == "yes" and got["standard_opening"].flag_id is None
    assert "approved_scripts" not in got and "beyond_expectations" not in got


def test_dismissed_stale_and_unconfirmed_sound_alike_flags_suggest_nothing_against_the_agent():
    flags = [flag("zh-forbidden-01", status="dismissed"), flag("zh-forbidden-02", stale=True, status="confirmed"),
             flag("zh-rhetorical-01", kind="possible")]
    got = suggest_answers(ZH, flags, True)
    assert got["no_forbidden_phrases"].value == "yes"
    assert "no_rhetorical_questions" not in got  # unsure: the reviewer listens and decides
    dismissed = suggest_answers(ZH, [flag("zh-rhetorical-01", kind="possible", status="dismissed")], True)
    assert dismissed["no_rhetorical_questions"].value == "yes"
    confirmed = suggest_answers(ZH, [flag("zh-rhetorical-01", kind="possible", status="confirmed")], True)
    assert confirmed["no_rhetorical_questions"].value == "no"


def test_the_strongest_evidence_is_linked_confirmed_then_most_severe():
    flags = [flag("zh-forbidden-01", id=1, severity="minor", status="confirmed"),
             flag("zh-forbidden-02", id=2, severity="critical"), flag("zh-forbidden-03", id=3, severity="major")]
    assert suggest_answers(ZH, flags, True)["no_forbidden_phrases"].flag_id == 1
    assert suggest_answers(ZH, flags[1:], True)["no_forbidden_phrases"].flag_id == 2


def test_an_unchecked_call_suggests_no_passes():
    got = suggest_answers(ZH, [flag("zh-forbidden-01")], checked=False)
    assert list(got) == ["no_forbidden_phrases"]
