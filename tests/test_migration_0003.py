"""Migrations 0003 and 0002 on a database that already holds calls, transcripts and flags (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from qa_desk.store.database import Database, _alembic_config, head_revision
from qa_desk.store.flags import fingerprint
from qa_desk.store.search import search_transcripts

UTTERANCES = 2500  # more than one backfill batch


def _migrate(db: Database, revision: str, down: bool = False) -> None:
    config = _alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _fill_at_0002(db: Database) -> None:
    """What a team's database holds before 0003: written with SQL, as 0002's schema has it."""
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO calls (id, file_path, file_name, content_hash, file_size, audio_format, codec, decoder, "
            "duration, sample_rate, channels, channel_map, status, imported_at, search_text, transcript_status, "
            "started_at) VALUES (1, '/rec/a.wav', 'a.wav', :hash, 1, 'WAV', 'PCM_16', 'soundfile', 60, 8000, 2, "
            "'{}', 'transcribed', '2026-11-01 00:00:00', 'a.wav', 'done', '2026-11-02 09:00:00')"
        ), {"hash": "a" * 64})
        conn.execute(text(
            "INSERT INTO transcripts (id, call_id, engine, model_name, language, created_at) "
            "VALUES (1, 1, 'vosk', 'cn', 'zh', '2026-11-02 10:00:00')"
        ))
        rows = [{"i": i + 1, "start": float(i), "said": f"第{i}句 普通的话"} for i in range(UTTERANCES)]
        rows[7]["said"] = "我要 投诉 你们！"
        rows[-1]["said"] = "Please hold, I'll TRANSFER you."
        conn.execute(text(
            "INSERT INTO utterances (id, transcript_id, speaker, start, \"end\", text, words) "
            "VALUES (:i, 1, 'customer', :start, :start + 1, :said, '[]')"
        ), rows)
        conn.execute(text(
            "INSERT INTO rulebooks (id, key, version, content_hash, definition, created_at) "
            "VALUES (1, 'service-zh', 1, :hash, '{}', '2026-11-01 00:00:00')"
        ), {"hash": "b" * 64})
        conn.execute(text(
            "INSERT INTO flags (id, call_id, rulebook_id, rule_key, category, severity, speaker, start, \"end\", "
            "matched_text, status, created_at) VALUES (1, 1, 1, 'forbidden.x', 'forbidden_phrase', 'major', "
            "'agent', 3.0, 4.0, '不 知道', 'confirmed', '2026-11-02 11:00:00')"
        ))


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


@pytest.fixture
def at_0002(blank_db_url):
    db = Database.open(blank_db_url, upgrade=False)
    _migrate(db, "0002")
    _fill_at_0002(db)
    yield db
    db.close()


def test_upgrade_backfills_and_the_index_finds_old_transcripts(at_0002):
    db = at_0002
    db.upgrade()
    assert db.current_revision() == head_revision()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM utterances")).scalar_one() == UTTERANCES  # nothing lost
        assert conn.execute(text("SELECT count(*) FROM utterances WHERE search_text IS NULL")).scalar_one() == 0
        assert conn.execute(text("SELECT search_text FROM utterances WHERE id = 8")).scalar_one() == "我 要 投 诉 你 们"
        flag = conn.execute(text("SELECT fingerprint, kind, confidence, words, status, stale FROM flags")).one()
        assert conn.execute(text("SELECT scanned_rulebook_id FROM calls")).scalar_one() is None
    assert flag[0] == fingerprint("forbidden.x", "agent", "不知道")
    assert (flag[1], flag[2], flag[4], bool(flag[5])) == ("exact", 1.0, "confirmed", False)
    assert flag[3] in ([], "[]")
    with db.session() as s:
        (hit,) = search_transcripts(s, "投诉").hits
        assert (hit.call_id, hit.start, hit.snippet[slice(*hit.matches[0])]) == (1, 7.0, "投诉")
        (hit,) = search_transcripts(s, "transfer you").hits
        assert hit.start == UTTERANCES - 1
        assert search_transcripts(s, "第2498句").total == 1
        assert search_transcripts(s, "普通").total == UTTERANCES - 2


def test_downgrade_removes_it_all_and_keeps_the_data(at_0002):
    db = at_0002
    db.upgrade()
    _migrate(db, "0002", down=True)
    assert db.current_revision() == "0002"
    assert "flag_events" not in db.table_names()
    assert {"search_text", "search_vector"}.isdisjoint(_columns(db, "utterances"))
    assert {"scanned_rulebook_id", "scanned_at"}.isdisjoint(_columns(db, "calls"))
    assert {"fingerprint", "kind", "stale", "decided_by"}.isdisjoint(_columns(db, "flags"))
    assert {"name", "language"}.isdisjoint(_columns(db, "rulebooks"))
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            leftovers = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE name LIKE '%utterance%search%'"
            )).scalars().all()
            assert leftovers == []
        assert conn.execute(text("SELECT count(*) FROM utterances")).scalar_one() == UTTERANCES
        assert conn.execute(text("SELECT status FROM flags")).scalar_one() == "confirmed"
        # Writing at 0002 still works (no trigger left pointing at a dropped index).
        conn.execute(text(
            "INSERT INTO utterances (id, transcript_id, speaker, start, \"end\", text, words) "
            "VALUES (:i, 1, 'agent', 999, 1000, '退款已经到账', '[]')"
        ), {"i": UTTERANCES + 1})  # ids given: the rows above bypassed PostgreSQL's sequence
        conn.execute(text("DELETE FROM utterances WHERE id = 1"))
    # And up again: what was written in between is backfilled and found.
    db.upgrade()
    with db.session() as s:
        assert search_transcripts(s, "退款").hits[0].start == 999
        assert search_transcripts(s, "第0句").total == 0


def test_a_fresh_database_gets_the_index(db):
    if db.backend == "sqlite":
        with db.engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        assert {"utterance_search", "utterances_search_insert", "utterances_search_delete",
                "utterances_search_update", "ix_utterances_search_keys"} <= names
    else:
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("utterances")}
        assert "ix_utterances_search_vector" in indexes


def test_going_back_below_the_transcription_queue_keeps_transcripts_and_flags(at_0002):
    # 0002's downgrade drops calls.transcript_status. Rebuilding `calls` to do it (what
    # a batch drop does on SQLite) would delete every transcript and flag by cascade.
    db = at_0002
    _migrate(db, "0001", down=True)
    assert db.current_revision() == "0001"
    assert "transcript_status" not in _columns(db, "calls")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM utterances")).scalar_one() == UTTERANCES
        assert conn.execute(text("SELECT count(*) FROM flags")).scalar_one() == 1
        assert conn.execute(text("SELECT file_name FROM calls")).scalar_one() == "a.wav"
