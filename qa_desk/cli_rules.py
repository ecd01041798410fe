"""`qa-desk rules …`: check a rulebook file, and try sentences against a rulebook.

  qa-desk rules check FILE [--json]
  qa-desk rules test TEXT [--rules FILE] [--speaker agent|customer] [--at SECONDS] [--json]

QA staff edit rulebooks by hand; `check` says whether a file is usable before it is
loaded anywhere (every problem with its line), `test` shows which rules a sentence
triggers and why. Exit codes: 0 valid / tested (whether or not a rule fired) · 1 the
rulebook is invalid (every problem on stderr) · 2 the file does not exist or cannot be
read.

``qa_desk.cli`` wires this in with ``add_rules_parser(sub)`` and ``run_rules(args, settings)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .wording import choose, translate

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def add_rules_parser(sub) -> argparse.ArgumentParser:
    """Add the `rules` command to qa-desk's subparsers."""
    rules = sub.add_parser("rules", help=translate("CLI", "service-language rulebooks: check a file, test a sentence"))
    actions = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help=translate("CLI", "validate a rulebook file and summarise it"))
    check.add_argument("file", type=Path, metavar="FILE")
    check.add_argument("--json", action="store_true", help=translate("CLI", "print the summary as JSON"))
    test = actions.add_parser("test", help=translate("CLI", "which rules a sentence triggers, and why"))
    test.add_argument("text", metavar="TEXT", help=translate("CLI", "what was said, e.g. '不知道，你自己查吧'"))
    test.add_argument("--rules", type=Path, metavar="FILE", help=translate(
        "CLI", "rulebook file (default: the shipped zh-CN rulebook for Chinese text, else en)"))
    test.add_argument("--speaker", choices=("agent", "customer"), default="agent",
                      help=translate("CLI", "who says it (default agent)"))
    test.add_argument("--at", type=float, default=0.0, metavar="SECONDS",
                      help=translate("CLI", "when in the call it is said (default 0): 'first N s' rules depend on it"))
    test.add_argument("--json", action="store_true", help=translate("CLI", "print the findings as JSON"))
    return rules


def run_rules(args: argparse.Namespace, settings=None) -> int:
    if args.rules_command == "check":
        return _check(args)
    return _test(args)


def _load(path: Path):
    """(rulebook, exit code): problems are printed here."""
    from .scoring.rulebook import RulebookError, load_rulebook

    try:
        return load_rulebook(path), EXIT_OK
    except FileNotFoundError:
        print("qa-desk: " + translate("CLI", "{file}: no such file").format(file=path), file=sys.stderr)
        return None, EXIT_UNREADABLE
    except OSError as exc:
        print("qa-desk: " + translate("CLI", "{file}: cannot be read ({error})").format(
            file=path, error=exc.strerror or exc), file=sys.stderr)
        return None, EXIT_UNREADABLE
    except RulebookError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        invalid = choose(count, translate("CLI", "{file}: not a valid rulebook ({count} problem)"),
                         translate("CLI", "{file}: not a valid rulebook ({count} problems)"))
        print("qa-desk: " + invalid.format(file=path.name, count=count), file=sys.stderr)
        return None, EXIT_INVALID


def _summary(rulebook) -> dict:
    return {
        "key": rulebook.key,
        "name": rulebook.name,
        "language": rulebook.language,
        "version": rulebook.version,
        "content_hash": rulebook.content_hash,
        "rules": len(rulebook.rules),
        "categories": rulebook.counts_by_category(),
    }


def _check(args) -> int:
    rulebook, code = _load(args.file)
    if rulebook is None:
        if args.json:
            print(json.dumps({"file": str(args.file), "valid": False}, ensure_ascii=False))
        return code
    summary = _summary(rulebook)
    if args.json:
        print(json.dumps({"file": str(args.file), "valid": True, **summary}, ensure_ascii=False, indent=2))
        return EXIT_OK
    from .cli import _width

    print(translate("CLI", "{file}: valid rulebook").format(file=args.file.name))
    labels = {"key": translate("CLI", "key"), "name": translate("CLI", "name"), "language": translate("CLI", "language"),
              "version": translate("CLI", "version"), "rules": translate("CLI", "rules")}
    column = max(9, *map(_width, labels.values()))  # Chinese labels take two columns a character
    for key, label in labels.items():
        print(f"  {label}{' ' * (column - _width(label))} {summary[key]}")
    width = max(map(len, summary["categories"]), default=0)
    for category, count in summary["categories"].items():
        print(f"    {category:<{width}}  {count}")
    return EXIT_OK


def _has_chinese(text: str) -> bool:
    from .text import is_cjk

    return any(is_cjk(c) and c.isalpha() for c in text)


def _test(args) -> int:
    from .scoring.checks import check_text
    from .scoring.rulebook import default_rulebook_path

    path = args.rules or default_rulebook_path("zh-CN" if _has_chinese(args.text) else "en")
    rulebook, code = _load(path)
    if rulebook is None:
        return code
    findings = check_text(rulebook, args.text, speaker=args.speaker, at=args.at)
    if args.json:
        data = {
            "rulebook": {"file": str(path), **_summary(rulebook)},
            "text": args.text, "speaker": args.speaker, "at": args.at,
            "findings": [f.as_dict() for f in findings],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    said = translate("CLI", "{speaker} at {seconds} s; rulebook {rulebook} {version}").format(
        speaker=args.speaker, seconds=f"{args.at:g}", rulebook=rulebook.key, version=rulebook.version)
    if not findings:
        print(translate("CLI", "No rule fires on this text ({context}).").format(context=said))
        return EXIT_OK
    print(choose(len(findings), translate("CLI", "{count} rule match ({context}):"),
                 translate("CLI", "{count} rule matches ({context}):")).format(count=len(findings), context=said))
    for f in findings:
        sure = "" if f.kind == "exact" else " " + translate("CLI", "{kind}, confidence {confidence}").format(
            kind=f.kind, confidence=f"{f.confidence:.1f}")
        print(f"  [{f.severity}] {f.rule_key}  {f.rule_title}  “{f.matched_text}”{sure}")
        print(f"      {f.reason}")
    return EXIT_OK
