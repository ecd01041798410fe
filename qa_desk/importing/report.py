"""What an import did with every file: imported, already known, failed (and why), skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("imported", "known", "failed", "skipped")


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str  # one of STATUSES
    reason: str | None  # stable code for scripts: not_audio, empty, needs_ffmpeg, metadata_missing…
    message: str  # for people: names the file and the problem
    call_id: int | None = None

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

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "call_id": self.call_id,
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

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0 and not self.cancelled

    def summary(self) -> str:
        c = self.counts()
        text = (
            f"{c['imported']} imported, {c['known']} already known, "
            f"{c['failed']} failed, {c['skipped']} skipped"
        )
        return text + (" (cancelled)" if self.cancelled else "")

    def as_dict(self) -> dict:
        return {
            "counts": self.counts(),
            "cancelled": self.cancelled,
            "files": [o.as_dict() for o in self.outcomes],
        }
