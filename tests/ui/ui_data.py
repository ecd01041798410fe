"""Call data and helpers shared by the window's tests (imported by conftest and tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from qa_desk.store.database import Database
from qa_desk.store.models import Agent, Call, Team, call_search_text

TEAMS = ("Billing CN", "Broadband CN", "Customer Care EN", "Retention EN")
# (name, 工号, team index): Chinese and English names, as in a real centre.
AGENTS = (
    ("张伟", "1047", 1),
    ("李娜", "1023", 0),
    ("王芳", "1031", 0),
    ("刘洋", "1052", 1),
    ("陈静", "1060", 0),
    ("Sarah Mitchell", "2011", 2),
    ("Dave Wilson", "2038", 2),
    ("Emma Clarke", "2040", 3),
    ("Tom Baker", "2045", 3),
    ("Priya Shah", "2050", 2),
)
STATUSES = ("imported", "transcribed", "reviewed")
BASE_TIME = datetime(2026, 11, 2, 8, 0, 0)



def call_rows(count: int, agent_ids: list[int]) -> list[dict]:
    """Deterministic calls: agents in turn, 7 minutes apart, varied durations."""
    rows = []
    for i in range(count):
        agent_index = i % len(agent_ids)
        name = AGENTS[agent_index % len(AGENTS)][0]
        started = BASE_TIME + timedelta(minutes=7 * i)
        rows.append(
            dict(
                file_path=f"/recordings/2026-11/{name}_{started:%Y%m%d-%H%M%S}_{13800000000 + i}.wav",
                file_name=f"{name}_{started:%Y%m%d-%H%M%S}_{13800000000 + i}.wav",
                content_hash=f"{i:064x}",
                file_size=64000 + i,
                audio_format="WAV",
                codec="PCM_16",
                duration=float(20 + (i * 37) % 3700),
                sample_rate=8000,
                channels=2,
                channel_map={"0": "agent", "1": "customer"},
                agent_id=agent_ids[agent_index],
                started_at=started,
                direction="inbound" if i % 3 else "outbound",
                queue="billing-cn" if i % 2 else "care-en",
                customer_ref=str(13800000000 + i),
                status=STATUSES[i % 3],
            )
        )
        # Bulk inserts bypass the mapper event that keeps the search column.
        rows[-1]["search_text"] = call_search_text(rows[-1]["file_name"], rows[-1]["customer_ref"], rows[-1]["queue"])
    return rows


def insert_calls(db: Database, count: int) -> None:
    with db.session() as session:
        team_ids = [session.execute(insert(Team).values(name=t).returning(Team.id)).scalar_one() for t in TEAMS]
        agent_ids = [
            session.execute(
                insert(Agent).values(name=name, external_id=ext, team_id=team_ids[team]).returning(Agent.id)
            ).scalar_one()
            for name, ext, team in AGENTS
        ]
        if count:
            session.execute(insert(Call), call_rows(count, agent_ids))


def wait_loaded(qtbot, model, timeout: int = 10000) -> None:
    """Until the model has no page in flight and knows its totals."""
    qtbot.waitUntil(lambda: model.is_loaded(), timeout=timeout)


def make_window(qtbot, services):
    """The main window, shown, with its first page of calls loaded."""
    from qa_desk.ui.main_window import MainWindow

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    wait_loaded(qtbot, window.calls_page.model)
    return window


def grab_every_area(qtbot, window, folder) -> list:
    """Show each area of the window in turn, once it has read the database, and save
    it to ``folder`` (area_<row>_<name>.png); the files saved."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        page = window.stack.currentWidget()
        for ready in ("is_idle", "is_loading"):  # each area reads the database when first shown
            if hasattr(page, ready):
                qtbot.waitUntil(lambda p=page, r=ready: getattr(p, r)() is (r == "is_idle"), timeout=10000)
        qtbot.wait(150)
        saved.append(folder / f"area_{row}_{window.current_area()}.png")
        assert window.grab().save(str(saved[-1]))
    return saved
