"""Where an import's recordings and their metadata come from."""

from __future__ import annotations

from pathlib import Path

from ..audio.probe import AUDIO_EXTENSIONS
from ..wording import translate
from .filename_pattern import FilenamePattern
from .metadata import CallMetadata
from .report import FileOutcome
from .sidecar import Sidecar


def collect_recordings(paths: list[Path]) -> tuple[list[Path], list[FileOutcome]]:
    """The recordings to import, folders walked recursively, each file once.

    A file named directly is always tried (a recorder may use odd extensions); inside a
    folder only audio file types are taken and the rest is reported as skipped, so the
    report accounts for every file the user pointed at.
    """
    files: list[Path] = []
    outcomes: list[FileOutcome] = []
    seen: set[Path] = set()

    def take(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append(resolved)

    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue  # hidden files and folders (.DS_Store, .sync) are not calls
                if child.suffix.lower() in AUDIO_EXTENSIONS:
                    take(child)
                else:
                    outcomes.append(FileOutcome.skipped(child, "not_a_recording", translate(
                        "Import", "{file}: not a recording file type, skipped").format(file=child.name)))
        elif path.is_file():
            take(path)
        else:
            outcomes.append(FileOutcome.failed(path, "missing", translate(
                "Errors", "{file}: no such file or folder; check the path, or whether the drive or share "
                "is connected").format(file=path)))
    return files, outcomes


class MetadataSources:
    """Metadata from the call recorder's sidecar file and/or the file name.

    When the user names a source, every recording must be found in it: a call
    without its agent would silently fall out of every scorecard. The sidecar wins
    field by field; the file name fills the gaps.
    """

    def __init__(self, pattern: str | None, sidecar: Path | None, columns: dict[str, str] | None):
        self.pattern = FilenamePattern(pattern) if pattern else None
        self.pattern_text = pattern
        self.sidecar = Sidecar.load(Path(sidecar), columns or None) if sidecar else None
        self.sidecar_path = Path(sidecar) if sidecar else None

    def metadata_for(self, path: Path) -> CallMetadata | None:
        if self.pattern is None and self.sidecar is None:
            return CallMetadata()
        from_sidecar = self.sidecar.lookup(path) if self.sidecar else None
        from_name = self.pattern.parse(path) if self.pattern else None
        if from_sidecar and from_name:
            return from_sidecar.merged_over(from_name)
        return from_sidecar or from_name

    def missing_message(self, path: Path) -> str:
        if self.sidecar_path and self.pattern:
            text = translate(
                "Errors", "{file}: metadata missing (no row for it in {sheet} and its name does not match the "
                "pattern '{pattern}'); add a row for it, or fix the pattern")
        elif self.sidecar_path:
            text = translate("Errors", "{file}: metadata missing (no row for it in {sheet}); add a row for it "
                             "to the sheet, or import it without the sheet")
        else:
            text = translate("Errors", "{file}: metadata missing (its name does not match the pattern "
                             "'{pattern}'); fix the pattern, or import it without reading the file name")
        return text.format(file=path.name, sheet=self.sidecar_path.name if self.sidecar_path else "",
                           pattern=self.pattern_text)
