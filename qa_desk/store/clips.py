"""The training library's clips: moments of calls kept with their own audio and words.

A clip is made from a span of a call (a waveform selection, a flag, transcript lines).
It keeps its own copy of the audio span and the transcript lines it covers, and the
agent's and team's names as they were, so deleting or re-importing the call only
unlinks it: the clip still plays, reads, searches and exports (a trainer's library must
not rot when the recordings' retention period deletes calls). Cutting the audio and
picking the lines is the caller's job (``qa_desk.clips``); this module stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..permissions import Actor, require
from ..text import fold
from ..wording import translate
from . import audit
from .calls import _like
from .models import Agent, Call, Clip, ClipAudio, Team
from .users import acting, check

KINDS = ("good", "needs_improvement", "other")
MAX_TITLE = 300


class ClipError(ValueError):
    """A clip that cannot be saved as given (the message says why), or one that is gone."""


@dataclass(frozen=True)
class ClipDetails:
    """What a trainer types about a clip."""

    title: str
    kind: str = "other"
    tags: tuple[str, ...] = ()
    notes: str = ""
    form_key: str | None = None
    section_key: str | None = None
    item_key: str | None = None


@dataclass(frozen=True)
class ClipAudioData:
    data: bytes  # the encoded file (FLAC)
    format: str
    sample_rate: int
    channels: int
    offset: float  # the call time of the first sample (the span's start, minus any pre-roll)


@dataclass(frozen=True)
class ClipView:
    id: int
    call_id: int | None  # None: the call was deleted; the clip keeps its audio and words
    call_started_at: datetime | None
    start: float
    end: float
    title: str
    kind: str
    tags: tuple[str, ...]
    notes: str
    form_key: str | None
    section_key: str | None
    item_key: str | None
    agent_name: str | None
    team_name: str | None
    author: str | None
    created_at: datetime
    updated_at: datetime
    excerpt: list = field(default_factory=list, compare=False)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def excerpt_text(self) -> str:
        return "\n".join(line.get("text", "") for line in self.excerpt)


def clean_tags(tags) -> tuple[str, ...]:
    """Tags as typed: trimmed, blank ones gone, duplicates (ignoring case) once, in order."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return tuple(out)


def _checked(details: ClipDetails) -> ClipDetails:
    title = " ".join(details.title.split())
    if not title:
        raise ClipError(translate("Errors", "A clip needs a title: give it one."))
    if len(title) > MAX_TITLE:
        raise ClipError(translate("Errors", "A clip's title is at most {max} characters, not {count}: shorten "
                                            "it.").format(max=MAX_TITLE, count=len(title)))
    if details.kind not in KINDS:
        raise ClipError(translate("Errors", "The clip kind '{kind}' is not one of {choices}.").format(
            kind=details.kind, choices=", ".join(KINDS)))
    return ClipDetails(title, details.kind, clean_tags(details.tags), details.notes.strip(),
                       details.form_key or None, details.section_key or None, details.item_key or None)


def _check_span(start: float, end: float) -> None:
    if not (0 <= start < end):
        raise ClipError(translate("Errors", "A clip's span must start at 0 s or later and end after it starts, not "
                                            "{start}-{end}: choose the span again.").format(start=start, end=end))


def _search_text(clip: Clip) -> str:
    parts = [clip.title, clip.notes or "", " ".join(clip.tags or ()), clip.agent_name or ""]
    parts += [line.get("text", "") for line in clip.excerpt or ()]
    return "\n".join(fold(p) for p in parts if p)


def _view(clip: Clip) -> ClipView:
    return ClipView(
        clip.id, clip.call_id, clip.call_started_at, clip.start, clip.end, clip.title, clip.kind,
        tuple(clip.tags or ()), clip.notes or "", clip.form_key, clip.section_key, clip.form_item_key,
        clip.agent_name, clip.team_name, clip.author_name, clip.created_at, clip.updated_at,
        list(clip.excerpt or ()),
    )


def _load(session: Session, clip_id: int) -> Clip:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise ClipError(translate("Errors", "Clip {clip} does not exist: it may have been deleted. Reload the "
                                            "library.").format(clip=clip_id))
    return clip


def _set_details(clip: Clip, details: ClipDetails) -> None:
    clip.title, clip.kind, clip.tags, clip.notes = details.title, details.kind, list(details.tags), details.notes
    clip.form_key, clip.section_key, clip.form_item_key = details.form_key, details.section_key, details.item_key


def _set_audio(session: Session, clip: Clip, audio: ClipAudioData | None) -> None:
    stored = session.get(ClipAudio, clip.id)
    if audio is None:
        if stored is not None:
            session.delete(stored)
        return
    if stored is None:
        stored = ClipAudio(clip_id=clip.id)
        session.add(stored)
    stored.data, stored.format = audio.data, audio.format
    stored.sample_rate, stored.channels, stored.offset = audio.sample_rate, audio.channels, audio.offset


def add_clip(session: Session, call_id: int, start: float, end: float, details: ClipDetails, *,
             audio: ClipAudioData | None, excerpt: list, by: Actor | str | None = None,
             actor: Actor | str | None = None) -> ClipView:
    """Save a span of a call as a clip with its audio copy and transcript lines (a
    trainer's or admin's; ``by`` may name a stored user instead of ``actor``)."""
    actor = require(acting(session, by, actor), "clip.manage")
    by = actor.name
    details = _checked(details)
    _check_span(start, end)
    row = session.execute(
        select(Call.id, Call.content_hash, Call.started_at, Call.duration, Agent.id, Agent.name, Team.name)
        .outerjoin(Agent, Agent.id == Call.agent_id).outerjoin(Team, Team.id == Agent.team_id)
        .where(Call.id == call_id)
    ).first()
    if row is None:
        raise ClipError(translate("Errors", "There is no call {call}: it may have been deleted.").format(call=call_id))
    if start >= row[3]:
        raise ClipError(translate("Errors", "The clip starts at {start} s, after the call's end ({end} s): choose a "
                                            "span within the call.").format(start=f"{start:.1f}", end=f"{row[3]:.1f}"))
    clip = Clip(call_id=call_id, call_hash=row[1], call_started_at=row[2], start=start, end=min(end, row[3]),
                agent_id=row[4], agent_name=row[5], team_name=row[6], excerpt=list(excerpt),
                author_name=by, search_text="")
    _set_details(clip, details)
    clip.search_text = _search_text(clip)
    session.add(clip)
    session.flush()
    _set_audio(session, clip, audio)
    audit.record(session, actor, "clip.added", "clip", clip.id, None,
                 {"call_id": call_id, "start": clip.start, "end": clip.end, "title": clip.title},
                 f"clip {clip.id} '{clip.title}'")
    session.flush()
    return _view(clip)


def update_clip(session: Session, clip_id: int, details: ClipDetails, *, actor: Actor | str | None = None) -> ClipView:
    """Change what a clip says about itself (title, kind, tags, notes, form section/item)."""
    actor = check(session, actor, "clip.manage")
    clip = _load(session, clip_id)
    old = {"title": clip.title, "kind": clip.kind}
    _set_details(clip, _checked(details))
    clip.search_text = _search_text(clip)
    audit.record(session, actor, "clip.changed", "clip", clip.id, old, {"title": clip.title, "kind": clip.kind},
                 f"clip {clip.id} '{clip.title}'")
    session.flush()
    return _view(clip)


def move_clip(session: Session, clip_id: int, start: float, end: float, *, audio: ClipAudioData | None,
              excerpt: list, actor: Actor | str | None = None) -> ClipView:
    """New start and end (the trainer dragged a handle), with the audio and lines cut again."""
    actor = check(session, actor, "clip.manage")
    _check_span(start, end)
    clip = _load(session, clip_id)
    audit.record(session, actor, "clip.moved", "clip", clip.id, {"start": clip.start, "end": clip.end},
                 {"start": start, "end": end}, f"clip {clip.id} '{clip.title}'")
    clip.start, clip.end, clip.excerpt = start, end, list(excerpt)
    clip.search_text = _search_text(clip)
    _set_audio(session, clip, audio)
    session.flush()
    return _view(clip)


def delete_clip(session: Session, clip_id: int, *, actor: Actor | str | None = None) -> None:
    """The clip, its audio and its places in playlists."""
    actor = check(session, actor, "clip.manage")
    clip = _load(session, clip_id)
    audit.record(session, actor, "clip.deleted", "clip", clip.id, {"title": clip.title, "call_id": clip.call_id},
                 None, f"clip {clip.id} '{clip.title}'")
    session.delete(clip)
    session.flush()


def get_clip(session: Session, clip_id: int) -> ClipView:
    return _view(_load(session, clip_id))


def clip_audio(session: Session, clip_id: int) -> ClipAudioData | None:
    _load(session, clip_id)
    stored = session.get(ClipAudio, clip_id)
    if stored is None:
        return None
    return ClipAudioData(stored.data, stored.format, stored.sample_rate, stored.channels, stored.offset)


def find_clips(session: Session, *, text: str | None = None, tags=(), kind: str | None = None,
               agent: str | None = None, team: str | None = None, section_key: str | None = None,
               since: date | None = None, until: date | None = None, limit: int | None = None) -> list[ClipView]:
    """The library, newest first: ``text`` anywhere in title, notes, tags, agent or transcript
    (compared in the normal form, so 不 知道 finds 不知道); every tag in ``tags``; ``agent`` and
    ``team`` by name; dates are the call's."""
    query = select(Clip)
    if text and fold(text):
        query = query.where(Clip.search_text.like(_like(fold(text)), escape="\\"))
    if kind:
        query = query.where(Clip.kind == kind)
    if agent:
        query = query.where(Clip.agent_name == agent)
    if team:
        query = query.where(Clip.team_name == team)
    if section_key:
        query = query.where(Clip.section_key == section_key)
    if since:
        query = query.where(Clip.call_started_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(Clip.call_started_at <= datetime.combine(until, time.max))
    query = query.order_by(Clip.created_at.desc(), Clip.id.desc())
    wanted = {t.casefold() for t in clean_tags(tags)}
    clips = []
    for clip in session.scalars(query):
        # Tags are a JSON list, whose containment SQLite and PostgreSQL spell differently;
        # a library holds thousands of clips, not millions, so they are matched here.
        if wanted and not wanted <= {t.casefold() for t in clip.tags or ()}:
            continue
        clips.append(_view(clip))
        if limit and len(clips) >= limit:
            break
    return clips


def tag_counts(session: Session) -> list[tuple[str, int]]:
    """Every tag in use with how many clips carry it, most used first (for completion)."""
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for tags in session.scalars(select(Clip.tags)):
        for tag in tags or ():
            key = tag.casefold()
            spelled.setdefault(key, tag)
            counts[key] = counts.get(key, 0) + 1
    return sorted(((spelled[k], n) for k, n in counts.items()), key=lambda kv: (-kv[1], kv[0].casefold()))


def clip_count(session: Session) -> int:
    return session.scalar(select(func.count(Clip.id))) or 0


__all__ = [
    "KINDS", "ClipAudioData", "ClipDetails", "ClipError", "ClipView", "add_clip", "clean_tags", "clip_audio",
    "clip_count", "delete_clip", "find_clips", "get_clip", "move_clip", "tag_counts", "update_clip",
]
