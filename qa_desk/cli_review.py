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
from .wording import translate


def add_review_parsers(sub) -> None:
    as_json = translate("CLI", "print the result as JSON")
    acting = translate("CLI", "who is acting (a lead or admin)")
    sample = sub.add_parser("sample", help=translate("CLI", "sampling rules: which calls go to which reviewer"))
    actions = sample.add_subparsers(dest="sample_command", metavar="ACTION", required=True)
    rules = actions.add_parser("rules", help=translate("CLI", "list the sampling rules"))
    rules.add_argument("--all", action="store_true", help=translate("CLI", "also the deactivated ones"))
    rules.add_argument("--json", action="store_true", help=as_json)
    add = actions.add_parser("add", help=translate("CLI", "add a rule from a JSON file"))
    add.add_argument("file", type=Path, metavar="FILE.json")
    add.add_argument("--replace", action="store_true",
                     help=translate("CLI", "replace the rule of that name if there is one"))
    add.add_argument("--as", dest="user", metavar="NAME", help=acting)
    run = actions.add_parser("run", help=translate("CLI", "run a rule for a period and queue the picked calls"))
    run.add_argument("rule", metavar="RULE", help=translate("CLI", "the rule's name or id"))
    run.add_argument("--period", required=True, metavar="P", help=translate("CLI", "2026-11, 2026-Q4, 2026-W44 or a..b"))
    run.add_argument("--reviewers", required=True, metavar="A,B", help=translate("CLI", "comma-separated reviewer names"))
    run.add_argument("--seed", type=int, metavar="S", help=translate("CLI", "repeat a run (default: a new seed, stored)"))
    run.add_argument("--dry-run", action="store_true", help=translate("CLI", "show the picks, queue nothing"))
    run.add_argument("--json", action="store_true", help=as_json)
    run.add_argument("--as", dest="user", metavar="NAME", help=acting)

    queue = sub.add_parser("queue", help=translate("CLI", "review queues: a reviewer's calls, or the overview"))
    queue.add_argument("--reviewer", metavar="NAME", help=translate("CLI", "whose queue (default: the settings' reviewer)"))
    queue.add_argument("--overview", action="store_true", help=translate("CLI", "per reviewer and per agent, for a lead"))
    queue.add_argument("--period", metavar="P", help=translate(
        "CLI", "only what is due in the period (the overview's default: this month)"))
    queue.add_argument("--json", action="store_true", help=as_json)


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
        raise argparse.ArgumentTypeError(
            translate("CLI", "bad period '{period}': {problem}").format(period=text, problem=exc)) from None


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
            print(translate("CLI", "No sampling rules yet (qa-desk sample add FILE.json)."))
        else:
            from .cli import _table

            print(_table((translate("CLI", "id"), translate("CLI", "name"), translate("CLI", "per agent"),
                          translate("CLI", "selection"), translate("CLI", "filters"), translate("CLI", "active")), [
                (str(r.id), r.name, str(r.rule.per_agent), r.rule.selection, _filters(r.rule),
                 translate("CLI", "yes") if r.active else translate("CLI", "no")) for r in rules]))
        return EXIT_OK

    return on_database(url, work)


def _filters(rule) -> str:
    parts = [translate("CLI", "teams {teams}").format(teams=", ".join(rule.teams))] if rule.teams else []
    parts += [translate("CLI", "queues {queues}").format(queues=", ".join(rule.queues))] if rule.queues else []
    parts += [translate("CLI", "≥ {seconds} s").format(seconds=f"{rule.min_duration:g}")] if rule.min_duration else []
    parts += [translate("CLI", "new agents first")] if rule.new_agents_first else []
    parts += [translate("CLI", "cap {calls}").format(calls=rule.max_calls)] if rule.max_calls else []
    return "; ".join(parts)


def _add(args, url: str, settings) -> int:
    from .store.sampling import RuleNameTaken, find_rule, save_rule

    try:
        definition = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"{args.file}: {exc.strerror or exc}", EXIT_USAGE)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _fail(translate("CLI", "{file}: not JSON ({problem})").format(file=args.file, problem=exc), EXIT_USAGE)

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
            except RuleNameTaken as exc:  # by its class: the message is in the user's language
                return _fail(translate("CLI", "{problem} (use --replace)").format(problem=exc), EXIT_USAGE)
        print(translate("CLI", "Sampling rule '{name}' saved (id {id}).").format(name=view.name, id=view.id))
        return EXIT_OK

    return on_database(url, work)


def _run(args, url: str, settings) -> int:
    from .store.sampling import find_rule, preview, run_rule

    period = _period(args.period)
    reviewers = [r.strip() for r in args.reviewers.split(",") if r.strip()]
    if not reviewers:
        return _fail(translate("CLI", "--reviewers: name at least one reviewer"), EXIT_USAGE)

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
    done = (translate("CLI", "Would queue {count} calls for {period} by '{rule}' (seed {seed}; due {due}).") if dry_run
            else translate("CLI", "Run {run} queued {count} calls for {period} by '{rule}' (seed {seed}; due {due})."))
    print(done.format(run=report.run_id, count=report.picked, period=report.period.label, rule=report.rule.name,
                      seed=report.seed, due=report.due_on))
    for name, count in report.per_reviewer().items():
        print(f"  {name}: {count}")
    if report.assignments:
        from .cli import _table

        print(_table((translate("CLI", "call"), translate("CLI", "agent"), translate("CLI", "reviewer"),
                      translate("CLI", "why")), [
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
            print(translate("CLI", "{reviewer}'s queue is empty.").format(reviewer=reviewer))
            return EXIT_OK
        from .cli import _table

        done = sum(i.status == "done" for i in items)
        print(translate("CLI", "{reviewer}: {done} of {total} done.").format(reviewer=reviewer, done=done, total=len(items)))
        print(_table((translate("CLI", "id"), translate("CLI", "call"), translate("CLI", "agent"), translate("CLI", "date"),
                      translate("CLI", "duration"), translate("CLI", "due"), translate("CLI", "status"),
                      translate("CLI", "why")), [
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

    print(translate("CLI", "Review queues, {period}").format(period=view.period.label))
    for title, none, lines in ((translate("CLI", "reviewer"), translate("CLI", "No calls queued per reviewer."),
                                view.reviewers),
                               (translate("CLI", "agent"), translate("CLI", "No calls queued per agent."), view.agents)):
        print()
        print(_table((title, translate("CLI", "assigned"), translate("CLI", "done"), translate("CLI", "overdue")),
                     [(r.name, str(r.assigned), str(r.done), str(r.overdue)) for r in lines]) if lines else none)
    return EXIT_OK
