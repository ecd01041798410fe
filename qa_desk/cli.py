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
from .wording import QT_TRANSLATE_NOOP, choose, translate, word

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _date(text: str) -> datetime:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        translate("CLI", "'{text}' is not a date (use YYYY-MM-DD or 'YYYY-MM-DD HH:MM')").format(text=text))


def _period(args) -> tuple[datetime | None, datetime | None]:
    """--since and --until of a listing command, and its --limit checked (ArgumentTypeError
    with the message for the user when one cannot be used)."""
    since = _date(args.since) if args.since else None
    until = _date(args.until) if args.until else None
    if args.limit < 0:
        raise argparse.ArgumentTypeError(translate("CLI", "--limit must be 0 or more"))
    return since, until


def _column(text: str) -> tuple[str, str]:
    from .importing.sidecar import DEFAULT_COLUMNS

    field, sep, header = text.partition("=")
    if not sep or not field.strip() or not header.strip():
        raise argparse.ArgumentTypeError(
            translate("CLI", "'{text}' is not FIELD=HEADER (e.g. agent=坐席姓名)").format(text=text))
    if field.strip() not in DEFAULT_COLUMNS:
        raise argparse.ArgumentTypeError(translate("CLI", "unknown field '{field}'; choose from {fields}").format(
            field=field.strip(), fields=", ".join(DEFAULT_COLUMNS)))
    return field.strip(), header.strip()


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the language installed before (argparse's own words too)."""
    from .cli_argparse import speak_argparse

    speak_argparse()
    parser = argparse.ArgumentParser(
        prog="qa-desk",
        description=translate("CLI", "QA Desk: call quality assurance for contact centres. "
                              "Without a command it opens the window."),
    )
    parser.add_argument("--version", action="version", version=f"QA Desk {__version__}",
                        help=translate("CLI", "show program's version number and exit"))
    parser.add_argument(
        "--db", metavar="URL",
        help=translate("CLI", "database URL (default: QA_DESK_DB, the setting, or the local SQLite file)"),
    )
    from .cli_user import add_user_option

    add_user_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = sub.add_parser("import", help=translate("CLI", "import recordings (files and folders, recursively)"))
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--metadata", type=Path, metavar="FILE",
                     help=translate("CLI", "sidecar CSV/XLSX from the call recorder"))
    imp.add_argument("--pattern", metavar="P", help=translate(
        "CLI", "file-name pattern, e.g. '{agent}_{started:%%Y%%m%%d-%%H%%M%%S}_{customer}'"))
    imp.add_argument(
        "--column", action="append", default=[], type=_column, metavar="FIELD=HEADER",
        help=translate("CLI", "which sidecar column holds a field (file, agent, agent_id, team, started_at, "
                       "direction, queue, customer_ref); repeatable"),
    )
    imp.add_argument("--agent-channel", choices=AGENT_CHANNELS,
                     help=translate("CLI", "channel that carries the agent (default: setting, left)"))
    imp.add_argument("--json", action="store_true", help=translate("CLI", "print the report as JSON"))

    as_json = translate("CLI", "print the result as JSON")
    calls = sub.add_parser("calls", help=translate("CLI", "list calls in the library"))
    calls.add_argument("--agent", metavar="ID_OR_NAME", help=translate("CLI", "only this agent's calls"))
    calls.add_argument("--team", metavar="ID_OR_NAME", help=translate("CLI", "only this team's calls"))
    calls.add_argument("--since", type=_date, metavar="DATE", help=translate("CLI", "from this date on"))
    calls.add_argument("--until", type=_date, metavar="DATE", help=translate("CLI", "up to, not including"))
    calls.add_argument("--search", metavar="TEXT",
                       help=translate("CLI", "text in file name, agent, team, customer or queue"))
    calls.add_argument("--sort", default="started_at",
                       help=translate("CLI", "started_at, agent, team, duration, … (default started_at)"))
    calls.add_argument("--ascending", action="store_true", help=translate("CLI", "sort ascending (default: descending)"))
    calls.add_argument("--limit", type=int, default=100,
                       help=translate("CLI", "at most this many (0: all; default 100)"))
    calls.add_argument("--json", action="store_true", help=as_json)

    call = sub.add_parser(
        "call", help=translate("CLI", "one call: its details and audio metrics (talk, silence, holds, overtalk)"))
    call.add_argument("call", metavar="CALL", help=translate("CLI", "call id, or the recording's file name or path"))
    call.add_argument("--json", action="store_true", help=as_json)
    call.add_argument("--recompute", action="store_true",
                      help=translate("CLI", "measure the recording again instead of using stored metrics"))
    call.add_argument("--min-silence", type=float, metavar="S",
                      help=translate("CLI", "shortest dead air to list, seconds (default 3)"))
    call.add_argument("--hold-seconds", type=float, metavar="S",
                      help=translate("CLI", "silence counted as a hold, seconds (default 20)"))
    call.add_argument("--min-overtalk", type=float, metavar="S",
                      help=translate("CLI", "shortest overtalk to list, seconds (default 0.3)"))

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

    db = sub.add_parser("db", help=translate("CLI", "database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help=translate("CLI", "bring the database schema up to this version"))
    info = db_sub.add_parser("info", help=translate("CLI", "which database, which schema version, what it holds"))
    info.add_argument("--json", action="store_true", help=as_json)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The settings first: they choose the language the help and every message are in.
    try:
        settings, problem = Settings.load(), None
    except SettingsError as exc:
        settings, problem = Settings(), exc
    if argv:  # the window installs its own translators (and may be switched on the first run)
        from .cli_language import install

        install(settings.language)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from .app import run_app  # Qt is only loaded when a window is wanted

        return run_app(sys.argv[:1], db_url=args.db)
    if problem is not None:
        print("qa-desk: " + translate("CLI", "warning: {problem}; using defaults").format(problem=problem),
              file=sys.stderr)
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
        print("qa-desk: " + translate("CLI", "interrupted"), file=sys.stderr)
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
        print("qa-desk: " + translate("CLI", "cannot sort by '{key}'; choose one of {keys}").format(
            key=args.sort, keys=", ".join(store.SORT_KEYS)), file=sys.stderr)
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
    header = (translate("CLI", "ID"), translate("CLI", "Agent"), translate("CLI", "Team"), translate("CLI", "Start"),
              translate("CLI", "Duration"), translate("CLI", "Dir"), translate("CLI", "Status"), translate("CLI", "File"))
    lines = [
        (
            str(r.id), r.agent or "–", r.team or "–",
            r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "–",
            format_duration(r.duration),
            word("CLI", _DIRECTIONS, r.direction, "–"),
            r.status, r.file_name,  # the status is the code `--sort status` and --json use
        )
        for r in rows
    ]
    print(_table(header, lines))
    if len(rows) < total:
        print(translate("CLI", "{shown} of {total} calls (use --limit 0 for all)").format(shown=len(rows), total=total))
    else:
        print(choose(total, translate("CLI", "1 call"), translate("CLI", "{n} calls")).format(n=total))
    return EXIT_OK


# The calls table's short words for a call's direction.
_DIRECTIONS = {"inbound": QT_TRANSLATE_NOOP("CLI", "in"), "outbound": QT_TRANSLATE_NOOP("CLI", "out")}


def _call(args, url: str) -> int:
    from .audio.analysis import CallNotFound, RecordingError, analyse_call
    from .cli_transcripts import _find_call
    from .store.database import Database

    db = Database.open(url)
    try:
        detail, code = _find_call(db, args.call)
        if detail is None:
            return code
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


# Who speaks on a channel, and which side a channel is, as the call's lines name them.
_WHO = {
    "agent": QT_TRANSLATE_NOOP("CLI", "agent"), "customer": QT_TRANSLATE_NOOP("CLI", "customer"),
    "mixed": QT_TRANSLATE_NOOP("CLI", "mixed"), "other": QT_TRANSLATE_NOOP("CLI", "other"),
}
_SIDES = {2: (QT_TRANSLATE_NOOP("CLI", "left"), QT_TRANSLATE_NOOP("CLI", "right"))}
_DIRECTION_WORDS = {"inbound": QT_TRANSLATE_NOOP("CLI", "inbound"), "outbound": QT_TRANSLATE_NOOP("CLI", "outbound")}


def _who(code: str) -> str:
    return word("CLI", _WHO, code)


def _seconds(value: str) -> str:
    return translate("CLI", "{seconds} s").format(seconds=value)


def _span(s) -> str:
    return translate("CLI", "{start}–{end} s").format(start=f"{s.start:.2f}", end=f"{s.end:.2f}")


def _call_lines(call, m) -> list[str]:
    """The call and its audio metrics as a reviewer reads them (times in seconds from the start)."""
    from .audio.decode import channel_lanes

    sides = _SIDES.get(call.channels, ())

    def side(ch: int) -> str:
        return translate("CLI", sides[ch]) if ch < len(sides) else translate("CLI", "channel {n}").format(n=ch + 1)

    lanes = ", ".join(f"{_who(who)} {side(ch)}" for ch, who in channel_lanes(call.channel_map))
    agent = f"{call.agent} ({call.agent_external_id})" if call.agent and call.agent_external_id else call.agent
    start = call.started_at.strftime("%Y-%m-%d %H:%M:%S") if call.started_at else "–"
    extra = [
        word("CLI", _DIRECTION_WORDS, call.direction),
        call.queue and translate("CLI", "queue {queue}").format(queue=call.queue),
        call.customer_ref and translate("CLI", "customer {customer}").format(customer=call.customer_ref),
    ]
    extra = [x for x in extra if x]
    rows: list[tuple[str | None, str]] = [
        (None, translate("CLI", "Call {id}  {file}").format(id=call.id, file=call.file_name)),
        (translate("CLI", "agent"), agent or "–"),
        (translate("CLI", "team"), call.team or "–"),
        (translate("CLI", "start"), start + ("  " + ", ".join(extra) if extra else "")),
        (translate("CLI", "duration"),
         f"{format_duration(call.duration)} ({_seconds(f'{call.duration:.2f}')})"),
        (translate("CLI", "channels"), f"{call.channels} × {call.sample_rate} Hz: {lanes}"),
        (translate("CLI", "file"), call.file_path),
        (None, ""),
        (None, translate("CLI", "Audio metrics")),
        (translate("CLI", "talk"), ", ".join(f"{_who(who)} {_seconds(f'{t:.1f}')}" for who, t in m.talk.items())),
    ]
    ratio = translate("CLI", "talk/listen")
    if m.talk_ratio is not None:
        rows.append((ratio, translate("CLI", "{ratio} (agent talk ÷ customer talk)").format(ratio=f"{m.talk_ratio:.2f}")))
    elif m.overtalk is None:
        rows.append((ratio, translate("CLI", "– (mono recording: both speakers share one channel)")))
    else:
        rows.append((ratio, translate("CLI", "– (the customer did not speak)")))
    words = "–" if m.first_agent_words is None else translate("CLI", "agent after {seconds} s").format(
        seconds=f"{m.first_agent_words:.2f}")
    rows.append((translate("CLI", "first words"), words))
    p = m.params
    silences = translate("CLI", "none ≥ {min} s").format(min=f"{p.get('min_silence', 0):g}")
    if m.silences:
        silences = translate("CLI", "{count} of ≥ {min} s, {total} s in all").format(
            count=len(m.silences), min=f"{p.get('min_silence', 0):g}", total=f"{m.silence_total:.1f}")
    rows.append((translate("CLI", "silence"), translate("CLI", "longest {longest} s; dead air: {silences}").format(
        longest=f"{m.longest_silence:.2f}", silences=silences)))
    rows += [("", f"{_span(s)} ({_seconds(f'{s.duration:.1f}')})") for s in m.silences]
    none = translate("CLI", "none")
    rows.append((translate("CLI", "holds"), translate("CLI", "{count} (≥ {min} s)").format(
        count=len(m.holds) or none, min=f"{p.get('hold_seconds', 0):g}")))
    rows += [("", f"{_span(s)} ({_seconds(f'{s.duration:.1f}')})") for s in m.holds]
    if m.overtalk is None:
        rows.append((translate("CLI", "overtalk"), translate("CLI", "– (cannot be told apart on a mono recording)")))
    else:
        rows.append((translate("CLI", "overtalk"), translate("CLI", "{count} (≥ {min} s), agent interrupting: {n}").format(
            count=len(m.overtalk) or none, min=f"{p.get('min_overtalk', 0):g}", n=len(m.interruptions))))
        said = {"agent": translate("CLI", "agent talked over the customer"),
                "customer": translate("CLI", "customer talked over the agent"),
                "both": translate("CLI", "both started talking at once")}
        rows += [("", f"{_span(o)} {said.get(o.started_by, o.started_by)}") for o in m.overtalk]
    if m.speech_rate:
        per_minute = (translate("CLI", "{who} {rate} characters/min") if m.speech_rate_unit == "characters"
                      else translate("CLI", "{who} {rate} words/min"))
        rows.append((translate("CLI", "speech rate"), ", ".join(
            per_minute.format(who=_who(who), rate=f"{r:.0f}") for who, r in m.speech_rate.items())))
    return _labelled(rows)


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
            print(translate("CLI", "{url}: schema {schema} is up to date").format(url=redact(url), schema=after))
        else:
            print(translate("CLI", "{url}: schema upgraded from {before} to {after}").format(
                url=redact(url), before=before or translate("CLI", "empty"), after=after))
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
        labels = {key: word("CLI", _INFO_LABELS, key, key.replace("_", " "))
                  for key in info}
        width = max(14, *(_width(label) for label in labels.values()))
        for key, value in info.items():
            if isinstance(value, bool):
                value = translate("CLI", "yes") if value else translate("CLI", "no")
            print(f"{' ' * (width - _width(labels[key]))}{labels[key]}: {value}")
        if not info["up_to_date"]:
            print(translate("CLI", "run 'qa-desk db upgrade' (or start QA Desk) to bring the schema up to date"))
    return EXIT_OK


# `db info`'s lines, named by their --json keys.
_INFO_LABELS = {
    "url": QT_TRANSLATE_NOOP("CLI", "url"), "backend": QT_TRANSLATE_NOOP("CLI", "backend"),
    "schema": QT_TRANSLATE_NOOP("CLI", "schema"), "latest_schema": QT_TRANSLATE_NOOP("CLI", "latest schema"),
    "up_to_date": QT_TRANSLATE_NOOP("CLI", "up to date"), "file": QT_TRANSLATE_NOOP("CLI", "file"),
    "file_size": QT_TRANSLATE_NOOP("CLI", "file size"), "calls": QT_TRANSLATE_NOOP("CLI", "calls"),
    "agents": QT_TRANSLATE_NOOP("CLI", "agents"), "teams": QT_TRANSLATE_NOOP("CLI", "teams"),
    "hours": QT_TRANSLATE_NOOP("CLI", "hours"),
}


def _width(text: str) -> int:
    # Chinese names take two terminal columns per character.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """``text`` filled with spaces to ``width`` terminal columns (str.ljust counts characters)."""
    return text + " " * (width - _width(text))


def _labelled(rows: list[tuple[str | None, str]]) -> list[str]:
    """'  label   value' lines, the values in one column in any language; a row labelled
    None is a heading printed as it is, one labelled "" continues the row above."""
    width = max((_width(label) for label, _ in rows if label), default=0) + 2
    return [value if label is None else "  " + _pad(label, width) + value for label, value in rows]


def _table(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *lines]) for i in range(len(header))]
    out = []
    for row in [header, *lines]:
        cells = [_pad(cell, w) for cell, w in zip(row, widths)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
