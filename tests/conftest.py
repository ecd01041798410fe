"""Shared fixtures: an isolated QA Desk home, and databases on SQLite and PostgreSQL.

Database tests take the `db_url` / `db` fixtures and run twice: on a SQLite file and
on a real PostgreSQL server started on loopback for the session. On CI (CI=true) a
missing PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def qa_home(tmp_path_factory, monkeypatch):
    """Every test gets its own settings/data folders and no inherited database URL."""
    home = tmp_path_factory.mktemp("qa-home")
    monkeypatch.setenv("QA_DESK_HOME", str(home))
    monkeypatch.delenv("QA_DESK_DB", raising=False)
    return home


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    from pg_server import PostgresServer, PostgresUnavailable

    server = PostgresServer(tmp_path_factory.mktemp("pg"))
    try:
        server.start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required on CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qa-desk.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"qa_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def db(db_url):
    from qa_desk.store.database import Database

    database = Database.open(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_db(tmp_path):
    from qa_desk.store.database import Database

    database = Database.open(f"sqlite:///{tmp_path / 'qa-desk.sqlite3'}")
    yield database
    database.close()
