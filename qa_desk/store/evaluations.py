"""Evaluations: a reviewer's answers on one call and one form version, from draft to
resolution, with every change kept.

The life of an evaluation: **draft** (saved as the reviewer goes, answers suggested by
the call's flags pre-filled and marked) → **submitted** (every item answered; the
score is fixed) → **acknowledged** by the agent, or **disputed** with the agent's
reason → **resolved** by a lead, who may re-score. After submission every change is
an event with who, when, and the old and new values; a draft's saves are not (they are
the reviewer's work in progress), its creation and submission are.

The score is always computed by ``qa_desk.scoring.score`` from the form version the
evaluation was started on, never from a newer one.

Two people saving the same evaluation (a shared PostgreSQL database): each save names
the ``row_version`` it started from; a save from an older version is refused with
``ConcurrentEdit`` (and the ORM's version check catches the same race between two
saves in flight), so nobody's answers are silently overwritten.

Who may do what is checked here, not only in the UI: every step takes the acting user
(an ``Actor``, or the name of a stored user) — a reviewer scores only their own drafts
(a lead or admin resolves a dispute, they do not edit someone else's draft); resolving
needs a lead or admin. Every step after the draft is also written to the audit log,
in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from ..permissions import Actor, PermissionDenied, can, require
from ..scoring.forms import Form
from ..scoring.score import AnswerError, Score, score_form, score_item
from ..scoring.suggestions import Suggestion
from ..wording import choose, translate
from . import audit
from .forms import stored_form
from .models import Answer, CalibrationSession, Call, Evaluation, EvaluationEvent, EvaluationSection, TimedComment
from .models import Form as FormRow
from .users import acting

# The list of evaluations (scorecards, the CLI) lives beside: this module is their life cycle.
from .evaluation_list import EvaluationSummary, list_evaluations  # noqa: E402,F401 - re-exported

STATUSES = ("draft", "submitted", "acknowledged", "disputed", "resolved")


class EvaluationError(ValueError):
    """A step the evaluation cannot take (submitting an incomplete sheet, disputing a draft…)."""


class ConcurrentEdit(Exception):
    """Someone else saved the evaluation since this copy was read: reload, then redo."""

    def __init__(self, evaluation_id: int, by: str | None = None):
        self.evaluation_id = evaluation_id
        if by:
            text = translate("Errors", "Evaluation {id} was changed by {name} since you opened it. Your changes were "
                                       "not saved: reload it to see the latest version.")
        else:
            text = translate("Errors", "Evaluation {id} was changed since you opened it. Your changes were not saved: "
                                       "reload it to see the latest version.")
        super().__init__(text.format(id=evaluation_id, name=by))


def status_name(status: str) -> str:
    """An evaluation's status as the end of "Evaluation 12 is …", in the reader's language."""
    names = {"draft": translate("Errors", "a draft"), "submitted": translate("Errors", "submitted"),
             "acknowledged": translate("Errors", "acknowledged"), "disputed": translate("Errors", "disputed"),
             "resolved": translate("Errors", "resolved")}
    return names.get(status, status)


@dataclass(frozen=True)
class AnswerView:
    item_key: str
    value: str | None
    comment: str | None = None
    suggested_value: str | None = None
    suggested_by_rule: str | None = None
    suggested_flag_id: int | None = None

    @property
    def changed_from_suggestion(self) -> bool:
        return self.suggested_value is not None and self.value != self.suggested_value


@dataclass(frozen=True)
class TimedCommentView:
    id: int
    start: float
    end: float | None
    text: str


@dataclass(frozen=True)
class EvaluationView:
    id: int
    call_id: int
    form_id: int
    form_key: str
    form_version: int
    reviewer: str | None
    status: str
    score: float | None
    max_score: float | None
    percent: float | None
    auto_failed: bool
    row_version: int
    created_at: datetime | None
    submitted_at: datetime | None
    updated_at: datetime | None
    updated_by: str | None
    answers: dict[str, AnswerView] = field(default_factory=dict)
    timed_comments: tuple[TimedCommentView, ...] = ()


@dataclass(frozen=True)
class EventView:
    action: str
    by: str
    at: datetime
    old: dict | None
    new: dict | None
    text: str | None


@dataclass(frozen=True)
class AnswerEdit:
    """What a save changes on one item: its value (None clears it) and/or comment."""

    value: str | None
    comment: str | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _view(session: Session, ev: Evaluation) -> EvaluationView:
    form = session.get(FormRow, ev.form_id)
    answers = {
        a.item_key: AnswerView(a.item_key, a.value, a.comment, a.suggested_value, a.suggested_by_rule,
                               a.suggested_flag_id)
        for a in ev.answers
    }
    comments = tuple(TimedCommentView(c.id, c.start, c.end, c.text)
                     for c in sorted(ev.timed_comments, key=lambda c: (c.start, c.id)))
    return EvaluationView(
        ev.id, ev.call_id, ev.form_id, form.key, form.version, ev.reviewer_name, ev.status, ev.score, ev.max_score,
        ev.percent, bool(ev.auto_failed), ev.row_version, ev.created_at, ev.submitted_at, ev.updated_at,
        ev.updated_by, answers, comments,
    )


def _load(session: Session, evaluation_id: int) -> Evaluation:
    ev = session.get(Evaluation, evaluation_id)
    if ev is None:
        raise LookupError(translate("Errors", "There is no evaluation {id}: it may have been deleted. Reload the "
                                              "list.").format(id=evaluation_id))
    return ev


def _event(session: Session, ev: Evaluation, action: str, actor: Actor, old=None, new=None, text=None) -> None:
    """The evaluation's own history (the panel shows it) and the audit log (the audit view)."""
    session.add(EvaluationEvent(evaluation_id=ev.id, action=action, by=actor.name, at=_now(), old=old, new=new,
                                text=text))
    summary = f"evaluation {ev.id} {action}" + (f": {text}" if text else "")
    audit.record(session, actor, f"evaluation.{action}", "evaluation", ev.id, old,
                 (new or {}) | ({"text": text} if text else {}), summary[:500])


def _own(ev: Evaluation, actor: Actor) -> None:
    """Only the evaluation's reviewer edits it, whatever their role: a lead who disagrees
    resolves a dispute, they do not rewrite a colleague's draft."""
    require(actor, "evaluation.score")
    if ev.reviewer_name != actor.name:
        raise PermissionDenied(translate("Errors", "{name} may not edit evaluation {id}: it is {reviewer}'s. Only its "
                                               "reviewer changes it.").format(name=actor.name, id=ev.id,
                                                                              reviewer=ev.reviewer_name))
    if ev.calibration_session_id is not None:
        # A closed calibration session's results are final: no sheet changes after it.
        owner = object_session(ev).get(CalibrationSession, ev.calibration_session_id)
        if owner is not None and owner.status == "closed":
            raise EvaluationError(translate("Errors", "Evaluation {id} belongs to the closed calibration session "
                                                      "'{session}': its sheets no longer change.").format(
                id=ev.id, session=owner.name))


def _rescore(ev: Evaluation, form: Form) -> Score:
    """Score the evaluation's answers on its own form version (``form``), and keep with
    it what scorecards aggregate in SQL: each section's score, the critical failures
    and each answer's points."""
    result = score_form(form, {a.item_key: a.value for a in ev.answers})
    ev.score = round(result.score, 4)
    ev.max_score = round(result.max_score, 4)
    ev.percent = round(result.percent, 4) if result.percent is not None else None
    ev.auto_failed = result.auto_failed
    ev.critical_failures = len(result.critical_failures)
    _keep_sections(ev, result)
    earned = {item.key: item for section in result.sections for item in section.items}
    for answer in ev.answers:
        item = earned.get(answer.item_key)
        answer.points = round(item.earned, 4) if item is not None and item.value is not None else None
    return result


def _keep_sections(ev: Evaluation, result: Score) -> None:
    """Update the section rows in place (a section the form version has is never
    dropped and re-added: deleting and inserting the same key in one flush would
    trip the unique (evaluation, section) constraint)."""
    session = object_session(ev)
    # Reading the rows must not flush the score just set: that flush would count as a
    # save of its own and bump the row version twice for one save.
    with session.no_autoflush if session is not None else nullcontext():
        rows = {row.section_key: row for row in ev.sections}
    for section in result.sections:
        row = rows.pop(section.key, None)
        if row is None:
            row = EvaluationSection(section_key=section.key)
            ev.sections.append(row)
        row.title = section.title[:300]
        row.earned = round(section.earned, 4)
        row.max = round(section.max, 4)
        row.percent = round(section.percent, 4) if section.percent is not None else None
        row.failed = section.failed
    for row in rows.values():  # only when a stored version's sections were edited by hand
        ev.sections.remove(row)


def _flush(session: Session, ev: Evaluation) -> None:
    """Write the evaluation; a save racing another one on the same row is refused."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ConcurrentEdit(ev.id) from None


def _check_version(ev: Evaluation, row_version: int) -> None:
    if ev.row_version != row_version:
        raise ConcurrentEdit(ev.id, ev.updated_by)


def start_evaluation(session: Session, call_id: int, form_id: int, reviewer: Actor | str | None = None,
                     suggestions: Mapping[str, Suggestion] | None = None, *,
                     actor: Actor | None = None) -> EvaluationView:
    """A new draft by ``reviewer`` (the acting user), with the suggested answers filled in
    and marked as suggested."""
    actor = require(acting(session, reviewer, actor), "evaluation.score")
    reviewer = actor.name
    if session.get(Call, call_id) is None:
        raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(call=call_id))
    form = stored_form(session, form_id)
    ev = Evaluation(call_id=call_id, form_id=form_id, reviewer_name=reviewer, updated_by=reviewer, status="draft")
    known = {i.key for i in form.items()}
    for key, suggestion in (suggestions or {}).items():
        if key in known:
            ev.answers.append(Answer(item_key=key, value=suggestion.value, suggested_value=suggestion.value,
                                     suggested_by_rule=suggestion.rule_key, suggested_flag_id=suggestion.flag_id))
    session.add(ev)
    _rescore(ev, form)
    session.flush()
    _event(session, ev, "created", actor, new={"form": f"{form.key}", "form_id": form_id,
                                                  "suggested": {k: s.value for k, s in (suggestions or {}).items()}})
    session.flush()
    return _view(session, ev)


def get_evaluation(session: Session, evaluation_id: int, reader: Actor | str | None = None) -> EvaluationView:
    """The evaluation as ``reader`` may see it (see ``_readable``)."""
    return _view(session, _readable(session, _load(session, evaluation_id), reader))


def _readable(session: Session, ev: Evaluation, reader: Actor | str | None) -> Evaluation:
    """``ev`` when ``reader`` may read it, PermissionDenied otherwise.

    - A calibration sheet is blind: only its author reads it, and others only once the
      session shows them that call's results (calibration_results' rule), so a script
      cannot peek at a colleague's answers before submitting its own. The reader is
      required here: the database alone does not say who is asking.
    - An ordinary draft is its reviewer's work in progress: a reader who is not its
      author is refused. Without a reader (a script on its own database) submitted and
      draft evaluations read as before: an evaluation is not secret from the centre.
    """
    if ev.calibration_session_id is None:
        if ev.status == "draft" and reader is not None and acting(session, reader).name != ev.reviewer_name:
            raise PermissionDenied(translate("Errors", "Evaluation {id} is {reviewer}'s draft: only {reviewer} sees it "
                                                   "until it is submitted.").format(id=ev.id, reviewer=ev.reviewer_name))
        return ev
    if reader is None:
        raise PermissionDenied(translate("Errors", "Evaluation {id} is a calibration sheet: say who is reading it "
                                                   "(sign in first).").format(id=ev.id))
    actor = acting(session, reader)
    if actor.name == ev.reviewer_name:
        return ev
    from .calibration_results import session_view  # calibration builds on this module

    view = session_view(session, ev.calibration_session_id, actor)
    shown = next((c for c in view.calls if c.call.call_id == ev.call_id), None)
    if shown is None or not shown.revealed or ev.reviewer_name not in shown.submitted_by:
        raise PermissionDenied(translate("Errors", "{name} may not see {reviewer}'s calibration sheet (evaluation {id}) "
                                               "yet: calibration scoring is blind. Submit your own sheet for the call, "
                                               "or wait until the session is closed.").format(
            name=actor.name, reviewer=ev.reviewer_name, id=ev.id))
    return ev


def _validate(form: Form, edits: Mapping[str, AnswerEdit]) -> None:
    """AnswerError for an answer the form version does not allow, before anything changes."""
    for key, edit in edits.items():
        item = form.item(key)
        if item is None:
            raise AnswerError(translate("Errors", "The form {form} has no item {item}: reload the evaluation.").format(
                form=form.key, item=key))
        if edit.value is not None:
            score_item(item, edit.value, form.na)


def _apply(ev: Evaluation, form: Form, edits: Mapping[str, AnswerEdit]) -> dict[str, tuple]:
    """Set the answers; (old, new) of every value or comment that changed."""
    _validate(form, edits)
    rows = {a.item_key: a for a in ev.answers}
    changed: dict[str, tuple] = {}
    for key, edit in edits.items():
        row = rows.get(key)
        if row is None:
            row = Answer(item_key=key)
            ev.answers.append(row)
            rows[key] = row
        before = (row.value, row.comment)
        row.value = edit.value
        if edit.comment is not None:
            row.comment = edit.comment.strip() or None
        if (row.value, row.comment) != before:
            changed[key] = (before, (row.value, row.comment))
    return changed


def save_answers(session: Session, evaluation_id: int, row_version: int, edits: Mapping[str, AnswerEdit],
                 by: Actor | str | None = None, *, actor: Actor | None = None) -> EvaluationView:
    """Save a draft's answers (the autosave). Raises ConcurrentEdit when someone else
    saved since ``row_version``, AnswerError for an answer an item does not allow,
    PermissionDenied when ``by`` is not the evaluation's reviewer."""
    actor = acting(session, by, actor)
    by = actor.name
    ev = _load(session, evaluation_id)
    _own(ev, actor)
    _check_version(ev, row_version)
    if ev.status != "draft":
        raise EvaluationError(translate("Errors", "Evaluation {id} is {status}: after submission its answers change "
                                              "only through a dispute's resolution.").format(
            id=ev.id, status=status_name(ev.status)))
    form = stored_form(session, ev.form_id)
    _apply(ev, form, edits)
    _rescore(ev, form)
    ev.updated_by = by
    ev.updated_at = _now()
    _flush(session, ev)
    return _view(session, ev)


def submit(session: Session, evaluation_id: int, row_version: int, by: Actor | str | None = None, *,
           actor: Actor | None = None) -> EvaluationView:
    actor = acting(session, by, actor)
    by = actor.name
    ev = _load(session, evaluation_id)
    _own(ev, actor)
    _check_version(ev, row_version)
    if ev.status != "draft":
        raise EvaluationError(translate("Errors", "Evaluation {id} is already {status}: reload it to see its "
                                              "latest state.").format(id=ev.id, status=status_name(ev.status)))
    form = stored_form(session, ev.form_id)
    result = _rescore(ev, form)
    if not result.complete:
        missing = [form.item(k).question for k in result.unanswered]
        text = choose(len(missing),
                      translate("Errors", "{count} item still needs an answer: {items}. Answer it, then submit."),
                      translate("Errors", "{count} items still need an answer: {items}. Answer them, then submit."))
        raise EvaluationError(text.format(count=len(missing),
                                          items="; ".join(missing[:5]) + (" …" if len(missing) > 5 else "")))
    ev.status = "submitted"
    ev.submitted_at = ev.updated_at = _now()
    ev.updated_by = by
    _event(session, ev, "submitted", actor, new=_score_dict(ev) | {"answers": {a.item_key: a.value for a in ev.answers}})
    _flush(session, ev)
    return _view(session, ev)


def _score_dict(ev: Evaluation) -> dict:
    return {"score": ev.score, "max_score": ev.max_score, "percent": ev.percent, "auto_failed": bool(ev.auto_failed)}


def _step(session: Session, evaluation_id: int, by: Actor, allowed: tuple[str, ...], to: str, action: str,
          text: str | None = None) -> Evaluation:
    ev = _load(session, evaluation_id)
    if ev.status not in allowed:
        raise EvaluationError(_cannot(action).format(id=ev.id, status=status_name(ev.status)))
    _event(session, ev, action, by, old={"status": ev.status}, new={"status": to}, text=text)
    ev.status = to
    ev.updated_at = _now()
    ev.updated_by = by.name
    return ev


def _cannot(action: str) -> str:
    """Why an evaluation in the wrong status cannot be acknowledged, disputed or resolved."""
    if action == "acknowledged":
        return translate("Errors", "Evaluation {id} is {status}, so it cannot be acknowledged: only a submitted "
                                   "evaluation can.")
    if action == "disputed":
        return translate("Errors", "Evaluation {id} is {status}, so it cannot be disputed: only a submitted or "
                                   "acknowledged evaluation can.")
    return translate("Errors", "Evaluation {id} is {status}, so it cannot be resolved: only a disputed evaluation can.")


def acknowledge(session: Session, evaluation_id: int, by: Actor | str | None = None, *,
                actor: Actor | None = None) -> EvaluationView:
    """The agent has seen the evaluation and accepts it (recorded by ``actor``)."""
    by = require(acting(session, by, actor), "evaluation.acknowledge")
    ev = _step(session, evaluation_id, by, ("submitted",), "acknowledged", "acknowledged")
    _flush(session, ev)
    return _view(session, ev)


def dispute(session: Session, evaluation_id: int, by: Actor | str | None = None, reason: str = "", *,
            actor: Actor | None = None) -> EvaluationView:
    """The agent contests the evaluation (recorded by ``actor``); the reason is required and kept."""
    by = require(acting(session, by, actor), "evaluation.dispute")
    if not (reason or "").strip():
        raise EvaluationError(translate("Errors", "A dispute needs the agent's reason: write why the agent disagrees."))
    ev = _step(session, evaluation_id, by, ("submitted", "acknowledged"), "disputed", "disputed", reason.strip())
    _flush(session, ev)
    return _view(session, ev)


def resolve(session: Session, evaluation_id: int, row_version: int, by: Actor | str | None = None, note: str = "",
            edits: Mapping[str, AnswerEdit] | None = None, *, actor: Actor | None = None) -> EvaluationView:
    """A lead (or admin) settles a dispute, re-scoring it when ``edits`` change answers;
    every changed answer and the score before and after are kept in the history."""
    by = require(acting(session, by, actor), "evaluation.resolve")
    if not (note or "").strip():
        raise EvaluationError(translate("Errors", "A resolution needs a note saying what was decided: write one."))
    ev = _load(session, evaluation_id)
    _check_version(ev, row_version)
    before = _score_dict(ev)
    form = stored_form(session, ev.form_id)
    changed = _apply(ev, form, edits or {})
    if changed:
        _rescore(ev, form)
        _event(session, ev, "rescored", by,
               old={"answers": {k: v[0][0] for k, v in changed.items()}, **before},
               new={"answers": {k: v[1][0] for k, v in changed.items()}, **_score_dict(ev)})
    _step(session, evaluation_id, by, ("disputed",), "resolved", "resolved", note.strip())
    _flush(session, ev)
    return _view(session, ev)


def add_timed_comment(session: Session, evaluation_id: int, start: float, end: float | None, text: str,
                      by: Actor | str | None = None, *, actor: Actor | None = None) -> TimedCommentView:
    """A comment at a moment or on a span of the call ("02:05–02:12: cut the customer off"):
    by the evaluation's reviewer, or by a lead/admin once it is submitted (settling a dispute)."""
    by = acting(session, by, actor)
    ev = _load(session, evaluation_id)
    if not (ev.status != "draft" and ev.reviewer_name != by.name and can(by, "evaluation.resolve")):
        _own(ev, by)
    if not (text or "").strip():
        raise EvaluationError(translate("Errors", "A comment needs some text: write what you noticed."))
    if start < 0 or (end is not None and end < start):
        raise EvaluationError(translate("Errors", "A comment's span must start at 0 or later and end after it starts: "
                                                  "choose the span again."))
    comment = TimedComment(evaluation_id=ev.id, start=start, end=end, text=text.strip())
    session.add(comment)
    if ev.status != "draft":
        _event(session, ev, "commented", by, new={"start": start, "end": end, "text": text.strip()})
    session.flush()
    return TimedCommentView(comment.id, comment.start, comment.end, comment.text)


def history(session: Session, evaluation_id: int, reader: Actor | str | None = None) -> list[EventView]:
    _readable(session, _load(session, evaluation_id), reader)
    rows = session.execute(
        select(EvaluationEvent).where(EvaluationEvent.evaluation_id == evaluation_id)
        .order_by(EvaluationEvent.at, EvaluationEvent.id)
    ).scalars().all()
    return [EventView(r.action, r.by, r.at, r.old, r.new, r.text) for r in rows]


__all__ = [
    "AnswerEdit", "AnswerError", "ConcurrentEdit", "EvaluationError", "EvaluationView", "STATUSES",
    "acknowledge", "add_timed_comment", "dispute", "get_evaluation", "history", "list_evaluations", "resolve",
    "save_answers", "start_evaluation", "submit",
]
