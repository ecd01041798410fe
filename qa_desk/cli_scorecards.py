"""`qa-desk scorecards`: agent or team scorecards for a period, for scripts and spreadsheets.

  qa-desk scorecards [--period P] [--by agent|team] [--team NAME] [--form KEY] [--quota N] [--json]

P is a month (2026-10, the default being this month), a quarter (2026-Q4), an ISO week
(2026-W44) or a range (2026-10-01..2026-10-15). The table shows evaluations against the
monitoring quota, who is behind, the mean score and its change against the period
before; --json gives every figure (sections, flags per call, call metrics, both
periods). Exit codes: 0 done · 2 a period, quota, team or form that cannot be used ·
3 the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date

from .cli_transcripts import EXIT_OK, EXIT_USAGE, _fail, on_database
from .wording import translate


def add_scorecards_parser(sub) -> None:
    parser = sub.add_parser(
        "scorecards", help=translate("CLI", "agent or team scorecards for a week, month, quarter or range"))
    parser.add_argument("--period", metavar="P", help=translate(
        "CLI", "2026-10, 2026-Q4, 2026-W44 or 2026-10-01..2026-10-15 (default: this month)"))
    parser.add_argument("--by", choices=("agent", "team"), default="agent",
                        help=translate("CLI", "one row per agent (default) or team"))
    parser.add_argument("--team", metavar="NAME", help=translate("CLI", "only this team's agents"))
    parser.add_argument("--form", metavar="KEY", help=translate("CLI", "only evaluations on this form (any of its versions)"))
    parser.add_argument("--quota", type=int, metavar="N",
                        help=translate("CLI", "evaluations per agent per month (default: the monitoring quota setting)"))
    parser.add_argument("--json", action="store_true", help=translate("CLI", "every figure, as JSON"))


def run_scorecards(args: argparse.Namespace, url: str, settings) -> int:
    from .scoring.periods import PeriodError, month_of, parse_period

    try:
        period = parse_period(args.period) if args.period else month_of(date.today())
    except PeriodError as exc:
        return _fail(str(exc), EXIT_USAGE)
    quota = settings.monitoring_quota if args.quota is None else args.quota
    if quota < 0:
        return _fail(translate("CLI", "--quota must be 0 or more (0: no quota)"), EXIT_USAGE)

    def work(db) -> int:
        from .store import scorecards as store

        with db.session() as session:
            known_teams = [t.name for t in store.teams(session)]
            if args.team is not None and args.team not in known_teams:
                return _fail(translate("CLI", "no team '{team}'; teams: {known}").format(
                    team=args.team, known=", ".join(known_teams) or translate("CLI", "none yet")), EXIT_USAGE)
            known_forms = [key for key, _name in store.form_keys(session)]
            if args.form is not None and args.form not in known_forms:
                return _fail(translate("CLI", "no form '{form}'; forms: {known}").format(
                    form=args.form, known=", ".join(known_forms) or translate("CLI", "none yet")), EXIT_USAGE)
            card = store.scorecard(session, period, level=args.by, team=args.team, form_key=args.form,
                                   quota_per_month=quota)
        if args.json:
            print(json.dumps(_json(card), ensure_ascii=False, indent=2))
        else:
            print(_text(card))
        return EXIT_OK

    return on_database(url, work)


def _row_json(row) -> dict:
    return {"level": row.level, "id": row.id, "name": row.name, "team": row.team, "agents": row.agents,
            "quota": row.quota, "behind": row.behind, "change": row.change,
            "current": asdict(row.current), "previous": asdict(row.previous)}


def _json(card) -> dict:
    return {
        "period": card.period.label, "previous_period": card.previous_period.label, "level": card.level,
        "team": card.team, "form": card.form_key, "quota_per_month": card.quota_per_month,
        "form_versions": [asdict(v) for v in card.form_versions], "section_titles": card.section_titles,
        "notes": card.notes, "rows": [_row_json(r) for r in card.rows], "centre": _row_json(card.centre),
    }


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _change(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


def _text(card) -> str:
    from .cli import _table

    title = translate("CLI", "Scorecard {period} (change against {previous})").format(
        period=card.period.label, previous=card.previous_period.label)
    if card.team:
        title += translate("CLI", ", team {team}").format(team=card.team)
    if card.form_key:
        title += translate("CLI", ", form {form}").format(form=card.form_key)
    if not card.rows:
        return title + "\n" + translate("CLI", "No agents match.")
    evaluations, score, change, critical = (translate("CLI", "evaluations"), translate("CLI", "score %"),
                                            translate("CLI", "change"), translate("CLI", "critical failures"))
    if card.level == "agent":
        header = (translate("CLI", "agent"), translate("CLI", "team"), evaluations, translate("CLI", "behind"), score,
                  change, critical)
        lines = [(r.name, r.team or "–", f"{r.current.evaluations} / {r.quota}", str(r.behind) if r.behind else "",
                  _percent(r.current.percent), _change(r.change), str(r.current.critical_failures))
                 for r in card.rows]
        total = (card.centre.name, "", str(card.centre.current.evaluations), "", _percent(card.centre.current.percent),
                 _change(card.centre.change), str(card.centre.current.critical_failures))
    else:
        header = (translate("CLI", "team"), translate("CLI", "agents"), evaluations, score, change, critical)
        lines = [(r.name, str(r.agents), str(r.current.evaluations), _percent(r.current.percent), _change(r.change),
                  str(r.current.critical_failures)) for r in card.rows]
        total = (card.centre.name, str(card.centre.agents), str(card.centre.current.evaluations),
                 _percent(card.centre.current.percent), _change(card.centre.change),
                 str(card.centre.current.critical_failures))
    out = [title, _table(header, [*lines, total])]
    behind = card.behind_quota()
    if card.level == "agent" and card.quota_per_month > 0:
        out.append(translate("CLI", "{behind} of {agents} agents behind the quota of {quota} a month").format(
            behind=len(behind), agents=len(card.rows), quota=card.quota_per_month)
            + (translate("CLI", " ({quota} in {period})").format(quota=card.rows[0].quota, period=card.period.label)
               if card.period.kind != "month" else ""))
    out += card.notes
    return "\n".join(out)
