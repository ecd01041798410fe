"""`qa-desk`: the window with no arguments, headless subcommands otherwise.

Contact centres script QA Desk, so the exit codes mean something:
  0 everything worked · 1 some files failed (the report says which) ·
  2 usage, or an argument that cannot be used (bad pattern, unreadable metadata file) ·
  3 the database cannot be used (bad URL, server down, written by a newer QA Desk) ·
  130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

from . import __version__
from .settings import AGENT_CHANNELS, Settings, SettingsError, resolve_database_url

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _date(text: str) -> datetime:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD or 'YYYY-MM-DD HH:MM')")


def _column(text: str) -> tuple[str, str]:
    from .importing.sidecar import DEFAULT_COLUMNS

    field, sep, header = text.partition("=")
    if not sep or not field.strip() or not header.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not FIELD=HEADER (e.g. agent=坐席姓名)")
    if field.strip() not in DEFAULT_COLUMNS:
        raise argparse.ArgumentTypeError(
            f"unknown field '{field.strip()}'; choose from {', '.join(DEFAULT_COLUMNS)}"
        )
    return field.strip(), header.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-desk",
        description="QA Desk: call quality assurance for contact centres. "
        "Without a command it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"QA Desk {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: QA_DESK_DB, the setting, or the local SQLite file)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = sub.add_parser("import", help="import recordings (files and folders, recursively)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--metadata", type=Path, metavar="FILE", help="sidecar CSV/XLSX from the call recorder")
    imp.add_argument("--pattern", metavar="P", help="file-name pattern, e.g. '{agent}_{started:%%Y%%m%%d-%%H%%M%%S}_{customer}'")
    imp.add_argument(
        "--column", action="append", default=[], type=_column, metavar="FIELD=HEADER",
        help="which sidecar column holds a field (file, agent, agent_id, team, started_at, "
        "direction, queue, customer_ref); repeatable",
    )
    imp.add_argument("--agent-channel", choices=AGENT_CHANNELS, help="channel that carries the agent (default: setting, left)")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    calls = sub.add_parser("calls", help="list calls in the library")
    calls.add_argument("--agent", metavar="ID_OR_NAME")
    calls.add_argument("--team", metavar="ID_OR_NAME")
    calls.add_argument("--since", type=_date, metavar="DATE")
    calls.add_argument("--until", type=_date, metavar="DATE", help="up to, not including")
    calls.add_argument("--search", metavar="TEXT", help="text in file name, agent, team, customer or queue")
    calls.add_argument("--sort", default="started_at", help="started_at, agent, team, duration, … (default started_at)")
    calls.add_argument("--ascending", action="store_true")
    calls.add_argument("--limit", type=int, default=100, help="at most this many (0: all; default 100)")
    calls.add_argument("--json", action="store_true")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="bring the database schema up to this version")
    info = db_sub.add_parser("info", help="which database, which schema version, what it holds")
    info.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from .app import run_app  # Qt is only loaded when a window is wanted

        return run_app(sys.argv[:1], db_url=args.db)
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"qa-desk: warning: {exc}; using defaults", file=sys.stderr)
        settings = Settings()
    url = resolve_database_url(args.db, settings)
    from .store.database import DatabaseError

    try:
        if args.command == "import":
            return _import(args, url, settings)
        if args.command == "calls":
            return _calls(args, url)
        return _db(args, url)
    except DatabaseError as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print("qa-desk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _import(args, url: str, settings: Settings) -> int:
    from .importing.importer import ImportOptions, ImportSetupError, import_recordings
    from .jobs import JobContext
    from .store.database import Database

    options = ImportOptions(
        agent_channel=args.agent_channel or settings.agent_channel,
        pattern=args.pattern,
        metadata=args.metadata,
        metadata_columns={**settings.metadata_columns, **dict(args.column)},
    )
    db = Database.open(url)
    show_progress = sys.stderr.isatty() and not args.json

    def progress(done: int, total: int) -> None:
        if show_progress:
            print(f"\r{done}/{total} recordings", end="", file=sys.stderr, flush=True)

    try:
        report = import_recordings(db, args.paths, options, JobContext(on_progress=progress))
    except ImportSetupError as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.close()
    if show_progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        marks = {"imported": "+", "known": "=", "failed": "!", "skipped": "-"}
        for outcome in report.outcomes:
            print(f"{marks[outcome.status]} {outcome.status:8} {outcome.message}")
        print(report.summary())
    return EXIT_OK if report.count("failed") == 0 else EXIT_FAILED


def _calls(args, url: str) -> int:
    from .store import calls as store
    from .store.database import Database

    if args.sort not in store.SORT_KEYS:
        print(f"qa-desk: cannot sort by '{args.sort}'; choose one of {', '.join(store.SORT_KEYS)}", file=sys.stderr)
        return EXIT_USAGE
    flt = store.CallFilter(
        agent=args.agent, team=args.team, since=args.since, until=args.until, text=args.search
    )
    db = Database.open(url)
    try:
        with db.session() as session:
            total = store.count_calls(session, flt)
            rows = store.list_calls(
                session, flt, sort=args.sort, descending=not args.ascending,
                limit=args.limit if args.limit > 0 else None,
            )
    finally:
        db.close()
    if args.json:
        print(json.dumps({"total": total, "calls": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    header = ("ID", "Agent", "Team", "Start", "Duration", "Dir", "Status", "File")
    lines = [
        (
            str(r.id), r.agent or "–", r.team or "–",
            r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "–",
            _duration(r.duration), {"inbound": "in", "outbound": "out"}.get(r.direction or "", "–"),
            r.status, r.file_name,
        )
        for r in rows
    ]
    print(_table(header, lines))
    shown = f"{len(rows)} of {total} calls" if len(rows) < total else f"{total} calls"
    print(shown + ("" if len(rows) == total else " (use --limit 0 for all)"))
    return EXIT_OK


def _db(args, url: str) -> int:
    from .store import calls as store
    from .store.database import Database, head_revision, redact

    if args.db_command == "upgrade":
        db = Database.open(url, upgrade=False)
        try:
            before = db.current_revision()
            db.upgrade()
            after = db.current_revision()
        finally:
            db.close()
        if before == after:
            print(f"{redact(url)}: schema {after} is up to date")
        else:
            print(f"{redact(url)}: schema upgraded from {before or 'empty'} to {after}")
        return EXIT_OK
    db = Database.open(url, upgrade=False)
    try:
        current = db.current_revision()
        info = {
            "url": redact(url),
            "backend": db.backend,
            "schema": current,
            "latest_schema": head_revision(),
            "up_to_date": current == head_revision(),
        }
        if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database:
            file = Path(db.engine.url.database)
            info["file"] = str(file)
            info["file_size"] = file.stat().st_size if file.exists() else 0
        if current is not None:
            with db.session() as session:
                info.update(store.library_counts(session))
    finally:
        db.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        for key, value in info.items():
            print(f"{key.replace('_', ' '):>14}: {value}")
        if not info["up_to_date"]:
            print("run 'qa-desk db upgrade' (or start QA Desk) to bring the schema up to date")
    return EXIT_OK


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _width(text: str) -> int:
    # Chinese names take two terminal columns per character.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *lines]) for i in range(len(header))]
    out = []
    for row in [header, *lines]:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
