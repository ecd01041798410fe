"""The database: schema, migrations, URL errors, repository queries — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm.exc import StaleDataError

from qa_desk.store import calls as store
from qa_desk.store.database import Database, DatabaseError, SchemaTooNew, head_revision
from qa_desk.store.models import (
    Agent, Call, Evaluation, Form, Team, Transcript, Utterance, call_search_text,
)

DESIGN_TABLES = {
    "teams", "agents", "calls", "transcripts", "utterances", "rulebooks", "flags", "forms",
    "evaluations", "answers", "timed_comments", "clips", "playlists", "playlist_entries",
    "users", "audit_entries",
}


def _call(i: int, **kw) -> dict:
    base = dict(
        file_path=f"/rec/call{i}.wav", file_name=f"call{i}.wav", content_hash=f"{i:064x}",
        file_size=1000 + i, audio_format="WAV", codec="PCM_16", decoder="soundfile",
        duration=60.0 + i, sample_rate=8000, channels=2,
        channel_map={"0": "agent", "1": "customer"}, status="imported",
        imported_at=datetime(2026, 11, 1),
    )
    base.update(kw)
    base["search_text"] = call_search_text(base["file_name"], base.get("customer_ref"), base.get("queue"))
    return base


def test_open_creates_every_table_at_head(db):
    assert DESIGN_TABLES <= set(db.table_names())
    assert db.current_revision() == head_revision()


def test_reopening_keeps_data_and_does_not_migrate_again(db_url):
    first = Database.open(db_url)
    with first.session() as s:
        s.add(Team(name="Billing"))
    first.close()
    again = Database.open(db_url)
    with again.session() as s:
        assert s.execute(select(Team.name)).scalars().all() == ["Billing"]
    again.close()


def test_downgrade_and_upgrade_round_trip(db):
    from alembic import command

    from qa_desk.store.database import _alembic_config

    config = _alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "calls" not in db.table_names()
    db.upgrade()
    assert DESIGN_TABLES <= set(db.table_names())


def test_schema_from_a_newer_version_is_refused_untouched(db_url):
    db = Database.open(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.close()
    with pytest.raises(SchemaTooNew, match="newer version of QA Desk"):
        Database.open(db_url)
    # Nothing was changed: the future revision is still recorded.
    from sqlalchemy import create_engine

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "9999_future"
    engine.dispose()


@pytest.mark.parametrize(
    "url, words",
    [
        ("not a url", "is not a database URL"),
        ("oracle+nothing://x/y", "unknown database type"),
        ("sqlite:////no/such/folder/qa.sqlite3", "folder for the database file does not exist"),
        ("postgresql://nobody@127.0.0.1:1/qa", "Cannot connect to the database"),
    ],
)
def test_bad_database_urls_give_clear_messages(url, words):
    with pytest.raises(DatabaseError, match=words):
        Database.open(url)


def test_password_never_shown_in_messages():
    with pytest.raises(DatabaseError) as err:
        Database.open("postgresql://qa:s3cret@127.0.0.1:1/qa")
    assert "s3cret" not in str(err.value)


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_deleting_a_call_deletes_its_transcript(db):
    with db.session() as s:
        call = Call(**_call(1))
        call.transcripts.append(
            Transcript(engine="vosk", model_name="m", language="zh",
                       utterances=[Utterance(speaker="agent", start=0, end=1, text="您好", words=[])])
        )
        s.add(call)
    with db.session() as s:
        s.delete(s.get(Call, call.id))
    with db.session() as s:
        assert s.execute(select(Utterance)).first() is None
        assert s.execute(select(Transcript)).first() is None


def test_evaluation_row_version_stops_a_silent_overwrite(db):
    with db.session() as s:
        s.add(Call(**_call(1)))
        s.add(Form(key="f", version=1, name="F", definition={}, content_hash="h"))
    with db.session() as s:
        s.add(Evaluation(call_id=1, form_id=1, status="draft"))
    first, second = db.sessions(), db.sessions()
    a, b = first.get(Evaluation, 1), second.get(Evaluation, 1)
    a.status = "submitted"
    first.commit()
    b.status = "disputed"  # a real change, written over a stale row
    with pytest.raises(StaleDataError):
        second.commit()
    first.close(), second.close()


@pytest.fixture
def library(db):
    """60 calls across two teams and three agents, some without a start time."""
    with db.session() as s:
        billing, broadband = Team(name="Billing"), Team(name="宽带组")
        agents = [
            Agent(name="Li Na", external_id="1023", team=billing),
            Agent(name="张伟", external_id="1047", team=broadband),
            Agent(name="Sarah Mitchell", external_id="2001", team=billing),
        ]
        s.add_all(agents)
        s.flush()
        start = datetime(2026, 11, 1, 9, 0)
        s.execute(
            insert(Call),
            [
                _call(
                    i, agent_id=agents[i % 3].id,
                    started_at=None if i % 20 == 19 else start + timedelta(hours=i),
                    customer_ref=f"1380000{i:04d}", direction="inbound" if i % 2 else "outbound",
                )
                for i in range(60)
            ],
        )
    return db


def test_list_calls_pages_in_a_stable_sorted_order(library):
    with library.session() as s:
        everything = store.list_calls(s, limit=None)
        pages = [store.list_calls(s, offset=o, limit=25) for o in (0, 25, 50)]
    assert [r.id for page in pages for r in page] == [r.id for r in everything]
    starts = [r.started_at for r in everything if r.started_at]
    assert starts == sorted(starts, reverse=True)
    # calls without a start time come last, not first
    assert all(r.started_at is None for r in everything[-3:])


@pytest.mark.parametrize(
    "flt, expected",
    [
        (store.CallFilter(), 60),
        (store.CallFilter(agent="1047"), 20),  # by 工号
        (store.CallFilter(agent="张伟"), 20),  # by name
        (store.CallFilter(agent="li na"), 20),  # name, case-blind
        (store.CallFilter(agent="nobody"), 0),
        (store.CallFilter(team="Billing"), 40),
        (store.CallFilter(team="宽带组"), 20),
        (store.CallFilter(text="宽带"), 20),
        (store.CallFilter(text="13800000042"), 1),
        (store.CallFilter(text="call5"), 11),  # call5, call50..59
        (store.CallFilter(text="100%"), 0),  # % is literal, not a wildcard
        (store.CallFilter(since=datetime(2026, 11, 2, 9, 0)), 60 - 24 - 2),
        (store.CallFilter(since=datetime(2026, 11, 1, 9), until=datetime(2026, 11, 1, 12)), 3),
    ],
)
def test_filters(library, flt, expected):
    with library.session() as s:
        assert store.count_calls(s, flt) == expected
        assert len(store.list_calls(s, flt, limit=None)) == expected


def test_sort_by_agent_and_duration(library):
    with library.session() as s:
        by_agent = store.list_calls(s, sort="agent", descending=False, limit=None)
        by_duration = store.list_calls(s, sort="duration", descending=True, limit=5)
    names = [r.agent for r in by_agent]
    assert names == sorted(names)
    assert [r.duration for r in by_duration] == [119.0, 118.0, 117.0, 116.0, 115.0]
    with pytest.raises(ValueError, match="cannot be sorted"):
        with library.session() as s:
            store.list_calls(s, sort="password")


def test_agents_are_matched_by_external_id_before_name(db):
    with db.session() as s:
        a = store.get_or_create_agent(s, name="王芳", external_id="3001", team="投诉组")
        same = store.get_or_create_agent(s, name="王芳 (Fang)", external_id="3001", team=None)
        namesake = store.get_or_create_agent(s, name="王芳", external_id="3002", team=None)
        by_name = store.get_or_create_agent(s, name="陈静", external_id=None, team="投诉组")
        adopted = store.get_or_create_agent(s, name="陈静", external_id="3003", team=None)
        assert same.id == a.id
        assert namesake.id != a.id
        assert adopted.id == by_name.id and adopted.external_id == "3003"
        assert a.team.name == "投诉组" and by_name.team_id == a.team_id
        assert [t[1] for t in store.list_teams(s)] == ["投诉组"]
