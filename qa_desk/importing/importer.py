"""Importing call recordings into the library.

Each file is examined (content hash + header probe) on a small thread pool, because
hashing releases the GIL and a contact centre's folder holds thousands of files; the
database writes stay on the calling thread, one transaction per file, so a crash or a
bad file never leaves half a call behind and running the import again completes it.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from ..audio.hashing import content_hash
from ..audio.probe import AudioInfo, ProbeError, probe
from ..jobs import JobContext
from ..store import calls as store
from ..store.database import Database, DatabaseError
from ..store.models import Call
from .metadata import CallMetadata, MetadataError
from .report import FileOutcome, ImportReport
from .sources import MetadataSources, collect_recordings

__all__ = [
    "ImportOptions",
    "ImportSetupError",
    "FileOutcome",
    "ImportReport",
    "collect_recordings",
    "import_recordings",
    "channel_map",
]


class ImportSetupError(Exception):
    """The import cannot start (bad pattern, unreadable metadata file); nothing was imported."""


@dataclass
class ImportOptions:
    agent_channel: str = "left"  # which channel of a stereo call is the agent: left/right/mono
    pattern: str | None = None  # file-name pattern; None: names are not read for metadata
    metadata: Path | None = None  # sidecar CSV/XLSX exported by the call recorder
    metadata_columns: dict[str, str] = field(default_factory=dict)


def channel_map(channels: int, agent_channel: str) -> dict[str, str]:
    """Who speaks on which channel. Mono, or stereo declared mixed, is one 'mixed' lane."""
    if channels == 1 or agent_channel == "mono":
        return {str(i): "mixed" for i in range(channels)}
    agent = 0 if agent_channel == "left" else 1
    mapping = {str(i): "other" for i in range(channels)}
    mapping[str(agent)] = "agent"
    mapping[str(1 - agent)] = "customer"
    return mapping


@dataclass(frozen=True)
class _Examined:
    path: Path
    digest: str | None = None
    size: int = 0
    mtime: float | None = None
    info: AudioInfo | None = None
    error: FileOutcome | None = None


def _examine(path: Path) -> _Examined:
    try:
        info = probe(path)
        digest, size = content_hash(path)
        mtime = path.stat().st_mtime
    except ProbeError as exc:
        return _Examined(path, error=FileOutcome.failed(path, exc.reason, str(exc)))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return _Examined(path, error=FileOutcome.failed(path, "unreadable", f"{path.name}: cannot read ({reason})"))
    return _Examined(path, digest, size, mtime, info)


class _Importer:
    def __init__(self, db: Database, options: ImportOptions, ctx: JobContext):
        if options.agent_channel not in ("left", "right", "mono"):
            raise ImportSetupError(
                f"agent channel must be left, right or mono, not '{options.agent_channel}'"
            )
        self.db = db
        self.options = options
        self.ctx = ctx
        try:
            self.sources = MetadataSources(options.pattern, options.metadata, options.metadata_columns)
        except (MetadataError, ValueError) as exc:
            raise ImportSetupError(str(exc)) from exc

    def run(self, paths: list[Path]) -> ImportReport:
        report = ImportReport()
        self.ctx.status("Looking for recordings…")
        files, outcomes = collect_recordings(paths)
        for outcome in outcomes:
            report.add(outcome, self.ctx)
        total = len(files)
        with self.db.session() as session:
            known = store.known_files(session, [str(p) for p in files])
        # Files already imported from the same path, unchanged since, are not even
        # re-hashed: re-importing a folder of 10,000 calls costs only the new ones.
        todo: list[Path] = []
        for path in files:
            seen = known.get(str(path))
            if seen and _unchanged(path, seen):
                report.add(FileOutcome.known(path, seen[2]), self.ctx)
            else:
                todo.append(path)
        done = total - len(todo)
        self.ctx.progress(done, total)
        self.ctx.status(f"Importing {len(todo)} recordings…")
        with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 2))) as pool:
            examined = pool.map(_examine, todo)
            for item in examined:
                if self.ctx.cancelled:
                    break
                report.add(self._store(item), self.ctx)
                done += 1
                self.ctx.progress(done, total)
            if self.ctx.cancelled:
                report.cancelled = True
                finished = {o.path for o in report.outcomes}
                for path in todo:
                    if str(path) not in finished:
                        report.add(FileOutcome.skipped(path, "cancelled", f"{path.name}: import cancelled"), self.ctx)
        return report

    def _store(self, item: _Examined) -> FileOutcome:
        if item.error:
            return item.error
        path, info = item.path, item.info
        try:
            meta = self.sources.metadata_for(path)
        except MetadataError as exc:
            return FileOutcome.failed(path, "metadata", str(exc))
        if meta is None:
            return FileOutcome.failed(path, "metadata_missing", self.sources.missing_message(path))
        try:
            with self.db.session() as session:
                existing = store.call_by_hash(session, item.digest)
                if existing is not None:
                    _relink_if_moved(existing, path, item)
                    return FileOutcome.known(path, existing.id, existing.file_name)
                call = self._new_call(session, item, meta)
                session.flush()
                call_id = call.id
        except IntegrityError:
            # Another import (a second window, a worker) stored the same recording
            # between our check and our insert: it is known, not failed.
            with self.db.session() as session:
                existing = store.call_by_hash(session, item.digest)
                if existing is None:
                    raise
                return FileOutcome.known(path, existing.id, existing.file_name)
        except OperationalError as exc:
            # The database itself went away: every further file would fail too. What
            # was committed so far stays; importing again completes the rest.
            raise DatabaseError(f"The database stopped answering during the import: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            # e.g. a value the server rejects (PostgreSQL checks lengths): this file
            # fails, its transaction is rolled back, the batch goes on.
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            return FileOutcome.failed(path, "database", f"{path.name}: could not be stored ({detail})")
        return FileOutcome.imported(path, call_id, info.duration)

    def _new_call(self, session, item: _Examined, meta: CallMetadata) -> Call:
        info = item.info
        agent = None
        if meta.agent or meta.agent_id:
            agent = store.get_or_create_agent(
                session, name=meta.agent, external_id=meta.agent_id, team=meta.team
            )
        call = Call(
            file_path=str(item.path),
            file_name=item.path.name,
            content_hash=item.digest,
            file_size=item.size,
            file_mtime=item.mtime,
            audio_format=info.format,
            codec=info.codec,
            decoder=info.decoder,
            duration=info.duration,
            sample_rate=info.sample_rate,
            channels=info.channels,
            channel_map=channel_map(info.channels, self.options.agent_channel),
            agent=agent,
            started_at=meta.started_at,
            direction=meta.direction,
            queue=meta.queue,
            customer_ref=meta.customer_ref,
            status="imported",
        )
        session.add(call)
        return call


def _unchanged(path: Path, seen: tuple[int, float | None, int]) -> bool:
    size, mtime, _ = seen
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == size and mtime is not None and abs(stat.st_mtime - mtime) < 1e-3


def _relink_if_moved(call: Call, path: Path, item: _Examined) -> None:
    """A known recording found at a new place whose old file is gone: follow it."""
    if call.file_path != str(path) and not Path(call.file_path).exists():
        call.file_path = str(path)
        call.file_name = path.name
        call.file_mtime = item.mtime


def import_recordings(
    db: Database,
    paths: list[Path],
    options: ImportOptions | None = None,
    ctx: JobContext | None = None,
) -> ImportReport:
    """Import files and folders (recursively); one report line per recording."""
    importer = _Importer(db, options or ImportOptions(), ctx or JobContext())
    return importer.run([Path(p) for p in paths])
