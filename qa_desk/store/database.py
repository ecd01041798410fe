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

from ..wording import translate

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
        raise DatabaseError(translate(
            "Errors", "'{url}' is not a database URL. Use e.g. sqlite:///path/to/qa-desk.sqlite3 "
            "or postgresql+psycopg://user:password@host/dbname").format(url=url)) from exc
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
                raise DatabaseError(translate(
                    "Errors", "The folder for the database file does not exist: {folder}. Create the folder, "
                    "or choose a database file in a folder that exists.").format(folder=folder))
        kwargs["connect_args"] = {"timeout": 10}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(translate(
            "Errors", "QA Desk cannot open '{url}': unknown database type '{type}'. Use a sqlite:// or "
            "postgresql:// URL.").format(url=redact(url), type=parsed.drivername)) from exc
    except ImportError as exc:
        raise DatabaseError(translate(
            "Errors", "The driver for '{type}' is not installed ({error}). Use a sqlite:// or postgresql:// URL, "
            "or install that driver.").format(type=parsed.drivername, error=exc)) from exc
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
            raise DatabaseError(translate(
                "Errors", "Cannot connect to the database {url}: {error}. Check that the database server is "
                "running and reachable and that the URL, user and password are right, then try again.").format(
                url=redact(url), error=_first_line(exc))) from exc
        except SQLAlchemyError as exc:
            engine.dispose()
            raise DatabaseError(translate(
                "Errors", "Cannot use the database {url}: {error}. Check the URL and the database's "
                "permissions, then try again.").format(url=redact(url), error=_first_line(exc))) from exc
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
            raise SchemaTooNew(translate(
                "Errors", "The database {url} was written by a newer version of QA Desk (schema '{schema}'). "
                "Update QA Desk to open it; nothing was changed.").format(url=redact(self.url), schema=current)) from exc

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
            raise DatabaseError(translate(
                "Errors", "Could not upgrade the database {url}: {error}. Make sure nobody "
                "else is using it and that you may change its tables, then open it again.").format(
                url=redact(self.url), error=_first_line(exc))) from exc

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
