"""Vosk's published model list: which models exist, where to get them, how to check them.

The list ships with QA Desk (``resources/vosk-model-list.json``, same fields as Vosk's
own ``model-list.json``) because the machines QA Desk runs on are often offline. A
user can refresh it from a newer copy of that file; the refreshed copy is kept in the
user data folder and wins over the shipped one from then on.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..wording import translate
from .model_errors import CatalogError

CATALOG_FILE = "vosk-model-list.json"

# Vosk's list uses a few codes that are not ISO 639-1 ("cn" for Chinese, "ua" for
# Ukrainian, ...). Calls, defaults and rulebooks speak ISO codes, so map them once here.
_LANGUAGE_ALIASES = {"cn": "zh", "ua": "uk", "kz": "kk", "vn": "vi", "jp": "ja", "gr": "el", "cz": "cs"}


def normalise_language(code: str | None) -> str:
    """The primary language of a catalogue or locale code: "cn"→"zh", "en-us"→"en"."""
    primary = re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]
    if not primary:
        return "unknown"
    return _LANGUAGE_ALIASES.get(primary, primary)


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    language: str      # normalised (see normalise_language)
    lang: str          # as published, e.g. "en-us"
    lang_text: str
    url: str
    md5: str           # "" when unknown
    size: int          # bytes of the zip; 0 when unknown
    size_text: str
    type: str
    version: str
    obsolete: bool

    def as_dict(self) -> dict:
        return {
            "name": self.name, "language": self.language, "lang": self.lang,
            "lang_text": self.lang_text, "url": self.url, "md5": self.md5, "size": self.size,
            "size_text": self.size_text, "type": self.type, "version": self.version,
            "obsolete": self.obsolete,
        }


def _entry(raw: object, where: str) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise CatalogError(translate("Errors", "{file}: an entry is not an object").format(file=where))
    name, url = raw.get("name"), raw.get("url")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(translate("Errors", "{file}: an entry has no name").format(file=where))
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise CatalogError(translate("Errors", "{file}: entry {name}: 'url' is not an http(s) address").format(
            file=where, name=name))
    md5 = raw.get("md5") or ""
    if not isinstance(md5, str) or (md5 and not re.fullmatch(r"[0-9a-fA-F]{32}", md5)):
        raise CatalogError(translate("Errors", "{file}: entry {name}: 'md5' is not an MD5 checksum").format(
            file=where, name=name))
    size = raw.get("size") or 0
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise CatalogError(translate("Errors", "{file}: entry {name}: 'size' is not a number of bytes").format(
            file=where, name=name)) from None
    if size < 0:
        raise CatalogError(translate("Errors", "{file}: entry {name}: 'size' is negative").format(
            file=where, name=name))
    lang = str(raw.get("lang") or "")
    # The published list writes obsolete as the string "true"/"false".
    obsolete = str(raw.get("obsolete", "false")).strip().lower() == "true"
    return CatalogEntry(
        name=name.strip(), language=normalise_language(lang), lang=lang,
        lang_text=str(raw.get("lang_text") or lang), url=url, md5=md5.lower(), size=size,
        size_text=str(raw.get("size_text") or ""), type=str(raw.get("type") or ""),
        version=str(raw.get("version") or ""), obsolete=obsolete,
    )


def parse_catalog(text: str, where: str = CATALOG_FILE) -> list[CatalogEntry]:
    """Entries of a model-list JSON text; CatalogError naming ``where`` if malformed."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise CatalogError(translate(
            "Errors", "{file}: not a JSON file ({detail}); choose Vosk's model-list.json").format(
            file=where, detail=exc)) from None
    if not isinstance(raw, list):
        raise CatalogError(translate(
            "Errors", "{file}: expected a JSON list of models, like Vosk's model-list.json").format(file=where))
    entries = [_entry(item, where) for item in raw]
    if not entries:
        raise CatalogError(translate("Errors", "{file}: the list holds no models").format(file=where))
    return entries


def shipped_catalog_path() -> Path:
    return paths.resources_dir() / CATALOG_FILE


def user_catalog_path() -> Path:
    return paths.data_dir() / CATALOG_FILE


def catalog_path() -> Path:
    """The list in use: the user's refreshed copy when there is one, else the shipped one."""
    user = user_catalog_path()
    return user if user.is_file() else shipped_catalog_path()


def load_catalog() -> list[CatalogEntry]:
    """The published models; an unreadable refreshed copy falls back to the shipped list."""
    user = user_catalog_path()
    if user.is_file():
        try:
            return parse_catalog(user.read_text(encoding="utf-8"), str(user))
        except (OSError, CatalogError):
            pass  # a damaged copy must not hide every model; the shipped list still works
    shipped = shipped_catalog_path()
    try:
        return parse_catalog(shipped.read_text(encoding="utf-8"), str(shipped))
    except OSError as exc:
        raise CatalogError(translate(
            "Errors", "{file}: cannot read the model list ({detail}); reinstall QA Desk").format(
            file=shipped, detail=exc.strerror or exc)) from None


def find_entry(name: str, entries: list[CatalogEntry] | None = None) -> CatalogEntry | None:
    entries = load_catalog() if entries is None else entries
    return next((e for e in entries if e.name == name), None)


def refresh_catalog(file: Path) -> list[CatalogEntry]:
    """Check a newer model-list file and keep a copy of it in the user data folder."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogError(translate(
            "Errors", "{file}: not a UTF-8 JSON file; choose Vosk's model-list.json").format(file=file)) from None
    except OSError as exc:
        raise CatalogError(translate("Errors", "{file}: cannot read it ({detail})").format(
            file=file, detail=exc.strerror or exc)) from None
    entries = parse_catalog(text, str(file))
    target = user_catalog_path()
    # Write then rename: a crash never leaves a half list that would hide the shipped one.
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return entries
