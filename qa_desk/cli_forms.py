"""`qa-desk forms …`: evaluation forms, checked and stored.

  qa-desk forms check FILE [--json]      validate a form file and summarise it
  qa-desk forms install FILE… [--json]   store form files (new content: the next version)
  qa-desk forms list [--json]            the stored forms, newest versions first

QA leads write forms by hand or in the form builder; `check` says whether a file is
usable before anyone scores on it (every problem with its line, rule ids checked
against the shipped rulebooks and the one in Settings). `list` stores the shipped
forms first, so a new database lists them. Exit codes: 0 done · 1 a form is invalid
(check) or some files were not stored (install: each named with its problems, the
others stored) · 2 a file does not exist or cannot be read · 3 the database cannot be
used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, on_database
from .wording import choose, translate


def add_forms_parser(sub) -> None:
    forms = sub.add_parser("forms", help=translate("CLI", "evaluation forms: check a file, store forms, list them"))
    actions = forms.add_subparsers(dest="forms_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help=translate("CLI", "validate a form file and summarise it"))
    check.add_argument("file", type=Path, metavar="FILE")
    install = actions.add_parser(
        "install", help=translate("CLI", "store form files (changed content becomes the next version)"))
    install.add_argument("files", type=Path, nargs="+", metavar="FILE")
    listing = actions.add_parser("list", help=translate("CLI", "the stored forms and their versions"))
    for action in (check, install, listing):
        action.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))


def _known_rules(settings):
    from .scoring.forms import known_rule_ids

    return known_rule_ids(getattr(settings, "rulebook_path", None) and Path(settings.rulebook_path))


def summary(form) -> dict:
    items = form.items()
    return {
        "key": form.key, "name": form.name, "language": form.language, "scoring": form.scoring,
        "na": form.na, "version_hash": form.content_hash[:12], "sections": len(form.sections),
        "items": len(items), "points": sum(i.points for i in items if not i.bonus),
        "critical": sum(1 for i in items if i.critical), "bonus": sum(1 for i in items if i.bonus),
        "linked_rules": len(form.rules()),
    }


def _check(args, settings) -> int:
    from .scoring.forms import FormError, load_form

    if not args.file.is_file():
        return _fail(translate("CLI", "{file}: no such file").format(file=args.file), EXIT_USAGE)
    try:
        form = load_form(args.file, _known_rules(settings))
    except FormError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if exc.unreadable:  # no form to judge: a usage error, not an invalid form
            return EXIT_USAGE
        count = len(exc.problems)
        invalid = choose(count, translate("CLI", "{file}: not a valid form ({count} problem)"),
                         translate("CLI", "{file}: not a valid form ({count} problems)"))
        print("qa-desk: " + invalid.format(file=args.file.name, count=count), file=sys.stderr)
        return EXIT_FAILED
    facts = summary(form)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
    else:
        scored = (translate("CLI", "weighted sections") if form.scoring == "weights"
                  else translate("CLI", "{points} points").format(points=f"{facts['points']:g}"))
        print(translate("CLI", "{name} ({key}, {language}): valid · {sections} sections, {items} items, {scored} · "
                               "{critical} critical · {bonus} bonus · {rules} linked rules · version {version}").format(
            name=form.name, key=form.key, language=form.language, sections=facts["sections"], items=facts["items"],
            scored=scored, critical=facts["critical"], bonus=facts["bonus"], rules=facts["linked_rules"],
            version=facts["version_hash"]))
        for section in form.sections:
            size = (f"{section.weight:g} %" if form.scoring == "weights"
                    else translate("CLI", "{points} points").format(points=f"{section.points or 0:g}"))
            print("  " + translate("CLI", "{section}: {items} items, {size}").format(
                section=section.title, items=len(section.items), size=size))
    return EXIT_OK


def run_forms(args: argparse.Namespace, url: str, settings) -> int:
    if args.forms_command == "check":
        return _check(args, settings)
    missing = [f for f in getattr(args, "files", []) if not f.is_file()]
    if missing:
        return _fail(translate("CLI", "{file}: no such file").format(file=missing[0]), EXIT_USAGE)
    work = _install if args.forms_command == "install" else _list
    return on_database(url, lambda db: work(db, args, settings))


def _version_dict(v) -> dict:
    return {"id": v.id, "key": v.key, "version": v.version, "name": v.name, "language": v.language,
            "evaluations": v.evaluations, "created_at": v.created_at.isoformat() if v.created_at else None}


def _install(db, args, settings) -> int:
    from .store.forms import install_forms

    from .cli_user import cli_actor

    with db.session() as session:
        report = install_forms(session, list(args.files), _known_rules(settings),
                               actor=cli_actor(session, args, settings))
    if args.json:
        print(json.dumps({"stored": [_version_dict(v) for v in report.stored], "failed": report.failed},
                         ensure_ascii=False, indent=2))
    else:
        for v in report.stored:
            print(translate("CLI", "{name} ({key}): version {version}").format(name=v.name, key=v.key, version=v.version))
    for name, problems in report.failed.items():
        print("qa-desk: " + translate("CLI", "{file} was not stored:").format(file=name) + "\n  "
              + problems.replace("\n", "\n  "), file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def _list(db, args, settings) -> int:
    from .scoring.forms import shipped_forms
    from .store.forms import form_versions, install_forms, latest_forms

    with db.session() as session:
        install_forms(session, shipped_forms(), None)  # a no-op once they are stored
        latest = latest_forms(session)
        versions = {v.key: form_versions(session, v.key) for v in latest}
    if args.json:
        print(json.dumps([{**_version_dict(v), "versions": [_version_dict(o) for o in versions[v.key]]}
                          for v in latest], ensure_ascii=False, indent=2))
        return EXIT_OK
    for v in latest:
        older = len(versions[v.key]) - 1
        older_text = choose(older, translate("CLI", "({count} older version)"),
                            translate("CLI", "({count} older versions)")).format(count=older)
        print(f"{v.key}\tv{v.version}\t{v.name}\t{v.language or ''}\t"
              + choose(v.evaluations, translate("CLI", "{count} evaluation"),
                       translate("CLI", "{count} evaluations")).format(count=v.evaluations)
              + (f"\t{older_text}" if older else ""))
    return EXIT_OK
