"""The demo recordings shipped under resources/samples, for a first look at QA Desk."""

from __future__ import annotations

from pathlib import Path

from .importing.importer import ImportOptions, import_recordings
from .importing.report import ImportReport
from .jobs import JobContext
from .paths import resources_dir
from .store.database import Database


def samples_dir() -> Path:
    return resources_dir() / "samples"


def load_sample_calls(db: Database, ctx: JobContext | None = None) -> ImportReport:
    """Import the demo calls with their recorder metadata (agent left, customer right)."""
    folder = samples_dir()
    recordings = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in (".wav", ".flac", ".mp3", ".ogg")
    )
    options = ImportOptions(agent_channel="left", metadata=folder / "metadata.csv")
    return import_recordings(db, recordings, options, ctx)
