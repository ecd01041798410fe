"""Playlists: ordered sets of clips for a training session, with a note per entry.

Positions are kept dense (0, 1, 2 …) after every change, so the order a trainer sees
is the order stored and an export numbers its files the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..permissions import Actor, require
from ..wording import translate
from . import audit
from .clips import ClipError, ClipView, _view as _clip_view
from .models import Clip, Playlist, PlaylistEntry
from .users import acting, check


@dataclass(frozen=True)
class PlaylistEntryView:
    id: int
    position: int
    notes: str
    clip: ClipView


@dataclass(frozen=True)
class PlaylistView:
    id: int
    name: str
    notes: str
    author: str | None
    created_at: datetime
    updated_at: datetime
    entries: tuple[PlaylistEntryView, ...]

    @property
    def duration(self) -> float:
        return sum(e.clip.duration for e in self.entries)


@dataclass(frozen=True)
class PlaylistSummary:
    id: int
    name: str
    clips: int
    duration: float
    updated_at: datetime


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ClipError(translate("Errors", "A playlist needs a name: give it one."))
    if len(name) > 300:
        raise ClipError(translate("Errors", "A playlist's name is at most {max} characters, not {count}: shorten "
                                            "it.").format(max=300, count=len(name)))
    return name


def _load(session: Session, playlist_id: int) -> Playlist:
    playlist = session.get(Playlist, playlist_id)
    if playlist is None:
        raise ClipError(translate("Errors", "Playlist {playlist} does not exist: it may have been deleted. Reload the "
                                            "library.").format(playlist=playlist_id))
    return playlist


def _entry(session: Session, entry_id: int) -> PlaylistEntry:
    entry = session.get(PlaylistEntry, entry_id)
    if entry is None:
        raise ClipError(translate("Errors", "Playlist entry {entry} does not exist: it may have been removed. Reload "
                                            "the playlist.").format(entry=entry_id))
    return entry


def _renumber(playlist: Playlist, ordered: list[PlaylistEntry]) -> None:
    for position, entry in enumerate(ordered):
        entry.position = position
    playlist.updated_at = datetime.now()


def get_playlist(session: Session, playlist_id: int) -> PlaylistView:
    playlist = _load(session, playlist_id)
    session.refresh(playlist, ["entries"])
    clips = {c.id: c for c in session.scalars(select(Clip).where(Clip.id.in_([e.clip_id for e in playlist.entries])))}
    entries = tuple(
        PlaylistEntryView(e.id, e.position, e.notes or "", _clip_view(clips[e.clip_id]))
        for e in sorted(playlist.entries, key=lambda e: e.position)
    )
    return PlaylistView(playlist.id, playlist.name, playlist.notes or "", playlist.author_name,
                        playlist.created_at, playlist.updated_at, entries)


# Every change below needs a trainer or admin (``clip.manage``) and is audited.


def _log(session: Session, actor: Actor, action: str, playlist: Playlist, old=None, new=None) -> None:
    audit.record(session, actor, f"playlist.{action}", "playlist", playlist.id, old, new,
                 f"playlist {playlist.id} '{playlist.name}' {action}")


def create_playlist(session: Session, name: str, notes: str = "", *, by: Actor | str | None = None,
                    actor: Actor | str | None = None) -> PlaylistView:
    actor = require(acting(session, by, actor), "clip.manage")
    playlist = Playlist(name=_name(name), notes=notes.strip(), author_name=actor.name)
    session.add(playlist)
    session.flush()
    _log(session, actor, "created", playlist, None, {"name": playlist.name})
    return get_playlist(session, playlist.id)


def update_playlist(session: Session, playlist_id: int, *, name: str, notes: str = "",
                    actor: Actor | str | None = None) -> PlaylistView:
    actor = check(session, actor, "clip.manage")
    playlist = _load(session, playlist_id)
    old = {"name": playlist.name, "notes": playlist.notes}
    playlist.name, playlist.notes = _name(name), notes.strip()
    _log(session, actor, "changed", playlist, old, {"name": playlist.name, "notes": playlist.notes})
    session.flush()
    return get_playlist(session, playlist_id)


def delete_playlist(session: Session, playlist_id: int, *, actor: Actor | str | None = None) -> None:
    """The playlist and its entries; the clips stay in the library."""
    actor = check(session, actor, "clip.manage")
    playlist = _load(session, playlist_id)
    _log(session, actor, "deleted", playlist, {"name": playlist.name})
    session.delete(playlist)
    session.flush()


def list_playlists(session: Session) -> list[PlaylistSummary]:
    rows = session.execute(
        select(Playlist.id, Playlist.name, func.count(PlaylistEntry.id),
               func.coalesce(func.sum(Clip.end - Clip.start), 0.0), Playlist.updated_at)
        .outerjoin(PlaylistEntry, PlaylistEntry.playlist_id == Playlist.id)
        .outerjoin(Clip, Clip.id == PlaylistEntry.clip_id)
        .group_by(Playlist.id, Playlist.name, Playlist.updated_at)
        .order_by(Playlist.name)
    ).all()
    return [PlaylistSummary(r[0], r[1], r[2], float(r[3]), r[4]) for r in rows]


def add_entry(session: Session, playlist_id: int, clip_id: int, *, notes: str = "",
              position: int | None = None, actor: Actor | str | None = None) -> PlaylistView:
    """Put a clip in the playlist, at the end or at ``position``; a clip can appear twice
    (a trainer may replay an example after discussing it)."""
    actor = check(session, actor, "clip.manage")
    playlist = _load(session, playlist_id)
    _log(session, actor, "clip_added", playlist, None, {"clip_id": clip_id})
    if session.get(Clip, clip_id) is None:
        raise ClipError(translate("Errors", "Clip {clip} does not exist: it may have been deleted. Reload the "
                                            "library.").format(clip=clip_id))
    ordered = sorted(playlist.entries, key=lambda e: e.position)
    entry = PlaylistEntry(playlist_id=playlist_id, clip_id=clip_id, notes=notes.strip(), position=len(ordered))
    session.add(entry)
    at = len(ordered) if position is None else max(0, min(position, len(ordered)))
    ordered.insert(at, entry)
    playlist.entries.append(entry)
    _renumber(playlist, ordered)
    session.flush()
    return get_playlist(session, playlist_id)


def remove_entry(session: Session, entry_id: int, *, actor: Actor | str | None = None) -> PlaylistView:
    actor = check(session, actor, "clip.manage")
    entry = _entry(session, entry_id)
    playlist = _load(session, entry.playlist_id)
    _log(session, actor, "clip_removed", playlist, {"clip_id": entry.clip_id})
    playlist.entries.remove(entry)
    session.delete(entry)
    _renumber(playlist, sorted(playlist.entries, key=lambda e: e.position))
    session.flush()
    return get_playlist(session, playlist.id)


def reorder(session: Session, playlist_id: int, entry_ids: list[int], *,
            actor: Actor | str | None = None) -> PlaylistView:
    """The playlist in the order given (every entry exactly once, as after a drag)."""
    actor = check(session, actor, "clip.manage")
    playlist = _load(session, playlist_id)
    by_id = {e.id: e for e in playlist.entries}
    if sorted(entry_ids) != sorted(by_id):
        raise ClipError(translate("Errors", "The new order must name every entry of the playlist exactly once "
                                            "(someone else changed it meanwhile?): reload the playlist and try again."))
    _renumber(playlist, [by_id[i] for i in entry_ids])
    _log(session, actor, "reordered", playlist, None, {"entries": list(entry_ids)})
    session.flush()
    return get_playlist(session, playlist_id)


def set_entry_notes(session: Session, entry_id: int, notes: str, *, actor: Actor | str | None = None) -> PlaylistView:
    actor = check(session, actor, "clip.manage")
    entry = _entry(session, entry_id)
    _log(session, actor, "notes_changed", _load(session, entry.playlist_id), {"notes": entry.notes},
         {"notes": notes.strip()})
    entry.notes = notes.strip()
    session.flush()
    return get_playlist(session, entry.playlist_id)


__all__ = [
    "PlaylistEntryView", "PlaylistSummary", "PlaylistView", "add_entry", "create_playlist", "delete_playlist",
    "get_playlist", "list_playlists", "remove_entry", "reorder", "set_entry_notes", "update_playlist",
]
