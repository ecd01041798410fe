"""Reproducible transcripts: every model the engine loads has Kaldi's dither turned off.

Kaldi adds a little random noise to the audio features by default ("dither"), so the
same call gives a slightly different transcript on every run; a reviewer who
re-transcribes a disputed call must get the same words, times and confidences back.
``--dither=0`` in the model's ``conf/mfcc.conf`` makes runs identical (measured on
Vosk 0.3.45).

Our own installed copies get that line written at install time. Models that are not
ours to edit (VOSK_MODEL_PATH, a folder the user added, a read-only package) get a
"deterministic view" instead: a folder in the cache that mirrors the model with
symlinks to every file except a patched ``conf/mfcc.conf``. The view notes the
source's file sizes and times and is rebuilt when they change.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from pathlib import Path

from .. import paths

MFCC_CONF = Path("conf") / "mfcc.conf"
DITHER_OFF = "--dither=0"
VIEW_STAMP = ".qa-desk-view.json"
_DITHER_LINE = re.compile(r"^\s*--dither\s*=\s*(\S*)\s*$")


def dither_off_text(text: str) -> str:
    """``mfcc.conf`` text with any --dither line replaced by ``--dither=0``."""
    lines = [line for line in text.splitlines() if not _DITHER_LINE.match(line)]
    lines.append(DITHER_OFF)
    return "\n".join(lines) + "\n"


def has_dither_off(model_dir: Path) -> bool:
    """True when the model's features are computed without dither (Kaldi's default is 1)."""
    try:
        text = (Path(model_dir) / MFCC_CONF).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    value = None
    for line in text.splitlines():  # Kaldi takes the last occurrence of an option
        match = _DITHER_LINE.match(line)
        if match:
            value = match.group(1)
    try:
        return value is not None and float(value) == 0.0
    except ValueError:
        return False


def set_dither_off(model_dir: Path) -> None:
    """Patch the model's own ``conf/mfcc.conf`` (only for copies that are ours)."""
    conf = Path(model_dir) / MFCC_CONF
    text = conf.read_text(encoding="utf-8", errors="replace") if conf.exists() else ""
    tmp = conf.with_name(conf.name + ".tmp")
    tmp.write_text(dither_off_text(text), encoding="utf-8")
    os.replace(tmp, conf)


def views_dir() -> Path:
    return paths.cache_dir() / "model-views"


def view_dir_for(model_dir: Path) -> Path:
    key = hashlib.sha1(os.fsencode(Path(model_dir).resolve())).hexdigest()[:16]
    return views_dir() / key


def _fingerprint(model_dir: Path) -> str:
    """Changes when any file of the model is added, removed, resized or rewritten."""
    digest = hashlib.sha1()
    for folder, dirs, files in os.walk(model_dir, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            try:
                st = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(model_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _read_stamp(view: Path) -> dict:
    try:
        data = json.loads((view / VIEW_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _link(source: Path, target: Path) -> None:
    # Symlinks where the system allows them; Windows without developer mode does not,
    # so fall back to hard links (same volume) and finally to a copy.
    try:
        os.symlink(source, target)
        return
    except (OSError, NotImplementedError):
        pass
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _build_view(model_dir: Path, target: Path, fingerprint: str) -> None:
    for folder, dirs, files in os.walk(model_dir, followlinks=True):
        rel = Path(folder).relative_to(model_dir)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if rel / name == MFCC_CONF:
                continue
            _link(Path(folder, name), target / rel / name)
    source_conf = model_dir / MFCC_CONF
    text = source_conf.read_text(encoding="utf-8", errors="replace") if source_conf.exists() else ""
    (target / MFCC_CONF).parent.mkdir(parents=True, exist_ok=True)
    (target / MFCC_CONF).write_text(dither_off_text(text), encoding="utf-8")
    stamp = {"source": str(model_dir), "fingerprint": fingerprint}
    (target / VIEW_STAMP).write_text(json.dumps(stamp, ensure_ascii=False), encoding="utf-8")


def deterministic_view(model_dir: Path) -> Path:
    """The dither-off view of a model folder, built or rebuilt as needed."""
    model_dir = Path(model_dir).absolute()
    target = view_dir_for(model_dir)
    fingerprint = _fingerprint(model_dir)
    if _read_stamp(target).get("fingerprint") == fingerprint:
        return target
    views = views_dir()
    views.mkdir(parents=True, exist_ok=True)
    # Build aside and rename into place: a worker process loading the model meanwhile
    # sees the old view or the new one, never half of one.
    building = views / f".building-{uuid.uuid4().hex}"
    try:
        _build_view(model_dir, building, fingerprint)
        if target.exists():
            old = views / f".old-{uuid.uuid4().hex}"
            try:
                os.rename(target, old)
            except OSError:
                pass  # another process is replacing it right now
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.rename(building, target)
        except OSError:
            # Another process put its view there first; fine if it is the current one.
            if _read_stamp(target).get("fingerprint") != fingerprint:
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def loadable_path(model) -> Path:
    """The folder the engine passes to ``vosk.Model(...)``: the model itself when its
    dither is already off, else its deterministic view. ``model`` is a SpeechModel or
    a path to a model folder."""
    path = Path(getattr(model, "path", model))
    if has_dither_off(path):
        return path
    return deterministic_view(path)
