"""A month of 100,000 evaluations exported to an Excel workbook, through the real store.

What a manager of a large centre does at the end of the month: `export_scorecards` of
October for 500 agents in 10 teams — Summary, Sections, Charts (a 6-month trend per
team), 100,000 evaluations, ~100,000 item answers (4,000 evaluations × 24 items: the
answers of every evaluation would be 2.4 million rows, minutes of writing for both
sides and gigabytes for the reference, for no new information) and 20,000 flags.

Reference: the obvious implementation — the same rows, read with the same store
queries, appended to a normal (not write-only) openpyxl Workbook with the same number
formats, then saved. Each side runs in a fresh process, so its peak memory (peak RSS
less the RSS just before the export) is its own. A third run exports September, a
tenth of the rows, to show that streaming memory does not grow with the rows.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.scoring.periods import parse_period
from qa_desk.store.database import Database
from qa_desk.store.forms import save_form
from qa_desk.store.models import Agent, Answer, Call, Evaluation, EvaluationSection, Flag, Team

from .harness import Result

EVALUATIONS = 100_000  # in October; September has a tenth
AGENTS, TEAMS = 500, 10
ANSWERED = 4_000  # October evaluations with their item answers
FLAGS = 20_000
TIME_RATIO = 1.5
MEMORY_RATIO = 0.25
FLAT_RATIO = 1.5  # streaming memory at 10× the rows, against a tenth
NAMES = "王芳 李娜 张伟 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴婷 Li Na Zhang Wei".split(" ")


def _fill(db: Database) -> None:
    rng = random.Random(7)
    form = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    with db.session() as s:
        form_id = save_form(s, form).id
    items = [(section, item) for section in form.sections for item in section.items]
    with db.engine.begin() as conn:
        conn.execute(insert(Team), [dict(id=t + 1, name=f"Team {t + 1:02d} 热线") for t in range(TEAMS)])
        conn.execute(insert(Agent), [
            dict(id=a + 1, name=f"{NAMES[a % len(NAMES)]}{a:03d}" if a % 50 else f"=HYPERLINK(\"x\",\"{a}\")",
                 external_id=str(9000 + a), team_id=a % TEAMS + 1, active=True)
            for a in range(AGENTS)
        ])
        call_id = 0
        for month, count in ((10, EVALUATIONS), (9, EVALUATIONS // 10)):
            start = datetime(2026, month, 1)
            for first in range(0, count, 10_000):
                calls, evaluations, sections = [], [], []
                for i in range(first, min(first + 10_000, count)):
                    call_id += 1
                    at = start + timedelta(seconds=rng.randrange(28 * 24 * 3600))
                    calls.append(dict(
                        id=call_id, file_path=f"/rec/{call_id:07d}.wav", file_name=f"{call_id:07d}.wav",
                        content_hash=f"{call_id:064x}", file_size=1, audio_format="WAV", codec="PCM_16",
                        duration=300.0, sample_rate=8000, channels=2, channel_map={"0": "agent", "1": "customer"},
                        agent_id=rng.randrange(AGENTS) + 1, started_at=at, status="transcribed", imported_at=at,
                    ))
                    percent = round(rng.uniform(55, 100), 2)
                    evaluations.append(dict(
                        id=call_id, call_id=call_id, form_id=form_id, reviewer_name=rng.choice(("王质检", "李质检")),
                        status="submitted", score=percent * 0.91, max_score=91.0, percent=percent,
                        auto_failed=False, critical_failures=int(percent < 60), created_at=at,
                        submitted_at=at + timedelta(hours=2), updated_at=at, row_version=3,
                    ))
                    sections += [dict(evaluation_id=call_id, section_key=sec.key, title=sec.title, earned=1.0,
                                      max=1.0, percent=min(100.0, percent + rng.uniform(-10, 10)), failed=False)
                                 for sec in form.sections]
                conn.execute(insert(Call), calls)
                conn.execute(insert(Evaluation), evaluations)
                conn.execute(insert(EvaluationSection), sections)
        answers = [
            dict(evaluation_id=e + 1, item_key=item.key, value=item.passing(), points=item.points,
                 comment=("=1+1 客户情绪激动" if (e + n) % 37 == 0 else None))
            for e in range(0, EVALUATIONS, EVALUATIONS // ANSWERED) for n, (_s, item) in enumerate(items)
        ]
        conn.execute(insert(Answer), answers)
        conn.execute(insert(Flag), [
            dict(call_id=rng.randrange(EVALUATIONS) + 1, rule_key="zh-forbidden-01", rule_title="推诿搪塞",
                 category="forbidden_phrase", severity="major", kind="exact", speaker="agent", start=31.0, end=31.8,
                 matched_text="不知道", status=rng.choice(("open", "confirmed", "dismissed")), stale=False)
            for _ in range(FLAGS)
        ])


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def _reference(db: Database, path: Path, period) -> None:
    """The same rows into a normal openpyxl Workbook, held whole until saved."""
    from openpyxl import Workbook

    from qa_desk.reports.tables import KINDS, ScorecardExport, ExportParameters, summary_table
    from qa_desk.reports.workbook import to_cell_value
    from qa_desk.store import scorecards as store

    wb = Workbook()
    wb.remove(wb.active)
    with db.session() as s:
        card = store.scorecard(s, period)
        other = store.scorecard(s, period, level="team")
        summary = summary_table(card, other)
        export = ScorecardExport(card, ExportParameters(period), other,
                                 evaluations=store.evaluation_rows(s, period), answers=store.answer_rows(s, period),
                                 flags=store.flag_rows(s, period))
        tables = [("summary", summary.columns, summary.rows + [r for _, r in summary.totals])]
        tables += [(t.key, t.columns, t.rows) for t in export.streams()]
        for title, columns, rows in tables:
            ws = wb.create_sheet(title)
            ws.append([c.header for c in columns])
            styled = [(i + 1, KINDS[c.kind][0]) for i, c in enumerate(columns) if KINDS[c.kind][0] != "General"]
            for row in rows:
                ws.append([to_cell_value(v, c.kind) for v, c in zip(row, columns)])
                r = ws._current_row
                for col, fmt in styled:
                    ws.cell(r, col).number_format = fmt
    wb.save(path)


def _child(url: str, path: str, period_text: str, streaming: bool) -> tuple[float, float, int]:
    """Runs in a fresh process: (seconds, peak MB above the start, evaluations written)."""
    from qa_desk.reports.export import export_scorecards

    db = Database.open(url)
    period = parse_period(period_text)
    before = _rss_kb()
    start = time.perf_counter()
    if streaming:
        rows = export_scorecards(db, Path(path), period, by="bench").rows["evaluations"]
    else:
        _reference(db, Path(path), period)
        rows = -1
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    db.close()
    return seconds, max(peak - before, 0) / 1024, rows


def _measure(*args) -> tuple[float, float, int]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_child, args)


def run(work: str) -> list[Result]:
    import openpyxl

    folder = Path(work)
    url = f"sqlite:///{folder / 'export.sqlite3'}"
    db = Database.open(url)
    _fill(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.close()
    stream_s, stream_mb, written = _measure(url, str(folder / "october.xlsx"), "2026-10", True)
    assert written == EVALUATIONS, f"the export wrote {written} evaluations"
    ref_s, ref_mb, _ = _measure(url, str(folder / "october-reference.xlsx"), "2026-10", False)
    small_s, small_mb, _ = _measure(url, str(folder / "september.xlsx"), "2026-09", True)
    size = (folder / "october.xlsx").stat().st_size / 1e6
    xml = "lxml" if openpyxl.LXML else "the pure-Python XML writer (install lxml: ~5× faster for both sides)"
    scenario = f"export {EVALUATIONS:,} evaluations to XLSX"
    return [
        Result(f"{scenario}: time", stream_s, ref_s, "s", f"ratio ≤ {TIME_RATIO}×", stream_s <= TIME_RATIO * ref_s,
               note=f"{size:.1f} MB workbook; openpyxl {openpyxl.__version__} with {xml}"),
        Result(f"{scenario}: peak memory", stream_mb, ref_mb, "MB", f"ratio ≤ {MEMORY_RATIO}×",
               stream_mb <= MEMORY_RATIO * ref_mb),
        Result("export memory at 10× the rows (streaming)", stream_mb, small_mb, "MB", f"ratio ≤ {FLAT_RATIO}×",
               stream_mb <= FLAT_RATIO * max(small_mb, 1.0),
               note=f"September: {EVALUATIONS // 10:,} evaluations in {small_s:.1f} s, {small_mb:.0f} MB"),
    ]
