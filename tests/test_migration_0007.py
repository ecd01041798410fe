"""Migration 0007: review operations' tables, and an audit log the database keeps append-only
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from qa_desk.store.database import Database
from tests.test_migration_0003 import _migrate


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


@pytest.fixture
def at_0006(blank_db_url):
    db = Database.open(blank_db_url, upgrade=False)
    _migrate(db, "0006")
    yield db
    db.close()


def test_up_down_and_up_again(at_0006):
    db = at_0006
    _migrate(db, "0007")
    assert {"sampling_rules", "sampling_runs", "review_assignments", "calibration_sessions",
            "calibration_calls", "calibration_participants"} <= set(db.table_names())
    assert "calibration_session_id" in _columns(db, "evaluations")
    assert {"team_id", "last_sign_in_at"} <= _columns(db, "users")
    _migrate(db, "0006", down=True)
    assert "review_assignments" not in db.table_names() and "calibration_session_id" not in _columns(db, "evaluations")
    with db.engine.begin() as conn:  # the triggers went with the revision
        conn.execute(text("INSERT INTO audit_entries (id, at, action, entity) VALUES (1, '2026-12-01', 'x', 'y')"))
        conn.execute(text("DELETE FROM audit_entries"))
    _migrate(db, "0007")
    assert db.current_revision() == "0007"


def test_the_database_refuses_to_change_or_delete_audit_entries(at_0006):
    db = at_0006
    _migrate(db, "0007")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_entries (id, at, action, entity, user_name) "
                          "VALUES (1, '2026-12-01 10:00:00', 'evaluation.submitted', 'evaluation', '王芳')"))
    for statement in ("UPDATE audit_entries SET user_name = 'someone else'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT user_name FROM audit_entries")).scalar_one() == "王芳"
