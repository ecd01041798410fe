"""`qa-desk export transcript`: a call's transcript as TXT, SRT, WebVTT or JSON.

  qa-desk export transcript CALL [-f txt|srt|vtt|json] [-o FILE] [--anonymise] [--language en|zh]

Without -o the transcript is printed (for pipes); with it the file is written whole
or not at all. The format is -f, else the file's suffix, else TXT. --anonymise
replaces the agent's name with a label and masks card, phone and ID numbers.
Exit codes: 0 written · 2 usage (no such call, no transcript, a format or folder that
cannot be used) · 3 the database cannot be used · 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_transcripts import EXIT_OK, EXIT_USAGE, _fail, _find_call, on_database
from .wording import translate

FORMATS = ("txt", "srt", "vtt", "json")


def add_export_transcript_parser(kinds) -> argparse.ArgumentParser:
    """Add `transcript` to the `qa-desk export` group (``kinds`` is its subparsers)."""
    parser = kinds.add_parser(
        "transcript", help=translate("CLI", "a call's transcript as TXT, SRT, WebVTT or JSON"),
        description=translate("CLI", "Write a call's transcript as TXT, SRT, WebVTT or JSON (words with times, "
                                     "speaker, confidence)."),
    )
    parser.add_argument("call", metavar="CALL", help=translate("CLI", "call id, or the recording's file name or path"))
    parser.add_argument("-f", "--format", choices=FORMATS,
                        help=translate("CLI", "default: the output file's suffix, else txt"))
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help=translate("CLI", "write this file (default: print)"))
    parser.add_argument("--anonymise", action="store_true",
                        help=translate("CLI", "the agent's name as a label, card/phone/ID numbers masked"))
    parser.add_argument("--language", choices=("en", "zh"),
                        help=translate("CLI", "language of the labels (default: the setting)"))
    return parser


def _format(args) -> str | None:
    from .reports.transcript_files import transcript_format

    if args.format:
        return args.format
    if args.output is None:
        return "txt"
    try:
        return transcript_format(args.output)
    except ValueError:
        return None


def run_export_transcript(args: argparse.Namespace, url: str, settings=None) -> int:
    """Run `qa-desk export transcript …`; the exit code."""
    from .cli_clips import export_language
    from .reports.call_transcript import CallTranscriptError, call_transcript, export_call_transcript, render

    if settings is None:
        from .settings import Settings

        settings = Settings()
    fmt = _format(args)
    if fmt is None:
        return _fail(translate("CLI", "{file}: give -f txt, srt, vtt or json (or a file ending in one of them)").format(
            file=args.output.name), EXIT_USAGE)
    if args.output is not None and not args.output.parent.is_dir():
        return _fail(translate("CLI", "{folder}: no such folder").format(folder=args.output.parent), EXIT_USAGE)
    language = export_language(args.language, settings)

    def work(db) -> int:
        call, code = _find_call(db, args.call)
        if call is None:
            return code
        try:
            if args.output is None:
                text = render(call_transcript(db, call.id, anonymise=args.anonymise, language=language), fmt)
                sys.stdout.write(text)
                sys.stdout.flush()
                return EXIT_OK
            from .cli_user import cli_actor

            with db.session() as session:  # a file export is audited: who wrote it
                actor = cli_actor(session, args, settings)
            path = export_call_transcript(db, call.id, args.output, format=fmt, anonymise=args.anonymise,
                                          language=language, actor=actor)
        except CallTranscriptError as exc:
            return _fail(str(exc), EXIT_USAGE)
        except OSError as exc:
            return _fail(translate("CLI", "{file}: cannot be written ({error})").format(
                file=args.output, error=exc.strerror or exc), EXIT_USAGE)
        written = (translate("CLI", "Call {call}: transcript written to {file} ({format}, anonymised)") if args.anonymise
                   else translate("CLI", "Call {call}: transcript written to {file} ({format})"))
        print(written.format(call=call.id, file=path, format=fmt))
        return EXIT_OK

    return on_database(url, work)


__all__ = ["add_export_transcript_parser", "run_export_transcript"]
