"""Queries and small writes for the call library, agents and teams.

The UI and CLI go through these functions; neither writes SQL. Listing is paged
(offset/limit over an indexed sort) so the library stays fluid at 100,000 calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from ..wording import translate
from .models import Agent, Call, Clip, Team, call_search_text

# Columns the library can sort by, in the contact centre's words.
SORT_KEYS = (
    "started_at", "agent", "team", "duration", "direction", "queue", "customer", "status", "transcript", "file_name",
    "imported_at",
)


@dataclass(frozen=True)
class CallFilter:
    agent: str | None = None  # an agent's id number, external id (工号) or name
    team: str | None = None  # a team's id number or name
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    text: str | None = None  # searched in file name, agent, team, customer, queue
    status: str | None = None


@dataclass(frozen=True)
class CallRow:
    """One line of the call library."""

    id: int
    agent: str | None
    agent_external_id: str | None
    team: str | None
    started_at: datetime | None
    duration: float
    direction: str | None
    status: str
    file_name: str
    file_path: str
    customer_ref: str | None
    queue: str | None
    channels: int
    sample_rate: int
    # The transcription queue's word for the call: none, queued, running, done, failed, cancelled.
    transcript_status: str = "none"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "agent": self.agent,
            "agent_id": self.agent_external_id,
            "team": self.team,
            "started_at": self.started_at.isoformat(sep=" ") if self.started_at else None,
            "duration": round(self.duration, 3),
            "direction": self.direction,
            "status": self.status,
            "file_name": self.file_name,
            "file_path": self.file_path,
            "customer": self.customer_ref,
            "queue": self.queue,
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "transcript": self.transcript_status,
        }


_team = aliased(Team)


def _with_agent_and_team(query: Select) -> Select:
    """A calls query joined to its agent and the agent's team (either may be missing)."""
    return query.outerjoin(Agent, Call.agent_id == Agent.id).outerjoin(_team, Agent.team_id == _team.id)


def _base() -> Select:
    return _with_agent_and_team(
        select(
            Call.id,
            Agent.name,
            Agent.external_id,
            _team.name,
            Call.started_at,
            Call.duration,
            Call.direction,
            Call.status,
            Call.file_name,
            Call.file_path,
            Call.customer_ref,
            Call.queue,
            Call.channels,
            Call.sample_rate,
            Call.transcript_status,
        ).select_from(Call)
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _apply(query: Select, flt: CallFilter, session: Session) -> Select:
    if flt.agent:
        ids = agent_ids_matching(session, flt.agent)
        # An empty list renders as a false condition: an unknown agent matches no call.
        query = query.where(Call.agent_id.in_(ids))
    if flt.team:
        team_ids = team_ids_matching(session, flt.team)
        # Through the agents table, so filtering never needs the join (see list_calls).
        query = query.where(Call.agent_id.in_(select(Agent.id).where(Agent.team_id.in_(team_ids))))
    if flt.since:
        query = query.where(Call.started_at >= flt.since)
    if flt.until:
        query = query.where(Call.started_at < flt.until)
    if flt.status:
        query = query.where(Call.status == flt.status)
    if flt.text and flt.text.strip():
        pattern = _like(flt.text.strip().lower())
        # Agents and teams are few: match their names in their own tables, then the
        # calls by agent id; the call's own fields are in the pre-lowered search_text.
        teams = select(Team.id).where(func.lower(Team.name).like(pattern, escape="\\"))
        agents = select(Agent.id).where(
            or_(
                func.lower(Agent.name).like(pattern, escape="\\"),
                func.lower(Agent.external_id).like(pattern, escape="\\"),
                Agent.team_id.in_(teams),
            )
        )
        query = query.where(
            or_(Call.search_text.like(pattern, escape="\\"), Call.agent_id.in_(agents))
        )
    return query


def _order(query: Select, sort: str, descending: bool) -> Select:
    column = {
        "started_at": Call.started_at,
        "agent": Agent.name,
        "team": _team.name,
        "duration": Call.duration,
        "direction": Call.direction,
        "queue": Call.queue,
        "customer": Call.customer_ref,
        "status": Call.status,
        "transcript": Call.transcript_status,
        "file_name": Call.file_name,
        "imported_at": Call.imported_at,
    }.get(sort)
    if column is None:
        raise ValueError(translate("Errors", "Calls cannot be sorted by '{sort}': choose one of {choices}.").format(
            sort=sort, choices=", ".join(SORT_KEYS)))
    # Calls without the sorted value go last either way; id keeps pages stable.
    # NULLS LAST (not an "IS NULL" sort key) lets SQLite walk ix_calls_started_at
    # instead of sorting every row for each page.
    ordered = (column.desc() if descending else column.asc()).nulls_last()
    tie = Call.id.desc() if descending else Call.id.asc()
    return query.order_by(ordered, tie)


def list_calls(
    session: Session,
    flt: CallFilter = CallFilter(),
    *,
    sort: str = "started_at",
    descending: bool = True,
    offset: int = 0,
    limit: int | None = 200,
) -> list[CallRow]:
    # First the page's call ids, from the calls table alone (joined only when sorting
    # by agent or team name); then the page's rows with their agent and team. SQLite
    # builds every row an OFFSET skips: without joins a deep page costs far less.
    page = select(Call.id).select_from(Call)
    if sort in ("agent", "team"):
        page = _with_agent_and_team(page)
    page = _order(_apply(page, flt, session), sort, descending).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    query = _order(_base().where(Call.id.in_(page.scalar_subquery())), sort, descending)
    return [CallRow(*row) for row in session.execute(query)]


def count_calls(session: Session, flt: CallFilter = CallFilter()) -> int:
    return session.execute(_apply(select(func.count(Call.id)).select_from(Call), flt, session)).scalar_one()


def agent_ids_matching(session: Session, key: str) -> list[int]:
    """Agents named by id number, external id (工号) or name (exact, then case-blind)."""
    key = key.strip()
    if key.isdigit():
        by_id = session.execute(select(Agent.id).where(Agent.id == int(key))).scalars().all()
        if by_id:
            return list(by_id)
    found = session.execute(
        select(Agent.id).where(or_(Agent.external_id == key, Agent.name == key))
    ).scalars().all()
    if not found:
        found = session.execute(
            select(Agent.id).where(func.lower(Agent.name) == key.lower())
        ).scalars().all()
    return list(found)


def team_ids_matching(session: Session, key: str) -> list[int]:
    key = key.strip()
    if key.isdigit():
        by_id = session.execute(select(Team.id).where(Team.id == int(key))).scalars().all()
        if by_id:
            return list(by_id)
    return list(
        session.execute(select(Team.id).where(func.lower(Team.name) == key.lower())).scalars()
    )


@dataclass(frozen=True)
class AgentRow:
    id: int
    name: str
    external_id: str | None
    team: str | None
    active: bool


def list_agents(session: Session) -> list[AgentRow]:
    rows = session.execute(
        select(Agent.id, Agent.name, Agent.external_id, Team.name, Agent.active)
        .outerjoin(Team, Agent.team_id == Team.id)
        .order_by(Agent.name)
    )
    return [AgentRow(*row) for row in rows]


def list_teams(session: Session) -> list[tuple[int, str]]:
    return [tuple(row) for row in session.execute(select(Team.id, Team.name).order_by(Team.name))]


def get_or_create_team(session: Session, name: str) -> Team:
    name = name.strip()
    team = session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def get_or_create_agent(
    session: Session, *, name: str | None, external_id: str | None, team: str | None
) -> Agent:
    """The agent a recording belongs to, created when the centre has not met them yet.

    The external id (工号) is the stronger key: names repeat in a large centre.
    A team from the metadata is set on an agent who has none; an agent who already
    belongs to a team keeps it (moving agents between teams is a deliberate act).
    """
    agent = None
    if external_id:
        agent = session.execute(
            select(Agent).where(Agent.external_id == external_id)
        ).scalar_one_or_none()
    if agent is None and name:
        query = select(Agent).where(Agent.name == name)
        if external_id:
            # Same name but no id yet: adopt it; a different id is a different person.
            query = query.where(Agent.external_id.is_(None))
        agent = session.execute(query.order_by(Agent.id).limit(1)).scalar_one_or_none()
        if agent is not None and external_id:
            agent.external_id = external_id
    if agent is None:
        agent = Agent(name=name or external_id, external_id=external_id)
        session.add(agent)
    if team and agent.team_id is None:
        agent.team = get_or_create_team(session, team)
    session.flush()
    return agent


def _rows_where_in(session: Session, columns: tuple, key, values: list):
    """Rows whose `key` is one of `values`, asked in chunks under SQLite's bound-parameter limit."""
    for start in range(0, len(values), 500):
        yield from session.execute(select(*columns).where(key.in_(values[start : start + 500])))


def calls_by_hashes(session: Session, digests: list[str]) -> dict[str, tuple[int, str, str]]:
    """content hash → (call id, file path, file name) for the recordings already stored."""
    columns = (Call.content_hash, Call.id, Call.file_path, Call.file_name)
    return {digest: (call_id, path, name) for digest, call_id, path, name in _rows_where_in(session, columns, Call.content_hash, digests)}


# Built once with bound parameters: the importer's hot path then reuses SQLAlchemy's
# compiled-statement cache instead of building a new statement per call.
_INSERT_CALL = insert(Call.__table__).returning(Call.__table__.c.id)
_RELINK_CLIPS = (
    update(Clip.__table__)
    .where(Clip.__table__.c.call_id.is_(None), Clip.__table__.c.call_hash == bindparam("digest"))
    .values(call_id=bindparam("call_id"))
)


def add_call(session: Session | Connection, row: dict) -> int:
    """Insert one call and return its id (no ORM unit of work: the import's hot path)."""
    row = {**row, "search_text": call_search_text(row["file_name"], row.get("customer_ref"), row.get("queue"))}
    row.setdefault("imported_at", datetime.now())
    call_id = session.execute(_INSERT_CALL, row).scalar_one()
    # A recording imported again after its call was deleted: the training clips made
    # from it (they keep the call's content hash) find their call again.
    session.execute(_RELINK_CLIPS, {"call_id": call_id, "digest": row["content_hash"]})
    return call_id


def relink_call(session: Session, call_id: int, file_path: str, mtime: float | None) -> None:
    """A known recording moved: point the call at its file's new place."""
    session.execute(
        update(Call)
        .where(Call.id == call_id)
        .values(file_path=file_path, file_name=Path(file_path).name, file_mtime=mtime)
    )


def known_files(session: Session, file_paths: list[str]) -> dict[str, tuple[int, float | None, int]]:
    """file path → (size, mtime, call id) for calls already imported from these paths."""
    columns = (Call.file_path, Call.file_size, Call.file_mtime, Call.id)
    return {path: (size, mtime, call_id) for path, size, mtime, call_id in _rows_where_in(session, columns, Call.file_path, file_paths)}


def library_counts(session: Session) -> dict[str, int]:
    return {
        "calls": session.execute(select(func.count(Call.id))).scalar_one(),
        "agents": session.execute(select(func.count(Agent.id))).scalar_one(),
        "teams": session.execute(select(func.count(Team.id))).scalar_one(),
        "hours": round(
            (session.execute(select(func.coalesce(func.sum(Call.duration), 0.0))).scalar_one()) / 3600, 2
        ),
    }


# --- one call, for the call view ----------------------------------------------------------


@dataclass(frozen=True)
class CallDetail:
    """Everything the call view's header and the audio services need about one call."""

    id: int
    file_path: str
    file_name: str
    content_hash: str
    duration: float
    sample_rate: int
    channels: int
    channel_map: dict[str, str]
    agent: str | None
    agent_external_id: str | None
    team: str | None
    started_at: datetime | None
    direction: str | None
    queue: str | None
    customer_ref: str | None
    status: str
    metrics: dict | None  # as stored by the audio analysis (with its version), or None
    transcript_status: str = "none"  # as in CallRow

    def as_dict(self) -> dict:
        """JSON-able, with CallRow.as_dict's key names (metrics left out: they have their own)."""
        names = {"agent_external_id": "agent_id", "customer_ref": "customer", "transcript_status": "transcript"}
        out = {names.get(key, key): value for key, value in vars(self).items() if key != "metrics"}
        out["duration"] = round(self.duration, 3)
        out["started_at"] = self.started_at.isoformat(sep=" ") if self.started_at else None
        out["channel_map"] = dict(self.channel_map)
        return out


def get_call(session: Session, call_id: int) -> CallDetail | None:
    row = session.execute(
        _with_agent_and_team(
            select(
                Call.id, Call.file_path, Call.file_name, Call.content_hash, Call.duration, Call.sample_rate,
                Call.channels, Call.channel_map, Agent.name, Agent.external_id, _team.name, Call.started_at,
                Call.direction, Call.queue, Call.customer_ref, Call.status, Call.metrics,
                Call.transcript_status,
            ).select_from(Call)
        ).where(Call.id == call_id)
    ).one_or_none()
    if row is None:
        return None
    values = list(row)
    values[7] = {str(k): str(v) for k, v in (values[7] or {}).items()}  # channel_map
    return CallDetail(*values)


def transcript_statuses(session: Session, call_ids: list[int]) -> dict[int, str]:
    """call id → transcript status, for the library rows the transcription queue touched."""
    columns = (Call.id, Call.transcript_status)
    return dict(_rows_where_in(session, columns, Call.id, list(call_ids)))


def save_metrics(session: Session, call_id: int, metrics: dict) -> None:
    """Store a call's audio metrics; LookupError when the call is gone (deleted meanwhile)."""
    if session.execute(update(Call).where(Call.id == call_id).values(metrics=metrics)).rowcount == 0:
        raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(call=call_id))


def call_ids_matching(session: Session, key: str) -> list[int]:
    """Calls named by id number, file path or file name (exact, then case-blind)."""
    key = key.strip()
    if key.isdigit():
        found = session.execute(select(Call.id).where(Call.id == int(key))).scalars().all()
        if found:
            return list(found)
    paths = {key, str(Path(key).expanduser().resolve())}
    found = session.execute(select(Call.id).where(Call.file_path.in_(paths)).order_by(Call.id)).scalars().all()
    name = Path(key).name
    if not found:
        found = session.execute(select(Call.id).where(Call.file_name == name).order_by(Call.id)).scalars().all()
    if not found:
        lower = select(Call.id).where(func.lower(Call.file_name) == name.lower()).order_by(Call.id)
        found = session.execute(lower).scalars().all()
    return list(found)
