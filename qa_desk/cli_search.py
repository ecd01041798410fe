"""`qa-desk search`: find what was said, across every call's transcript.

  qa-desk search TEXT [--speaker agent|customer] [--since DATE] [--until DATE] [--limit N] [--json]

Chinese is found inside words (投诉 in 我要投诉你们), English by whole words; case,
full/half width and punctuation do not matter. Exit codes as for every command:
0 done, hits or none · 2 usage (a date that is not a date) · 3 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys

from .cli_transcripts import EXIT_OK, EXIT_USAGE, _fail, on_database, speaker_name
from .wording import choose, translate

SNIPPET_CONTEXT = 30  # characters of the utterance shown either side of the first match


def add_search_parser(sub) -> argparse.ArgumentParser:
    """Add `search` to the qa-desk subcommands."""
    parser = sub.add_parser("search", help=translate("CLI", "find what was said in the calls' transcripts"))
    parser.add_argument("text", metavar="TEXT", help=translate("CLI", "words or a phrase, e.g. 投诉 or 'transfer you'"))
    parser.add_argument("--speaker", choices=("agent", "customer"), help=translate("CLI", "only what this side said"))
    # Dates are checked by run_search, not argparse, so a bad one is a message and exit 2
    # from the runner too (the window's command line and tests call it directly).
    parser.add_argument("--since", metavar="DATE",
                        help=translate("CLI", "calls that started on or after (YYYY-MM-DD [HH:MM])"))
    parser.add_argument("--until", metavar="DATE", help=translate("CLI", "calls that started before, not including"))
    parser.add_argument("--limit", type=int, default=50,
                        help=translate("CLI", "at most this many hits (default 50; 0: only count them)"))
    parser.add_argument("--json", action="store_true", help='{"total": N, "hits": [...]}')  # what scripts read
    return parser


def _time(seconds: float) -> str:
    minutes, secs = divmod(int(max(0.0, seconds)), 60)
    return f"{minutes}:{secs:02d}"


def _snippet(hit, bold: bool) -> str:
    """The utterance around its first match, the matches marked for a terminal."""
    text = hit.snippet
    if not hit.matches:
        return text
    first_start, first_end = hit.matches[0]
    left = max(0, first_start - SNIPPET_CONTEXT)
    right = min(len(text), first_end + SNIPPET_CONTEXT)
    on, off = ("\x1b[1m", "\x1b[0m") if bold else ("", "")
    out, at = [], left
    for start, end in hit.matches:
        if start < at or end > right:
            continue
        out += [text[at:start], on, text[start:end], off]
        at = end
    out.append(text[at:right])
    return ("…" if left > 0 else "") + "".join(out).strip() + ("…" if right < len(text) else "")


def run_search(args, url: str) -> int:
    """Run `qa-desk search …` against the database at ``url``; the exit code."""
    from .cli import _period
    from .store.search import search_transcripts

    try:
        since, until = _period(args)
    except argparse.ArgumentTypeError as exc:
        return _fail(str(exc), EXIT_USAGE)

    def work(db) -> int:
        with db.session() as session:
            result = search_transcripts(session, args.text, speaker=args.speaker, since=since, until=until,
                                        limit=args.limit)
        return _print(args, result)

    return on_database(url, work)


def _print(args, result) -> int:
    from .cli import _table

    if args.json:
        print(json.dumps({"total": result.total, "hits": [h.as_dict() for h in result.hits]},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    if not result.hits:
        if result.total:  # --limit 0: only the count
            print(_hits(result.total))
        elif _has_words(args.text):
            print(translate("CLI", "Nothing found for '{text}'").format(text=args.text))
        else:
            print(translate("CLI", "Nothing found for '{text}' (only punctuation: nothing to look for)").format(
                text=args.text))
        return EXIT_OK
    bold = sys.stdout.isatty()
    rows = [
        (
            str(h.call_id),
            h.started_at.strftime("%Y-%m-%d %H:%M") if h.started_at else "–",
            h.agent or "–",
            speaker_name(h.speaker),
            _time(h.start),
            _snippet(h, bold),
        )
        for h in result.hits
    ]
    print(_table((translate("CLI", "Call"), translate("CLI", "Date"), translate("CLI", "Agent"),
                  translate("CLI", "Speaker"), translate("CLI", "Time"), translate("CLI", "Said")), rows))
    shown = len(result.hits)
    print(translate("CLI", "{shown} of {total} hits (use --limit for more)").format(shown=shown, total=result.total)
          if shown < result.total else _hits(result.total))
    return EXIT_OK


def _hits(n: int) -> str:
    return choose(n, translate("CLI", "1 hit"), translate("CLI", "{n} hits")).format(n=n)


def _has_words(text: str) -> bool:
    from .store.search import searchable_text

    return bool(searchable_text(text))
