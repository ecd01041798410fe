"""`qa-desk evaluations`: evaluations with their scores, for scripts and spreadsheets.

  qa-desk evaluations [--agent NAME|ID] [--since DATE] [--until DATE] [--status S] [--limit N] [--json]

Newest call first. Dates are the call's. Exit codes: 0 done (also when nothing
matches) · 2 a bad date or limit · 3 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json

from .cli_transcripts import EXIT_OK, EXIT_USAGE, _fail, on_database
from .store.evaluations import STATUSES
from .wording import translate


def add_evaluations_parser(sub) -> None:
    parser = sub.add_parser("evaluations", help=translate("CLI", "evaluations and their scores"))
    parser.add_argument("--agent", metavar="AGENT", help=translate("CLI", "the agent's name or external id"))
    parser.add_argument("--since", metavar="DATE", help=translate("CLI", "calls on or after (YYYY-MM-DD)"))
    parser.add_argument("--until", metavar="DATE", help=translate("CLI", "calls on or before (YYYY-MM-DD)"))
    parser.add_argument("--status", choices=STATUSES, help=translate("CLI", "only evaluations in this status"))
    parser.add_argument("--limit", type=int, default=0, metavar="N", help=translate("CLI", "at most N (default: all)"))
    parser.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))


def run_evaluations(args: argparse.Namespace, url: str) -> int:
    from .cli import _period
    from .store.evaluations import list_evaluations

    try:
        since, until = (d.date() if d else None for d in _period(args))
    except argparse.ArgumentTypeError as exc:
        return _fail(str(exc), EXIT_USAGE)

    def work(db) -> int:
        with db.session() as session:
            rows = list_evaluations(session, agent=args.agent, since=since, until=until, status=args.status,
                                    limit=args.limit or None)
        return _print(rows, args.json)

    return on_database(url, work)


def _print(rows, as_json: bool) -> int:
    if as_json:
        print(json.dumps([{
            "id": r.id, "call_id": r.call_id, "agent": r.agent,
            "call_started_at": r.started_at.isoformat() if r.started_at else None,
            "form": r.form_key, "form_version": r.form_version, "reviewer": r.reviewer, "status": r.status,
            "score": r.score, "max_score": r.max_score, "percent": r.percent, "auto_failed": r.auto_failed,
            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        } for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print(translate("CLI", "No evaluations match."))
        return EXIT_OK
    from .cli import _table

    print(_table(
        (translate("CLI", "id"), translate("CLI", "call"), translate("CLI", "agent"), translate("CLI", "call date"),
         translate("CLI", "form"), translate("CLI", "reviewer"), translate("CLI", "status"), translate("CLI", "score"),
         "%", ""),
        [(str(r.id), str(r.call_id), r.agent or "", r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "",
          f"{r.form_key} v{r.form_version}", r.reviewer or "", r.status,
          "" if r.score is None else f"{r.score:g} / {r.max_score:g}",
          "" if r.percent is None else f"{r.percent:.1f}", translate("CLI", "auto-failed") if r.auto_failed else "")
         for r in rows],
    ))
    return EXIT_OK
