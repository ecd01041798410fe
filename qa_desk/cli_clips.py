"""`qa-desk clips`: the training library without a window.

  qa-desk clips list [--text T] [--tag T]… [--kind K] [--agent A] [--team T] [--limit N] [--json]
  qa-desk clips playlists [--json]
  qa-desk clips export CLIP_ID… | --playlist ID  -o TARGET [--format wav|flac|mp3] [--zip]
                       [--no-anonymise] [--silence] [--overwrite] [--language en|zh] [--json]

An export writes NN-title audio, TXT and SRT per clip (an index.html and index.xlsx
too for a playlist or several clips) into a new folder, or one zip with --zip.
Anonymised unless --no-anonymise: the agent's name becomes a label and numbers a
caller reads out are masked in the text and beeped (or with --silence, silenced) in
the audio. Exit codes: 0 done · 1 some clips failed (the rest were exported; each
failure is named) or nothing could be written · 2 usage (no such clip or playlist,
a target that exists, a format this installation cannot write) · 3 the database
cannot be used · 130 interrupted (nothing half-written is left).
"""

from __future__ import annotations

import argparse
import json
import locale
import sys
from pathlib import Path

from .cli_progress import CountProgress
from .cli_transcripts import EXIT_OK, EXIT_USAGE, _fail, on_database
from .wording import choose, translate

EXIT_FAILED = 1
KINDS = ("good", "needs_improvement", "other")


def _clip_id(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(translate(
            "CLI", "'{text}' is not a clip id (a whole number; 'qa-desk clips list' shows them)").format(text=text))
    return int(text)


def add_clips_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser("clips", help=translate("CLI", "the training library: list clips and playlists, export them"))
    actions = parser.add_subparsers(dest="clips_command", metavar="ACTION", required=True)
    found = actions.add_parser("list", help=translate("CLI", "clips, newest first, with their ids"))
    found.add_argument("--text", metavar="T", help=translate("CLI", "text in the title, notes, tags, agent or transcript"))
    found.add_argument("--tag", action="append", default=[], metavar="T",
                       help=translate("CLI", "clips with this tag; repeatable"))
    found.add_argument("--kind", choices=KINDS, help=translate("CLI", "clips of this kind"))
    found.add_argument("--agent", metavar="A", help=translate("CLI", "the agent's name"))
    found.add_argument("--team", metavar="T", help=translate("CLI", "the team's name"))
    found.add_argument("--limit", type=int, default=0, metavar="N", help=translate("CLI", "at most N (default: all)"))
    found.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))
    lists = actions.add_parser("playlists", help=translate("CLI", "playlists with their ids, clips and length"))
    lists.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))
    export = actions.add_parser(
        "export", help=translate("CLI", "clips' audio and transcript excerpts (and a playlist's index) into a folder or zip"),
        description=translate("CLI", "Export clips or a playlist: audio, TXT and SRT per clip, index.html and index.xlsx "
                                     "for a playlist or several clips. Anonymised unless --no-anonymise."),
    )
    export.add_argument("clips", nargs="*", type=_clip_id, metavar="CLIP_ID")
    export.add_argument("--playlist", type=_clip_id, metavar="ID", help=translate("CLI", "export this playlist, in its order"))
    export.add_argument("-o", "--output", required=True, type=Path, metavar="TARGET",
                        help=translate("CLI", "a new folder (or FILE.zip with --zip)"))
    export.add_argument("--format", default="wav", choices=("wav", "flac", "mp3"),
                        help=translate("CLI", "audio format (default wav)"))
    export.add_argument("--zip", action="store_true", help=translate("CLI", "one zip file instead of a folder"))
    export.add_argument("--no-anonymise", dest="anonymise", action="store_false",
                        help=translate("CLI", "keep the agent's name and the numbers said (anonymised by default)"))
    export.add_argument("--silence", action="store_true",
                        help=translate("CLI", "silence hidden numbers instead of beeping them"))
    export.add_argument("--overwrite", action="store_true", help=translate("CLI", "replace an existing folder or zip"))
    export.add_argument("--language", choices=("en", "zh"),
                        help=translate("CLI", "language of the labels (default: the setting)"))
    export.add_argument("--json", action="store_true", help=translate("CLI", "print the report as JSON"))
    return parser


def run_clips(args: argparse.Namespace, url: str, settings=None) -> int:
    """Run `qa-desk clips …` against the database at ``url``; the exit code."""
    if args.clips_command == "list":
        if args.limit < 0:
            return _fail(translate("CLI", "--limit must be 0 or more"), EXIT_USAGE)
        return on_database(url, lambda db: _list(db, args))
    if args.clips_command == "playlists":
        return on_database(url, lambda db: _playlists(db, args.json))
    if bool(args.clips) == (args.playlist is not None):
        return _fail(translate("CLI", "give clip ids or --playlist ID (one or the other)"), EXIT_USAGE)
    return on_database(url, lambda db: _export(db, args, export_language(args.language, settings), settings))


def export_language(chosen: str | None, settings=None) -> str:
    """--language, else the setting, else the system's: exports for a Chinese centre speak Chinese."""
    name = chosen or getattr(settings, "language", "") or (locale.getlocale()[0] or "")
    return "zh" if name.lower().startswith("zh") else "en"


def _list(db, args) -> int:
    from .cli import _table
    from .store.clips import find_clips

    with db.session() as session:
        clips = find_clips(session, text=args.text, tags=args.tag, kind=args.kind, agent=args.agent,
                           team=args.team, limit=args.limit or None)
    if args.json:
        print(json.dumps([{
            "id": c.id, "title": c.title, "kind": c.kind, "tags": list(c.tags), "notes": c.notes,
            "call_id": c.call_id, "call_started_at": c.call_started_at.isoformat() if c.call_started_at else None,
            "start": round(c.start, 3), "end": round(c.end, 3), "agent": c.agent_name, "team": c.team_name,
            "author": c.author, "created_at": c.created_at.isoformat(),
        } for c in clips], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not clips:
        print(translate("CLI", "No clips match."))
        return EXIT_OK
    print(_table(
        (translate("CLI", "id"), translate("CLI", "title"), translate("CLI", "kind"), translate("CLI", "tags"),
         translate("CLI", "agent"), translate("CLI", "team"), translate("CLI", "call date"), translate("CLI", "span"),
         translate("CLI", "s")),
        [(str(c.id), _short(c.title), c.kind, ", ".join(c.tags), c.agent_name or "", c.team_name or "",
          c.call_started_at.strftime("%Y-%m-%d %H:%M") if c.call_started_at else "",
          f"{_clock(c.start)}–{_clock(c.end)}", f"{c.duration:.1f}") for c in clips],
    ))
    print(choose(len(clips), translate("CLI", "{count} clip"), translate("CLI", "{count} clips")).format(
        count=len(clips)))
    return EXIT_OK


def _playlists(db, as_json: bool) -> int:
    from .cli import _table
    from .store.playlists import list_playlists

    with db.session() as session:
        rows = list_playlists(session)
    if as_json:
        print(json.dumps([{"id": p.id, "name": p.name, "clips": p.clips, "duration": round(p.duration, 1),
                           "updated_at": p.updated_at.isoformat()} for p in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print(translate("CLI", "No playlists yet."))
        return EXIT_OK
    print(_table((translate("CLI", "id"), translate("CLI", "name"), translate("CLI", "clips"), translate("CLI", "length")),
                 [(str(p.id), _short(p.name), str(p.clips), _clock(p.duration)) for p in rows]))
    return EXIT_OK


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _export(db, args, language: str, settings=None) -> int:
    from .cli_user import cli_actor
    from .jobs import JobContext
    from .settings import Settings
    from .reports.clip_export import ClipExportError, ExportSetupError, export_clips, export_playlist
    from .reports.clip_files import words_for
    from .store.clips import ClipError, get_clip

    if args.clips:  # an id that names nothing is a typo: say so before writing anything
        with db.session() as session:
            for clip_id in args.clips:
                try:
                    get_clip(session, clip_id)
                except ClipError as exc:
                    return _fail(translate("CLI", "{problem}; 'qa-desk clips list' shows the clips").format(
                        problem=str(exc).rstrip(".。")), EXIT_USAGE)
    with db.session() as session:
        actor = cli_actor(session, args, settings or Settings())
    progress = CountProgress(translate("CLI", "clips"), json_output=args.json)
    options = dict(actor=actor, audio_format=args.format, anonymise=args.anonymise, hide_with="silence" if args.silence else "beep",
                   as_zip=args.zip, overwrite=args.overwrite, language=language,
                   ctx=JobContext(on_progress=progress, min_interval=0.2))
    try:
        with progress:
            if args.playlist is not None:
                report = export_playlist(db, args.playlist, args.output, **options)
            else:
                title = words_for(language)["selected_clips"] if len(set(args.clips)) > 1 else None
                report = export_clips(db, args.clips, args.output, index_title=title, **options)
    except ExportSetupError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ClipExportError as exc:
        for failure in exc.failures:
            print(f"qa-desk: {failure}", file=sys.stderr)
        return _fail(str(exc) if not exc.failures else translate("CLI", "nothing was exported"), EXIT_FAILED)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        how = (choose(report.hidden, translate("CLI", "anonymised, {count} number hidden"),
                      translate("CLI", "anonymised, {count} numbers hidden")).format(count=report.hidden)
               if report.anonymised else translate("CLI", "not anonymised"))
        count = len(report.clips)
        print(choose(count, translate("CLI", "Exported {count} clip to {target} ({how})"),
                     translate("CLI", "Exported {count} clips to {target} ({how})")).format(
            count=count, target=report.target, how=how))
        for name in report.files:
            print(f"  {name}")
    for failure in report.failures:
        print(f"qa-desk: {failure}", file=sys.stderr)
    return EXIT_FAILED if report.failures else EXIT_OK


__all__ = ["add_clips_parser", "export_language", "run_clips"]
