"""What an import did with every file: imported, already known, failed (and why), skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..wording import choose, translate

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
        message = translate("Import", "{file}: imported ({seconds} s)").format(
            file=Path(path).name, seconds=f"{duration:.1f}")
        return cls(str(path), "imported", None, message, call_id)

    @classmethod
    def known(cls, path: Path, call_id: int, known_as: str | None = None) -> FileOutcome:
        name = Path(path).name
        if known_as and known_as != name:
            message = translate("Import", "{file}: already in the library as {known_as}").format(
                file=name, known_as=known_as)
        else:
            message = translate("Import", "{file}: already in the library").format(file=name)
        return cls(str(path), "known", "duplicate", message, call_id)

    @classmethod
    def failed(cls, path: Path, reason: str, message: str) -> FileOutcome:
        return cls(str(path), "failed", reason, message)

    @classmethod
    def skipped(cls, path: Path, reason: str, message: str) -> FileOutcome:
        return cls(str(path), "skipped", reason, message)

    def with_transcript(self, attached: bool, detail: str) -> FileOutcome:
        """This outcome, saying what became of the recording's transcript file(s)."""
        if attached:
            text = translate("Import", "{message}; transcript attached ({files})").format(
                message=self.message, files=detail)
        else:
            text = translate("Import", "{message}; transcript not attached: {problem}").format(
                message=self.message, problem=detail)
        return replace(self, transcript="attached" if attached else "not_attached", message=text)

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
        text = translate("Import", "{imported} imported, {known} already known, {failed} failed, {skipped} skipped"
                         ).format(**c)
        t = self.transcript_counts()
        notes = []
        if t["attached"]:
            notes.append(choose(t["attached"], translate("Import", "{n} transcript attached"),
                                translate("Import", "{n} transcripts attached")).format(n=t["attached"]))
        if t["not_attached"]:
            notes.append(choose(t["not_attached"], translate("Import", "{n} transcript not attached"),
                                translate("Import", "{n} transcripts not attached")).format(n=t["not_attached"]))
        if notes:
            text = translate("Import", "{counts}; {transcripts}").format(counts=text, transcripts=", ".join(notes))
        if self.cancelled:
            text = translate("Import", "{summary} (cancelled)").format(summary=text)
        return text

    def as_dict(self) -> dict:
        return {
            "counts": self.counts(),
            "cancelled": self.cancelled,
            "transcripts": self.transcript_counts(),
            "files": [o.as_dict() for o in self.outcomes],
        }
