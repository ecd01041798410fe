"""The rows behind a scorecard, for the Excel and CSV exports: evaluations, answers, flags.

A large centre has 100,000 evaluations (and two million answers) a period, so every
iterator streams: the query runs once with ``yield_per`` (a server-side cursor on
PostgreSQL, SQLite's own stepping cursor) and rows leave ``batch`` at a time. The
rows cover what the scorecard's figures cover: counted evaluations of the period's
calls that have an agent, and the flags the current scans stand by (stale flags, which
no scan finds any more, are left out as they are of the scorecard's flag counts).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..scoring.periods import Period
from .models import Agent, Answer, Call, Evaluation, Flag, Team
from .models import Form as FormRow
from .scorecard_sql import CALL_DATE, Scope, scoped_calls, scoped_evaluations

EVALUATION_COLUMNS = (
    "evaluation_id", "call_id", "call_date", "agent", "team", "reviewer", "form", "form_version",
    "status", "score", "max_score", "percent", "critical_failures", "auto_failed", "submitted_at",
)
ANSWER_COLUMNS = (
    "evaluation_id", "call_id", "agent", "section", "item", "value", "points", "suggested_value",
    "changed_from_suggestion", "comment",
)
FLAG_COLUMNS = (
    "flag_id", "call_id", "call_date", "agent", "team", "rule", "title", "category", "severity",
    "kind", "status", "speaker", "start", "end", "matched_text", "decided_by", "note",
)


def _stream(session: Session, query: Select, batch: int) -> Iterator:
    result = session.execute(query.execution_options(yield_per=max(1, batch)))
    try:
        for part in result.partitions():
            yield from part
    finally:
        result.close()


def _evaluations(period: Period, team: str | None, form_key: str | None, *columns) -> Select:
    return scoped_evaluations(select(*columns).select_from(Evaluation), [period], Scope(team=team, form_key=form_key))


def _flags(period: Period, team: str | None, *columns) -> Select:
    return scoped_calls(select(*columns).select_from(Call).join(Flag, Flag.call_id == Call.id), [period],
                        Scope(team=team)).where(Flag.stale.is_(False))


def evaluation_rows(session: Session, period: Period, *, team: str | None = None,
                    form_key: str | None = None, batch: int = 2000) -> Iterator[tuple]:
    """Counted evaluations of the period as tuples in EVALUATION_COLUMNS order, by call date."""
    query = _evaluations(
        period, team, form_key, Evaluation.id, Evaluation.call_id, CALL_DATE, Agent.name, Team.name,
        Evaluation.reviewer_name, FormRow.key, FormRow.version, Evaluation.status, Evaluation.score,
        Evaluation.max_score, Evaluation.percent, Evaluation.critical_failures, Evaluation.auto_failed,
        Evaluation.submitted_at,
    ).join(FormRow, FormRow.id == Evaluation.form_id).outerjoin(Team, Team.id == Agent.team_id)
    for row in _stream(session, query.order_by(CALL_DATE, Evaluation.id), batch):
        values = list(row)
        values[13] = bool(values[13])  # auto_failed: 0/1 on SQLite
        yield tuple(values)


def _item_places(session: Session, period: Period, team: str | None, form_key: str | None
                 ) -> dict[int, dict[str, tuple[str, int]]]:
    """Form version → item key → (section key, position on the form), for the versions the
    answers are on: read before the answers stream, not in the middle of it."""
    used = _evaluations(period, team, form_key, Evaluation.form_id).distinct()
    places = {}
    for form_id, definition in session.execute(select(FormRow.id, FormRow.definition).where(FormRow.id.in_(used))):
        items = [(s["key"], i["key"]) for s in (definition or {}).get("sections") or () for i in s.get("items") or ()]
        places[form_id] = {item: (section, n) for n, (section, item) in enumerate(items)}
    return places


def answer_rows(session: Session, period: Period, *, team: str | None = None,
                form_key: str | None = None, batch: int = 5000) -> Iterator[tuple]:
    """Item-level answers of the counted evaluations, in ANSWER_COLUMNS order."""
    query = _evaluations(
        period, team, form_key, Evaluation.id, Evaluation.call_id, Agent.name, Evaluation.form_id, Answer.item_key,
        Answer.value, Answer.points, Answer.suggested_value, Answer.comment,
    ).join(Answer, Answer.evaluation_id == Evaluation.id).order_by(CALL_DATE, Evaluation.id, Answer.id)
    places = _item_places(session, period, team, form_key)
    held: list[tuple] = []  # one evaluation's answers, put in the form's item order before they leave

    def release() -> Iterator[tuple]:
        held.sort(key=lambda r: r[0])
        for _position, row in held:
            yield row
        held.clear()

    for row in _stream(session, query, batch):
        evaluation_id, call_id, agent, form_id, item, value, points, suggested, comment = row
        if held and held[0][1][0] != evaluation_id:
            yield from release()
        section, position = places.get(form_id, {}).get(item, (None, 1 << 30))
        changed = suggested is not None and value != suggested
        held.append((position, (evaluation_id, call_id, agent, section, item, value, points, suggested, changed,
                                comment)))
    yield from release()


def flag_rows(session: Session, period: Period, *, team: str | None = None,
              batch: int = 5000) -> Iterator[tuple]:
    """Flags on the calls of the period (open, confirmed and dismissed), in FLAG_COLUMNS order."""
    query = _flags(
        period, team, Flag.id, Call.id, CALL_DATE, Agent.name, Team.name, Flag.rule_key, Flag.rule_title,
        Flag.category, Flag.severity, Flag.kind, Flag.status, Flag.speaker, Flag.start, Flag.end,
        Flag.matched_text, Flag.decided_by, Flag.note,
    ).outerjoin(Team, Team.id == Agent.team_id)
    # NULLS FIRST spelled out: SQLite and PostgreSQL put a flag without a time apart otherwise.
    query = query.order_by(CALL_DATE, Call.id, Flag.start.asc().nulls_first(), Flag.id)
    for row in _stream(session, query, batch):
        yield tuple(row)


def count_rows(session: Session, period: Period, *, team: str | None = None,
               form_key: str | None = None) -> dict[str, int]:
    """{"evaluations": n, "answers": n, "flags": n}: the export's progress total."""
    evaluations = _evaluations(period, team, form_key, func.count())
    answers = _evaluations(period, team, form_key, func.count()).join(Answer, Answer.evaluation_id == Evaluation.id)
    flags = _flags(period, team, func.count())
    return {name: int(session.execute(query).scalar_one())
            for name, query in (("evaluations", evaluations), ("answers", answers), ("flags", flags))}


__all__ = ["ANSWER_COLUMNS", "EVALUATION_COLUMNS", "FLAG_COLUMNS", "answer_rows", "count_rows", "evaluation_rows",
           "flag_rows"]
