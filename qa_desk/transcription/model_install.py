"""Installing speech models into QA Desk's models folder: from a folder, a zip, a URL or
the published list.

Every install builds the model in a temporary folder inside the models folder and
renames it into place only once it is complete and valid, so a failed, cancelled or
crashed install leaves no half model behind (and the rename stays on one disk). The
copy gets dither turned off (see ``model_views``) and a ``qa-desk-model.json`` that
keeps its language, origin and checksum even if it is installed under another name.

Jobs report their phase through ``ctx.status`` as one of the PHASE_* keys, which the
CLI and the window turn into their own words.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from ..jobs import JobContext
from ..wording import translate
from .catalog import CatalogEntry, find_entry, load_catalog
from .download import Progress, download, download_path_for, file_md5, part_path
from .model_errors import CatalogError, InvalidModel, ModelExists, UnknownModel, UsageError
from .model_views import set_dither_off
from .model_zip import ZipLimits, extract_model_zip, zip_model_name
from .speech_models import (
    LOCATION_INSTALLED, METADATA_FILE, SpeechModel, clean_leftovers, language_from_name,
    list_models, models_dir, read_metadata, validate_model_dir,
)

PHASE_DOWNLOAD, PHASE_VERIFY, PHASE_UNPACK, PHASE_COPY = "download", "verify", "unpack", "copy"


def check_name(name: str) -> str:
    """A model name becomes a folder name: refuse anything that is not one plain name."""
    name = name.strip()
    if (
        not name or name in (".", "..") or name.startswith(".") or len(name) > 200
        or any(ch in name for ch in '/\\:*?"<>|') or any(ord(ch) < 32 for ch in name)
    ):
        raise UsageError(translate("Errors", "'{name}' cannot be a model name: use letters, digits, '-', '_' and '.'"
                                   ).format(name=name))
    return name


def _ensure_free(name: str, replace: bool) -> None:
    if (models_dir() / name).exists() and not replace:
        raise _exists(name)


def _exists(name: str) -> ModelExists:
    return ModelExists(translate(
        "Errors", "a model named '{name}' is already installed; ask to replace it, or choose another name").format(
        name=name))


def _not_a_model(shown, missing: list[str]) -> InvalidModel:
    return InvalidModel(translate(
        "Errors", "{source}: not a Vosk model: missing {files}; choose the folder that holds am, conf and graph"
    ).format(source=shown, files=", ".join(missing)))


def _language(original: str, name: str, meta: dict, catalog) -> str:
    if isinstance(meta.get("language"), str) and meta["language"] not in ("", "unknown"):
        return meta["language"]
    for candidate in (original, name):
        language = language_from_name(candidate, catalog)
        if language != "unknown":
            return language
    return "unknown"


def _finish(staged: Path, name: str, *, original: str, source: str, md5: str, replace: bool, shown: str) -> SpeechModel:
    """Validate, patch and rename a staged model folder into place."""
    missing = validate_model_dir(staged)
    if missing:
        raise _not_a_model(shown, missing)
    try:
        catalog = load_catalog()
    except CatalogError:
        catalog = []
    meta = read_metadata(staged)
    set_dither_off(staged)
    record = {
        "name": name,
        "language": _language(original, name, meta, catalog),
        "source": source,
        "md5": md5,
        "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (staged / METADATA_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    target = models_dir() / name
    old = None
    if target.exists():
        if not replace:
            raise _exists(name)
        old = target.with_name(f".removing-{uuid.uuid4().hex}")
        os.rename(target, old)
    try:
        os.rename(staged, target)
    except OSError as exc:
        if old is not None:
            os.rename(old, target)  # put the previous copy back
        raise InvalidModel(translate("Errors", "{source}: cannot move the model into {folder} ({detail})").format(
            source=shown, folder=target, detail=exc.strerror or exc)) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return next(m for m in list_models() if m.location == LOCATION_INSTALLED and m.name == name)


class _Staging:
    """A temporary folder inside the models folder, removed whatever happens."""

    def __enter__(self) -> Path:
        clean_leftovers()
        self.path = Path(tempfile.mkdtemp(prefix=".installing-", dir=models_dir()))
        return self.path

    def __exit__(self, *exc) -> None:
        # Also on KeyboardInterrupt: Ctrl-C in the CLI must leave nothing behind.
        shutil.rmtree(self.path, ignore_errors=True)


def install_from_folder(
    folder: Path, *, name: str | None = None, replace: bool = False, ctx: JobContext | None = None
) -> SpeechModel:
    """Copy a model folder into the models folder."""
    folder = Path(folder).expanduser().absolute()
    if not folder.is_dir():
        raise UsageError(translate("Errors", "{folder}: no such folder").format(folder=folder))
    missing = validate_model_dir(folder)
    if missing:
        raise _not_a_model(folder, missing)
    name = check_name(name or folder.name)
    if folder.resolve() == (models_dir() / name).resolve():
        raise ModelExists(translate("Errors", "{folder} is already installed as '{name}'").format(
            folder=folder, name=name))
    _ensure_free(name, replace)
    total = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    copied = 0

    def copy(src: str, dst: str) -> None:
        nonlocal copied
        if ctx:
            ctx.check_cancelled()
        shutil.copy2(src, dst)
        copied += os.path.getsize(dst)
        if ctx:
            ctx.progress(copied, total)

    if ctx:
        ctx.status(PHASE_COPY)
    with _Staging() as staging:
        staged = staging / "model"
        try:
            shutil.copytree(folder, staged, copy_function=copy)
        except shutil.Error as exc:  # one entry per file that failed: show the first
            first = exc.args[0][0] if exc.args and isinstance(exc.args[0], list) and exc.args[0] else None
            detail = f"{first[0]}: {first[2]}" if first else str(exc)
            raise InvalidModel(translate("Errors", "{folder}: cannot copy it ({detail})").format(
                folder=folder, detail=detail)) from None
        except OSError as exc:
            raise InvalidModel(translate("Errors", "{folder}: cannot copy it ({detail})").format(
                folder=folder, detail=exc.strerror or exc)) from None
        return _finish(staged, name, original=folder.name, source=str(folder), md5="", replace=replace, shown=str(folder))


def install_from_zip(
    zip_path: Path,
    *,
    name: str | None = None,
    replace: bool = False,
    ctx: JobContext | None = None,
    source: str | None = None,
    md5: str | None = None,
    original: str | None = None,
    limits: ZipLimits = ZipLimits(),
) -> SpeechModel:
    """Unpack a Vosk model zip into the models folder (safely: see ``model_zip``)."""
    zip_path = Path(zip_path).expanduser().absolute()
    if not zip_path.is_file():
        raise UsageError(translate("Errors", "{file}: no such file").format(file=zip_path))
    inner = zip_model_name(zip_path, limits)
    name = check_name(name or inner)
    _ensure_free(name, replace)
    if md5 is None:
        if ctx:
            ctx.status(PHASE_VERIFY)
        md5 = file_md5(zip_path, ctx)
    if ctx:
        ctx.status(PHASE_UNPACK)
    with _Staging() as staging:
        (staging / "unpacked").mkdir()
        root = extract_model_zip(zip_path, staging / "unpacked", ctx=ctx, limits=limits)
        return _finish(
            root, name, original=original or inner, source=source or str(zip_path), md5=md5,
            replace=replace, shown=source or str(zip_path),
        )


def install_from_url(
    url: str,
    *,
    name: str | None = None,
    replace: bool = False,
    ctx: JobContext | None = None,
    progress: Progress | None = None,
    entry: CatalogEntry | None = None,
    retries: int = 2,
) -> SpeechModel:
    """Download a model zip (resumable; checked against the published list) and install it."""
    if urlparse(url).scheme not in ("http", "https"):
        raise UsageError(translate("Errors", "{url}: not an http:// or https:// address").format(url=url))
    if entry is None:
        try:
            entry = next((e for e in load_catalog() if e.url == url), None)
        except CatalogError:
            entry = None
    if name or entry:
        # Before downloading 2 GB for nothing. (Without either, the name comes from
        # the zip's folder and is checked once the zip is here.)
        _ensure_free(check_name(name or entry.name), replace)
    dest = download_path_for(url)
    if dest.exists():
        # Finished earlier (the install after it failed or was refused): re-check it
        # through the resume path rather than downloading it again.
        os.replace(dest, part_path(dest))
    if ctx:
        ctx.status(PHASE_DOWNLOAD)
    md5 = download(
        url, dest, expected_size=entry.size if entry else 0, expected_md5=entry.md5 if entry else "",
        ctx=ctx, progress=progress, retries=retries,
    )
    try:
        model = install_from_zip(
            dest, name=name or (entry.name if entry else None), replace=replace, ctx=ctx,
            source=url, md5=md5, original=entry.name if entry else None,
        )
    except InvalidModel:
        dest.unlink(missing_ok=True)  # complete and checked, yet not a model: never useful
        raise
    dest.unlink(missing_ok=True)  # the zip is only a vehicle; the model is what stays
    return model


def install_from_catalog(
    model_name: str, *, name: str | None = None, replace: bool = False,
    ctx: JobContext | None = None, progress: Progress | None = None, retries: int = 2,
) -> SpeechModel:
    """Download and install a published model by its catalogue name."""
    entry = find_entry(model_name)
    if entry is None:
        raise UnknownModel(translate(
            "Errors", "'{model}' is not in the published model list; check the name, or update the model list"
        ).format(model=model_name))
    return install_from_url(
        entry.url, name=name, replace=replace, ctx=ctx, progress=progress, entry=entry, retries=retries
    )


def source_kind(source: str) -> str:
    """"url", "zip", "folder" or "catalog"; UsageError when it is none of them."""
    if urlparse(source).scheme in ("http", "https"):
        return "url"
    path = Path(source).expanduser()
    if path.is_dir():
        return "folder"
    if path.is_file():
        return "zip"
    try:
        if find_entry(source) is not None:
            return "catalog"
    except CatalogError:
        pass
    if source.lower().endswith(".zip") or "/" in source or os.sep in source:
        raise UsageError(translate("Errors", "{source}: no such file or folder").format(source=source))
    raise UsageError(translate(
        "Errors", "'{source}' is not a model folder, a .zip file, an http(s) address or a name in the published "
        "model list").format(source=source))


def install_name(source: str, name: str | None = None) -> str:
    """The name an install of ``source`` will use (to ask about replacing first)."""
    if name:
        return check_name(name)
    kind = source_kind(source)
    if kind == "folder":
        return check_name(Path(source).expanduser().absolute().name)
    if kind == "zip":
        return check_name(zip_model_name(Path(source).expanduser()))
    if kind == "catalog":
        return check_name(source)
    entry = next((e for e in load_catalog() if e.url == source), None)
    return check_name(entry.name if entry else Path(urlparse(source).path).stem)


def install(
    source: str, *, name: str | None = None, replace: bool = False,
    ctx: JobContext | None = None, progress: Progress | None = None,
) -> SpeechModel:
    """Install from a folder, a .zip, an http(s) URL or a published model's name."""
    kind = source_kind(source)
    if kind == "url":
        return install_from_url(source, name=name, replace=replace, ctx=ctx, progress=progress)
    if kind == "catalog":
        return install_from_catalog(source, name=name, replace=replace, ctx=ctx, progress=progress)
    if kind == "folder":
        return install_from_folder(Path(source), name=name, replace=replace, ctx=ctx)
    return install_from_zip(Path(source), name=name, replace=replace, ctx=ctx)
