"""`qa-desk calibration`: calibration sessions and the reviewers' calibration over time.

  qa-desk calibration list [--json] [--as NAME]
  qa-desk calibration show ID [-o FILE.xlsx] [--json] [--as NAME]
  qa-desk calibration report [--since DATE] [--until DATE] [-o FILE.xlsx] [--json] [--as NAME]

``list`` shows the sessions the user may see (a lead or admin: all; a reviewer: those
they are invited to). ``show`` prints a session's results per call as the user may see
them (blind until they submitted, see ``store.calibration_results``); ``report`` each
reviewer's mean deviation and agreement rate over the sessions started in the dates.
``-o`` writes the Excel workbook (a lead or admin). ``--as`` names the acting user
(default: the reviewer name in the settings; on a local SQLite file an unknown name is
the local admin, as the window treats it). Exit codes: 0 done · 1 refused (role,
invitation) · 2 a bad id, date or file name · 3 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, on_database
from .wording import translate


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            translate("CLI", "'{text}' is not a date (YYYY-MM-DD)").format(text=text)) from None


def add_calibration_parser(sub) -> None:
    parser = sub.add_parser(
        "calibration", help=translate("CLI", "calibration sessions: several reviewers score the same calls"))
    actions = parser.add_subparsers(dest="calibration_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=translate("CLI", "the calibration sessions you may see, with their progress"))
    show = actions.add_parser(
        "show", help=translate("CLI", "one session's results: agreement per item, deviation per reviewer"))
    show.add_argument("session", type=int, metavar="ID")
    report = actions.add_parser("report", help=translate("CLI", "each reviewer's deviation and agreement rate over time"))
    report.add_argument("--since", type=_date, metavar="DATE",
                        help=translate("CLI", "sessions started on or after (YYYY-MM-DD)"))
    report.add_argument("--until", type=_date, metavar="DATE",
                        help=translate("CLI", "sessions started on or before (YYYY-MM-DD)"))
    for action in (listing, show, report):
        action.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))
        action.add_argument("--as", dest="user", metavar="NAME",
                            help=translate("CLI", "who is asking (default: the settings' reviewer)"))
    for action in (show, report):
        action.add_argument("-o", "--output", type=Path, metavar="FILE.xlsx",
                            help=translate("CLI", "write the Excel workbook"))


def _actor(session, name: str):
    """The acting user (a stored user, or the local user of a SQLite file; on a shared
    database signed in with their password)."""
    from .cli_user import named_actor

    return named_actor(session, name)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _points(value) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _summary_json(s) -> dict:
    return {"id": s.id, "name": s.name, "form": s.form_key, "form_version": s.form_version,
            "reference": s.reference, "reference_reviewer": s.reference_reviewer, "status": s.status,
            "created_by": s.created_by, "created_at": s.created_at.isoformat() if s.created_at else None,
            "calls": [c.call_id for c in s.calls], "participants": list(s.participants),
            "submitted": s.submitted, "expected": s.expected, "my_submitted": s.my_submitted}


def _result_json(result) -> dict:
    return {
        "reference": result.reference, "reference_percent": result.reference_percent,
        "agreement": result.agreement,
        "spread": {k: getattr(result.spread, k) for k in ("low", "high", "range", "mean", "stdev")},
        "reviewers": [{"reviewer": r.reviewer, "percent": r.percent, "deviation": r.deviation,
                       "is_reference": r.is_reference, "items_compared": r.items_compared,
                       "items_matched": r.items_matched, "items_differing": list(r.items_differing)}
                      for r in result.reviewers],
        "items": [{"item": i.key, "agreement": i.agreement, "reference": i.reference, "modal": i.modal,
                   "contested": i.contested, "answers": i.answers} for i in result.items],
    }


def _list(session, actor, as_json: bool) -> int:
    from .store.calibration import list_sessions

    sessions = list_sessions(session, actor)
    if as_json:
        print(json.dumps([_summary_json(s) for s in sessions], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not sessions:
        print(translate("CLI", "No calibration sessions."))
    for s in sessions:
        mine = (translate("CLI", ", you: {done}/{calls}").format(done=s.my_submitted, calls=len(s.calls))
                if s.my_submitted is not None else "")
        print(f"{s.id:>4}  {s.name}  [{s.status}]  {s.form_key} v{s.form_version}  " + translate(
            "CLI", "reference: {reference}  scored {submitted}/{expected}").format(
            reference=s.reference_reviewer or translate("CLI", "median"), submitted=s.submitted,
            expected=s.expected) + mine)
    return EXIT_OK


def _show(session, actor, session_id: int, as_json: bool) -> int:
    from .store.calibration_results import session_view

    view = session_view(session, session_id, actor)
    if as_json:
        print(json.dumps({"session": _summary_json(view.summary), "calls": [
            {"call_id": c.call.call_id, "revealed": c.revealed, "submitted_by": list(c.submitted_by),
             "reference_pending": c.reference_pending,
             "result": _result_json(c.result) if c.result else None} for c in view.calls]},
            ensure_ascii=False, indent=2))
        return EXIT_OK
    s = view.summary
    print(translate("CLI", "Calibration {id}  {name}  [{status}]  {form} v{version}  reference: {reference}").format(
        id=s.id, name=s.name, status=s.status, form=s.form_name, version=s.form_version,
        reference=s.reference_reviewer or translate("CLI", "median")))
    for c in view.calls:
        print("\n" + translate("CLI", "Call {call}: submitted {submitted}/{participants}").format(
            call=c.call.label, submitted=len(c.submitted_by), participants=len(s.participants)))
        if c.result is None:
            print("  " + (translate("CLI", "(blind: submit your own sheet to see the others)") if not c.revealed
                          else translate("CLI", "(no sheets yet)")))
            continue
        r = c.result
        note = translate("CLI", " (the reference has not submitted: against the median)") if c.reference_pending else ""
        print("  " + translate("CLI", "agreement {agreement}, spread {low}–{high} (σ {stdev})").format(
            agreement=_pct(None if r.agreement is None else r.agreement * 100), low=_pct(r.spread.low),
            high=_pct(r.spread.high), stdev=f"{r.spread.stdev or 0:.1f}") + note)
        for rev in r.reviewers:
            star = " *" if rev.is_reference else ""
            print(f"  {rev.reviewer}{star}: {_pct(rev.percent)}  " + translate(
                "CLI", "deviation {deviation}  differs on {items}").format(
                deviation=_points(rev.deviation), items=", ".join(rev.items_differing) or translate("CLI", "nothing")))
        for item in r.items:
            if item.agreement is not None and item.agreement < 1:
                answers = ", ".join(f"{k}={v}" for k, v in item.answers.items())
                print(f"  ~ {item.key} {_pct(item.agreement * 100)}: {answers}")
    return EXIT_OK


def _report(session, actor, args) -> int:
    from .store.calibration_results import calibration_report

    report = calibration_report(session, actor, since=args.since, until=args.until)
    if args.json:
        print(json.dumps({"since": str(args.since) if args.since else None,
                          "until": str(args.until) if args.until else None,
                          "sessions": [s.id for s in report.sessions], "calls": len(report.results),
                          "reviewers": [{"reviewer": r.reviewer, "calls": r.overall.calls,
                                         "mean_abs_deviation": r.overall.mean_abs_deviation,
                                         "mean_deviation": r.overall.mean_deviation,
                                         "agreement_rate": r.overall.agreement_rate,
                                         "months": {m.label: f.agreement_rate for m, f in r.months}}
                                        for r in report.reviewers]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(translate("CLI", "Sessions: {sessions}, calibrated calls: {calls}").format(
        sessions=len(report.sessions), calls=len(report.results)))
    for r in report.reviewers:
        rate = r.overall.agreement_rate
        print(f"  {r.reviewer}: " + translate(
            "CLI", "calls: {calls}, mean distance {distance}, mean deviation {deviation}, agreement {agreement}").format(
            calls=r.overall.calls, distance=_points(r.overall.mean_abs_deviation),
            deviation=_points(r.overall.mean_deviation), agreement=_pct(None if rate is None else rate * 100)))
    return EXIT_OK


def run_calibration(args: argparse.Namespace, url: str, settings) -> int:
    from .permissions import PermissionDenied

    output = getattr(args, "output", None)
    if output is not None and output.suffix.lower() != ".xlsx":
        return _fail(translate("CLI", "{file}: calibration exports are Excel workbooks; name the file .xlsx").format(
            file=output), EXIT_USAGE)

    def work(db) -> int:
        from .reports.calibration_export import CalibrationExportError, export_calibration

        try:
            with db.session() as session:
                actor = _actor(session, args.user or settings.reviewer())
                if args.calibration_command == "list":
                    return _list(session, actor, args.json)
                code = (_show(session, actor, args.session, args.json) if args.calibration_command == "show"
                        else _report(session, actor, args))
            if output is not None:
                ids = [args.session] if args.calibration_command == "show" else None
                written = export_calibration(db, output, actor, since=getattr(args, "since", None),
                                             until=getattr(args, "until", None), session_ids=ids)
                print(written.summary(), file=sys.stderr if args.json else sys.stdout)  # JSON stays clean
            return code
        except PermissionDenied as exc:
            return _fail(str(exc), EXIT_FAILED)
        except LookupError as exc:
            return _fail(str(exc).strip("'\""), EXIT_USAGE)
        except CalibrationExportError as exc:
            return _fail(str(exc), EXIT_USAGE)

    return on_database(url, work)


__all__ = ["add_calibration_parser", "run_calibration"]
