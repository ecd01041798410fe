"""`qa-desk models …`: the speech models, without the window.

A site installs models on a fleet of offline PCs from a shared folder or zip, or
downloads them once on a connected machine; scripts check the exit codes:
  0 ok · 1 failed (download, checksum, not a model; the message names the file or URL
  and the problem) · 2 usage (unknown model name, bad source, name taken) ·
  130 interrupted (Ctrl-C; a partial download is kept and resumed next time).

``qa_desk.cli`` wires this in with ``add_models_parser(sub)`` and ``run_models(args, settings)``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from .jobs import Cancelled, JobContext
from .settings import Settings
from .wording import QT_TRANSLATE_NOOP, choose, translate, word

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Where a model was found, in words (the --json keeps the codes; VOSK_MODEL_PATH is a name).
_LOCATIONS = {"installed": QT_TRANSLATE_NOOP("CLI", "installed"), "folder": QT_TRANSLATE_NOOP("CLI", "folder")}
_PHASES = {"download": QT_TRANSLATE_NOOP("CLI", "Downloading"), "verify": QT_TRANSLATE_NOOP("CLI", "Checking"),
           "unpack": QT_TRANSLATE_NOOP("CLI", "Unpacking"), "copy": QT_TRANSLATE_NOOP("CLI", "Copying")}


def add_models_parser(sub) -> argparse.ArgumentParser:
    """Add the `models` command to qa-desk's subparsers."""
    models = sub.add_parser(
        "models", help=translate("CLI", "speech models for offline transcription (list, install, remove, …)"))
    msub = models.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    as_json = translate("CLI", "print the list as JSON")
    model_name = translate("CLI", "the model's name (as `qa-desk models list` shows it)")

    listing = msub.add_parser(
        "list", help=translate("CLI", "installed and found models, with language, size and default"))
    listing.add_argument("--json", action="store_true", help=as_json)

    install = msub.add_parser("install", help=translate(
        "CLI", "install a model from a folder, a .zip, an http(s) URL or a published model's name"))
    install.add_argument("source", metavar="SOURCE",
                         help=translate("CLI", "folder, .zip, URL, or e.g. vosk-model-small-cn-0.22"))
    install.add_argument("--name", metavar="NAME",
                         help=translate("CLI", "install under this name (default: the model's own)"))
    install.add_argument("--replace", action="store_true",
                         help=translate("CLI", "replace an installed model of the same name"))

    remove = msub.add_parser("remove", help=translate("CLI", "remove a model installed by QA Desk"))
    remove.add_argument("name", metavar="NAME", help=model_name)

    default = msub.add_parser("default", help=translate("CLI", "make a model the default for its language"))
    default.add_argument("name", metavar="NAME", help=model_name)

    catalog = msub.add_parser(
        "catalog", help=translate("CLI", "the published Vosk models, with size and whether installed"))
    catalog.add_argument("--json", action="store_true", help=as_json)
    csub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION")
    refresh = csub.add_parser("refresh", help=translate("CLI", "use a newer copy of Vosk's model-list.json"))
    refresh.add_argument("file", type=Path, metavar="FILE", help=translate("CLI", "the model-list.json to use"))
    return models


def run_models(args: argparse.Namespace, settings: Settings) -> int:
    from .transcription.model_errors import ModelError, UsageError

    try:
        return _COMMANDS[args.models_command](args, settings)
    except UsageError as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelError as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # e.g. the settings file cannot be written
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, Cancelled):
        print("\nqa-desk: " + translate("CLI", "interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


# --- list / default / remove -------------------------------------------------------------

def _list(args, settings: Settings) -> int:
    from .transcription import speech_models as sm

    models = sm.list_models(settings)
    defaults = {id(m) for m in sm.default_models(settings, models).values()}
    if args.json:
        data = {
            "models_dir": str(sm.models_dir()),
            "models": [{**m.as_dict(), "default": id(m) in defaults} for m in models],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not models:
        print(translate("CLI", "No speech models found. Install one, e.g.: "
                        "qa-desk models install vosk-model-small-cn-0.22"))
        print(translate("CLI", "Models folder: {folder}").format(folder=sm.models_dir()))
        return EXIT_OK
    yes = translate("CLI", "yes")
    rows = [
        (m.name, m.language, sm.format_size(m.size_bytes), yes if id(m) in defaults else "",
         word("CLI", _LOCATIONS, m.location), str(m.path))
        for m in models
    ]
    print(_table((translate("CLI", "Name"), translate("CLI", "Language"), translate("CLI", "Size"),
                  translate("CLI", "Default"), translate("CLI", "Location"), translate("CLI", "Path")), rows))
    print(choose(len(models), translate("CLI", "1 model; models folder: {folder}"),
                 translate("CLI", "{n} models; models folder: {folder}")).format(n=len(models), folder=sm.models_dir()))
    return EXIT_OK


def _default(args, settings: Settings) -> int:
    from .transcription.speech_models import set_default

    model = set_default(args.name, settings)
    settings.save()
    print(translate("CLI", "{name} is now the default model for {language}").format(
        name=model.name, language=model.language))
    return EXIT_OK


def _remove(args, settings: Settings) -> int:
    from .transcription.speech_models import remove_model

    before = dict(settings.default_models)
    path = remove_model(args.name, settings)
    if settings.default_models != before:
        settings.save()
    print(translate("CLI", "Removed {name} ({path})").format(name=args.name, path=path))
    return EXIT_OK


# --- install -------------------------------------------------------------------------------

class ProgressBar:
    """One line on stderr, redrawn in place: what is happening, how far, how much."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.width = width
        self.phase_key = ""  # download, verify, unpack, copy (the install's phases)
        self.label = translate("CLI", "Working")
        self._drawn = False
        self._started = time.monotonic()

    def phase(self, key: str) -> None:
        self.phase_key = key
        self.label = word("CLI", _PHASES, key)
        self._started = time.monotonic()

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        from .cli import _pad
        from .transcription.speech_models import format_size

        label = _pad(self.label, 11)
        if total > 0:
            filled = int(self.width * min(done, total) / total)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"{label} [{bar}] {100 * done / total:5.1f}%  {format_size(done)} / {format_size(total)}"
        else:
            text = f"{label} {format_size(done)}"
        elapsed = time.monotonic() - self._started
        if self.phase_key == "download" and elapsed > 1 and done:
            text += f"  {format_size(int(done / elapsed))}/s"
        print("\r" + _pad(text, 78), end="", file=self.stream, flush=True)
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            print(file=self.stream, flush=True)
            self._drawn = False


def _install(args, settings: Settings) -> int:
    from .transcription import speech_models as sm
    from .transcription.model_install import install

    bar = ProgressBar()
    ctx = JobContext(on_status=bar.phase, on_progress=bar.update, min_interval=0.1)
    try:
        model = install(args.source, name=args.name, replace=args.replace, ctx=ctx)
    except (KeyboardInterrupt, Cancelled):
        bar.close()
        if bar.phase_key == "download":
            print("qa-desk: " + translate("CLI", "download stopped; the part already downloaded is kept and "
                                          "the same install command resumes it"), file=sys.stderr)
        raise
    finally:
        bar.close()
    print(translate("CLI", "Installed {name} ({language}, {size}) in {path}").format(
        name=model.name, language=model.language, size=sm.format_size(model.size_bytes), path=model.path))
    default = sm.default_model(model.language, settings)
    if default is not None and default.path == model.path:
        print(translate("CLI", "It is the default model for {language}.").format(language=model.language))
    elif model.language != "unknown":
        print(translate("CLI", "To transcribe {language} calls with it: qa-desk models default {name}").format(
            language=model.language, name=model.name))
    return EXIT_OK


# --- catalog -------------------------------------------------------------------------------

def _catalog(args, settings: Settings) -> int:
    from .transcription import catalog as cat
    from .transcription import speech_models as sm
    from .transcription.model_errors import UsageError

    if args.catalog_command == "refresh":
        if not args.file.is_file():
            raise UsageError(translate("CLI", "{path}: no such file").format(path=args.file))
        entries = cat.refresh_catalog(args.file)
        print(translate("CLI", "Model list updated from {file}: {count} models (kept in {kept})").format(
            file=args.file, count=len(entries), kept=cat.user_catalog_path()))
        return EXIT_OK
    entries = cat.load_catalog()
    installed = {m.name for m in sm.list_models(settings)}
    if args.json:
        data = {
            "source": str(cat.catalog_path()),
            "models": [{**e.as_dict(), "installed": e.name in installed} for e in entries],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    yes, obsolete = translate("CLI", "yes"), translate("CLI", " (obsolete)")
    rows = [  # the type is Vosk's (small, big, …)
        (e.name, f"{e.language} ({e.lang_text})", e.size_text or (sm.format_size(e.size) if e.size else "?"),
         e.type + (obsolete if e.obsolete else ""), yes if e.name in installed else "")
        for e in entries
    ]
    print(_table((translate("CLI", "Name"), translate("CLI", "Language"), translate("CLI", "Size"),
                  translate("CLI", "Type"), translate("CLI", "Installed")), rows))
    print(translate("CLI", "{count} published models (list: {file})").format(count=len(entries), file=cat.catalog_path()))
    return EXIT_OK


_COMMANDS = {"list": _list, "install": _install, "remove": _remove, "default": _default, "catalog": _catalog}


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    # One table layout for every command, wide characters counted.
    from .cli import _table as table

    return table(header, [tuple(str(c) for c in row) for row in rows])
