"""What the window needs from the rest of QA Desk, built once by the composition root.

``qa_desk.app.run_app`` builds it for real; tests build the same thing on a
temporary database. The database can be swapped while the window is open (the user
connects to another one from Settings), so widgets read ``services.db`` when they
need it rather than keeping their own reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from ..store.database import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    # Where the settings are saved; None is the user's own settings file.
    settings_path: Path | None = None

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)
