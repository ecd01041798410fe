"""Reviewing one call on a form: what the review panel (and scripts) open and start.

Opening a call for review finds the reviewer's evaluation of it (a draft to go on
with, or what was submitted), else the call's newest submitted evaluation by anyone
(the agent acknowledges or disputes it, a lead resolves it; other reviewers' drafts
stay theirs), the forms to choose from, and the form to offer first: the one the
call's team was last scored on, so a team's reviewers keep to their form without
setting anything; otherwise a form in the language calls are in. Starting an
evaluation pre-fills the answers the call's flags suggest.

Calibration evaluations (scored blind in a calibration session) are never part of a
call's normal review: not the reviewer's own draft to go on with, not someone's
submitted evaluation to acknowledge, not the team's usual form. A calibration sheet is
opened by its session and call with ``open_calibration_sheet``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .permissions import Actor
from .scoring.forms import Form, shipped_forms
from .scoring.suggestions import suggest_answers
from .store import evaluations as store
from .store.database import Database
from .store.flags import flags_for_call, scan_info
from .store.forms import FormVersion, form_versions, install_forms, latest_forms, stored_form
from .store.models import Agent, Call, Evaluation
from .store.models import Form as FormRow
from .wording import translate


@dataclass(frozen=True)
class ReviewSheet:
    call_id: int
    forms: list[FormVersion]  # the newest version of every form
    default_form_id: int | None
    evaluation: store.EvaluationView | None  # the reviewer's newest, else the newest submitted one
    form: Form | None  # the evaluation's own form version


# Evaluations of the call's normal review: calibration sheets stay in their session.
_ordinary = Evaluation.calibration_session_id.is_(None)


def _team_form_key(session, call_id: int) -> str | None:
    """The form the call's team was last scored on."""
    team = session.execute(select(Agent.team_id).join(Call, Call.agent_id == Agent.id)
                           .where(Call.id == call_id)).scalar()
    if team is None:
        return None
    return session.execute(
        select(FormRow.key).join(Evaluation, Evaluation.form_id == FormRow.id).join(Call, Call.id == Evaluation.call_id)
        .join(Agent, Agent.id == Call.agent_id).where(Agent.team_id == team, _ordinary)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(1)
    ).scalar()


def open_sheet(db: Database, call_id: int, reviewer: Actor | str, language: str = "zh") -> ReviewSheet:
    reviewer = _name(reviewer)
    with db.session() as session:
        if session.get(Call, call_id) is None:
            raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(
                call=call_id))
        forms = latest_forms(session)
        if not forms:  # a new database: the shipped forms are the first choice
            install_forms(session, shipped_forms())
            forms = latest_forms(session)
        newest = (Evaluation.created_at.desc(), Evaluation.id.desc())
        mine = session.execute(
            select(Evaluation.id).where(Evaluation.call_id == call_id, Evaluation.reviewer_name == reviewer, _ordinary)
            .order_by(*newest).limit(1)
        ).scalar()
        if mine is None:  # someone else's submitted evaluation (to acknowledge, dispute or resolve); drafts stay private
            mine = session.execute(
                select(Evaluation.id).where(Evaluation.call_id == call_id, Evaluation.status != "draft", _ordinary)
                .order_by(*newest).limit(1)
            ).scalar()
        evaluation = store.get_evaluation(session, mine) if mine is not None else None
        form = stored_form(session, evaluation.form_id) if evaluation else None
        key = _team_form_key(session, call_id)
        lang = (language or "").replace("_", "-").split("-")[0].lower()
        default = (next((f.id for f in forms if f.key == key), None)
                   or next((f.id for f in forms if (f.language or "").split("-")[0].lower() == lang), None)
                   or (forms[0].id if forms else None))
        return ReviewSheet(call_id, forms, default, evaluation, form)


def _name(reviewer: Actor | str) -> str:
    return reviewer.name if isinstance(reviewer, Actor) else reviewer


def start_evaluation(db: Database, call_id: int, form_id: int, reviewer: Actor | str) -> ReviewSheet:
    """A new draft on ``form_id`` with the answers the call's flags suggest. ``reviewer``
    is the acting user (a bare name is resolved to a stored user by the store)."""
    with db.session() as session:
        form = stored_form(session, form_id)
        suggestions = suggest_answers(form, flags_for_call(session, call_id), scan_info(session, call_id) is not None)
        store.start_evaluation(session, call_id, form_id, reviewer, suggestions)
    return open_sheet(db, call_id, _name(reviewer), form.language)


def open_calibration_sheet(db: Database, session_id: int, call_id: int, actor: Actor) -> ReviewSheet:
    """The actor's own sheet for ``call_id`` in a calibration session (started blank when
    they have none yet), offered on the session's form version only. Raises
    PermissionDenied for someone not invited, CalibrationSessionError for a closed session
    they have no sheet in."""
    from .store.calibration import calibration_evaluation

    with db.session() as session:
        evaluation = calibration_evaluation(session, session_id, call_id, actor)
        form = stored_form(session, evaluation.form_id)
        version = next(f for f in form_versions(session, evaluation.form_key) if f.id == evaluation.form_id)
    return ReviewSheet(call_id, [version], version.id, evaluation, form)
