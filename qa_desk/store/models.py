"""The data model of QA Desk (see DESIGN.md, "Data model").

All tables exist from the first schema version, even those that later work fills
(transcripts, flags, forms, evaluations, clips, users, audit), so that every later
migration adds to a schema a team's shared database already has.

Times are stored as naive datetimes: a call's start time is the wall-clock time the
call recorder wrote, in the contact centre's own time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,

)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names: Alembic's batch mode on SQLite and later migrations on
# PostgreSQL need the same, predictable names to alter a constraint.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _now() -> datetime:
    return datetime.now()


# --- people -----------------------------------------------------------------------


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    agents: Mapped[list[Agent]] = relationship(back_populates="team")


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # The id the call recorder / ACD knows the agent by (工号); unique when present.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    hired_on: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    team: Mapped[Team | None] = relationship(back_populates="agents")


class User(Base):
    """A person using QA Desk (reviewer, lead, trainer, manager, admin)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="reviewer")
    password_hash: Mapped[str | None] = mapped_column(String(300))  # Argon2id; None: a local user (SQLite)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    # The team a lead leads or a reviewer belongs to (sampling and queues by team).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)


# --- calls and what is derived from them --------------------------------------------


class Call(Base):
    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(500))
    # sha256 of the file's bytes: the same recording imported twice, even renamed, is one call.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_size: Mapped[int] = mapped_column(Integer)
    file_mtime: Mapped[float | None] = mapped_column(Float)
    audio_format: Mapped[str] = mapped_column(String(20))
    codec: Mapped[str] = mapped_column(String(40))
    decoder: Mapped[str] = mapped_column(String(20), default="soundfile")
    duration: Mapped[float] = mapped_column(Float)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    # Which channel carries whom, e.g. {"0": "agent", "1": "customer"}; mono: {"0": "mixed"}.
    channel_map: Mapped[dict] = mapped_column(JSON)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    direction: Mapped[str | None] = mapped_column(String(10))
    queue: Mapped[str | None] = mapped_column(String(200))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    # Where the call is in its life: imported → transcribed → reviewed.
    status: Mapped[str] = mapped_column(String(20), default="imported")
    # Audio metrics (talk ratio, dead air, overtalk…) computed by the audio engine.
    # JSONB on PostgreSQL: a scorecard reads five numbers out of every call's metrics,
    # and json (text) is parsed again for each (3 s instead of 0.3 s for 80,000 calls).
    metrics: Mapped[dict | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    # Lower-cased file name, customer and queue in one column, kept by the mapper
    # events below: the library's text search then does one LIKE per call instead
    # of six lower()+LIKE over a join (372 ms → see bench "text search" at 100k calls).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # none | queued | running | done | failed | cancelled — kept by the transcription
    # queue so the library shows it without a join over every call's jobs.
    transcript_status: Mapped[str] = mapped_column(String(12), default="none", server_default="none")
    # Which rulebook version the call's flags come from, and when it was scanned: a
    # call scanned by an older version can be found and scanned again.
    scanned_rulebook_id: Mapped[int | None] = mapped_column(
        ForeignKey("rulebooks.id", ondelete="SET NULL"), index=True
    )
    scanned_at: Mapped[datetime | None] = mapped_column(DateTime)

    agent: Mapped[Agent | None] = relationship()
    transcripts: Mapped[list[Transcript]] = relationship(
        back_populates="call", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        # The library sorts by start time and filters by agent: these keep the first
        # page of 100,000 calls fast.
        Index("ix_calls_started_at", "started_at"),
        Index("ix_calls_agent_started", "agent_id", "started_at"),
        Index("ix_calls_file_path", "file_path"),
    )


def call_search_text(file_name: str | None, customer_ref: str | None, queue: str | None) -> str:
    """The text the library searches for a call (bulk inserts must set it with this)."""
    return " ".join(part for part in (file_name, customer_ref, queue) if part).lower()


@event.listens_for(Call, "before_insert")
@event.listens_for(Call, "before_update")
def _keep_search_text(_mapper, _connection, call: Call) -> None:
    call.search_text = call_search_text(call.file_name, call.customer_ref, call.queue)


class Transcript(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    engine: Mapped[str] = mapped_column(String(40))
    model_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    call: Mapped[Call] = relationship(back_populates="transcripts")
    utterances: Mapped[list[Utterance]] = relationship(
        back_populates="transcript",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Utterance.start",
    )


class Utterance(Base):
    __tablename__ = "utterances"
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    speaker: Mapped[str] = mapped_column(String(20))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    # [{"word": ..., "start": ..., "end": ..., "conf": ...}, ...]
    words: Mapped[list] = mapped_column(JSON, default=list)
    # What the full-text index reads: the folded text with every Chinese character a
    # word of its own (see qa_desk.store.search). Kept by the mapper events below; bulk
    # inserts must set it with search.searchable_text. The index itself (FTS5 table
    # `utterance_search` and a covering index on SQLite; on PostgreSQL a generated
    # `search_vector` column with a GIN index) is made by migration 0003, not declared
    # here: neither is expressible on both databases.
    search_text: Mapped[str | None] = mapped_column(Text)

    transcript: Mapped[Transcript] = relationship(back_populates="utterances")


@event.listens_for(Utterance, "before_insert")
@event.listens_for(Utterance, "before_update")
def _keep_utterance_search_text(_mapper, _connection, utterance: Utterance) -> None:
    # Imported here: the search module imports these models (a top-level import
    # would be circular).
    from .search import searchable_text

    utterance.search_text = searchable_text(utterance.text or "")


class TranscriptionJob(Base):
    """One call waiting for, or going through, speech recognition.

    The queue lives in the database so that the window, `qa-desk transcribe` and
    headless `qa-desk worker` processes on other machines share it. A running job
    holds a lease (``lease_expires``, seconds since the epoch on the worker's clock)
    that its worker renews; a job whose lease ran out belonged to a worker that died
    and may be claimed again.
    """

    __tablename__ = "transcription_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    # None: the default model for ``language`` on the worker that runs it.
    model_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    lease_expires: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_transcription_jobs_status", "status", "priority", "id"),)


# --- the service-language standard ----------------------------------------------------


class Rulebook(Base):
    """One version of a rulebook: a row per (key, content); an edit is the next version."""

    __tablename__ = "rulebooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_rulebooks_key_version"),
        # A unique index, not a constraint: SQLite adds an index in place, while a new
        # constraint would copy the table (and a dropped parent table cascades).
        Index("uq_rulebooks_key_content_hash", "key", "content_hash", unique=True),
    )


class Flag(Base):
    """A finding of the service-language scan on a call, and the reviewer's decision on it."""

    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    # The rulebook version that last found this flag.
    rulebook_id: Mapped[int | None] = mapped_column(ForeignKey("rulebooks.id", ondelete="SET NULL"))
    rule_key: Mapped[str] = mapped_column(String(100))
    rule_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    # exact | possible | missing | count | acoustic
    kind: Mapped[str] = mapped_column(String(12), default="exact", server_default="exact")
    confidence: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    speaker: Mapped[str | None] = mapped_column(String(20))
    start: Mapped[float | None] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    matched_text: Mapped[str | None] = mapped_column(Text)
    # [{"word": ..., "start": ..., "end": ...}, ...]: the words that matched, for playback.
    words: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    reason: Mapped[str | None] = mapped_column(Text)
    form_item: Mapped[str | None] = mapped_column(String(200))
    # The same finding across rescans (see qa_desk.store.flags.fingerprint).
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    # open | confirmed | dismissed
    status: Mapped[str] = mapped_column(String(12), default="open")
    # A decided flag the latest scan no longer finds: kept, because a reviewer's
    # confirmed evidence must not vanish when a rulebook or transcript changes.
    stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class FlagEvent(Base):
    """One reviewer action on a flag: who, when, old status → new status, and why."""

    __tablename__ = "flag_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    # confirmed | dismissed | reopened | noted
    action: Mapped[str] = mapped_column(String(12))
    old_status: Mapped[str | None] = mapped_column(String(12))
    new_status: Mapped[str] = mapped_column(String(12))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    text: Mapped[str | None] = mapped_column(Text)  # the dismiss reason or the note


# --- evaluation forms and scoring ----------------------------------------------------


class Form(Base):
    """One immutable version of an evaluation form; editing saves the next version."""

    __tablename__ = "forms"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    __table_args__ = (UniqueConstraint("key", "version", name="uq_forms_key_version"),)


class Evaluation(Base):
    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str | None] = mapped_column(String(200))  # who scores it (as flags name reviewers)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    # A calibration evaluation: scored blind in a session, never on an agent's scorecard.
    calibration_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(15), default="draft")
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    auto_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # How many critical items failed (kept with the score so a scorecard counts
    # critical failures with one SUM instead of re-reading answers and forms).
    critical_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    # Optimistic locking: two reviewers saving the same evaluation must not silently
    # overwrite each other on a shared database.
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", passive_deletes=True
    )
    timed_comments: Mapped[list[TimedComment]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", passive_deletes=True
    )
    sections: Mapped[list[EvaluationSection]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": row_version}


class Answer(Base):
    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    item_key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str | None] = mapped_column(String(40))
    points: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    suggested_value: Mapped[str | None] = mapped_column(String(40))
    suggested_by_rule: Mapped[str | None] = mapped_column(String(100))
    suggested_flag_id: Mapped[int | None] = mapped_column(ForeignKey("flags.id", ondelete="SET NULL"))

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")

    __table_args__ = (
        UniqueConstraint("evaluation_id", "item_key", name="uq_answers_evaluation_item"),
    )


class EvaluationSection(Base):
    """One section's score on one evaluation, written with every (re)score.

    Scorecards average sections across evaluations, form versions and agents in SQL;
    deriving them from answers would mean loading every evaluation and its form.
    """

    __tablename__ = "evaluation_sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300))
    earned: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)  # None: nothing to score (all N/A)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)  # a fail_section item zeroed it

    evaluation: Mapped[Evaluation] = relationship(back_populates="sections")

    __table_args__ = (
        # Also the index the scorecard's join from evaluations uses.
        UniqueConstraint("evaluation_id", "section_key", name="uq_evaluation_sections_evaluation_section"),
    )


class EvaluationEvent(Base):
    """One change to an evaluation, kept for good: who, when, what, old → new."""

    __tablename__ = "evaluation_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # created, submitted, rescored, acknowledged, disputed, resolved
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)  # the dispute's reason, the resolution's note


class TimedComment(Base):
    __tablename__ = "timed_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)

    evaluation: Mapped[Evaluation] = relationship(back_populates="timed_comments")


# --- training library ------------------------------------------------------------------


class Clip(Base):
    """A moment of a call kept for training.

    A clip keeps what it shows: its own copy of the audio span (``ClipAudio``), the
    transcript lines it covers and the agent's and team's names at the time. Deleting
    or re-importing the call only unlinks it (``call_id`` becomes NULL); the clip still
    plays, reads and exports.
    """

    __tablename__ = "clips"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    call_hash: Mapped[str | None] = mapped_column(String(64))  # finds the call again after a re-import
    call_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    start: Mapped[float] = mapped_column(Float)  # seconds into the call
    end: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    form_key: Mapped[str | None] = mapped_column(String(100))
    section_key: Mapped[str | None] = mapped_column(String(100))
    form_item_key: Mapped[str | None] = mapped_column(String(100))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    agent_name: Mapped[str | None] = mapped_column(String(200))
    team_name: Mapped[str | None] = mapped_column(String(200))
    # The transcript lines the clip covers, times in the call's own seconds:
    # [{"speaker", "start", "end", "text", "words": [...]}].
    excerpt: Mapped[list] = mapped_column(JSON, default=list)
    # Title, notes, tags and excerpt folded (qa_desk.text.fold) for the library's search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class ClipAudio(Base):
    """The clip's own audio, FLAC-compressed in the database (not a file beside it), so a
    team sharing a PostgreSQL database all hear it and a deleted recording never breaks it:
    a minute of 8 kHz stereo telephone audio is about 0.5 MB of FLAC."""

    __tablename__ = "clip_audio"
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), default="flac")
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    offset: Mapped[float] = mapped_column(Float, default=0.0)  # call time of the audio's first sample
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Playlist(Base):
    __tablename__ = "playlists"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    entries: Mapped[list[PlaylistEntry]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PlaylistEntry.position"
    )


class PlaylistEntry(Base):
    __tablename__ = "playlist_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)


# --- accountability ----------------------------------------------------------------------


class AuditEntry(Base):
    """Append-only record of every change that matters: who, when, what, old → new."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    # The name as it was (users can be renamed or removed; the log must still say who).
    user_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    summary: Mapped[str | None] = mapped_column(Text)  # one line a person reads in the audit view


# --- review operations ---------------------------------------------------------------------


class SamplingRule(Base):
    """Which calls get reviewed: a lead's rule (random N per agent, or targeted), as data."""

    __tablename__ = "sampling_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[dict] = mapped_column(JSON)  # qa_desk.scoring.sampling.SamplingRule as a dict
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class SamplingRun(Base):
    """One run of a rule: its period, seed and result, so it can be reproduced and audited."""

    __tablename__ = "sampling_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_rules.id", ondelete="SET NULL"), index=True)
    rule_definition: Mapped[dict] = mapped_column(JSON)  # the rule as it was run
    period: Mapped[str] = mapped_column(String(40))  # a Period label: 2026-11, 2026-W44 …
    seed: Mapped[int] = mapped_column(Integer)
    reviewers: Mapped[list] = mapped_column(JSON, default=list)
    picked: Mapped[int] = mapped_column(Integer, default=0)
    ran_by: Mapped[str] = mapped_column(String(200))
    ran_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class ReviewAssignment(Base):
    """A call put in a reviewer's queue (by a sampling run or by hand)."""

    __tablename__ = "review_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(200), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_runs.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why the call was picked, in words
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned | done | cancelled
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id", ondelete="SET NULL"))
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class CalibrationSession(Base):
    """Several reviewers score the same calls blind on one form, then compare."""

    __tablename__ = "calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"))
    # Whose scores are the reference: "lead" (the lead's own evaluation), "expert" (a named
    # reviewer's) or "median" (the participants' median).
    reference: Mapped[str] = mapped_column(String(10), default="median")
    reference_reviewer: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class CalibrationCall(Base):
    __tablename__ = "calibration_calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("session_id", "call_id", name="uq_calibration_calls_session_call"),)


class CalibrationParticipant(Base):
    __tablename__ = "calibration_participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("session_id", "reviewer_name", name="uq_calibration_participants_session_reviewer"),)
