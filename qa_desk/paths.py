"""Where QA Desk keeps its files on this machine.

Everything goes under the platform's per-user folders (platformdirs). Setting
``QA_DESK_HOME`` puts all of them under one folder instead: tests, portable installs
and a second profile on the same machine use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "qa-desk"


def _home() -> Path | None:
    value = os.environ.get("QA_DESK_HOME")
    return Path(value).expanduser() if value else None


def _dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    home = _home()
    path = home / "data" if home else Path(_dirs().user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    home = _home()
    path = home / "config" if home else Path(_dirs().user_config_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    home = _home()
    path = home / "cache" if home else Path(_dirs().user_cache_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The shipped resources (samples, rulebooks, translations), next to the package."""
    frozen = os.environ.get("QA_DESK_RESOURCES")
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent / "resources"
