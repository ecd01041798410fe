"""Migration 0006 rebuilds the clip tables no earlier QA Desk wrote; it refuses rather than
empty them if they somehow hold rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from qa_desk.store.database import Database
from tests.test_migration_0003 import _migrate


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


@pytest.fixture
def at_0005(blank_db_url):
    db = Database.open(blank_db_url, upgrade=False)
    _migrate(db, "0005")
    yield db
    db.close()


def test_up_down_and_up_again(at_0005):
    db = at_0005
    assert "audio_path" in _columns(db, "clips")
    _migrate(db, "0006")
    assert {"excerpt", "search_text", "call_hash", "agent_name", "section_key"} <= _columns(db, "clips")
    assert "audio_path" not in _columns(db, "clips")
    assert {"data", "offset"} <= _columns(db, "clip_audio")
    _migrate(db, "0005", down=True)
    assert "clip_audio" not in db.table_names() and "audio_path" in _columns(db, "clips")
    _migrate(db, "0006")
    assert db.current_revision() == "0006"


def test_rows_nobody_should_have_written_are_not_thrown_away(at_0005):
    db = at_0005
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO playlists (id, name, created_at) VALUES (1, 'kept', '2026-11-01 00:00:00')"))
    with pytest.raises(Exception, match="refusing to rebuild"):
        _migrate(db, "0006")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM playlists")).scalar_one() == "kept"
