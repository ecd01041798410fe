"""Importing call recordings into the library.

Each file is examined (content hash + header probe) on a small thread pool, because
hashing releases the GIL and a contact centre's folder holds thousands of files; the
database writes stay on the calling thread, one transaction per file, so a crash or a
bad file never leaves half a call behind and running the import again completes it.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from ..audio.hashing import content_hash
from ..audio.probe import FFMPEG_EXTENSIONS, AudioInfo, ProbeError, probe
from ..jobs import JobContext
from ..store import calls as store
from ..store.database import Database, DatabaseError
from ..transcription.attach import CallNotFound, SidecarFinder, attach_transcript_files, calls_with_transcripts
from ..transcription.formats import TRANSCRIPT_SUFFIXES, TranscriptFileError
from ..wording import translate
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


_Hashed = tuple[str, int, float]  # sha256, size, mtime


def _hash(path: Path) -> tuple[_Hashed | OSError, _Examined | None]:
    """Runs on the pool: file reads and sha256 release the GIL, so hashing overlaps the
    writer thread instead of competing with it. Files only ffprobe reads are probed
    here too: waiting on a subprocess releases the GIL as well."""
    try:
        digest, size = content_hash(path)
        hashed: _Hashed | OSError = (digest, size, path.stat().st_mtime)
    except OSError as exc:
        hashed = exc
    if path.suffix.lower() in FFMPEG_EXTENSIONS:
        return hashed, _examine(path, hashed)
    return hashed, None


def _examine(path: Path, hashed: _Hashed | OSError) -> _Examined:
    try:
        # The probe is mostly Python (header parsing): on the pool it would hold the
        # GIL against the writer; on the writer it costs ~0.2 ms per file.
        info = probe(path)
        if isinstance(hashed, OSError):
            raise hashed
    except ProbeError as exc:
        return _Examined(path, error=FileOutcome.failed(path, exc.reason, str(exc)))
    except OSError as exc:
        message = translate(
            "Errors", "{file}: cannot read ({detail}); check that it is not open in another program and import again"
        ).format(file=path.name, detail=exc.strerror or type(exc).__name__)
        return _Examined(path, error=FileOutcome.failed(path, "unreadable", message))
    digest, size, mtime = hashed
    return _Examined(path, digest, size, mtime, info)


class _Importer:
    def __init__(self, db: Database, options: ImportOptions, ctx: JobContext):
        if options.agent_channel not in ("left", "right", "mono"):
            raise ImportSetupError(translate(
                "Errors", "the agent channel must be left, right or mono, not '{channel}'"
            ).format(channel=options.agent_channel))
        self.db = db
        self.options = options
        self.ctx = ctx
        # (name, external id, team) → agent id, for agents already committed.
        self.agents: dict[tuple, int] = {}
        try:
            self.sources = MetadataSources(options.pattern, options.metadata, options.metadata_columns)
        except (MetadataError, ValueError) as exc:
            raise ImportSetupError(str(exc)) from exc

    def run(self, paths: list[Path]) -> ImportReport:
        report = ImportReport()
        self.ctx.status(translate("Import", "Looking for recordings…"))
        files, outcomes = collect_recordings(paths)
        self.ctx.check_cancelled()  # walking a big share takes a while; nothing is written yet
        files, transcripts = self._transcript_files(files, report)
        sidecar = str(self.options.metadata.resolve()) if self.options.metadata else None
        for outcome in outcomes:
            if sidecar and outcome.status == "skipped" and str(Path(outcome.path).resolve()) == sidecar:
                continue  # the metadata file itself, kept beside its recordings
            if transcripts and outcome.status == "skipped":
                if Path(outcome.path).parent.resolve() / Path(outcome.path).name in transcripts:
                    continue  # a recording's transcript: its recording's line tells what became of it
            report.add(outcome, self.ctx)
        total = len(files)
        with self.db.session() as session:
            known = store.known_files(session, [str(p) for p in files])
        self.ctx.check_cancelled()
        # Files already imported from the same path, unchanged since, are not even
        # re-hashed: re-importing a folder of 10,000 calls costs only the new ones.
        todo: list[Path] = []
        unchanged: list[tuple[Path, int]] = []
        for path in files:
            seen = known.get(str(path))
            if seen and _unchanged(path, seen):
                unchanged.append((path, seen[2]))
            else:
                todo.append(path)
        untranscribed = self._without_transcript([c for p, c in unchanged if self.sidecars.chosen(p)])
        if untranscribed:
            self.ctx.status(translate("Import", "Attaching {n} transcripts to calls already imported…").format(
                n=len(untranscribed)))
        for path, call_id in unchanged:
            outcome = FileOutcome.known(path, call_id)
            if call_id in untranscribed:
                outcome = self._attach_transcript(outcome, path, call_id)
            report.add(outcome, self.ctx)
        done = total - len(todo)
        self.ctx.progress(done, total)
        self.ctx.status(translate("Import", "Importing {n} recordings…").format(n=len(todo)))
        # Leave one core to the writer: it, not hashing, is the bottleneck (measured).
        pool = ThreadPoolExecutor(max_workers=max(1, min(4, (os.cpu_count() or 2) - 1)))
        try:
            for batch in _batches(_examine_ahead(pool, todo), BATCH):
                known_hashes = self._known_hashes(batch)
                for item in batch:
                    if self.ctx.cancelled:
                        break
                    report.add(self._store(item, known_hashes), self.ctx)
                    done += 1
                    self.ctx.progress(done, total)
                if self.ctx.cancelled:
                    break
        finally:
            # On cancel, files not yet examined are dropped rather than hashed for nothing.
            pool.shutdown(wait=True, cancel_futures=True)
        if self.ctx.cancelled:
            report.cancelled = True
            finished = {o.path for o in report.outcomes}
            for path in todo:
                if str(path) not in finished:
                    report.add(FileOutcome.skipped(path, "cancelled", translate(
                        "Import", "{file}: import cancelled; import again to add it").format(file=path.name)), self.ctx)
        return report

    def _transcript_files(self, files: list[Path], report: ImportReport) -> tuple[list[Path], set[Path]]:
        """The recordings without the transcript files among them, and every transcript
        file that sits beside one of the recordings (attached with it, not imported)."""
        self.sidecars = SidecarFinder()
        transcripts = {
            t for f in files if f.suffix.lower() not in TRANSCRIPT_SUFFIXES for t in self.sidecars.candidates(f)
        }
        recordings = []
        for path in files:
            if path in transcripts:
                continue  # named together with its recording: attached with it
            if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
                report.add(FileOutcome.skipped(path, "not_a_recording", translate(
                    "Import", "{file}: not a recording; a transcript file is attached when the recording "
                    "of the same name beside it is imported (or with 'qa-desk transcript import')"
                ).format(file=path.name)), self.ctx)
                continue
            recordings.append(path)
        return recordings, transcripts

    def _without_transcript(self, call_ids: list[int]) -> set[int]:
        if not call_ids:
            return set()
        with self.db.session() as session:
            return set(call_ids) - calls_with_transcripts(session, call_ids)

    def _attach_transcript(self, outcome: FileOutcome, path: Path, call_id: int) -> FileOutcome:
        """Attach the recording's transcript file(s), if it has any; a refused file is
        noted on the recording's line and never fails the recording itself."""
        files = self.sidecars.chosen(path)
        if not files:
            return outcome
        try:
            attach_transcript_files(self.db, call_id, files)
        except TranscriptFileError as exc:
            return outcome.with_transcript(False, str(exc))
        except CallNotFound:
            return outcome.with_transcript(False, translate("Import", "the call was deleted meanwhile"))
        except OperationalError as exc:
            raise _stopped_answering(exc) from exc
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            return outcome.with_transcript(False, translate("Errors", "could not be stored ({detail})").format(
                detail=detail))
        except Exception as exc:  # noqa: BLE001 - a file we failed to foresee must not stop the import
            return outcome.with_transcript(False, translate("Errors", "{file}: cannot be read ({detail})").format(
                file=files[0][0].name, detail=f"{type(exc).__name__}: {exc}"))
        return outcome.with_transcript(True, ", ".join(p.name for p, _ in files))

    def _known_hashes(self, batch: list[_Examined]) -> dict[str, tuple[int, str, str]]:
        """One query per batch instead of one per file: which recordings the library has."""
        digests = [item.digest for item in batch if item.digest]
        with self.db.session() as session:
            return store.calls_by_hashes(session, digests)

    def _store(self, item: _Examined, known_hashes: dict[str, tuple[int, str, str]]) -> FileOutcome:
        if item.error:
            return item.error
        path, info = item.path, item.info
        try:
            meta = self.sources.metadata_for(path)
        except MetadataError as exc:
            return FileOutcome.failed(path, "metadata", str(exc))
        if meta is None:
            return FileOutcome.failed(path, "metadata_missing", self.sources.missing_message(path))
        known = known_hashes.get(item.digest)
        if known is not None:
            return self._known(item, *known)
        agent_key = (meta.agent, meta.agent_id, meta.team)
        try:
            agent_id = self.agents.get(agent_key)
            if agent_id is None and (meta.agent or meta.agent_id):
                with self.db.session() as session:  # a new agent: ORM for the lookups
                    agent_id = store.get_or_create_agent(
                        session, name=meta.agent, external_id=meta.agent_id, team=meta.team
                    ).id
                    call_id = store.add_call(session, self._call_row(item, meta, agent_id))
            else:
                # The usual case: a plain connection's transaction costs a third less
                # than an ORM session's, per file.
                with self.db.engine.begin() as conn:
                    call_id = store.add_call(conn, self._call_row(item, meta, agent_id))
        except IntegrityError:
            # The same recording twice in this batch, or stored meanwhile by another
            # import (a second window, a worker): it is known, not failed.
            with self.db.session() as session:
                again = store.calls_by_hashes(session, [item.digest]).get(item.digest)
            if again is None:
                raise
            return self._known(item, *again)
        except OperationalError as exc:
            # The database itself went away: every further file would fail too. What
            # was committed so far stays; importing again completes the rest.
            raise _stopped_answering(exc) from exc
        except SQLAlchemyError as exc:
            # e.g. a value the server rejects (PostgreSQL checks lengths): this file
            # fails, its transaction is rolled back, the batch goes on.
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            return FileOutcome.failed(path, "database", translate(
                "Errors", "{file}: could not be stored ({detail})").format(file=path.name, detail=detail))
        # Cached only after the commit: a rolled-back agent must not be reused.
        if agent_id is not None:
            self.agents[agent_key] = agent_id
        known_hashes[item.digest] = (call_id, str(path), path.name)
        return self._attach_transcript(FileOutcome.imported(path, call_id, info.duration), path, call_id)

    def _known(self, item: _Examined, call_id: int, file_path: str, file_name: str) -> FileOutcome:
        """A recording the library has; if its old file is gone, follow it to the new place."""
        if file_path != str(item.path) and not Path(file_path).exists():
            with self.db.session() as session:
                store.relink_call(session, call_id, str(item.path), item.mtime)
        outcome = FileOutcome.known(item.path, call_id, file_name)
        if self.sidecars.chosen(item.path) and self._without_transcript([call_id]):
            outcome = self._attach_transcript(outcome, item.path, call_id)
        return outcome

    def _call_row(self, item: _Examined, meta: CallMetadata, agent_id: int | None) -> dict:
        info = item.info
        return dict(
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
            agent_id=agent_id,
            started_at=meta.started_at,
            direction=meta.direction,
            queue=meta.queue,
            customer_ref=meta.customer_ref,
            status="imported",
        )


def _stopped_answering(exc: OperationalError) -> DatabaseError:
    return DatabaseError(translate(
        "Errors", "The database stopped answering during the import ({detail}). What was imported so far "
        "is kept; check the connection and import again to add the rest.").format(detail=exc.orig))


BATCH = 32  # examined files checked against the library in one query


def _examine_ahead(pool: ThreadPoolExecutor, paths: list[Path], window: int = 2 * BATCH):
    """Hash files on the pool, a bounded window ahead of the writer; examine in order."""
    pending: deque = deque()

    def next_done() -> _Examined:
        path_done, future = pending.popleft()
        hashed, examined = future.result()
        return examined or _examine(path_done, hashed)

    for path in paths:
        pending.append((path, pool.submit(_hash, path)))
        if len(pending) >= window:
            yield next_done()
    while pending:
        yield next_done()


def _batches(items, size: int):
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _unchanged(path: Path, seen: tuple[int, float | None, int]) -> bool:
    size, mtime, _ = seen
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == size and mtime is not None and abs(stat.st_mtime - mtime) < 1e-3


def import_recordings(
    db: Database,
    paths: list[Path],
    options: ImportOptions | None = None,
    ctx: JobContext | None = None,
) -> ImportReport:
    """Import files and folders (recursively); one report line per recording."""
    importer = _Importer(db, options or ImportOptions(), ctx or JobContext())
    return importer.run([Path(p) for p in paths])
