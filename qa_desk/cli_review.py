"""`qa-desk sample` and `qa-desk queue`: sampling rules, their runs, and review queues.

  qa-desk sample rules [--all] [--json]
  qa-desk sample add FILE.json [--replace] [--as NAME]
  qa-desk sample run RULE --period P --reviewers A,B [--seed S] [--dry-run] [--json] [--as NAME]
  qa-desk queue [--reviewer NAME] [--period P] [--overview] [--json]

A rule file is the rule as JSON: {"name": "monthly", "per_agent": 4, "selection": "random", …}.
Changing rules and running them needs a lead or admin: ``--as`` names the user (default:
the reviewer name in the settings; on a local SQLite file an unknown name is the local
admin, as the window treats it). Exit codes: 0 done · 1 refused (role) or the run could
not share the calls out · 2 a bad rule file, rule name, period or seed · 3 the database
cannot be used.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, on_database


def add_review_parsers(sub) -> None:
    sample = sub.add_parser("sample", help="sampling rules: which calls go to which reviewer")
    actions = sample.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    rules = actions.add_parser("rules", help="list the sampling rules")
    rules.add_argument("--all", action="store_true", help="also the deactivated ones")
    rules.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="add a rule from a JSON file")
    add.add_argument("file", type=Path, metavar="FILE.json")
    add.add_argument("--replace", action="store_true", help="replace the rule of that name if there is one")
    add.add_argument("--as", dest="user", metavar="NAME", help="who is acting (a lead or admin)")
    run = actions.add_parser("run", help="run a rule for a period and queue the picked calls")
    run.add_argument("rule", metavar="RULE", help="the rule's name or id")
    run.add_argument("--period", required=True, metavar="P", help="2026-11, 2026-Q4, 2026-W44 or a..b")
    run.add_argument("--reviewers", required=True, metavar="A,B", help="comma-separated reviewer names")
    run.add_argument("--seed", type=int, metavar="S", help="repeat a run (default: a new seed, stored)")
    run.add_argument("--dry-run", action="store_true", help="show the picks, queue nothing")
    run.add_argument("--json", action="store_true")
    run.add_argument("--as", dest="user", metavar="NAME", help="who is acting (a lead or admin)")

    queue = sub.add_parser("queue", help="review queues: a reviewer's calls, or the overview")
    queue.add_argument("--reviewer", metavar="NAME", help="whose queue (default: the settings' reviewer)")
    queue.add_argument("--overview", action="store_true", help="per reviewer and per agent, for a lead")
    queue.add_argument("--period", metavar="P", help="only what is due in the period (the overview's default: "
                       "this month)")
    queue.add_argument("--json", action="store_true")


def _actor(session, name: str):
    """The acting user (a stored user, or the local user of a SQLite file; on a shared
    database signed in with their password)."""
    from .cli_user import named_actor

    return named_actor(session, name)


def _period(text: str):
    from .scoring.periods import PeriodError, parse_period

    try:
        return parse_period(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(f"bad period '{text}': {exc}") from None


def run_review(args: argparse.Namespace, url: str, settings) -> int:
    from .permissions import PermissionDenied
    from .scoring.sampling import AssignmentError, SamplingRuleError

    try:
        if args.command == "queue":
            return _queue(args, url, settings)
        if args.sample_command == "rules":
            return _rules(args, url)
        if args.sample_command == "add":
            return _add(args, url, settings)
        return _run(args, url, settings)
    except argparse.ArgumentTypeError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except PermissionDenied as exc:
        return _fail(str(exc), EXIT_FAILED)
    except SamplingRuleError as exc:
        return _fail("\n".join(exc.problems), EXIT_USAGE)
    except AssignmentError as exc:
        return _fail(str(exc), EXIT_FAILED)


def _rules(args, url: str) -> int:
    from .store.sampling import list_rules

    def work(db) -> int:
        with db.session() as session:
            rules = list_rules(session, include_inactive=args.all)
        if args.json:
            print(json.dumps([{"id": r.id, "active": r.active, "created_by": r.created_by, **r.rule.to_dict()}
                              for r in rules], ensure_ascii=False, indent=2))
        elif not rules:
            print("No sampling rules yet (qa-desk sample add FILE.json).")
        else:
            from .cli import _table

            print(_table(("id", "name", "per agent", "selection", "filters", "active"), [
                (str(r.id), r.name, str(r.rule.per_agent), r.rule.selection, _filters(r.rule),
                 "yes" if r.active else "no") for r in rules]))
        return EXIT_OK

    return on_database(url, work)


def _filters(rule) -> str:
    parts = [f"teams {', '.join(rule.teams)}"] if rule.teams else []
    parts += [f"queues {', '.join(rule.queues)}"] if rule.queues else []
    parts += [f"≥ {rule.min_duration:g} s"] if rule.min_duration else []
    parts += ["new agents first"] if rule.new_agents_first else []
    parts += [f"cap {rule.max_calls}"] if rule.max_calls else []
    return "; ".join(parts)


def _add(args, url: str, settings) -> int:
    from .store.sampling import find_rule, save_rule

    try:
        definition = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"{args.file}: {exc.strerror or exc}", EXIT_USAGE)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _fail(f"{args.file}: not JSON ({exc})", EXIT_USAGE)

    def work(db) -> int:
        with db.session() as session:
            actor = _actor(session, args.user or settings.reviewer())
            existing = None
            if args.replace and isinstance(definition, dict) and definition.get("name"):
                try:
                    existing = find_rule(session, str(definition["name"])).id
                except LookupError:
                    pass
            try:
                view = save_rule(session, definition, actor=actor, rule_id=existing)
            except ValueError as exc:
                if not isinstance(exc, LookupError) and "already exists" in str(exc):
                    return _fail(f"{exc} (use --replace)", EXIT_USAGE)
                raise
        print(f"Sampling rule '{view.name}' saved (id {view.id}).")
        return EXIT_OK

    return on_database(url, work)


def _run(args, url: str, settings) -> int:
    from .store.sampling import find_rule, preview, run_rule

    period = _period(args.period)
    reviewers = [r.strip() for r in args.reviewers.split(",") if r.strip()]
    if not reviewers:
        return _fail("--reviewers: name at least one reviewer", EXIT_USAGE)

    def work(db) -> int:
        with db.session() as session:
            actor = _actor(session, args.user or settings.reviewer())
            try:
                rule = find_rule(session, args.rule)
            except LookupError as exc:
                return _fail(str(exc), EXIT_USAGE)
            if args.dry_run:
                from .permissions import require

                require(actor, "sampling.manage")
                report = preview(session, rule.id, period, reviewers=reviewers, seed=args.seed)
            else:
                report = run_rule(session, rule.id, period, reviewers=reviewers, actor=actor, seed=args.seed)
        _print_run(report, args.json, args.dry_run)
        return EXIT_OK

    return on_database(url, work)


def _print_run(report, as_json: bool, dry_run: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict() | {"dry_run": dry_run}, ensure_ascii=False, indent=2))
        return
    what = "Would queue" if dry_run else f"Run {report.run_id} queued"
    print(f"{what} {report.picked} calls for {report.period.label} by '{report.rule.name}' "
          f"(seed {report.seed}; due {report.due_on}).")
    for name, count in report.per_reviewer().items():
        print(f"  {name}: {count}")
    if report.assignments:
        from .cli import _table

        print(_table(("call", "agent", "reviewer", "why"), [
            (str(a.call_id), a.pick.agent_name, a.reviewer, a.pick.reason) for a in report.assignments]))


def _queue(args, url: str, settings) -> int:
    from .scoring.periods import month_of
    from .store import assignments

    period = _period(args.period) if args.period else None

    def work(db) -> int:
        with db.session() as session:
            if args.overview:
                view = assignments.overview(session, period or month_of(date.today()))
                return _print_overview(view, args.json)
            reviewer = args.reviewer or settings.reviewer()
            items = assignments.my_queue(session, reviewer, period=period)
        if args.json:
            print(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=2))
            return EXIT_OK
        if not items:
            print(f"{reviewer}'s queue is empty.")
            return EXIT_OK
        from .cli import _table

        done = sum(i.status == "done" for i in items)
        print(f"{reviewer}: {done} of {len(items)} done.")
        print(_table(("id", "call", "agent", "date", "duration", "due", "status", "why"), [
            (str(i.id), str(i.call_id), i.agent, i.started_at.strftime("%Y-%m-%d") if i.started_at else "",
             f"{int(i.duration) // 60}:{int(i.duration) % 60:02d}", str(i.due_on or ""),
             "overdue" if i.overdue else i.status, i.reason) for i in items]))
        return EXIT_OK

    return on_database(url, work)


def _print_overview(view, as_json: bool) -> int:
    def rows(lines):
        return [{"name": r.name, "assigned": r.assigned, "done": r.done, "overdue": r.overdue} for r in lines]

    if as_json:
        print(json.dumps({"period": view.period.label, "reviewers": rows(view.reviewers), "agents": rows(view.agents)},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    from .cli import _table

    print(f"Review queues, {view.period.label}")
    for title, lines in (("reviewer", view.reviewers), ("agent", view.agents)):
        print()
        print(_table((title, "assigned", "done", "overdue"),
                     [(r.name, str(r.assigned), str(r.done), str(r.overdue)) for r in lines]) if lines
              else f"No calls queued per {title}.")
    return EXIT_OK
