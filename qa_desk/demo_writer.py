"""Writing the demo centre's calls, flags and evaluations, through the store's functions.

One ``CentreWriter`` writes every call of the plan in the caller's session (one
transaction: see ``qa_desk.demo``). Per call: the call row as the importer writes it,
the sample's transcript (as "Load sample calls" attaches it), its metrics (as the audio
analysis stores them), the flags the shipped rulebook finds in it (``check_call`` +
``save_findings``); for an evaluated call the reviewer's decisions on its flags
(``confirm``/``dismiss``) and the evaluation's whole life (``start_evaluation`` with the
flags' suggestions, ``save_answers``, ``submit``, ``acknowledge``/``dispute``/``resolve``).

The transcript is the one exception, written with two plain inserts (see ``_transcript``).

The store dates every step "now"; the demo happened over months, so each batch ends
by dating the steps the way they would have happened (``Stamps``): a call imported
minutes after it ended, reviewed a day or two later, acknowledged by the agent days
after that. Only timestamps are touched, never what the store computed.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .demo_answers import (
    DISMISS_REASONS, DISPUTE_REASONS, ITEM_COMMENTS, RESOLUTIONS, TIMED_COMMENTS, draw_answers, flag_decision,
)
from .demo_people import AgentPlan
from .demo_plan import CallPlan
from .demo_recordings import SampleSet, call_metrics, call_row, customer_number
from .permissions import Actor
from .scoring.checks import check_call
from .scoring.score import NA
from .scoring.suggestions import suggest_answers
from .store import evaluations as store
from .store.audit import recorded_at
from .store import flags as flag_store
from .store.calls import add_call
from .store.models import Call, Evaluation, EvaluationEvent, Flag, FlagEvent, TimedComment, Transcript, Utterance
from .store.search import searchable_text
from .transcription.attach import ENGINE


@dataclass
class Stamps:
    """When things happened, applied to the batch's rows in ``CentreWriter.flush``."""

    calls: list[dict] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)

    def clear(self) -> None:
        for rows in (self.calls, self.flags, self.evaluations, self.events, self.comments):
            rows.clear()


_INSERT_TRANSCRIPT = insert(Transcript.__table__).returning(Transcript.__table__.c.id)
_CALLS = (update(Call.__table__).where(Call.__table__.c.id == bindparam("b_id"))
          .values(scanned_at=bindparam("b_scanned"), status=bindparam("b_status"), metrics=bindparam("b_metrics")))
_CALL_FLAGS = (update(Flag.__table__).where(Flag.__table__.c.call_id == bindparam("b_id"))
               .values(created_at=bindparam("b_scanned")))
_FLAGS = update(Flag.__table__).where(Flag.__table__.c.id == bindparam("b_id")).values(decided_at=bindparam("b_at"))
_FLAG_EVENTS = (update(FlagEvent.__table__).where(FlagEvent.__table__.c.flag_id == bindparam("b_id"))
                .values(at=bindparam("b_at")))
_COMMENTS = (update(TimedComment.__table__).where(TimedComment.__table__.c.evaluation_id == bindparam("b_id"))
             .values(created_at=bindparam("b_created")))
_EVALUATIONS = (update(Evaluation.__table__).where(Evaluation.__table__.c.id == bindparam("b_id"))
                .values(created_at=bindparam("b_created"), submitted_at=bindparam("b_submitted"),
                        updated_at=bindparam("b_updated")))
_EVENTS = (update(EvaluationEvent.__table__)
           .where(and_(EvaluationEvent.__table__.c.evaluation_id == bindparam("b_id"),
                       EvaluationEvent.__table__.c.action == bindparam("b_action")))
           .values(at=bindparam("b_at")))


def _second(value):
    """Times as a recorder or a person would give them: to the second."""
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def office_hours(at: datetime, rng: random.Random) -> datetime:
    """``at``, or the next moment the QA office is open (Monday to Friday, 9:00-18:00)."""
    if at.hour >= 18:
        at = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
    while at.weekday() >= 5:
        at = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
    if at.hour < 9:
        at = at.replace(hour=9, minute=rng.randrange(60), second=rng.randrange(60))
    return at


class CentreWriter:
    def __init__(self, session: Session, samples: SampleSet, forms: dict, rulebooks: dict, rulebook_ids: dict,
                 now: datetime):
        self.session = session
        self.samples = samples
        self.forms = forms  # language → (form id, Form)
        self.rulebooks = rulebooks
        self.rulebook_ids = rulebook_ids
        self.now = now  # nothing in the demo happens at or after this moment
        self.stamps = Stamps()
        self.evaluations: Counter = Counter()
        self.flags: Counter = Counter()
        self._utterances: dict[str, list[dict]] = {}  # sample hash → its utterance rows

    def flush(self) -> None:
        """Write the batch, date its steps, and let the session forget it (memory stays flat)."""
        s, stamps = self.session, self.stamps
        s.flush()
        for statement, rows in ((_CALLS, stamps.calls), (_CALL_FLAGS, stamps.calls), (_FLAGS, stamps.flags),
                                (_FLAG_EVENTS, stamps.flags), (_EVALUATIONS, stamps.evaluations),
                                (_COMMENTS, stamps.comments), (_EVENTS, stamps.events)):
            if rows:
                s.execute(statement, [{k: _second(v) for k, v in row.items()} for row in rows])
        stamps.clear()
        s.expunge_all()

    # --- one call -------------------------------------------------------------------------

    def add_call(self, index: int, agent: AgentPlan, agent_id: int, plan: CallPlan, rng: random.Random, *,
                 reviewer: str, lead: str, weak_spot: str | None) -> None:
        s, lang = self.session, agent.language
        skill = agent.skill_at(plan.months_in) + rng.gauss(0.0, 0.03)
        # A skilled agent's calls mostly go well (the good sample), a struggling agent's often not.
        good = min(0.97, max(0.05, (skill - 0.35) / 0.55))
        sample = self.samples.of(lang, "good" if rng.random() < good else "poor")
        metrics = call_metrics(sample, agent, rng)
        ended = plan.started_at + timedelta(seconds=sample.duration)
        imported = ended + timedelta(minutes=rng.uniform(5, 40))
        call_id = add_call(s, call_row(sample, index, agent_id, agent.name, plan.started_at,
                                       customer_number(rng, lang), _second(imported), None))
        transcript_id = self._transcript(call_id, sample, imported + timedelta(minutes=rng.uniform(0.5, 3)))
        findings = check_call(self.rulebooks[lang], sample.utterances, metrics, sample.duration)
        flag_store.save_findings(s, call_id, self.rulebook_ids[lang], findings)
        status = "transcribed"
        reviewed = office_hours(imported + timedelta(hours=rng.uniform(1, 60)), rng)
        if reviewed >= self.now:  # yesterday's calls: reviewed the same evening
            reviewed = imported + timedelta(minutes=rng.uniform(10, 30))
        if plan.evaluated:
            status = self._evaluate(call_id, agent, sample, skill, reviewed, rng, reviewer=reviewer, lead=lead,
                                    weak_spot=weak_spot)
        else:
            self.flags["open"] += len(findings)
        # The metrics as the audio analysis stores them, with the transcript they were
        # computed with (so opening the call reuses them); written with the batch.
        self.stamps.calls.append({
            "b_id": call_id, "b_scanned": imported + timedelta(minutes=rng.uniform(1, 4)), "b_status": status,
            "b_metrics": {**metrics.as_dict(), "transcript_id": transcript_id},
        })

    def _transcript(self, call_id: int, sample, created: datetime) -> int:
        """The sample's transcript on a new call, as "Load sample calls" attaches it (engine
        "imported", the WebVTT file's utterances and evenly spread words).

        Written with two statements rather than ``replace_transcript``'s unit of work: a
        new call has no transcript to replace, and the sample's utterance rows, search
        text included (``searchable_text``, as bulk inserts must), are made once per
        sample. This halves the cost of a demo call; the rows are the same.
        """
        s = self.session
        transcript_id = s.execute(_INSERT_TRANSCRIPT, {
            "call_id": call_id, "engine": ENGINE, "model_name": sample.transcript_model,
            "language": sample.transcript_language, "created_at": _second(created),
        }).scalar_one()
        rows = self._utterances.get(sample.content_hash)
        if rows is None:
            rows = self._utterances[sample.content_hash] = [
                {"speaker": u.speaker, "start": u.start, "end": u.end, "text": u.text, "words": u.words,
                 "search_text": searchable_text(u.text)} for u in sample.utterances]
        s.execute(insert(Utterance.__table__), [{**row, "transcript_id": transcript_id} for row in rows])
        return transcript_id

    def _evaluate(self, call_id: int, agent: AgentPlan, sample, skill: float, created: datetime,
                  rng: random.Random, *, reviewer: str, lead: str, weak_spot: str | None) -> str:
        s, lang = self.session, agent.language
        form_id, form = self.forms[lang]
        reviewer = Actor(reviewer, "reviewer")  # the demo's people act with their own roles, checked as anyone's
        # The reviewer checks the call's flags first: they suggest the form's answers.
        rows = []
        found = s.execute(select(Flag.id, Flag.kind, Flag.category).where(Flag.call_id == call_id).order_by(Flag.id))
        for flag in found.all():
            verdict, reason = flag_decision(flag, rng)
            with recorded_at(created):
                if verdict == "dismiss":
                    decided = flag_store.dismiss(s, flag.id, reviewer, DISMISS_REASONS[lang][reason])
                else:
                    decided = flag_store.confirm(s, flag.id, reviewer)
            self.stamps.flags.append({"b_id": flag.id, "b_at": created})
            self.flags[decided.status] += 1
            rows.append(decided)
        suggestions = suggest_answers(form, rows, checked=True)
        with recorded_at(created):
            view = store.start_evaluation(s, call_id, form_id, reviewer, suggestions)
        answers = draw_answers(form, skill=skill, poor_call=sample.quality == "poor", has_hold=sample.has_hold,
                               weak_spot=weak_spot, suggestions=suggestions, rng=rng)
        edits = {}
        for key, value in answers.items():
            current = view.answers.get(key)
            comment = None
            if value in (form.item(key).failing(), "partial"):
                texts = ITEM_COMMENTS[lang].get(key)
                if texts and rng.random() < 0.5:
                    comment = rng.choice(texts)
            if (current.value if current else None) != value or comment:
                edits[key] = store.AnswerEdit(value, comment)
        view = store.save_answers(s, view.id, view.row_version, edits, reviewer)
        spots = [f.start for f in rows if f.start is not None and f.status == "confirmed" and f.speaker == "agent"]
        if spots and rng.random() < 0.5:
            start = rng.choice(spots)
            store.add_timed_comment(s, view.id, start, start + 2.0, rng.choice(TIMED_COMMENTS[lang]), reviewer)
            self.stamps.comments.append({"b_id": view.id, "b_created": created})
        stamp = {"b_id": view.id, "b_created": created, "b_submitted": None, "b_updated": created}
        self.stamps.evaluations.append(stamp)
        self._event(view.id, "created", created)
        submitted = created + timedelta(minutes=rng.uniform(6, 25))
        # This month's latest evaluations: the reviewer is still on some of them.
        in_progress = created.month == self.now.month and self.now - created < timedelta(days=7)
        if in_progress and rng.random() < 0.25:
            self.evaluations["draft"] += 1
            return "transcribed"
        with recorded_at(submitted):
            view = store.submit(s, view.id, view.row_version, reviewer)
        stamp.update(b_submitted=submitted, b_updated=submitted)
        self._event(view.id, "submitted", submitted)
        status = self._after_submission(view, agent, lead, submitted, stamp, rng)
        self.evaluations[status] += 1
        return "reviewed"

    def _after_submission(self, view, agent: AgentPlan, lead: str, submitted: datetime, stamp: dict,
                          rng: random.Random) -> str:
        """The agent acknowledges (most), disputes (a few, more often on a low score) or not yet."""
        s, lang = self.session, agent.language
        # The agent has no QA Desk role: their acknowledgement or dispute is recorded in their
        # name with the least role allowed to record one; the lead resolves as a lead.
        agent_actor, lead_actor = Actor(agent.name, "reviewer"), Actor(lead, "lead")
        dispute_chance = 0.02 + (0.12 if (view.percent or 0) < 70 else 0.0)
        if rng.random() < dispute_chance:
            disputed = submitted + timedelta(hours=rng.uniform(4, 72))  # agents work shifts: any hour
            if disputed >= self.now:
                return "submitted"
            with recorded_at(disputed):
                view = store.dispute(s, view.id, agent_actor, rng.choice(DISPUTE_REASONS[lang]))
            stamp["b_updated"] = disputed
            self._event(view.id, "disputed", disputed)
            resolved = office_hours(disputed + timedelta(hours=rng.uniform(20, 140)), rng)
            if resolved >= self.now:
                return "disputed"
            note, changes = rng.choice(RESOLUTIONS[lang])
            edits = self._upheld(view) if changes else {}
            with recorded_at(resolved):
                view = store.resolve(s, view.id, view.row_version, lead_actor, note, edits)
            stamp["b_updated"] = resolved
            self._event(view.id, "rescored", resolved)
            self._event(view.id, "resolved", resolved)
            return "resolved"
        acknowledged = submitted + timedelta(hours=rng.uniform(3, 120))
        if rng.random() < 0.82 and acknowledged < self.now:
            with recorded_at(acknowledged):
                store.acknowledge(s, view.id, agent_actor)
            stamp["b_updated"] = acknowledged
            self._event(view.id, "acknowledged", acknowledged)
            return "acknowledged"
        return "submitted"

    def _upheld(self, view) -> dict:
        """The lead gives the agent one answer back: the first item answered below its best."""
        _form_id, form = self.forms["zh" if view.form_key == self.forms["zh"][1].key else "en"]
        for item in form.items():
            answer = view.answers.get(item.key)
            if answer and answer.value not in (None, NA, item.passing()) and not item.critical and not item.bonus:
                return {item.key: store.AnswerEdit(item.passing())}
        return {}

    def _event(self, evaluation_id: int, action: str, at: datetime) -> None:
        self.stamps.events.append({"b_id": evaluation_id, "b_action": action, "b_at": at})
