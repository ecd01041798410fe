"""Unpacking a Vosk model zip without trusting it.

A model zip comes from a download or from a colleague's USB stick, so it is checked
before a byte is written: every member must land inside the target folder (no
absolute paths, drive letters or ``..``: "zip slip"), symlinks and other special
members are refused, and the member count, total size and compression ratio are
limited so a zip bomb cannot fill the disk. Sizes are enforced again while writing,
because the sizes in a zip's directory are only claims.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..jobs import JobContext
from ..wording import translate
from .model_errors import InvalidModel

# Archive clutter from macOS and Windows Explorer: never part of a model.
_IGNORED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    # The biggest published Vosk models unpack to a few GB; 16 GiB leaves room.
    max_total_bytes: int = 16 << 30
    max_members: int = 20_000
    # Model files (FSTs, matrices) compress a few times at most. A member that shrank
    # more than this, once it is big enough to matter, is a bomb rather than a model.
    max_ratio: float = 200.0
    ratio_min_bytes: int = 8 << 20


def _member_parts(info: zipfile.ZipInfo, zip_path: Path) -> tuple[str, ...] | None:
    """The safe relative path of a member as parts; None for clutter to skip."""
    # Zips made on Windows may use backslashes; treat them as separators so that
    # "..\\..\\x" cannot slip through as one odd file name.
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise InvalidModel(translate("Errors", "{zip}: refused: member '{member}' has an absolute path").format(
            zip=zip_path, member=info.filename))
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise InvalidModel(translate("Errors", "{zip}: refused: member '{member}' points outside the folder (..)"
                                     ).format(zip=zip_path, member=info.filename))
    if any(p in _IGNORED_PARTS or p.startswith("._") for p in parts):
        return None
    return parts


def _check_kind(info: zipfile.ZipInfo, zip_path: Path) -> None:
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        raise InvalidModel(translate("Errors", "{zip}: refused: member '{member}' is a symbolic link").format(
            zip=zip_path, member=info.filename))
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        raise InvalidModel(translate("Errors", "{zip}: refused: member '{member}' is not a file or folder").format(
            zip=zip_path, member=info.filename))
    if info.flag_bits & 0x1:
        raise InvalidModel(translate(
            "Errors", "{zip}: refused: member '{member}' is encrypted; zip the model again without a password"
        ).format(zip=zip_path, member=info.filename))


def plan_members(zf: zipfile.ZipFile, zip_path: Path, limits: ZipLimits) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """Every member to extract with its safe path; InvalidModel for anything unsafe."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise InvalidModel(translate(
            "Errors", "{zip}: refused: {count} members (a model has far fewer; limit {limit})").format(
            zip=zip_path, count=f"{len(infos):,}", limit=f"{limits.max_members:,}"))
    plan, total = [], 0
    for info in infos:
        _check_kind(info, zip_path)
        parts = _member_parts(info, zip_path)
        if not parts:
            continue
        total += info.file_size
        compressed = max(info.compress_size, 1)
        if info.file_size >= limits.ratio_min_bytes and info.file_size / compressed > limits.max_ratio:
            raise InvalidModel(translate(
                "Errors", "{zip}: refused as a zip bomb: member '{member}' unpacks {ratio} times larger than "
                "it is stored").format(zip=zip_path, member=info.filename, ratio=f"{info.file_size / compressed:,.0f}"))
        plan.append((info, parts))
    if total > limits.max_total_bytes:
        raise InvalidModel(translate("Errors", "{zip}: refused: it unpacks to {size} GiB (limit {limit} GiB)").format(
            zip=zip_path, size=f"{total / (1 << 30):.1f}", limit=f"{limits.max_total_bytes / (1 << 30):.1f}"))
    return plan


def top_folder(plan: list[tuple[zipfile.ZipInfo, tuple[str, ...]]]) -> str | None:
    """The single top-level folder holding everything (Vosk's zips have one), else None."""
    tops = {parts[0] for _, parts in plan}
    if len(tops) != 1:
        return None
    top = next(iter(tops))
    # A file at the root (rather than a folder of that name) means no wrapping folder.
    if any(len(parts) == 1 and not (info.is_dir() or info.filename.endswith("\\")) for info, parts in plan):
        return None
    return top


def open_zip(zip_path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise InvalidModel(translate("Errors", "{zip}: the file does not exist").format(zip=zip_path)) from None
    except zipfile.BadZipFile as exc:
        raise InvalidModel(translate(
            "Errors", "{zip}: not a zip file ({detail}); the download may be incomplete: download the model again"
        ).format(zip=zip_path, detail=exc)) from None
    except OSError as exc:
        raise InvalidModel(translate("Errors", "{zip}: cannot read it ({detail})").format(
            zip=zip_path, detail=exc.strerror or exc)) from None


def zip_model_name(zip_path: Path, limits: ZipLimits = ZipLimits()) -> str:
    """The name the model in a zip will get: its top folder, else the zip's own name."""
    with open_zip(zip_path) as zf:
        return top_folder(plan_members(zf, zip_path, limits)) or Path(zip_path).stem


def extract_model_zip(
    zip_path: Path, dest: Path, *, ctx: JobContext | None = None, limits: ZipLimits = ZipLimits()
) -> Path:
    """Unpack ``zip_path`` into the empty folder ``dest``; the folder holding the model.

    That is ``dest/<top folder>`` for Vosk's usual zips, ``dest`` itself when the model
    files sit at the zip's root. The caller owns ``dest`` and removes it on failure.
    """
    zip_path, dest = Path(zip_path), Path(dest)
    root = dest.resolve()
    with open_zip(zip_path) as zf:
        plan = plan_members(zf, zip_path, limits)
        total = sum(info.file_size for info, _ in plan)
        free = shutil.disk_usage(dest).free
        if total > free:
            raise InvalidModel(translate(
                "Errors", "{zip}: needs {needed} MiB to unpack but only {free} MiB are free in {folder}; "
                "free some disk space and try again").format(
                zip=zip_path, needed=f"{total / (1 << 20):,.0f}", free=f"{free / (1 << 20):,.0f}", folder=dest))
        done = 0
        if ctx:
            ctx.progress(0, total)
        for info, parts in plan:
            target = dest.joinpath(*parts)
            # Belt and braces after the name checks: the resolved path must stay inside.
            if not target.resolve().is_relative_to(root):
                raise InvalidModel(translate("Errors", "{zip}: refused: member '{member}' points outside the folder"
                                             ).format(zip=zip_path, member=info.filename))
            try:
                if info.is_dir() or info.filename.endswith("\\"):  # a Windows-made folder entry
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidModel(translate("Errors", "{zip}: cannot unpack '{member}' ({detail})").format(
                    zip=zip_path, member=info.filename, detail=exc.strerror or exc)) from None
            done += _extract_member(zf, info, target, zip_path, ctx, done, total)
        if ctx:
            ctx.progress(total, total)
        top = top_folder(plan)
    return dest / top if top else dest


def _extract_member(zf, info, target: Path, zip_path: Path, ctx, done: int, total: int) -> int:
    written = 0
    try:
        with zf.open(info) as src, open(target, "wb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > info.file_size:  # zipfile caps at the claimed size; never trust it
                    raise InvalidModel(translate(
                        "Errors", "{zip}: refused: member '{member}' is larger than it claims").format(
                        zip=zip_path, member=info.filename))
                out.write(chunk)
                if ctx:
                    ctx.check_cancelled()
                    ctx.progress(done + written, total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise InvalidModel(translate(
            "Errors", "{zip}: member '{member}' is damaged ({detail}); download the model again").format(
            zip=zip_path, member=info.filename, detail=exc)) from None
    except OSError as exc:
        raise InvalidModel(translate("Errors", "{zip}: cannot write {file} ({detail})").format(
            zip=zip_path, file=target.name, detail=exc.strerror or exc)) from None
    return written
