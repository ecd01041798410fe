"""The call library at 100,000 calls: count + first page with a filter and a sort.

What the Calls page does when a reviewer changes a filter or clicks a column header.
Reference: the cheapest possible first page, a plain `SELECT … ORDER BY id LIMIT 200`
on the calls table alone, in the same database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from qa_desk.store import calls as store
from qa_desk.store.database import Database
from qa_desk.store.models import Agent, Call, Team, call_search_text

from .harness import Result, timed

CALLS = 100_000
TARGET_MS = 150.0


def _fill(db: Database) -> None:
    rng = np.random.default_rng(3)
    with db.session() as s:
        teams = [Team(name=f"Team {i:02d}") for i in range(20)]
        s.add_all(teams)
        s.flush()
        agents = [Agent(name=f"Agent {i:03d}", external_id=str(1000 + i), team_id=teams[i % 20].id) for i in range(400)]
        s.add_all(agents)
        s.flush()
        agent_ids = [a.id for a in agents]
        start = datetime(2026, 1, 1)
        offsets = rng.integers(0, 300 * 24 * 3600, CALLS)
        durations = rng.gamma(2.0, 150.0, CALLS)
        rows = [
            dict(
                file_path=f"/recordings/2026/{i:06d}.wav", file_name=f"{i:06d}.wav",
                content_hash=f"{i:064x}", file_size=1_000_000, audio_format="WAV", codec="PCM_16",
                decoder="soundfile", duration=float(durations[i]), sample_rate=8000, channels=2,
                channel_map={"0": "agent", "1": "customer"}, agent_id=agent_ids[i % len(agent_ids)],
                started_at=start + timedelta(seconds=int(offsets[i])),
                direction="inbound" if i % 3 else "outbound", customer_ref=f"138{i:08d}",
                queue=f"queue-{i % 7}", status="imported", imported_at=start,
                search_text=call_search_text(f"{i:06d}.wav", f"138{i:08d}", f"queue-{i % 7}"),
            )
            for i in range(CALLS)
        ]
        for chunk in range(0, CALLS, 10_000):
            s.execute(insert(Call), rows[chunk : chunk + 10_000])


# (label, filter, sort, descending, offset): what a reviewer does on the Calls page;
# the deep page is where scrolling a long unfiltered list ends up.
CASES = [
    ("team filter, newest first", store.CallFilter(team="Team 07"), "started_at", True, 0),
    ("date range, longest first", store.CallFilter(since=datetime(2026, 3, 1), until=datetime(2026, 4, 1)), "duration", True, 0),
    ("text search, by agent", store.CallFilter(text="13800012"), "agent", False, 0),
    ("one agent, newest first", store.CallFilter(agent="1042"), "started_at", True, 0),
    ("page at row 50,000, oldest first", store.CallFilter(), "started_at", False, 50_000),
]


def run(work: str) -> list[Result]:
    db = Database.open(f"sqlite:///{Path(work) / 'library.sqlite3'}")
    _fill(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")

    def reference():
        with db.sessions() as s:
            s.execute(select(Call.id, Call.file_name, Call.duration).order_by(Call.id).limit(200)).all()

    ref = timed(reference, repeat=7)
    results = []
    for label, flt, sort, descending, offset in CASES:
        rows: list = []

        def first_page():
            # A fresh session each time, as the Calls page does on every filter change.
            with db.sessions() as s:
                store.count_calls(s, flt)
                rows[:] = store.list_calls(s, flt, sort=sort, descending=descending, offset=offset, limit=200)

        measured = timed(first_page, repeat=7)
        assert rows, f"{label}: the benchmark filter matched nothing"
        results.append(
            Result(
                f"library 100k: {label}",
                measured * 1000,
                ref * 1000,
                "ms",
                f"≤ {TARGET_MS:.0f} ms",
                measured * 1000 <= TARGET_MS,
            )
        )
    db.close()
    return results
