"""An agent scorecard for a month in a centre of 2,000 agents (16,000 evaluations a month).

What the Scorecards page does when a team lead opens a month: every agent's evaluations
against the quota, mean score, sections, critical failures, flags per call and call
metrics, and the same for the month before (the change), through ``scorecard()``.
The database holds three months: 48,000 evaluations on two form versions with their
sections (~300,000 rows) and answers (~1,100,000), 120,000 calls with audio metrics,
24,000 flags.
Reference: what the aggregate queries replace, in the same database: loading the two
months' counted evaluations and their sections, the calls with their metrics and the
confirmed flags into Python and averaging there per agent (evaluations, mean, critical
failures, section means, talk ratio, dead air, flags per call; fewer figures than the
scorecard). Both results are compared, so the benchmark also checks the SQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from qa_desk.scoring.forms import Form, load_form, shipped_forms
from qa_desk.scoring.periods import parse_period
from qa_desk.scoring.scorecards import COUNTED_STATUSES
from qa_desk.store.database import Database
from qa_desk.store.models import Call, Evaluation, EvaluationSection, Flag
from qa_desk.store.scorecard_sql import CALL_DATE
from qa_desk.store.scorecards import scorecard

from .harness import Result, timed

AGENTS, TEAMS = 2000, 40
MONTHS = ("2026-09", "2026-10", "2026-11")
EVALUATIONS_PER_MONTH = 8  # per agent
CALLS_PER_MONTH = 20  # per agent: 8 evaluated, 12 not
# SQL must beat loading the rows into Python by a wide margin: the ratio, measured in the
# same run, holds on a loaded machine where absolute times do not.
TARGET_RATIO = 0.5


def _forms() -> list[Form]:
    v1 = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    # The next version drops the first section and reorders the rest: sections combine by key.
    v2 = Form.from_definition({**v1.definition, "sections": list(reversed(v1.definition["sections"][1:]))})
    return [v1, v2]


def _fill(db: Database) -> None:
    rng = np.random.default_rng(11)
    forms = _forms()
    now = datetime(2026, 12, 1)
    with db.engine.begin() as conn:
        run = conn.exec_driver_sql
        run("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)",
            [(t + 1, f"Team {t:02d}", now) for t in range(TEAMS)])
        run("INSERT INTO agents (id, name, external_id, team_id, active, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(a + 1, f"坐席{a:04d}", str(10000 + a), a % TEAMS + 1, True, now) for a in range(AGENTS)])
        run("INSERT INTO forms (id, key, version, name, language, definition, content_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(i + 1, f.key, i + 1, f.name, f.language, json.dumps(f.definition), f.content_hash, now + timedelta(i))
             for i, f in enumerate(forms)])
        calls, evaluations, sections, answers, flags = [], [], [], [], []
        for month_index, label in enumerate(MONTHS):
            month = parse_period(label)
            seconds = month.days * 86400
            for agent in range(1, AGENTS + 1):
                offsets = np.sort(rng.integers(0, seconds, CALLS_PER_MONTH))
                for n, offset in enumerate(offsets):
                    call_id = len(calls) + 1
                    metrics = _metrics(rng)
                    calls.append((call_id, f"/rec/{call_id}.wav", f"{call_id}.wav", f"{call_id:064x}", 1, "WAV",
                                  "PCM_16", "soundfile", float(rng.integers(60, 900)), 8000, 2, "{}", agent,
                                  month.first_moment + timedelta(seconds=int(offset)), "reviewed", now, "", "done",
                                  json.dumps(metrics), now))
                    if n % 5 == 0:
                        flags.append((call_id, "zh-forbidden-01", "forbidden_phrase", "major",
                                      "confirmed" if n % 10 == 0 else "open", now))
                    if n < EVALUATIONS_PER_MONTH:
                        _evaluation(rng, forms, month_index, call_id, len(evaluations) + 1, now, evaluations,
                                    sections, answers)
        run("INSERT INTO calls (id, file_path, file_name, content_hash, file_size, audio_format, codec, decoder, "
            "duration, sample_rate, channels, channel_map, agent_id, started_at, status, imported_at, search_text, "
            f"transcript_status, metrics, scanned_at) VALUES ({', '.join('?' * 20)})",
            calls)
        run("INSERT INTO flags (call_id, rule_key, category, severity, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            flags)
        run("INSERT INTO evaluations (id, call_id, form_id, reviewer_name, status, score, max_score, percent, "
            "auto_failed, critical_failures, created_at, updated_at, row_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", evaluations)
        run("INSERT INTO evaluation_sections (evaluation_id, section_key, title, earned, max, percent, failed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", sections)
        run("INSERT INTO answers (evaluation_id, item_key, value, points) VALUES (?, ?, ?, ?)", answers)
        run("ANALYZE")


def _metrics(rng) -> dict:
    """A call's stored metrics, shaped and sized as CallMetrics.as_dict writes them (~1 KB:
    SQL reads four numbers out of it, and on SQLite each read parses the whole text)."""
    def spans(count: int, length: float) -> list[dict]:
        starts = np.sort(rng.uniform(0, 280, count))
        return [{"start": round(float(a), 3), "end": round(float(a) + length, 3)} for a in starts]

    silences, overtalk = spans(int(rng.integers(2, 12)), 4.0), spans(int(rng.integers(0, 8)), 0.8)
    holds = [s for s in silences[:1] if rng.random() < 0.3]
    for o in overtalk:
        o["started_by"] = "agent" if rng.random() < 0.4 else "customer"
    agent, customer = float(rng.uniform(60, 180)), float(rng.uniform(60, 180))
    return {
        "version": 1, "duration": 300.0, "talk": {"agent": round(agent, 3), "customer": round(customer, 3)},
        "talk_ratio": round(agent / customer, 3), "silences": silences, "longest_silence": 4.0, "holds": holds,
        "overtalk": overtalk, "first_agent_words": 0.8,
        "silence_total": 4.0 * len(silences), "hold_total": 4.0 * len(holds), "overtalk_total": 0.8 * len(overtalk),
        "interruptions": sum(o["started_by"] == "agent" for o in overtalk),
        "speech_rate": {"agent": 231.4, "customer": 208.9}, "speech_rate_unit": "characters",
        "params": {"min_silence": 3.0, "hold_seconds": 20.0, "min_overtalk": 0.3}, "transcript_id": 1,
    }


def _evaluation(rng, forms, month_index, call_id, evaluation_id, now, evaluations, sections, answers) -> None:
    """One evaluation with consistent section figures (not a real sheet: the bench needs numbers)."""
    form_index = 1 if month_index == 2 and evaluation_id % 2 else 0  # November mixes both versions
    form = forms[form_index]
    earned_total = max_total = 0.0
    failures = 0
    for section in form.sections:
        maximum = sum(i.points for i in section.items if not i.bonus)
        failed = rng.random() < 0.03 and any(i.critical == "fail_section" for i in section.items)
        earned = 0.0 if failed else float(np.round(rng.uniform(0.5, 1.0) * maximum * 2) / 2)
        failures += failed
        earned_total, max_total = earned_total + earned, max_total + maximum
        sections.append((evaluation_id, section.key, section.title, earned, maximum, round(100 * earned / maximum, 4),
                         failed))
        answers.extend((evaluation_id, item.key, item.passing(), item.points) for item in section.items)
    auto_failed = rng.random() < 0.01
    percent = 0.0 if auto_failed else round(100 * earned_total / max_total, 4)
    status = "draft" if rng.random() < 0.05 else "submitted"
    evaluations.append((evaluation_id, call_id, form_index + 1, "王质检", status, percent, 100.0, percent,
                        auto_failed, failures + auto_failed, now, now))


def _reference(db: Database, month) -> dict:
    """Per agent and period, in Python: evaluations, mean, critical failures, section means,
    mean talk ratio and dead air from each call's metrics, confirmed flags per scanned call."""
    first, after = month.previous().first_moment, month.after
    counted = (Evaluation.status.in_(COUNTED_STATUSES), CALL_DATE >= first, CALL_DATE < after)
    with db.sessions() as s:
        rows = s.execute(
            select(Evaluation.id, Call.agent_id, CALL_DATE, Evaluation.percent, Evaluation.critical_failures)
            .join(Call, Call.id == Evaluation.call_id).where(*counted)
        ).all()
        section_rows = s.execute(
            select(EvaluationSection.evaluation_id, EvaluationSection.section_key, EvaluationSection.percent)
            .where(EvaluationSection.evaluation_id.in_(
                select(Evaluation.id).join(Call, Call.id == Evaluation.call_id).where(*counted)))
        ).all()
        calls = s.execute(select(Call.id, Call.agent_id, CALL_DATE, Call.metrics, Call.scanned_at)
                          .where(CALL_DATE >= first, CALL_DATE < after)).all()
        flags = s.execute(select(Flag.call_id).where(Flag.status == "confirmed", Flag.stale.is_(False))).scalars().all()
    where = {}
    figures: dict = defaultdict(lambda: {"n": 0, "sum": 0.0, "critical": 0, "sections": defaultdict(list),
                                         "talk": [], "dead_air": [], "scanned": 0, "flags": 0})
    for evaluation_id, agent_id, at, percent, critical in rows:
        key = (at >= month.first_moment, agent_id)
        where[evaluation_id] = key
        figure = figures[key]
        figure["n"] += 1
        figure["sum"] += percent
        figure["critical"] += critical > 0
    for evaluation_id, section, percent in section_rows:
        figures[where[evaluation_id]]["sections"][section].append(percent)
    confirmed = defaultdict(int)
    for call_id in flags:
        confirmed[call_id] += 1
    for call_id, agent_id, at, metrics, scanned_at in calls:
        figure = figures[(at >= month.first_moment, agent_id)]
        if metrics:
            figure["talk"].append(metrics["talk_ratio"])
            figure["dead_air"].append(sum(s["end"] - s["start"] for s in metrics["silences"]))
        if scanned_at is not None:
            figure["scanned"] += 1
            figure["flags"] += confirmed[call_id]
    return {key: (f["n"], f["sum"] / f["n"] if f["n"] else None, f["critical"],
                  {k: sum(v) / len(v) for k, v in f["sections"].items()},
                  sum(f["talk"]) / len(f["talk"]), sum(f["dead_air"]) / len(f["dead_air"]), f["flags"] / f["scanned"])
            for key, f in figures.items()}


def _check(card, reference: dict) -> None:
    for row in card.rows:
        n, mean, critical, sections, talk, dead_air, flags = reference[(True, row.id)]
        now = row.current
        assert (now.evaluations, now.critical_failures) == (n, critical), row.name
        assert abs(now.percent - mean) < 1e-4, row.name
        assert all(abs(now.sections[k].percent - v) < 1e-4 for k, v in sections.items()), row.name
        assert abs(now.metrics.talk_ratio - talk) < 1e-4 and abs(now.metrics.dead_air - dead_air) < 1e-3, row.name
        assert abs(now.flags_per_call["forbidden_phrase"] - flags) < 1e-4, row.name
        assert row.previous.evaluations == reference[(False, row.id)][0], row.name


def run(work: str) -> list[Result]:
    db = Database.open(f"sqlite:///{Path(work) / 'scorecards.sqlite3'}")
    _fill(db)
    month = parse_period(MONTHS[-1])
    cards: list = []

    def measure():
        with db.sessions() as s:  # a fresh session, as the page opens one per refresh
            cards[:] = [scorecard(s, month)]

    measured = timed(measure, repeat=5)
    reference: dict = {}
    ref = timed(lambda: reference.update(_reference(db, month)), repeat=3)
    (card,) = cards
    _check(card, reference)
    db.close()
    evaluations = card.centre.current.evaluations
    return [Result(
        f"scorecard {AGENTS:,} agents, one month", measured * 1000, ref * 1000, "ms",
        f"ratio ≤ {TARGET_RATIO:g}×", measured <= TARGET_RATIO * ref,
        note=f"{evaluations:,} counted evaluations in {month.label} (+ {month.previous().label}); the reference "
             f"loads them with their sections, calls (metrics) and flags into Python",
    )]
