"""Evaluations as lists: who scored which call on which form, with the score — newest
call first, filtered by agent, dates and status (scorecards, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Agent, Call, Evaluation
from .models import Form as FormRow


@dataclass(frozen=True)
class EvaluationSummary:
    id: int
    call_id: int
    agent: str | None
    started_at: datetime | None  # the call's
    form_key: str
    form_version: int
    reviewer: str | None
    status: str
    score: float | None
    max_score: float | None
    percent: float | None
    auto_failed: bool
    submitted_at: datetime | None


def list_evaluations(session: Session, *, agent: str | None = None, since: date | None = None,
                     until: date | None = None, status: str | None = None, limit: int | None = None
                     ) -> list[EvaluationSummary]:
    """Evaluations, newest call first; ``agent`` matches the agent's name or external id,
    ``since``/``until`` the call's date."""
    query = (
        select(Evaluation.id, Evaluation.call_id, Agent.name, Call.started_at, FormRow.key, FormRow.version,
               Evaluation.reviewer_name, Evaluation.status, Evaluation.score, Evaluation.max_score,
               Evaluation.percent, Evaluation.auto_failed, Evaluation.submitted_at)
        .join(Call, Call.id == Evaluation.call_id)
        .join(FormRow, FormRow.id == Evaluation.form_id)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .where(Evaluation.calibration_session_id.is_(None))  # calibration scores are the reviewers', not the agent's
    )
    if agent:
        query = query.where((Agent.name == agent) | (Agent.external_id == agent))
    if since:
        query = query.where(Call.started_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(Call.started_at <= datetime.combine(until, time.max))
    if status:
        query = query.where(Evaluation.status == status)
    query = query.order_by(Call.started_at.desc(), Evaluation.id.desc())
    if limit:
        query = query.limit(limit)
    return [EvaluationSummary(*row[:11], bool(row[11]), row[12]) for row in session.execute(query).all()]


__all__ = ["EvaluationSummary", "list_evaluations"]
