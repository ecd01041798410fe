"""`qa-desk scan` and `qa-desk flags`: check calls against the service-language
rulebook, and read what was found.

  qa-desk scan [CALL…] [--all] [--rules FILE] [--json]
  qa-desk flags CALL [--json]

`scan` with no call checks every transcribed call not yet checked with the active
rulebook's current version; `--all` checks every transcribed call again (reviewers'
decisions on flags that are found again are kept). Exit codes: 0 done · 1 some calls
failed (each named with the reason; the rest were checked) · 2 usage, no such call, a
rulebook that cannot be read or is invalid (every problem listed) · 3 the database
cannot be used · 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, _find_call, on_database
from .wording import translate

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}


def add_flags_parsers(sub) -> None:
    scan = sub.add_parser("scan", help=translate("CLI", "check transcribed calls against the service-language rulebook"))
    scan.add_argument("calls", nargs="*", metavar="CALL",
                      help=translate("CLI", "call ids or recording file names (default: every call not checked yet)"))
    scan.add_argument("--all", action="store_true", help=translate("CLI", "check every transcribed call again"))
    scan.add_argument("--rules", type=Path, metavar="FILE", help=translate(
        "CLI", "rulebook file (default: the one chosen in Settings, else the shipped one for the call language)"))
    scan.add_argument("--json", action="store_true", help=translate("CLI", "per-call results as JSON"))
    flags = sub.add_parser("flags", help=translate(
        "CLI", "a call's flags: what broke the service-language standard, where, and reviewers' decisions"))
    flags.add_argument("call", metavar="CALL", help=translate("CLI", "call id, or the recording's file name or path"))
    flags.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))


def _rulebook(args, settings):
    from .scoring.rulebook import RulebookError, load_rulebook
    from .scoring.scan import active_rulebook_path

    path = args.rules or active_rulebook_path(settings)
    try:
        return load_rulebook(path), EXIT_OK
    except OSError as exc:
        return None, _fail(translate("CLI", "cannot read the rulebook {file}: {error}").format(
            file=path, error=exc.strerror or exc), EXIT_USAGE)
    except RulebookError as exc:
        print("qa-desk: " + translate("CLI", "the rulebook {file} is not valid:").format(file=path), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None, EXIT_USAGE


def run_flags(args, url: str, settings) -> int:
    if args.command == "scan":
        return on_database(url, lambda db: _scan(db, args, settings))
    return on_database(url, lambda db: _show(db, args))


def _scan(db, args, settings) -> int:
    from .scoring.scan import calls_needing_scan, scan_calls

    rulebook, code = _rulebook(args, settings)
    if rulebook is None:
        return code
    if args.calls:
        ids = []
        for key in args.calls:
            call, code = _find_call(db, key)
            if call is None:
                return code
            ids.append(call.id)
    else:
        ids = calls_needing_scan(db, rulebook, everything=args.all)
    report = scan_calls(db, ids, rulebook)
    if args.json:
        print(json.dumps({
            "rulebook": {"key": rulebook.key, "name": rulebook.name, "version": rulebook.version},
            "calls": [
                {"call_id": s.call_id, "checked": s.checked, "findings": s.findings, "note": s.note,
                 **({"added": s.summary.added, "kept": s.summary.kept, "removed": s.summary.removed,
                     "stale": s.summary.stale} if s.summary else {})}
                for s in report.scanned
            ],
            "failed": {str(k): v for k, v in report.failed.items()},
        }, ensure_ascii=False, indent=2))
    else:
        checked = [s for s in report.scanned if s.checked]
        print(translate("CLI", "{rulebook} (version {version}): {calls} call(s) checked, {findings} finding(s)").format(
            rulebook=rulebook.name, version=rulebook.version, calls=len(checked),
            findings=sum(s.findings for s in checked)))
        for s in report.scanned:
            if not s.checked or s.note:
                print("  " + translate("CLI", "call {call}: {note}").format(call=s.call_id, note=s.note), file=sys.stderr)
        for call_id, reason in report.failed.items():
            print("  " + translate("CLI", "call {call}: failed: {reason}").format(call=call_id, reason=reason),
                  file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _show(db, args) -> int:
    from .store.flags import flags_for_call

    call, code = _find_call(db, args.call)
    if call is None:
        return code
    with db.session() as session:
        rows = flags_for_call(session, call.id)
    rows.sort(key=lambda r: (r.start if r.start is not None else -1, SEVERITY_ORDER.get(r.severity, 9)))
    if args.json:
        out = []
        for r in rows:
            item = dict(vars(r))
            item["words"] = list(r.words)
            item["decided_at"] = r.decided_at.isoformat(sep=" ") if r.decided_at else None
            out.append(item)
        print(json.dumps({"call_id": call.id, "flags": out}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print(translate("CLI", "call {call}: no flags").format(call=call.id))
        return EXIT_OK
    for r in rows:
        status = (translate("CLI", "{status} by {reviewer}").format(status=r.status, reviewer=r.decided_by)
                  if r.decided_by else r.status) + (translate("CLI", " (stale)") if r.stale else "")
        kind = "" if r.kind == "exact" else f" [{r.kind}]"
        said = f" “{r.matched_text}”" if r.matched_text else ""
        print(f"{_clock(r.start):>6}  {r.severity:<8} {r.speaker or '-':<8} {r.rule_key}: {r.rule_title}{kind}{said}  ({status})")
    return EXIT_OK
