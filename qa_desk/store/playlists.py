"""Playlists: ordered sets of clips for a training session, with a note per entry.

Positions are kept dense (0, 1, 2 …) after every change, so the order a trainer sees
is the order stored and an export numbers its files the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .clips import ClipError, ClipView, _view as _clip_view
from .models import Clip, Playlist, PlaylistEntry


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
        raise ClipError("a playlist needs a name")
    if len(name) > 300:
        raise ClipError(f"a playlist's name is at most 300 characters, not {len(name)}")
    return name


def _load(session: Session, playlist_id: int) -> Playlist:
    playlist = session.get(Playlist, playlist_id)
    if playlist is None:
        raise ClipError(f"playlist {playlist_id} does not exist (deleted?)")
    return playlist


def _entry(session: Session, entry_id: int) -> PlaylistEntry:
    entry = session.get(PlaylistEntry, entry_id)
    if entry is None:
        raise ClipError(f"playlist entry {entry_id} does not exist (removed?)")
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


def create_playlist(session: Session, name: str, notes: str = "", *, by: str) -> PlaylistView:
    playlist = Playlist(name=_name(name), notes=notes.strip(), author_name=by)
    session.add(playlist)
    session.flush()
    return get_playlist(session, playlist.id)


def update_playlist(session: Session, playlist_id: int, *, name: str, notes: str = "") -> PlaylistView:
    playlist = _load(session, playlist_id)
    playlist.name, playlist.notes = _name(name), notes.strip()
    session.flush()
    return get_playlist(session, playlist_id)


def delete_playlist(session: Session, playlist_id: int) -> None:
    """The playlist and its entries; the clips stay in the library."""
    session.delete(_load(session, playlist_id))
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
              position: int | None = None) -> PlaylistView:
    """Put a clip in the playlist, at the end or at ``position``; a clip can appear twice
    (a trainer may replay an example after discussing it)."""
    playlist = _load(session, playlist_id)
    if session.get(Clip, clip_id) is None:
        raise ClipError(f"clip {clip_id} does not exist (deleted?)")
    ordered = sorted(playlist.entries, key=lambda e: e.position)
    entry = PlaylistEntry(playlist_id=playlist_id, clip_id=clip_id, notes=notes.strip(), position=len(ordered))
    session.add(entry)
    at = len(ordered) if position is None else max(0, min(position, len(ordered)))
    ordered.insert(at, entry)
    playlist.entries.append(entry)
    _renumber(playlist, ordered)
    session.flush()
    return get_playlist(session, playlist_id)


def remove_entry(session: Session, entry_id: int) -> PlaylistView:
    entry = _entry(session, entry_id)
    playlist = _load(session, entry.playlist_id)
    playlist.entries.remove(entry)
    session.delete(entry)
    _renumber(playlist, sorted(playlist.entries, key=lambda e: e.position))
    session.flush()
    return get_playlist(session, playlist.id)


def reorder(session: Session, playlist_id: int, entry_ids: list[int]) -> PlaylistView:
    """The playlist in the order given (every entry exactly once, as after a drag)."""
    playlist = _load(session, playlist_id)
    by_id = {e.id: e for e in playlist.entries}
    if sorted(entry_ids) != sorted(by_id):
        raise ClipError("the new order must name every entry of the playlist exactly once "
                        "(someone else changed it meanwhile?)")
    _renumber(playlist, [by_id[i] for i in entry_ids])
    session.flush()
    return get_playlist(session, playlist_id)


def set_entry_notes(session: Session, entry_id: int, notes: str) -> PlaylistView:
    entry = _entry(session, entry_id)
    entry.notes = notes.strip()
    session.flush()
    return get_playlist(session, entry.playlist_id)


__all__ = [
    "PlaylistEntryView", "PlaylistSummary", "PlaylistView", "add_entry", "create_playlist", "delete_playlist",
    "get_playlist", "list_playlists", "remove_entry", "reorder", "set_entry_notes", "update_playlist",
]
