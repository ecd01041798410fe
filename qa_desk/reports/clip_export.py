"""Exporting clips and playlists for training: audio, transcript excerpts and an index,
in a new folder or one zip file.

What a trainer gets, per clip: ``NN-title.wav`` (or .flac/.mp3), ``NN-title.txt`` and
``NN-title.srt`` timed from the audio file's first sample; for a playlist (or several
clips) also ``index.html`` (plays in any browser, offline) and ``index.xlsx``.
Anonymised by default: the privacy option is on unless the trainer turns it off.

How it is made safe to run from a window, a script, or a job that is cancelled:

* Everything is written into a hidden folder beside the target and renamed into place
  at the end (a zip is built beside the target and renamed too), so the target is
  either the whole export or absent: a cancelled, interrupted or failed export
  leaves nothing behind. An existing non-empty folder or an existing file is never
  replaced unless ``overwrite`` says so.
* A clip that cannot be exported (its audio unreadable, say) is named in the report's
  failures and the rest are still exported; only when no clip at all can be
  exported is it an error. Disk trouble is an error for the whole export.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..audio.clip_audio import HIDE_WITH, ClipAudioError, clip_audio_format
from ..jobs import JobContext
from ..permissions import Actor
from ..store import audit
from ..store.users import check
from ..store.clips import ClipError, ClipView, get_clip
from ..store.playlists import get_playlist
from ..wording import translate
from .clip_files import agent_labels, prepare_clip, scrub_names, words_for, write_clip_files
from .playlist_index import ExportIndex, index_entry, write_index_html
from .playlist_workbook import write_index_xlsx

INDEX_HTML, INDEX_XLSX = "index.html", "index.xlsx"
_EXPORTED = re.compile(r"\d{2,}-.*\.(wav|flac|mp3|txt|srt)", re.IGNORECASE)
_STORED = (".flac", ".mp3", ".xlsx")  # already compressed: deflating them again only costs time


class ClipExportError(Exception):
    """An export that failed or produced nothing; the message says why. Nothing was written.
    ``failures`` names each clip that failed when none could be exported."""

    def __init__(self, message: str, failures=()):
        super().__init__(message)
        self.failures = list(failures)


class ExportSetupError(ClipExportError):
    """An export that cannot start as asked (a format, a target, a playlist): nothing was tried."""


@dataclass(frozen=True)
class ExportedClip:
    clip_id: int
    number: int
    title: str  # as written (anonymised when the export is)
    files: tuple[str, ...]
    hidden: int  # numbers hidden in its audio


@dataclass(frozen=True)
class ClipFailure:
    clip_id: int
    title: str | None
    message: str

    def __str__(self) -> str:
        if self.title:
            text = translate("Exports", "clip {id} ({title}): {message}")
        else:
            text = translate("Exports", "clip {id}: {message}")
        return text.format(id=self.clip_id, title=self.title, message=self.message)


@dataclass
class ClipExportReport:
    target: Path  # the folder or zip file written
    as_zip: bool
    anonymised: bool
    files: list[str] = field(default_factory=list)  # relative to the folder; names inside the zip
    clips: list[ExportedClip] = field(default_factory=list)
    failures: list[ClipFailure] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return sum(c.hidden for c in self.clips)

    def as_dict(self) -> dict:
        return {
            "target": str(self.target), "zip": self.as_zip, "anonymised": self.anonymised, "files": list(self.files),
            "clips": [{"id": c.clip_id, "number": c.number, "title": c.title, "files": list(c.files),
                       "hidden": c.hidden} for c in self.clips],
            "failures": [{"id": f.clip_id, "title": f.title, "message": f.message} for f in self.failures],
        }


@dataclass(frozen=True)
class _Item:
    clip_id: int
    entry_notes: str = ""
    clip: ClipView | None = None  # None: the clip could not be loaded (the failure says why)
    problem: str = ""


def export_clip(db, clip_id: int, target, *, audio_format: str = "wav", anonymise: bool = True,
                hide_with: str = "beep", as_zip: bool = False, overwrite: bool = False, language: str = "en",
                ctx: JobContext | None = None, actor: Actor | str | None = None) -> ClipExportReport:
    """One clip's audio, TXT and SRT in the folder (or zip) ``target``."""
    return export_clips(db, [clip_id], target, index_title=None, audio_format=audio_format, anonymise=anonymise,
                        hide_with=hide_with, as_zip=as_zip, overwrite=overwrite, language=language, ctx=ctx,
                        actor=actor)


def export_playlist(db, playlist_id: int, target, *, audio_format: str = "wav", anonymise: bool = True,
                    hide_with: str = "beep", as_zip: bool = False, overwrite: bool = False, language: str = "en",
                    ctx: JobContext | None = None, actor: Actor | str | None = None) -> ClipExportReport:
    """The playlist's clips in its order, with its index (HTML and XLSX)."""
    actor = _allowed(db, actor)
    try:
        with db.session() as session:
            playlist = get_playlist(session, playlist_id)
    except ClipError as exc:
        raise ExportSetupError(str(exc)) from None
    if not playlist.entries:
        raise ExportSetupError(translate("Exports", "playlist '{0}' has no clips to export").format(playlist.name))
    items = [_Item(e.clip.id, e.notes, e.clip) for e in playlist.entries]
    index = ExportIndex(playlist.name, playlist.notes, playlist.author, datetime.now(), anonymise, language)
    return _export(db, items, Path(target), index, audio_format=audio_format, anonymise=anonymise,
                   hide_with=hide_with, as_zip=as_zip, overwrite=overwrite, language=language, ctx=ctx,
                   actor=actor)


def export_clips(db, clip_ids, target, *, index_title: str | None = None, audio_format: str = "wav",
                 anonymise: bool = True, hide_with: str = "beep", as_zip: bool = False, overwrite: bool = False,
                 language: str = "en", ctx: JobContext | None = None, actor: Actor | str | None = None
                 ) -> ClipExportReport:
    """Clips in the order given; with an index titled ``index_title`` when there is one.
    A clip id that does not exist is a failure in the report, like any other. Only a
    trainer, manager or admin exports clips (they leave the centre: checked, and audited)."""
    actor = _allowed(db, actor)
    items = []
    for clip_id in dict.fromkeys(clip_ids):  # a clip named twice is exported once
        try:
            with db.session() as session:
                items.append(_Item(clip_id, "", get_clip(session, clip_id)))
        except ClipError as exc:
            items.append(_Item(clip_id, problem=str(exc)))
    index = None
    if index_title is not None:
        index = ExportIndex(index_title, "", None, datetime.now(), anonymise, language)
    return _export(db, items, Path(target), index, audio_format=audio_format, anonymise=anonymise,
                   hide_with=hide_with, as_zip=as_zip, overwrite=overwrite, language=language, ctx=ctx,
                   actor=actor)


def _allowed(db, actor: Actor | str | None) -> Actor:
    """The exporting user, when a trainer, manager or admin: clips leave the centre."""
    with db.session() as session:
        return check(session, actor, "clip.export")


# --- the work ------------------------------------------------------------------------------------


def zip_target(target: Path) -> Path:
    """Where a zip export goes: the target, with ".zip" added when it has no such suffix."""
    return target if target.suffix.lower() == ".zip" else target.with_name(target.name + ".zip")


def _check_target(target: Path, as_zip: bool, overwrite: bool) -> None:
    if as_zip:
        if target.is_dir():
            raise ExportSetupError(translate("Exports", "{0}: is a folder; give the zip file's name").format(target))
        if target.exists() and not overwrite:
            raise ExportSetupError(translate(
                "Exports", "{0}: already exists (choose another name, or allow overwriting)").format(target))
        return
    if target.exists() and not target.is_dir():
        raise ExportSetupError(translate("Exports", "{0}: is a file; give a folder to export into").format(target))
    if target.is_dir() and any(target.iterdir()):
        if not overwrite:
            raise ExportSetupError(translate(
                "Exports", "{0}: the folder is not empty (choose a new folder, or allow overwriting)").format(target))
        if not _looks_like_export(target):
            raise ExportSetupError(translate(
                "Exports", "{0}: holds more than a clip export; only an earlier export is replaced "
                           "(choose a new folder)").format(target))


def _looks_like_export(folder: Path) -> bool:
    """Overwriting replaces the whole folder: allowed only for what an export writes, so a
    slip of the finger (-o ~ --overwrite) cannot delete someone's documents."""
    return all(path.is_file() and (path.name in (INDEX_HTML, INDEX_XLSX) or _EXPORTED.match(path.name))
               for path in folder.iterdir())


def _options(audio_format: str, hide_with: str) -> str:
    if hide_with not in HIDE_WITH:
        raise ExportSetupError(
            translate("Exports", "hide numbers with 'beep' or 'silence', not '{0}'").format(hide_with))
    try:
        return clip_audio_format(f"clip.{audio_format}", audio_format)
    except ClipAudioError as exc:
        raise ExportSetupError(str(exc)) from None


def _export(db, items: list[_Item], target: Path, index: ExportIndex | None, *, audio_format: str,
            anonymise: bool, hide_with: str, as_zip: bool, overwrite: bool, language: str,
            ctx: JobContext | None, actor: Actor | str | None = None) -> ClipExportReport:
    actor = _allowed(db, actor)
    ctx = ctx or JobContext()
    audio_format = _options(audio_format, hide_with)
    target = zip_target(target) if as_zip else target
    _check_target(target, as_zip, overwrite)
    if not items:
        raise ExportSetupError(translate("Exports", "no clips to export"))
    words = words_for(language)
    clips = [item.clip for item in items if item.clip is not None]
    labels = agent_labels((c.agent_name for c in clips), words["agent_label"]) if anonymise else {}
    if index is not None and anonymise:
        index = ExportIndex(scrub_names(index.title, labels), scrub_names(index.notes, labels), index.author,
                            index.exported_at, index.anonymised, index.language)
    report = ClipExportReport(target, as_zip, anonymise)
    total = len(items) + (1 if index else 0) + 1
    width = max(2, len(str(len(items))))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as exc:
        raise ExportSetupError(translate("Exports", "{path}: cannot write there ({reason})").format(
            path=target, reason=exc.strerror or exc)) from None
    try:
        entries = []
        for number, item in enumerate(items, 1):
            ctx.check_cancelled()
            ctx.progress(number - 1, total)
            if item.clip is None:
                report.failures.append(ClipFailure(item.clip_id, None, item.problem))
                continue
            ctx.status(f"{number}/{len(items)}: {item.clip.title}")
            try:
                prepared = prepare_clip(db, item.clip, number, anonymised=anonymise, hide_with=hide_with,
                                        labels=labels, entry_notes=item.entry_notes)
                written = write_clip_files(prepared, staging, audio_format=audio_format, width=width, words=words)
            except (ClipError, ClipAudioError) as exc:
                report.failures.append(ClipFailure(item.clip_id, item.clip.title, str(exc)))
                continue
            names = tuple(p.name for p in written)
            report.clips.append(ExportedClip(item.clip_id, number, prepared.title, names, prepared.hidden))
            entries.append(index_entry(prepared, written, language))
        if not report.clips:
            raise ClipExportError(translate("Exports", "nothing was exported: {0}").format(
                "; ".join(str(f) for f in report.failures)), report.failures)
        if index is not None:
            ctx.check_cancelled()
            ctx.progress(len(items), total)
            index = ExportIndex(index.title, index.notes, index.author, index.exported_at, index.anonymised,
                                index.language, tuple(entries))
            write_index_html(staging / INDEX_HTML, index)
            write_index_xlsx(staging / INDEX_XLSX, index)
        ctx.check_cancelled()
        files = sorted(p.name for p in staging.iterdir())
        if as_zip:
            report.files = _zip_into_place(staging, target, overwrite)
        else:
            _move_into_place(staging, target)
            report.files = files
        ctx.progress(total, total)
        with db.session() as session:  # once the export is in place: the log says what left the centre
            audit.record(session, actor, "export.clips", "export", None, None,
                         {"target": str(target), "clips": [i.clip_id for i in items], "anonymised": anonymise,
                          "playlist": index.title if index else None},
                         f"{len(items)} clip(s) → {target.name}")
        return report
    except OSError as exc:
        raise ClipExportError(translate("Exports", "{path}: the export could not be written ({reason})").format(
            path=target, reason=exc.strerror or exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone after a rename; else the half-made export


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished folder to the target; an existing target (empty, or allowed to
    be overwritten) is moved aside first and removed only once the new one is in place."""
    aside = None
    if target.exists():
        aside = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        if aside is not None:
            os.rename(aside, target)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _zip_into_place(staging: Path, target: Path, overwrite: bool) -> list[str]:
    """Zip the folder's files under one top folder named like the zip (so "extract here"
    makes one folder, and the index's relative links still work), then rename."""
    top = target.stem
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    names = []
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for path in sorted(staging.iterdir()):
                name = f"{top}/{path.name}"
                compression = zipfile.ZIP_STORED if path.suffix.lower() in _STORED else zipfile.ZIP_DEFLATED
                archive.write(path, name, compress_type=compression)
                names.append(name)
        if target.exists() and not overwrite:  # someone made it meanwhile: theirs stays
            raise ClipExportError(translate("Exports", "{0}: already exists").format(target))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return names


__all__ = [
    "ClipExportError", "ClipExportReport", "ClipFailure", "ExportSetupError", "ExportedClip", "INDEX_HTML",
    "INDEX_XLSX", "export_clip", "export_clips", "export_playlist", "zip_target",
]
