"""Checking calls against the active rulebook and storing what was found as flags.

Shared by the window (after each transcription, and "check all calls again" when the
rulebook changes), by `qa-desk scan` and by the transcription workers. A call is
checked on its newest transcript and its audio metrics; a recording that can no
longer be read still gets its phrase rules checked (the acoustic rules are skipped
and the result says why). Each call is stored in its own transaction, so a failure on
one call never loses another's flags and a batch goes on.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..audio.analysis import CallNotFound, RecordingError, analyse_call
from ..jobs import JobContext
from ..settings import Settings
from ..store.database import Database
from ..store.flags import SaveSummary, ensure_rulebook, save_findings
from ..store.models import Call, Rulebook as RulebookRow, Transcript
from ..store.transcripts import latest_transcript
from .checks import check_call
from .rulebook import Rulebook, default_rulebook_path, load_rulebook

log = logging.getLogger(__name__)


def active_rulebook_path(settings: Settings) -> Path:
    """The centre's own rulebook when one is set, else the shipped one for its calls' language."""
    chosen = (getattr(settings, "rulebook_path", None) or "").strip()
    return Path(chosen).expanduser() if chosen else default_rulebook_path(settings.call_language)


class RulebookCache:
    """Loads a rulebook file once and again only when it changes on disk: building its
    phrase automata is the expensive part and thousands of calls share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._rulebook: Rulebook | None = None

    def get(self, path: Path) -> Rulebook:
        """OSError when unreadable, RulebookError when invalid (the old one is not kept)."""
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key != self._key or self._rulebook is None:
                self._rulebook = load_rulebook(path)
                self._key = key
            return self._rulebook


@dataclass(frozen=True)
class CallScan:
    call_id: int
    checked: bool  # False: nothing to check yet (no transcript)
    findings: int = 0
    summary: SaveSummary | None = None
    note: str | None = None  # e.g. why the acoustic rules were skipped


@dataclass
class ScanReport:
    scanned: list[CallScan] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # call id → what went wrong


def scan_call(db: Database, call_id: int, rulebook: Rulebook) -> CallScan:
    """Check one call and store its flags (reviewers' decisions on flags that still
    match are kept). CallNotFound when the call does not exist."""
    with db.session() as session:
        duration = session.execute(select(Call.duration).where(Call.id == call_id)).scalar_one_or_none()
        if duration is None:
            raise CallNotFound(f"There is no call {call_id}")
        transcript = latest_transcript(session, call_id)
    if transcript is None:
        return CallScan(call_id, checked=False, note="not transcribed yet")
    metrics, note = None, None
    try:
        metrics = analyse_call(db, call_id)
    except RecordingError as exc:
        note = f"audio rules skipped: {exc}"
    findings = check_call(rulebook, transcript.utterances, metrics, duration)
    with db.session() as session:
        rulebook_id, _version = ensure_rulebook(
            session, key=rulebook.key, name=rulebook.name, language=rulebook.language,
            content_hash=rulebook.content_hash, definition=rulebook.definition,
        )
        summary = save_findings(session, call_id, rulebook_id, findings)
    return CallScan(call_id, checked=True, findings=len(findings), summary=summary, note=note)


def calls_needing_scan(db: Database, rulebook: Rulebook, *, everything: bool = False) -> list[int]:
    """Transcribed calls not yet checked with this version of the rulebook (or all of them)."""
    with db.session() as session:
        query = select(Call.id).where(Call.id.in_(select(Transcript.call_id))).order_by(Call.id)
        if not everything:
            current = select(RulebookRow.id).where(
                RulebookRow.key == rulebook.key, RulebookRow.content_hash == rulebook.content_hash
            )
            query = query.where((Call.scanned_rulebook_id.is_(None)) | (Call.scanned_rulebook_id.not_in(current)))
        return list(session.execute(query).scalars())


def scan_calls(db: Database, call_ids: list[int], rulebook: Rulebook, ctx: JobContext | None = None) -> ScanReport:
    """Check each call in turn; a call that fails is reported and the rest go on."""
    ctx = ctx or JobContext()
    report = ScanReport()
    ctx.progress(0, len(call_ids))
    for done, call_id in enumerate(call_ids, 1):
        ctx.check_cancelled()
        try:
            report.scanned.append(scan_call(db, call_id, rulebook))
        except CallNotFound as exc:
            report.failed[call_id] = str(exc)
        except Exception as exc:  # one bad call must not stop a batch of thousands
            log.exception("checking call %s failed", call_id)
            report.failed[call_id] = f"{type(exc).__name__}: {exc}"
        ctx.progress(done, len(call_ids))
    return report


class AfterTranscript:
    """What the transcription workers call once a call's transcript is stored: check it
    against the active rulebook. A broken rulebook or scan never fails the transcription
    (the transcript is stored; the call shows as not checked and can be scanned later)."""

    def __init__(self, settings_provider, cache: RulebookCache | None = None):
        self._settings = settings_provider
        self._cache = cache or RulebookCache()

    def __call__(self, db: Database, call_id: int) -> None:
        try:
            rulebook = self._cache.get(active_rulebook_path(self._settings()))
            scan_call(db, call_id, rulebook)
        except Exception:
            log.exception("checking call %s after its transcription failed", call_id)
