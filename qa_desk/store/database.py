"""Opening the database: URL checks, SQLite pragmas, schema migrations, sessions.

Whatever goes wrong here (a mistyped URL, a server that does not answer, a database
written by a newer QA Desk) becomes a ``DatabaseError`` whose text a reviewer can act
on; the window and the CLI show that text, never a traceback.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be used; the message says why and what to do."""


class SchemaTooNew(DatabaseError):
    pass


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the window read while an import job writes; foreign keys are off by
    # default in SQLite; busy_timeout waits for a lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def redact(url: str) -> str:
    """The URL with its password hidden, for messages and `db info`."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(
            f"'{url}' is not a database URL. Use e.g. sqlite:///path/to/qa-desk.sqlite3 "
            "or postgresql+psycopg://user:password@host/dbname"
        ) from exc
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # QA Desk ships psycopg 3; a plain postgresql:// URL means "PostgreSQL", not psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str) -> Engine:
    parsed = _parse(url)
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().parent
            if not folder.exists():
                raise DatabaseError(f"The folder for the database file does not exist: {folder}")
        kwargs["connect_args"] = {"timeout": 10}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(
            f"QA Desk cannot open '{redact(url)}': unknown database type "
            f"'{parsed.drivername}'. Supported: sqlite, postgresql."
        ) from exc
    except ImportError as exc:
        raise DatabaseError(f"The driver for '{parsed.drivername}' is not installed: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Database:
    """An open, up-to-date QA Desk database and its session factory."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Database:
        engine = make_engine(url)
        db = cls(url, engine)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except OperationalError as exc:
            engine.dispose()
            raise DatabaseError(
                f"Cannot connect to the database {redact(url)}: {_first_line(exc)}"
            ) from exc
        except SQLAlchemyError as exc:
            engine.dispose()
            raise DatabaseError(f"Cannot use the database {redact(url)}: {_first_line(exc)}") from exc
        try:
            db.check_version()
            if upgrade:
                db.upgrade()
        except Exception:
            engine.dispose()
            raise
        return db

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def check_version(self) -> None:
        current = self.current_revision()
        if current is None:
            return
        script = ScriptDirectory.from_config(_alembic_config())
        try:
            script.get_revision(current)
        except Exception as exc:
            raise SchemaTooNew(
                f"The database {redact(self.url)} was written by a newer version of QA Desk "
                f"(schema '{current}'). Update QA Desk to open it; nothing was changed."
            ) from exc

    def upgrade(self) -> None:
        """Bring the schema to this version's head, in one transaction where possible."""
        if self.current_revision() == head_revision():
            return
        config = _alembic_config()
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"Could not upgrade the database {redact(self.url)}: {_first_line(exc)}"
            ) from exc

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
