"""Migration 0005 on a database that already holds evaluations and call metrics (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text

from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.scoring.periods import parse_period
from qa_desk.store.database import Database, _alembic_config
from qa_desk.store.scorecards import scorecard

from test_form_scoring import SHEET
from test_scorecards_store import M1, M3

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
EMPTY_EVALUATIONS = 1100  # drafts with no answers yet: more than one backfill batch
SUMMARIES = ("silence_total", "hold_total", "overtalk_total", "interruptions")

_forms = sa.table("forms", sa.column("id"), sa.column("key"), sa.column("version"), sa.column("name"),
                  sa.column("language"), sa.column("definition", sa.JSON), sa.column("content_hash"),
                  sa.column("created_at"))
_calls = sa.table("calls", *(sa.column(c) for c in (
    "id", "file_path", "file_name", "content_hash", "file_size", "audio_format", "codec", "decoder", "duration",
    "sample_rate", "channels", "status", "imported_at", "search_text", "transcript_status", "started_at",
    "agent_id")), sa.column("channel_map", sa.JSON), sa.column("metrics", sa.JSON))
_evaluations = sa.table("evaluations", *(sa.column(c) for c in (
    "id", "call_id", "form_id", "status", "score", "max_score", "percent", "auto_failed", "created_at", "updated_at",
    "row_version", "reviewer_name")))
_answers = sa.table("answers", sa.column("id"), sa.column("evaluation_id"), sa.column("item_key"), sa.column("value"))


def _migrate(db: Database, revision: str, down: bool = False) -> None:
    config = _alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _without_summaries(metrics: dict | None) -> dict | None:
    return None if metrics is None else {k: v for k, v in metrics.items() if k not in SUMMARIES}


def _fill_at_0004(db: Database) -> None:
    """What a team's database holds before 0005, written with SQL as 0004's schema has it."""
    now = datetime(2026, 11, 30, 12)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO teams (id, name, created_at) VALUES (1, 'Billing CN', :now)"), {"now": now})
        conn.execute(text("INSERT INTO agents (id, name, external_id, team_id, active, created_at) "
                          "VALUES (1, '张伟', '1047', 1, :yes, :now)"), {"now": now, "yes": True})
        conn.execute(sa.insert(_forms), [{"id": 1, "key": "hotline-zh", "version": 1, "name": ZH.name,
                                          "language": "zh-CN", "definition": ZH.definition,
                                          "content_hash": ZH.content_hash, "created_at": now}])
        metrics = [_without_summaries(M1), _without_summaries(M3), None, None]
        conn.execute(sa.insert(_calls), [{
            "id": i + 1, "file_path": f"/rec/{i}.wav", "file_name": f"{i}.wav", "content_hash": f"{i:064x}",
            "file_size": 1, "audio_format": "WAV", "codec": "PCM_16", "decoder": "soundfile", "duration": 300.0,
            "sample_rate": 8000, "channels": 2, "channel_map": {}, "status": "transcribed", "imported_at": now,
            "search_text": "", "transcript_status": "none", "started_at": datetime(2026, 11, 3 + i, 9),
            "agent_id": 1, "metrics": metrics[i]} for i in range(4)])
        conn.execute(text("UPDATE calls SET metrics = NULL WHERE id = 4"))  # SQL NULL; call 3 holds JSON null
        evaluation = dict(form_id=1, auto_failed=False, created_at=now, updated_at=now, row_version=2,
                          reviewer_name="王质检", score=None, max_score=None, percent=None)
        conn.execute(sa.insert(_evaluations), [
            {**evaluation, "id": 1, "call_id": 1, "status": "submitted", "score": 49.5, "max_score": 91.0,
             "percent": 54.3956},
            {**evaluation, "id": 2, "call_id": 2, "status": "submitted", "score": 70.5, "max_score": 91.0,
             "percent": 77.4725},
            {**evaluation, "id": 3, "call_id": 3, "status": "draft"},  # an answer the form does not allow
            *({**evaluation, "id": 4 + n, "call_id": 4, "status": "draft"} for n in range(EMPTY_EVALUATIONS)),
        ])
        answers = [{"evaluation_id": 1, "item_key": k, "value": v}
                   for k, v in {**SHEET, "correct_information": "no"}.items()]
        answers += [{"evaluation_id": 2, "item_key": k, "value": v} for k, v in SHEET.items()]
        answers += [{"evaluation_id": 3, "item_key": "standard_opening", "value": "maybe"}]
        conn.execute(sa.insert(_answers), [{"id": i + 1, **a} for i, a in enumerate(answers)])


@pytest.fixture
def at_0004(blank_db_url):
    db = Database.open(blank_db_url, upgrade=False)
    _migrate(db, "0004")
    _fill_at_0004(db)
    yield db
    db.close()


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def _metrics(db: Database) -> list:
    with db.engine.connect() as conn:
        return [m for (m,) in conn.execute(sa.select(_calls.c.metrics).order_by(_calls.c.id))]


def test_upgrade_scores_the_sections_of_stored_evaluations(at_0004):
    db = at_0004
    _migrate(db, "0005")
    with db.engine.connect() as conn:
        sections = conn.execute(text(
            "SELECT section_key, title, earned, max, percent, failed FROM evaluation_sections "
            "WHERE evaluation_id = 1 ORDER BY id")).all()
        failures = dict(conn.execute(text("SELECT id, critical_failures FROM evaluations WHERE id < 5")).all())
        points = dict(conn.execute(text("SELECT item_key, points FROM answers WHERE evaluation_id = 1")).all())
        per_evaluation = conn.execute(text(
            "SELECT count(*) FROM evaluation_sections GROUP BY evaluation_id")).scalars().all()
        kept = conn.execute(text("SELECT score, percent FROM evaluations WHERE id = 1")).one()
    assert [(k, e, m, p, bool(f)) for k, _t, e, m, p, f in sections] == [
        ("response", 2, 2, 100, False), ("opening_closing", 2, 4, 50, False), ("service_language", 9, 15, 60, False),
        ("attitude", 15.5, 18, 86.1111, False), ("accuracy", 0, 25, 0, True), ("resolution", 9, 15, 60, False),
        ("compliance", 12, 12, 100, False)]
    assert sections[0][1] == ZH.sections[0].title
    assert failures == {1: 1, 2: 0, 3: 0, 4: 0}  # 3: its answers cannot be scored, left for its next save
    assert (points["correct_information"], points["courtesy_words"], points["answered_quickly"]) == (0, 1.5, 0)
    # Every evaluation but the unscorable one has its seven sections (a draft's are all None).
    assert len(per_evaluation) == 2 + EMPTY_EVALUATIONS and set(per_evaluation) == {7}
    assert tuple(kept) == (49.5, 54.3956)  # nobody is re-graded
    db.upgrade()  # today's scorecard queries read today's schema
    with db.session() as s:
        card = scorecard(s, parse_period("2026-11"))
    (row,) = card.rows
    assert (row.current.evaluations, row.current.critical_failures) == (2, 1)
    assert row.current.sections["accuracy"].percent == 42.0


def test_upgrade_adds_the_metric_summaries(at_0004):
    db = at_0004
    _migrate(db, "0005")
    m1, m3, null, missing = _metrics(db)
    assert m1 == M1 and m3 == M3  # what as_dict writes today
    assert (null, missing) == (None, None)
    db.upgrade()  # today's scorecard queries read today's schema
    with db.session() as s:
        metrics = scorecard(s, parse_period("2026-11")).centre.current.metrics
    assert (metrics.calls, metrics.dead_air, metrics.talk_ratio, metrics.overtalk) == (2, 11.0, 2.0, 2.0)


def test_downgrade_removes_it_all_and_keeps_the_data(at_0004):
    db = at_0004
    _migrate(db, "0005")
    _migrate(db, "0004", down=True)
    assert db.current_revision() == "0004"
    assert "evaluation_sections" not in db.table_names()
    assert "critical_failures" not in _columns(db, "evaluations")
    if db.backend == "postgresql":
        (metrics,) = [c for c in inspect(db.engine).get_columns("calls") if c["name"] == "metrics"]
        assert type(metrics["type"]).__name__ == "JSON"
    assert _metrics(db)[:2] == [_without_summaries(M1), _without_summaries(M3)]
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar_one() == 2 * len(SHEET) + 1
        assert conn.execute(text("SELECT count(*) FROM evaluations")).scalar_one() == 3 + EMPTY_EVALUATIONS
    db.upgrade()  # and up again
    with db.engine.connect() as conn:
        sections = conn.execute(text("SELECT count(*) FROM evaluation_sections")).scalar_one()
    assert sections == 7 * (2 + EMPTY_EVALUATIONS)


def test_a_fresh_database_has_the_new_table(db):
    assert "evaluation_sections" in db.table_names()
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("evaluation_sections")}
    assert "ix_evaluation_sections_section_key" in indexes
    assert "critical_failures" in _columns(db, "evaluations")
    if db.backend == "postgresql":  # read key by key by scorecards: jsonb, not json text
        (metrics,) = [c for c in inspect(db.engine).get_columns("calls") if c["name"] == "metrics"]
        assert type(metrics["type"]).__name__ == "JSONB"
