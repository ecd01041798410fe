"""`qa-desk`: the window with no arguments, headless subcommands otherwise.

Contact centres script QA Desk, so the exit codes mean something:
  0 everything worked · 1 some files failed (the report says which), or `call`'s
  recording is missing or unreadable ·
  2 usage, or an argument that cannot be used (bad pattern, unreadable metadata file,
  no such call) ·
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
from .cli_progress import CountProgress
from .durations import format_duration
from .settings import AGENT_CHANNELS, Settings, SettingsError, resolve_database_url

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _date(text: str) -> datetime:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD or 'YYYY-MM-DD HH:MM')")


def _period(args) -> tuple[datetime | None, datetime | None]:
    """--since and --until of a listing command, and its --limit checked (ArgumentTypeError
    with the message for the user when one cannot be used)."""
    since = _date(args.since) if args.since else None
    until = _date(args.until) if args.until else None
    if args.limit < 0:
        raise argparse.ArgumentTypeError("--limit must be 0 or more")
    return since, until


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
    from .cli_user import add_user_option

    add_user_option(parser)
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

    call = sub.add_parser("call", help="one call: its details and audio metrics (talk, silence, holds, overtalk)")
    call.add_argument("call", metavar="CALL", help="call id, or the recording's file name or path")
    call.add_argument("--json", action="store_true")
    call.add_argument("--recompute", action="store_true", help="measure the recording again instead of using stored metrics")
    call.add_argument("--min-silence", type=float, metavar="S", help="shortest dead air to list, seconds (default 3)")
    call.add_argument("--hold-seconds", type=float, metavar="S", help="silence counted as a hold, seconds (default 20)")
    call.add_argument("--min-overtalk", type=float, metavar="S", help="shortest overtalk to list, seconds (default 0.3)")

    from .cli_clips import add_clips_parser
    from .cli_users import add_users_parser
    from .cli_flags import add_flags_parsers
    from .cli_demo import add_demo_parser
    from .cli_evaluations import add_evaluations_parser
    from .cli_export import add_export_parser
    from .cli_forms import add_forms_parser
    from .cli_models import add_models_parser
    from .cli_rules import add_rules_parser
    from .cli_scorecards import add_scorecards_parser
    from .cli_search import add_search_parser
    from .cli_transcribe import add_transcribe_parsers
    from .cli_transcripts import add_transcript_parser

    add_transcribe_parsers(sub)
    add_transcript_parser(sub)
    add_search_parser(sub)
    add_flags_parsers(sub)
    add_models_parser(sub)
    add_rules_parser(sub)
    add_forms_parser(sub)
    add_evaluations_parser(sub)
    add_demo_parser(sub)
    add_scorecards_parser(sub)
    add_export_parser(sub)
    add_clips_parser(sub)
    add_users_parser(sub)
    from .cli_review import add_review_parsers

    add_review_parsers(sub)

    from .cli_calibration import add_calibration_parser

    add_calibration_parser(sub)

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
        if args.command == "call":
            return _call(args, url)
        if args.command in ("transcribe", "worker"):
            from .cli_transcribe import run_transcribe, run_worker

            return (run_transcribe if args.command == "transcribe" else run_worker)(args, url, settings)
        if args.command == "transcript":
            from .cli_transcripts import run_transcript

            return run_transcript(args, url)
        if args.command in ("scan", "flags"):
            from .cli_flags import run_flags

            return run_flags(args, url, settings)
        if args.command == "search":
            from .cli_search import run_search

            return run_search(args, url)
        if args.command == "models":
            from .cli_models import run_models

            return run_models(args, settings)
        if args.command == "rules":
            from .cli_rules import run_rules

            return run_rules(args, settings)
        if args.command == "demo":
            from .cli_demo import run_demo

            return run_demo(args, url)
        if args.command == "evaluations":
            from .cli_evaluations import run_evaluations

            return run_evaluations(args, url)
        if args.command == "scorecards":
            from .cli_scorecards import run_scorecards

            return run_scorecards(args, url, settings)
        if args.command == "clips":
            from .cli_clips import run_clips

            return run_clips(args, url, settings)
        if args.command == "export":
            from .cli_export import run_export

            return run_export(args, url, settings)
        if args.command == "forms":
            from .cli_forms import run_forms

            return run_forms(args, url, settings)
        if args.command in ("sample", "queue"):
            from .cli_review import run_review

            return run_review(args, url, settings)
        if args.command == "calibration":
            from .cli_calibration import run_calibration

            return run_calibration(args, url, settings)
        if args.command == "users":
            from .cli_users import run_users

            return run_users(args, url, settings)
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
    try:
        with CountProgress("recordings", json_output=args.json) as progress:
            report = import_recordings(db, args.paths, options, JobContext(on_progress=progress))
    except ImportSetupError as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.close()
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
            format_duration(r.duration), {"inbound": "in", "outbound": "out"}.get(r.direction or "", "–"),
            r.status, r.file_name,
        )
        for r in rows
    ]
    print(_table(header, lines))
    shown = f"{len(rows)} of {total} calls" if len(rows) < total else f"{total} calls"
    print(shown + ("" if len(rows) == total else " (use --limit 0 for all)"))
    return EXIT_OK


def _call(args, url: str) -> int:
    from .audio.analysis import CallNotFound, RecordingError, analyse_call
    from .store import calls as store
    from .store.database import Database

    db = Database.open(url)
    try:
        with db.session() as session:
            ids = store.call_ids_matching(session, args.call)
            detail = store.get_call(session, ids[0]) if len(ids) == 1 else None
        if len(ids) > 1:
            print(f"qa-desk: '{args.call}' names {len(ids)} calls (ids {', '.join(map(str, ids))}); "
                  "give the id", file=sys.stderr)
            return EXIT_USAGE
        if detail is None:
            print(f"qa-desk: no call '{args.call}' (give a call id or a recording's file name; "
                  "'qa-desk calls' lists them)", file=sys.stderr)
            return EXIT_USAGE
        try:
            thresholds = {
                name: value for name in ("min_silence", "hold_seconds", "min_overtalk")
                if (value := getattr(args, name)) is not None
            }
            metrics = analyse_call(db, detail.id, recompute=args.recompute, **thresholds)
        except CallNotFound as exc:
            print(f"qa-desk: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except RecordingError as exc:
            print(f"qa-desk: {exc}", file=sys.stderr)
            return EXIT_FAILED
    finally:
        db.close()
    if args.json:
        print(json.dumps({"call": detail.as_dict(), "metrics": metrics.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_call_lines(detail, metrics)))
    return EXIT_OK


def _span(s) -> str:
    return f"{s.start:.2f}–{s.end:.2f} s"


def _call_lines(call, m) -> list[str]:
    """The call and its audio metrics as a reviewer reads them (times in seconds from the start)."""
    from .audio.decode import channel_lanes

    sides = {2: ("left", "right")}.get(call.channels, ())
    lanes = ", ".join(
        f"{who} {sides[ch] if ch < len(sides) else f'channel {ch + 1}'}" for ch, who in channel_lanes(call.channel_map)
    )
    agent = f"{call.agent} ({call.agent_external_id})" if call.agent and call.agent_external_id else call.agent
    start = call.started_at.strftime("%Y-%m-%d %H:%M:%S") if call.started_at else "–"
    extra = [call.direction, call.queue and f"queue {call.queue}", call.customer_ref and f"customer {call.customer_ref}"]
    extra = [x for x in extra if x]
    lines = [
        f"Call {call.id}  {call.file_name}",
        f"  agent        {agent or '–'}",
        f"  team         {call.team or '–'}",
        f"  start        {start}" + ("  " + ", ".join(extra) if extra else ""),
        f"  duration     {format_duration(call.duration)} ({call.duration:.2f} s)",
        f"  channels     {call.channels} × {call.sample_rate} Hz: {lanes}",
        f"  file         {call.file_path}",
        "",
        "Audio metrics",
        "  talk         " + ", ".join(f"{who} {t:.1f} s" for who, t in m.talk.items()),
    ]
    if m.talk_ratio is not None:
        lines.append(f"  talk/listen  {m.talk_ratio:.2f} (agent talk ÷ customer talk)")
    elif m.overtalk is None:
        lines.append("  talk/listen  – (mono recording: both speakers share one channel)")
    else:
        lines.append("  talk/listen  – (the customer did not speak)")
    words = "–" if m.first_agent_words is None else f"agent after {m.first_agent_words:.2f} s"
    lines.append(f"  first words  {words}")
    p = m.params
    silences = f"none ≥ {p.get('min_silence', 0):g} s"
    if m.silences:
        silences = f"{len(m.silences)} of ≥ {p.get('min_silence', 0):g} s, {m.silence_total:.1f} s in all"
    lines.append(f"  silence      longest {m.longest_silence:.2f} s; dead air: {silences}")
    lines += [f"               {_span(s)} ({s.duration:.1f} s)" for s in m.silences]
    lines.append(f"  holds        {len(m.holds) or 'none'} (≥ {p.get('hold_seconds', 0):g} s)")
    lines += [f"               {_span(s)} ({s.duration:.1f} s)" for s in m.holds]
    if m.overtalk is None:
        lines.append("  overtalk     – (cannot be told apart on a mono recording)")
    else:
        lines.append(f"  overtalk     {len(m.overtalk) or 'none'} (≥ {p.get('min_overtalk', 0):g} s), "
                     f"agent interrupting: {len(m.interruptions)}")
        said = {"agent": "agent talked over the customer", "customer": "customer talked over the agent",
                "both": "both started talking at once"}
        lines += [f"               {_span(o)} {said.get(o.started_by, o.started_by)}" for o in m.overtalk]
    if m.speech_rate:
        unit = m.speech_rate_unit or "words"
        lines.append("  speech rate  " + ", ".join(f"{who} {r:.0f} {unit}/min" for who, r in m.speech_rate.items()))
    return lines


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
