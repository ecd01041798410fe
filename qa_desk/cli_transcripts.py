"""`qa-desk transcript`: show a call's transcript, or attach transcript files to a call.

  qa-desk transcript show CALL [--json]
  qa-desk transcript import CALL FILE [FILE…] [--speaker agent|customer] [--label LABEL=ROLE]

Exit codes as for every command: 0 done · 1 a file was refused (the message names the
file, the line and the reason; nothing was stored) · 2 usage, no such call, a file that
does not exist · 3 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .wording import QT_TRANSLATE_NOOP, choose, translate, word

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3
# A transcript's speakers as a table shows them (translated where shown).
SPEAKER_NAMES = {"agent": QT_TRANSLATE_NOOP("CLI", "Agent"), "customer": QT_TRANSLATE_NOOP("CLI", "Customer"),
                 "mixed": QT_TRANSLATE_NOOP("CLI", "Mixed")}


def speaker_name(code: str) -> str:
    """The speaker ``code`` (agent, customer, mixed) as a table's cell shows it."""
    return word("CLI", SPEAKER_NAMES, code)


def _label(text: str) -> tuple[str, str]:
    label, sep, role = text.rpartition("=")
    role = role.strip().lower()
    if not sep or not label.strip() or role not in ("agent", "customer"):
        raise argparse.ArgumentTypeError(translate(
            "CLI", "'{text}' is not LABEL=agent or LABEL=customer (e.g. 'Speaker 2=agent')").format(text=text))
    return label.strip(), role


def add_transcript_parser(sub) -> argparse.ArgumentParser:
    """Add `transcript show` and `transcript import` to the qa-desk subcommands."""
    parser = sub.add_parser(
        "transcript", help=translate("CLI", "show a call's transcript, or attach an existing transcript file"))
    actions = parser.add_subparsers(dest="transcript_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help=translate("CLI", "the call's transcript: utterances with speaker, times and words"))
    call_help = translate("CLI", "call id, or the recording's file name or path")
    show.add_argument("call", metavar="CALL", help=call_help)
    show.add_argument("--json", action="store_true", help=translate("CLI", "utterances with their words, as JSON"))
    attach = actions.add_parser("import", help=translate(
        "CLI", "attach transcript files (Vosk result JSON, SRT, WebVTT) to a call, replacing its transcript"))
    attach.add_argument("call", metavar="CALL", help=call_help)
    attach.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help=translate("CLI", "one file with both speakers, or one file per speaker "
                       "(name.agent.json, name.customer.json)"),
    )
    attach.add_argument(
        "--speaker", choices=("agent", "customer", "left", "right"),
        help=translate("CLI", "who speaks in the file: every word of a Vosk result, every cue without a label"),
    )
    attach.add_argument(
        "--label", action="append", default=[], type=_label, metavar="LABEL=ROLE",
        help=translate("CLI", "what a label in the file means, e.g. 'Speaker 2=agent' or 'Li Na=agent' (default: "
                       "Speaker 1 is the agent); repeatable"),
    )
    return parser


def run_transcript(args, url: str) -> int:
    """Run `qa-desk transcript …` against the database at ``url``; the exit code."""
    def work(db) -> int:
        call, code = _find_call(db, args.call)
        if call is None:
            return code
        if args.transcript_command == "show":
            return _show(db, call, args.json)
        return _import(db, call, args)

    return on_database(url, work)


def _fail(message: str, code: int) -> int:
    print(f"qa-desk: {message}", file=sys.stderr)
    return code


def on_database(url: str, work) -> int:
    """Open the database at ``url`` and return ``work(db)``'s exit code; a database that
    cannot be opened or fails on the way is one line on stderr and exit code 3."""
    from sqlalchemy.exc import SQLAlchemyError

    from .store.database import Database, DatabaseError

    try:
        db = Database.open(url)
    except DatabaseError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    from .cli_user import CliSignInError
    from .permissions import PermissionDenied

    try:
        return work(db)
    except (CliSignInError, PermissionDenied) as exc:  # who runs it may not: refused like in the window
        return _fail(str(exc), EXIT_FAILED)
    except DatabaseError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return _fail(translate("CLI", "the database failed: {detail}").format(detail=detail), EXIT_DATABASE)
    finally:
        db.close()


def _find_call(db, key: str):
    from .store import calls as store

    with db.session() as session:
        ids = store.call_ids_matching(session, key)
        detail = store.get_call(session, ids[0]) if len(ids) == 1 else None
    if len(ids) > 1:
        return None, _fail(translate("CLI", "'{key}' names {count} calls (ids {ids}); give the id").format(
            key=key, count=len(ids), ids=", ".join(map(str, ids))), EXIT_USAGE)
    if detail is None:
        return None, _fail(translate(
            "CLI", "no call '{key}' (give a call id or a recording's file name; 'qa-desk calls' lists them)"
        ).format(key=key), EXIT_USAGE)
    return detail, EXIT_OK


def _utterances(n: int) -> str:
    return choose(n, translate("CLI", "1 utterance"), translate("CLI", "{n} utterances")).format(n=n)


def _words(n: int) -> str:
    return choose(n, translate("CLI", "1 word"), translate("CLI", "{n} words")).format(n=n)


def _time(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _transcript_json(transcript) -> dict:
    return {
        "id": transcript.id,
        "engine": transcript.engine,
        "model_name": transcript.model_name,
        "language": transcript.language,
        "created_at": transcript.created_at.isoformat(sep=" ") if transcript.created_at else None,
        "utterances": [
            {
                "speaker": u.speaker,
                "start": round(u.start, 3),
                "end": round(u.end, 3),
                "text": u.text,
                "words": [
                    {"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3),
                     **({"conf": round(w.conf, 4)} if w.conf is not None else {})}
                    for w in u.words
                ],
            }
            for u in transcript.utterances
        ],
    }


def _show(db, call, as_json: bool) -> int:
    from .cli import _table
    from .store.transcripts import latest_transcript

    with db.session() as session:
        transcript = latest_transcript(session, call.id)
    if as_json:
        data = {
            "call": {"id": call.id, "file_name": call.file_name},
            "transcript": _transcript_json(transcript) if transcript else None,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(translate("CLI", "Call {id}  {file}").format(id=call.id, file=call.file_name))
    if transcript is None:
        print(translate("CLI", "No transcript yet ('qa-desk transcript import' attaches one from a file)"))
        return EXIT_OK
    made = transcript.created_at.strftime("%Y-%m-%d %H:%M") if transcript.created_at else "–"
    print(translate("CLI", "Transcript: {model} ({engine}), language {language}, {utterances}, {words}, {made}").format(
        model=transcript.model_name, engine=transcript.engine, language=transcript.language,
        utterances=_utterances(len(transcript.utterances)), words=_words(transcript.word_count()), made=made))
    print()
    rows = [(speaker_name(u.speaker), _time(u.start), _time(u.end), u.text) for u in transcript.utterances]
    print(_table((translate("CLI", "Speaker"), translate("CLI", "Start"), translate("CLI", "End"),
                  translate("CLI", "Text")), rows))
    return EXIT_OK


def _import(db, call, args) -> int:
    from .store.transcripts import latest_transcript
    from .transcription.attach import CallNotFound, TranscriptFileError, attach_transcript_files

    for path in args.files:
        if not path.is_file():
            return _fail(translate("CLI", "{path}: no such file").format(path=path), EXIT_USAGE)
    try:
        attach_transcript_files(
            db, call.id, [(path, args.speaker) for path in args.files], labels=dict(args.label) or None
        )
    except TranscriptFileError as exc:
        return _fail(translate("CLI", "{problem} (nothing was stored)").format(problem=exc), EXIT_FAILED)
    except CallNotFound as exc:
        return _fail(str(exc), EXIT_USAGE)
    with db.session() as session:
        transcript = latest_transcript(session, call.id)
    from .cli import _who  # the speakers as `call` names them in a sentence

    speakers = ", ".join(_who(code) for code in sorted({u.speaker for u in transcript.utterances}))
    print(translate("CLI", "Call {id} {file}: transcript attached from {files} ({model}, language {language}): "
                    "{utterances} ({speakers}), {words}").format(
        id=call.id, file=call.file_name, files=", ".join(p.name for p in args.files), model=transcript.model_name,
        language=transcript.language, utterances=_utterances(len(transcript.utterances)), speakers=speakers,
        words=_words(transcript.word_count())))
    return EXIT_OK
