"""User settings, kept as a small JSON file in the user's config folder.

Plain JSON rather than QSettings so the CLI and the window share one file and the
domain stays free of Qt. Unknown keys from a newer QA Desk are kept, not dropped.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from . import paths
from .wording import translate

SETTINGS_FILE = "settings.json"
DEFAULT_PATTERN = "{agent}_{started:%Y%m%d-%H%M%S}_{customer}"
AGENT_CHANNELS = ("left", "right", "mono")


class SettingsError(Exception):
    pass


@dataclass
class Settings:
    # Empty means the embedded SQLite database in the user data folder.
    database_url: str = ""
    # Which channel of a stereo recording carries the agent ("left", "right", "mono").
    agent_channel: str = "left"
    filename_pattern: str = DEFAULT_PATTERN
    # Sidecar column overrides: our field name → the recorder's column header.
    metadata_columns: dict[str, str] = field(default_factory=dict)
    # The interface language (a Qt locale name such as "zh_CN"; empty: the system's) and
    # colour scheme ("light", "dark"; empty: the system's).
    language: str = ""
    theme: str = ""
    # Speech models: extra folders searched for models (each a model or a folder of
    # models), and the default model per language (ISO code → model name).
    model_folders: list[str] = field(default_factory=list)
    default_models: dict[str, str] = field(default_factory=dict)
    # The language calls are transcribed in when no model is named.
    call_language: str = "zh"
    # Parallel transcription workers; 0 means one per CPU core.
    transcription_workers: int = 0
    # The service-language rulebook file a centre keeps; None is the shipped default
    # for the call language (resources/rulebooks).
    rulebook_path: str | None = None
    # The name written on reviewers' decisions about flags; empty is the OS login name.
    reviewer_name: str = ""
    # Who uses QA Desk on a local SQLite file (chosen at first run; the single local
    # user, no password): their name (empty: reviewer_name / the OS login) and role. On
    # a shared database each person signs in instead and these are only the name offered.
    user_name: str = ""
    user_role: str = "admin"
    # Scorecards: the monitoring quota (evaluations per agent per month) and where a
    # score turns from good to watch (score_good) and from watch to poor (score_poor).
    monitoring_quota: int = 4
    score_good: float = 90.0
    score_poor: float = 75.0
    extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def path(cls) -> Path:
        return paths.config_dir() / SETTINGS_FILE

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or cls.path()
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(translate(
                "Errors", "{path}: cannot read settings ({error}). Correct the file, or delete it to start "
                "again with the default settings.").format(path=path, error=exc)) from exc
        if not isinstance(raw, dict):
            raise SettingsError(translate(
                "Errors", "{path}: settings must be a JSON object. Correct the file, or delete it to "
                "start again with the default settings.").format(path=path))
        known = {f.name for f in fields(cls)} - {"extra"}
        # A hand-edited file may hold a wrong type; that one setting falls back to its
        # default rather than the window failing later on a list where a str belongs.
        settings = cls(**{k: v for k, v in raw.items() if k in known and _valid(k, v)})
        settings.extra = {k: v for k, v in raw.items() if k not in known}
        if settings.agent_channel not in AGENT_CHANNELS:
            settings.agent_channel = "left"
        return settings

    def save(self, path: Path | None = None) -> None:
        path = path or self.path()
        data = asdict(self)
        data.update(data.pop("extra"))
        # Write then rename, so a crash never leaves half a settings file behind.
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def thresholds(self):
        """The scorecard colour bands (good above score_good, poor below score_poor)."""
        from .scoring.scorecards import Thresholds

        good, poor = self.score_good, self.score_poor
        return Thresholds(good=max(good, poor), poor=min(good, poor))

    def user(self) -> str:
        """The local user's name: the one chosen at first run, else the reviewer's name."""
        return self.user_name.strip() or self.reviewer()

    def reviewer(self) -> str:
        """Who is deciding on flags: the reviewer's name, or else the OS login."""
        return self.reviewer_name.strip() or login_name()


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in this environment
        return "reviewer"


def _valid(name: str, value: object) -> bool:
    """Whether a loaded value has the type its setting needs."""
    if name == "metadata_columns":
        # None: the user said the recorder's file has no such column.
        return isinstance(value, dict) and all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
        )
    if name == "default_models":
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if name == "model_folders":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if name == "transcription_workers":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1024
    if name == "monitoring_quota":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000
    if name in ("score_good", "score_poor"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100
    if name == "rulebook_path":
        return value is None or isinstance(value, str)
    if name == "theme":
        return value in ("", "light", "dark")
    if name == "call_language":
        return isinstance(value, str) and bool(value.strip())
    # Any other setting: the type of its default (a field with a factory is not checked).
    default = next((f.default for f in fields(Settings) if f.name == name), MISSING)
    return default is MISSING or isinstance(value, type(default))


def default_database_url() -> str:
    return f"sqlite:///{paths.data_dir() / 'qa-desk.sqlite3'}"


def resolve_database_url(cli_url: str | None, settings: Settings) -> str:
    """The database to open: --db, then QA_DESK_DB, then the setting, then SQLite."""
    for candidate in (cli_url, os.environ.get("QA_DESK_DB"), settings.database_url):
        if candidate and candidate.strip():
            return candidate.strip()
    return default_database_url()
