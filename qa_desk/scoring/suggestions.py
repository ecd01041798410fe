"""Answers a call's flags suggest for a form's items.

An item names the rulebook rules that inform it (``rules:`` in the form). A flag of
one of those rules that a reviewer has not dismissed suggests the item's failing
answer (no, or 0 on a scale), linked to that flag so the reviewer can check the
evidence; a call that was checked and has none of them suggests the passing answer.
A sound-alike ("possible") flag suggests nothing either way until a reviewer confirms
or dismisses it: it may be a recognition error, or not. The reviewer always has the last word; the evaluation keeps
what was suggested beside what was answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..wording import translate
from .forms import Form

_SEVERITY = {"critical": 0, "major": 1, "minor": 2}


@dataclass(frozen=True)
class Suggestion:
    item_key: str
    value: str
    rule_key: str | None  # the rule whose flag suggests a failing answer
    flag_id: int | None
    why: str


def _counts(flag) -> bool:
    if flag.status == "dismissed" or getattr(flag, "stale", False):
        return False
    return flag.kind != "possible" or flag.status == "confirmed"


def suggest_answers(form: Form, flags: Iterable, checked: bool) -> dict[str, Suggestion]:
    """item key → suggestion. ``flags``: the call's flags (rule_key, status, kind, id,
    severity, rule_title, matched_text, start); ``checked``: the call was scanned with a
    rulebook (without that, no flag does not mean nothing was wrong)."""
    flags = list(flags)
    evidence = [f for f in flags if _counts(f)]
    # An open sound-alike flag: something may have been said; the reviewer listens.
    unsure = {f.rule_key for f in flags if f.kind == "possible" and f.status == "open" and not getattr(f, "stale", False)}
    out: dict[str, Suggestion] = {}
    for item in form.items():
        if not item.rules or item.bonus:
            continue
        linked = [f for f in evidence if f.rule_key in item.rules]
        if linked:
            flag = min(linked, key=lambda f: (f.status != "confirmed", _SEVERITY.get(f.severity, 3),
                                              f.start if f.start is not None else -1.0))
            why = (translate("Suggestions", "{rule}: “{said}”").format(rule=flag.rule_title, said=flag.matched_text)
                   if flag.matched_text else flag.rule_title)
            out[item.key] = Suggestion(item.key, item.failing(), flag.rule_key, flag.id, why)
        elif checked and not unsure & set(item.rules):
            out[item.key] = Suggestion(item.key, item.passing(), None, None,
                                       translate("Suggestions", "no flag of its rules in this call"))
    return out
