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
from .wording import QT_TRANSLATE_NOOP, choose, translate, word

DEFAULT_AGENTS, DEFAULT_MONTHS, DEFAULT_SEED = 12, 6, 2026


def add_demo_parser(sub) -> None:
    parser = sub.add_parser("demo", help=translate(
        "CLI", "fill an empty database with a demo centre (teams, agents, months of evaluations)"))
    parser.add_argument("--agents", type=int, default=DEFAULT_AGENTS, metavar="N",
                        help=translate("CLI", "how many agents (1-2000, default {default})").format(
                            default=DEFAULT_AGENTS))
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, metavar="M",
                        help=translate("CLI", "months of calls and evaluations before this month "
                                       "(1-36, default {default})").format(default=DEFAULT_MONTHS))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=translate("CLI", "the same seed builds the same centre (default {default})").format(
                            default=DEFAULT_SEED))
    parser.add_argument("--json", action="store_true", help=translate("CLI", "what was created, as JSON"))


def run_demo(args: argparse.Namespace, url: str) -> int:
    from .demo import MAX_AGENTS, MAX_MONTHS

    if not 1 <= args.agents <= MAX_AGENTS:
        return _fail(translate("CLI", "--agents must be between 1 and {most}, not {given}").format(
            most=MAX_AGENTS, given=args.agents), EXIT_USAGE)
    if not 1 <= args.months <= MAX_MONTHS:
        return _fail(translate("CLI", "--months must be between 1 and {most}, not {given}").format(
            most=MAX_MONTHS, given=args.months), EXIT_USAGE)

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


# The words for the report's status and trend codes (the --json keeps the codes).
_WORDS = {
    "draft": QT_TRANSLATE_NOOP("CLI", "draft"), "submitted": QT_TRANSLATE_NOOP("CLI", "submitted"),
    "acknowledged": QT_TRANSLATE_NOOP("CLI", "acknowledged"), "disputed": QT_TRANSLATE_NOOP("CLI", "disputed"),
    "resolved": QT_TRANSLATE_NOOP("CLI", "resolved"), "open": QT_TRANSLATE_NOOP("CLI", "open"),
    "confirmed": QT_TRANSLATE_NOOP("CLI", "confirmed"), "dismissed": QT_TRANSLATE_NOOP("CLI", "dismissed"),
    "improving": QT_TRANSLATE_NOOP("CLI", "improving"), "declining": QT_TRANSLATE_NOOP("CLI", "declining"),
    "new": QT_TRANSLATE_NOOP("CLI", "new"),
}


def _word(code: str) -> str:
    return word("CLI", _WORDS, code)


def _some(names: list[str], shown: int) -> str:
    """The first ``shown`` names, and … when there are more."""
    return ", ".join(names[:shown]) + (" …" if len(names) > shown else "")


def summary_lines(report) -> list[str]:
    from .cli import _labelled

    def count(n: int, one: str, many: str) -> str:
        return choose(n, one, many).format(n=n)

    statuses = ", ".join(f"{n} {_word(status)}" for status, n in sorted(report.evaluations.items()))
    flags = ", ".join(f"{n} {_word(status)}" for status, n in sorted(report.flags.items()))
    trends = {}
    for agent in report.agents:
        trends.setdefault(agent.trend, []).append(agent.name)
    months = count(report.months, translate("CLI", "1 month"), translate("CLI", "{n} months"))
    teams = count(len(report.teams), translate("CLI", "1 team"), translate("CLI", "{n} teams"))
    agents = count(len(report.agents), translate("CLI", "1 agent"), translate("CLI", "{n} agents"))
    calls = count(report.calls, translate("CLI", "1 call"), translate("CLI", "{n} calls"))
    evaluations = count(report.evaluation_count, translate("CLI", "1 evaluation"), translate("CLI", "{n} evaluations"))
    flag_count = count(report.flag_count, translate("CLI", "1 flag"), translate("CLI", "{n} flags"))
    clips = count(report.clips, translate("CLI", "1 training clip"), translate("CLI", "{n} training clips"))
    playlists = count(report.playlists, translate("CLI", "1 playlist"), translate("CLI", "{n} playlists"))
    rows: list[tuple[str | None, str]] = [
        (None, translate("CLI", "Demo centre built: {first} to {last} ({months} and this month so far).").format(
            first=report.first_day, last=report.last_day, months=months)),
        (translate("CLI", "teams"), f"{teams}: {_some(report.teams, 6)}"),
        (translate("CLI", "agents"), agents + "".join(
            f"; {_word(trend)}: {_some(names, 4)}" for trend, names in sorted(trends.items()) if trend != "steady")),
        (translate("CLI", "calls"), translate(
            "CLI", "{calls} (the sample recordings reused, transcribed and checked)").format(calls=calls)),
        (translate("CLI", "evaluations"), evaluations + (f": {statuses}" if statuses else "")),
        (translate("CLI", "flags"), flag_count + (f": {flags}" if flags else "")),
        (translate("CLI", "reviewers"), ", ".join(report.reviewers)),
        (translate("CLI", "clips"), translate("CLI", "{clips} in {playlists}").format(clips=clips, playlists=playlists)),
    ]
    lines = _labelled(rows)
    behind = [a.name for a in report.agents if a.behind]
    if behind:
        lines.append("  " + translate("CLI", "behind quota last month: {names}").format(names=_some(behind, 6)))
    if report.adopted_sample_agents:
        lines.append("  " + translate("CLI", "the sample calls' agents joined the demo teams: {names}").format(
            names=", ".join(report.adopted_sample_agents)))
    lines.append(translate("CLI", "Built in {seconds} s (seed {seed}).").format(
        seconds=f"{report.seconds:.1f}", seed=report.seed))
    return lines
