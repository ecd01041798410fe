"""`qa-desk demo`: fill an empty database with a believable demo centre.

  qa-desk demo [--agents N] [--months M] [--seed S] [--json]

Teams, agents, months of calls (the sample recordings reused) with transcripts,
flags and evaluations, so every screen has something to show. Only an empty
database, or one holding just the sample calls, is filled: anything else is refused
and left as it was. Build it in a database of its own, e.g.
``qa-desk --db sqlite:///qa-desk-demo.sqlite3 demo``.

Exit codes: 0 built · 1 refused (the database holds real data; stderr says what) or the sample
recordings are missing ·
2 usage (agents 1-2000, months 1-36) · 3 the database cannot be used · 130 interrupted
(nothing was written).
"""

from __future__ import annotations

import argparse
import json

from .cli_progress import CountProgress
from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, on_database

DEFAULT_AGENTS, DEFAULT_MONTHS, DEFAULT_SEED = 12, 6, 2026


def add_demo_parser(sub) -> None:
    parser = sub.add_parser(
        "demo", help="fill an empty database with a demo centre (teams, agents, months of evaluations)")
    parser.add_argument("--agents", type=int, default=DEFAULT_AGENTS, metavar="N",
                        help=f"how many agents (1-2000, default {DEFAULT_AGENTS})")
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, metavar="M",
                        help=f"months of calls and evaluations before this month (1-36, default {DEFAULT_MONTHS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help="the same seed builds the same centre (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="what was created, as JSON")


def run_demo(args: argparse.Namespace, url: str) -> int:
    from .demo import MAX_AGENTS, MAX_MONTHS

    if not 1 <= args.agents <= MAX_AGENTS:
        return _fail(f"--agents must be between 1 and {MAX_AGENTS}, not {args.agents}", EXIT_USAGE)
    if not 1 <= args.months <= MAX_MONTHS:
        return _fail(f"--months must be between 1 and {MAX_MONTHS}, not {args.months}", EXIT_USAGE)

    def work(db) -> int:
        from .demo import DemoError, build_demo_centre
        from .demo_recordings import SamplesMissing
        from .jobs import JobContext

        try:
            with CountProgress("calls", json_output=args.json) as progress:
                report = build_demo_centre(db, agents=args.agents, months=args.months, seed=args.seed,
                                           ctx=JobContext(on_progress=progress))
        except (DemoError, SamplesMissing) as exc:
            return _fail(str(exc), EXIT_FAILED)
        if args.json:
            print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            print("\n".join(summary_lines(report)))
        return EXIT_OK

    return on_database(url, work)


def summary_lines(report) -> list[str]:
    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.evaluations.items()))
    flags = ", ".join(f"{n} {status}" for status, n in sorted(report.flags.items()))
    trends = {}
    for agent in report.agents:
        trends.setdefault(agent.trend, []).append(agent.name)
    lines = [
        f"Demo centre built: {report.first_day} to {report.last_day} "
        f"({count(report.months, 'month')} and this month so far).",
        f"  teams        {count(len(report.teams), 'team')}: {', '.join(report.teams[:6])}"
        + (" …" if len(report.teams) > 6 else ""),
        f"  agents       {count(len(report.agents), 'agent')}"
        + "".join(f"; {trend}: {', '.join(names[:4])}{' …' if len(names) > 4 else ''}"
                  for trend, names in sorted(trends.items()) if trend != "steady"),
        f"  calls        {count(report.calls, 'call')} (the sample recordings reused, transcribed and checked)",
        f"  evaluations  {count(report.evaluation_count, 'evaluation')}" + (f": {statuses}" if statuses else ""),
        f"  flags        {count(report.flag_count, 'flag')}" + (f": {flags}" if flags else ""),
        f"  reviewers    {', '.join(report.reviewers)}",
        f"  clips        {count(report.clips, 'training clip')} in {count(report.playlists, 'playlist')}",
    ]
    behind = [a.name for a in report.agents if a.behind]
    if behind:
        lines.append(f"  behind quota last month: {', '.join(behind[:6])}{' …' if len(behind) > 6 else ''}")
    if report.adopted_sample_agents:
        lines.append(f"  the sample calls' agents joined the demo teams: {', '.join(report.adopted_sample_agents)}")
    lines.append(f"Built in {report.seconds:.1f} s (seed {report.seed}).")
    return lines
