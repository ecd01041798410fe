"""The speech models QA Desk can transcribe with: where they are, which language, which default.

Models are found in three places, in this order (the first of a name wins):

1. QA Desk's own models folder (``data_dir()/models``): copies we installed, which
   we may patch and remove;
2. ``VOSK_MODEL_PATH`` (os.pathsep-separated), each entry a model folder or a folder
   of model folders: how a site shares one read-only set of models;
3. folders the user added in Settings (``Settings.model_folders``), same rule.

Installing lives in ``model_install``; the dither-off path for the engine in
``model_views`` (re-exported here as ``loadable_path``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..settings import Settings
from ..wording import translate
from .catalog import CatalogEntry, find_entry, load_catalog, normalise_language
from .model_errors import CatalogError, ModelError, UnknownModel, UsageError
from .model_views import loadable_path  # noqa: F401 - part of this module's API

__all__ = [
    "SpeechModel", "LOCATION_INSTALLED", "LOCATION_ENV", "LOCATION_FOLDER", "METADATA_FILE",
    "models_dir", "validate_model_dir", "list_models", "find_model", "default_models",
    "default_model", "set_default", "remove_model", "loadable_path", "language_from_name",
    "format_size",
]

ENV_VAR = "VOSK_MODEL_PATH"
LOCATION_INSTALLED = "installed"
LOCATION_ENV = "VOSK_MODEL_PATH"
LOCATION_FOLDER = "folder"
METADATA_FILE = "qa-desk-model.json"

# What Vosk needs to load a model; the graph comes whole (HCLG) or split for
# run-time composition (HCLr + Gr, as in the small models).
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf")
_FOLDER_LANGUAGE = re.compile(r"^vosk-model-(?:small-)?([a-z]{2,3})(?:-|$)", re.IGNORECASE)
_NOT_LANGUAGES = {"spk", "tts"}  # vosk-model-spk-0.4 is a speaker-id model, not a language


@dataclass(frozen=True)
class SpeechModel:
    name: str
    language: str          # ISO 639-1 where known ("zh", "en"), else "unknown"
    path: Path
    size_bytes: int
    location: str          # LOCATION_INSTALLED | LOCATION_ENV | LOCATION_FOLDER
    removable: bool        # only our own installed copies
    source: str = ""       # installed: what it was installed from; else the search entry
    md5: str = ""
    installed_at: str = ""

    def origin(self) -> str:
        """Where the model comes from, in words (for messages)."""
        if self.location == LOCATION_INSTALLED:
            return translate("Errors", "installed in QA Desk's models folder ({path})").format(path=self.path)
        if self.location == LOCATION_ENV:
            return translate("Errors", "found through {variable} ({value}) at {path}").format(
                variable=ENV_VAR, value=self.source, path=self.path)
        return translate("Errors", "in the folder {folder} added in Settings, at {path}").format(
            folder=self.source, path=self.path)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "language": self.language, "path": str(self.path),
            "size_bytes": self.size_bytes, "location": self.location, "removable": self.removable,
            "source": self.source, "md5": self.md5, "installed_at": self.installed_at,
        }


def format_size(size: int) -> str:
    """Bytes as people read them: "41.9 MiB", "1.3 GiB" (the units Vosk's list uses)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def models_dir() -> Path:
    path = paths.data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def validate_model_dir(path: Path) -> list[str]:
    """What a folder lacks to be a Vosk model (relative paths); empty when it is one."""
    path = Path(path)
    if not path.is_dir():
        return [translate("Errors", "the folder itself")]
    missing = [rel for rel in REQUIRED_FILES if not (path / rel).is_file()]
    graph = path / "graph"
    if not (graph / "HCLG.fst").is_file() and not ((graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()):
        missing.append(translate("Errors", "graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)"))
    return missing


def language_from_name(name: str, catalog: list[CatalogEntry] | None = None) -> str:
    """A model's language from its name: the catalogue entry, else the folder pattern."""
    try:
        entry = find_entry(name, catalog)
    except CatalogError:
        entry = None
    if entry is not None:
        return entry.language
    match = _FOLDER_LANGUAGE.match(name)
    if match and match.group(1).lower() not in _NOT_LANGUAGES:
        return normalise_language(match.group(1))
    return "unknown"


def read_metadata(model_dir: Path) -> dict:
    """The small record we write into installed copies; {} when absent or damaged."""
    try:
        data = json.loads((Path(model_dir) / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def folder_size(path: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(path, followlinks=True):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def _model_folders(entry: Path) -> list[Path]:
    """A search entry is a model itself, or a folder whose sub-folders are models."""
    if not entry.is_dir():
        return []
    if not validate_model_dir(entry):
        return [entry]
    try:
        children = sorted(p for p in entry.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
    return [child for child in children if not validate_model_dir(child)]


def _search_entries(settings: Settings | None) -> list[tuple[str, Path]]:
    entries = [(LOCATION_INSTALLED, models_dir())]
    for item in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if item.strip():
            entries.append((LOCATION_ENV, Path(item.strip()).expanduser()))
    for item in (settings.model_folders if settings else []):
        entries.append((LOCATION_FOLDER, Path(item).expanduser()))
    return entries


def _load(path: Path, location: str, entry: Path, catalog) -> SpeechModel:
    meta = read_metadata(path) if location == LOCATION_INSTALLED else {}
    language = meta.get("language") if isinstance(meta.get("language"), str) else ""
    return SpeechModel(
        name=path.name,
        language=normalise_language(language) if language else language_from_name(path.name, catalog),
        path=path,
        size_bytes=folder_size(path),
        location=location,
        removable=location == LOCATION_INSTALLED,
        source=str(meta.get("source") or "") if location == LOCATION_INSTALLED else str(entry),
        md5=str(meta.get("md5") or ""),
        installed_at=str(meta.get("installed_at") or ""),
    )


def list_models(settings: Settings | None = None) -> list[SpeechModel]:
    """Every model found, installed ones first; a folder reached twice is listed once."""
    try:
        catalog = load_catalog()
    except CatalogError:
        catalog = []
    models, seen = [], set()
    for location, entry in _search_entries(settings):
        for path in _model_folders(entry):
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            models.append(_load(path, location, entry, catalog))
    return models


def find_model(name: str, settings: Settings | None = None, models: list[SpeechModel] | None = None) -> SpeechModel:
    """The model called ``name`` (or at that folder path); UnknownModel if none."""
    models = list_models(settings) if models is None else models
    for model in models:
        if model.name == name:
            return model
    as_path = Path(name).expanduser()
    if (os.sep in name or "/" in name) and as_path.is_dir() and not validate_model_dir(as_path):
        return _load(as_path.absolute(), LOCATION_FOLDER, as_path.absolute(), None)
    known = ", ".join(sorted({m.name for m in models})) or translate("Errors", "none")
    raise UnknownModel(translate("Errors", "no speech model named '{name}' (models found: {known})").format(
        name=name, known=known))


def default_models(settings: Settings | None, models: list[SpeechModel] | None = None) -> dict[str, SpeechModel]:
    """language → its default model: the one set in Settings, else the only one of it."""
    models = list_models(settings) if models is None else models
    chosen = settings.default_models if settings else {}
    by_language: dict[str, list[SpeechModel]] = {}
    for model in models:
        if model.language != "unknown":
            by_language.setdefault(model.language, []).append(model)
    result = {}
    for language, group in by_language.items():
        wanted = chosen.get(language)
        pick = next((m for m in group if m.name == wanted), None)
        if pick is None and len(group) == 1:
            pick = group[0]
        if pick is not None:
            result[language] = pick
    return result


def default_model(language: str, settings: Settings | None, models: list[SpeechModel] | None = None) -> SpeechModel | None:
    return default_models(settings, models).get(normalise_language(language))


def set_default(name: str, settings: Settings) -> SpeechModel:
    """Make ``name`` the default for its language in ``settings`` (the caller saves)."""
    model = find_model(name, settings)
    if model.language == "unknown":
        raise UsageError(translate(
            "Errors", "{model}: its language is not known (not in the model list, no language in its folder "
            "name), so it cannot be a language's default; name it when transcribing").format(model=model.name))
    settings.default_models = {**settings.default_models, model.language: model.name}
    return model


def remove_model(name: str, settings: Settings | None = None) -> Path:
    """Delete an installed model (ours only); the folder it was in. Drops it as a default
    in ``settings`` when no other model of that name remains (the caller saves)."""
    models = list_models(settings)
    ours = next((m for m in models if m.name == name and m.removable), None)
    if ours is None:
        other = find_model(name, settings, models)  # UnknownModel when it is nowhere
        raise ModelError(translate(
            "Errors", "{model} cannot be removed by QA Desk: it is {origin}. Delete it there, or remove its "
            "folder from the search folders").format(model=name, origin=other.origin()))
    # Rename first: the model disappears at once and entirely, even if deleting the
    # files afterwards is slow or fails half-way.
    trash = ours.path.with_name(f".removing-{uuid.uuid4().hex}")
    try:
        os.rename(ours.path, trash)
    except OSError as exc:
        raise ModelError(translate(
            "Errors", "{folder}: cannot remove it ({detail}); close any program using the model and try again"
        ).format(folder=ours.path, detail=exc.strerror or exc)) from None
    shutil.rmtree(trash, ignore_errors=True)
    if settings is not None and not any(m.name == name for m in list_models(settings)):
        settings.default_models = {k: v for k, v in settings.default_models.items() if v != name}
    return ours.path


def clean_leftovers(max_age_s: float = 6 * 3600) -> None:
    """Remove what a crashed install or removal left in the models folder."""
    now = time.time()
    for path in models_dir().glob(".*"):
        if not path.is_dir():
            continue
        stale = now - path.stat().st_mtime > max_age_s
        if path.name.startswith(".removing-") or (path.name.startswith(".installing-") and stale):
            shutil.rmtree(path, ignore_errors=True)
