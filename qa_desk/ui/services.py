"""What the window needs from the rest of QA Desk, built once by the composition root.

``qa_desk.app.run_app`` builds it for real; tests build the same thing on a
temporary database. The database can be swapped while the window is open (the user
connects to another one from Settings), so widgets read ``services.db`` when they
need it rather than keeping their own reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..permissions import Actor
from ..scoring.scan import RulebookCache
from ..settings import Settings
from ..store.database import Database

if TYPE_CHECKING:  # the window's modules import the engine's only when they run it
    from ..transcription.service import TranscriptionService


@dataclass
class Services:
    settings: Settings
    db: Database
    # Where the settings are saved; None is the user's own settings file.
    settings_path: Path | None = None
    # The transcription queue of ``db`` and its worker threads (the window starts and
    # stops them), and how to build one for another database after a reconnect.
    transcription: TranscriptionService | None = None
    new_transcription: Callable[[Database], TranscriptionService] | None = None
    # The active rulebook, loaded once for the window's checks and the transcription
    # workers' checks alike (its phrase automata are the expensive part).
    rulebooks: RulebookCache = field(default_factory=RulebookCache)
    # Who is signed in (the local user on SQLite, the signed-in person on a shared
    # database): every change the window makes is made, checked and audited as them.
    user: Actor | None = None

    def transcription_for(self, db: Database) -> TranscriptionService | None:
        return self.new_transcription(db) if self.new_transcription else None

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)
