"""Shared fixtures: an isolated QA Desk home, and databases on SQLite and PostgreSQL.

Database tests take the `db_url` / `db` fixtures and run twice: on a SQLite file and
on a real PostgreSQL server started on loopback for the session. On CI (CI=true) a
missing PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import sys
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


@pytest.fixture(autouse=True)
def english_afterwards():
    """The language is process-wide (the domain's translator, Qt's default locale): a test
    that switches to Chinese must not leave the next test on its worker in Chinese."""
    yield
    from qa_desk import wording

    wording.use(None)
    if "qa_desk.ui.translations" in sys.modules:  # e.g. English's plural forms ("2 problems")
        sys.modules["qa_desk.ui.translations"].uninstall_translators()
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QLocale

        QLocale.setDefault(QLocale.system())


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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file migrated to the newest schema once; each test starts from a copy.

    Migrating a new file takes about 0.25 s and hundreds of tests open one: a copy of
    an already migrated file is the same empty database for a thousandth of that.
    (Tests of the migrations themselves open their own files.)"""
    from qa_desk.store.database import Database

    path = tmp_path_factory.mktemp("template") / "qa-desk.sqlite3"
    Database.open(f"sqlite:///{path}").close()  # closing the last connection folds the WAL back in
    return path


def fresh_sqlite(template, folder) -> str:
    """The URL of a new, migrated, empty SQLite database in ``folder``."""
    path = folder / "qa-desk.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    """A database on the test server migrated once; each test's database is created from
    it with CREATE DATABASE … TEMPLATE (0.04 s instead of 0.3 s of migrations)."""
    from qa_desk.store.database import Database

    name = f"qa_template_{uuid.uuid4().hex[:8]}"
    Database.open(postgres_server.create_database(name)).close()
    return name


def _database(request, tmp_path, migrated: bool):
    """A new database on the test's backend (``request.param``): migrated to the newest
    schema (a copy of the template), or blank for the tests of the migrations."""
    if request.param == "sqlite":
        if migrated:
            yield fresh_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)
        else:
            yield f"sqlite:///{tmp_path / 'qa-desk.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"qa_{uuid.uuid4().hex[:12]}"
    yield server.create_database(name, template=request.getfixturevalue("postgres_template") if migrated else None)
    server.drop_database(name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A new, empty database at the newest schema, on SQLite and on PostgreSQL."""
    yield from _database(request, tmp_path, migrated=True)


@pytest.fixture(params=BACKENDS)
def blank_db_url(request, tmp_path):
    """A new database with no tables at all (tests of the migrations and `db upgrade`)."""
    yield from _database(request, tmp_path, migrated=False)


@pytest.fixture
def db(db_url):
    from qa_desk.store.database import Database

    database = Database.open(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_db(tmp_path, migrated_sqlite):
    from qa_desk.store.database import Database

    database = Database.open(fresh_sqlite(migrated_sqlite, tmp_path))
    yield database
    database.close()


# The CLI tests whose commands change something (and so need someone signed in).
CLI_CHANGES = {"test_cli_clips", "test_cli_forms", "test_cli_export", "test_cli_export_transcript"}


@pytest.fixture(autouse=True)
def cli_user(request, monkeypatch):
    """The CLI's user in the CLI's tests: on SQLite the file's local admin (created at
    first use); on PostgreSQL an admin who signs in with QA_DESK_USER / QA_DESK_PASSWORD."""
    if request.module.__name__ not in CLI_CHANGES or "db_url" not in request.fixturenames:
        return None
    db_url = request.getfixturevalue("db_url")
    if db_url.startswith("sqlite"):
        return None
    from qa_desk.permissions import Actor
    from qa_desk.store.database import Database
    from qa_desk.store.users import create_user, list_users

    database = Database.open(db_url)
    try:
        with database.session() as session:
            if "cli-admin" not in {u.name for u in list_users(session)}:
                # The first admin of a shared database is made by its installer (no one signs in yet).
                create_user(session, Actor("installer", "admin"), "cli-admin", "admin", password="cli-admin-pw")
    finally:
        database.close()
    monkeypatch.setenv("QA_DESK_USER", "cli-admin")
    monkeypatch.setenv("QA_DESK_PASSWORD", "cli-admin-pw")
    return "cli-admin"
