"""A calibration session the store, export, CLI and window tests share: a lead (李组长)
as the reference and three reviewers scoring the hotline form on one or two calls."""

from __future__ import annotations

import inspect

from qa_desk.permissions import Actor
from qa_desk.scoring.forms import shipped_forms
from qa_desk.store import calibration as cal
from qa_desk.store import evaluations as store
from qa_desk.store.forms import install_forms, latest_forms, stored_form

from store_data import agent_calls

LEAD = Actor("李组长", "lead")
WANG, CHEN, LIU = Actor("王质检", "reviewer"), Actor("陈质检", "reviewer"), Actor("刘质检", "reviewer")
REVIEWERS = (WANG, CHEN, LIU)
# What each reviewer answers differently from a perfect sheet (the lead's).
DIFFERENCES = {
    LEAD.name: {},
    WANG.name: {"courtesy_words": "partial"},
    CHEN.name: {"courtesy_words": "partial", "attentive": "no"},
    LIU.name: {"standard_opening": "no"},
}


def hotline_form(db) -> int:
    with db.session() as s:
        if not latest_forms(s):
            install_forms(s, shipped_forms())
        return next(f.id for f in latest_forms(s) if f.key == "hotline-zh")


def _call(fn, session, *args, actor: Actor, **kwargs):
    """An evaluation-store call with ``by`` or ``actor`` as its signature has it."""
    params = inspect.signature(fn).parameters
    if "actor" in params:
        kwargs["actor"] = actor
    if "by" in params:
        kwargs["by"] = actor.name
    return fn(session, *args, **kwargs)


def score(db, actor: Actor, session_id: int, call_id: int, overrides: dict | None = None,
          submit: bool = True) -> store.EvaluationView:
    """The actor's calibration sheet on the call: every item passing but ``overrides``."""
    with db.session() as s:
        view = cal.calibration_evaluation(s, session_id, call_id, actor)
    with db.session() as s:
        form = stored_form(s, view.form_id)
        answers = {i.key: i.passing() for i in form.items() if not i.bonus} | (overrides or {})
        edits = {k: store.AnswerEdit(v) for k, v in answers.items()}
        saved = _call(store.save_answers, s, view.id, view.row_version, edits, actor=actor)
        if submit:
            saved = _call(store.submit, s, view.id, saved.row_version, actor=actor)
        return saved


def three_reviewer_session(db, *, calls: int = 1, reference: str = "lead", submit: bool = True,
                           name: str = "November calibration") -> tuple[int, list[int]]:
    """(session id, call ids): a session with the lead and three reviewers; with ``submit``
    everyone has scored every call with DIFFERENCES."""
    call_ids = agent_calls(db, calls)
    form_id = hotline_form(db)
    with db.session() as s:
        summary = cal.start_session(s, LEAD, name=name, form_id=form_id, call_ids=call_ids,
                                    reviewers=[r.name for r in REVIEWERS], reference=reference)
    if submit:
        for call_id in call_ids:
            for actor in (LEAD, *REVIEWERS):
                if actor.name in summary.participants:
                    score(db, actor, summary.id, call_id, DIFFERENCES[actor.name])
    return summary.id, call_ids
