"""What an import did with every file: imported, already known, failed (and why), skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

STATUSES = ("imported", "known", "failed", "skipped")


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str  # one of STATUSES
    reason: str | None  # stable code for scripts: not_audio, empty, needs_ffmpeg, metadata_missing…
    message: str  # for people: names the file and the problem
    call_id: int | None = None
    # The recording's transcript file(s) beside it: None (there were none), "attached"
    # or "not_attached" (the file was refused; the message says why). A refused
    # transcript never fails the recording: the call is in the library either way.
    transcript: str | None = None

    @classmethod
    def imported(cls, path: Path, call_id: int, duration: float) -> FileOutcome:
        return cls(str(path), "imported", None, f"{Path(path).name}: imported ({duration:.1f} s)", call_id)

    @classmethod
    def known(cls, path: Path, call_id: int, known_as: str | None = None) -> FileOutcome:
        name = Path(path).name
        also = f" as {known_as}" if known_as and known_as != name else ""
        return cls(str(path), "known", "duplicate", f"{name}: already in the library{also}", call_id)

    @classmethod
    def failed(cls, path: Path, reason: str, message: str) -> FileOutcome:
        return cls(str(path), "failed", reason, message)

    @classmethod
    def skipped(cls, path: Path, reason: str, message: str) -> FileOutcome:
        return cls(str(path), "skipped", reason, message)

    def with_transcript(self, attached: bool, detail: str) -> FileOutcome:
        """This outcome, saying what became of the recording's transcript file(s)."""
        note = f"transcript attached ({detail})" if attached else f"transcript not attached: {detail}"
        return replace(
            self, transcript="attached" if attached else "not_attached", message=f"{self.message}; {note}"
        )

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "call_id": self.call_id,
            "transcript": self.transcript,
        }


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    def add(self, outcome: FileOutcome, ctx=None) -> None:
        self.outcomes.append(outcome)
        if ctx is not None:
            ctx.partial(outcome)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def counts(self) -> dict[str, int]:
        counted = Counter(o.status for o in self.outcomes)
        return {status: counted.get(status, 0) for status in STATUSES}

    def transcript_counts(self) -> dict[str, int]:
        counted = Counter(o.transcript for o in self.outcomes if o.transcript)
        return {"attached": counted.get("attached", 0), "not_attached": counted.get("not_attached", 0)}

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0 and not self.cancelled

    def summary(self) -> str:
        c = self.counts()
        text = (
            f"{c['imported']} imported, {c['known']} already known, "
            f"{c['failed']} failed, {c['skipped']} skipped"
        )
        t = self.transcript_counts()
        notes = [f"{n} transcript{'s' if n != 1 else ''} {what}" for n, what in
                 ((t["attached"], "attached"), (t["not_attached"], "not attached")) if n]
        if notes:
            text += "; " + ", ".join(notes)
        return text + (" (cancelled)" if self.cancelled else "")

    def as_dict(self) -> dict:
        return {
            "counts": self.counts(),
            "cancelled": self.cancelled,
            "transcripts": self.transcript_counts(),
            "files": [o.as_dict() for o in self.outcomes],
        }
