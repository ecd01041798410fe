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


def shipped_dir(name: str) -> Path:
    """A folder QA Desk ships (``resources`` or ``forms``). In a checkout (and an editable
    install) it sits at the repository's root, where a centre's admin finds it; an
    installed wheel carries it inside the package (pyproject.toml maps it there)."""
    package = Path(__file__).resolve().parent
    inside = package / name
    return inside if inside.is_dir() else package.parent / name


def resources_dir() -> Path:
    """The shipped resources (samples, rulebooks, translations)."""
    frozen = os.environ.get("QA_DESK_RESOURCES")
    if frozen:
        return Path(frozen)
    return shipped_dir("resources")
