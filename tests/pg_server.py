"""A throwaway PostgreSQL server for the tests.

    server = PostgresServer(tmp_path)
    server.start()                         # initdb + pg_ctl start, a few seconds
    url = server.create_database("qa")     # "postgresql+psycopg://postgres@127.0.0.1:PORT/qa"
    ...
    server.drop_database("qa")
    server.stop()                          # idempotent

The server is a private cluster (trust authentication, loopback only, fsync off)
that disappears on ``stop()``.  It needs the PostgreSQL server binaries
(Debian package ``postgresql``; ``initdb``/``pg_ctl`` are looked up on PATH, then
in ``/usr/lib/postgresql/<version>/bin``, highest version first).  When anything
needed is missing, ``start()`` raises :class:`PostgresUnavailable` with the reason.

Where the files go, and why not in ``base_dir``
-----------------------------------------------
PostgreSQL refuses to run as root, so under root (CI containers) initdb, pg_ctl
and the server run as the ``postgres`` user via ``runuser``.  That user must be
able to reach its data directory, but pytest's ``tmp_path`` lives below
``/tmp/pytest-of-root/`` which pytest creates with mode 0700, so ``postgres``
cannot even traverse it.  Loosening the permissions of pytest's parent folders
would be fragile (pytest creates new ones each session, other tools make the
same folders private) and would open other tests' files to everyone.  A
Unix socket path also has a ~107 byte limit that deep ``tmp_path`` folders
can exceed.

So the cluster lives in its own short private directory made with
``tempfile.mkdtemp()`` in the system temp folder (``/tmp``, which every user
can traverse), owned by the user that runs the server and mode 0700.  Before
use it is checked that the server user can really write there.  ``base_dir``
(e.g. ``tmp_path``) only receives a copy of the server log when the server stops,
so a failing test can still be debugged.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

__all__ = ["PostgresServer", "PostgresUnavailable"]

# Debian/Ubuntu install the server binaries outside PATH.
_SEARCH_GLOB = "/usr/lib/postgresql/*/bin"
_SERVER_USER = "postgres"  # used when running as root
_START_TIMEOUT = 60  # seconds


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def _find_bin_dir() -> Path:
    """The folder that holds initdb and pg_ctl: PATH first, then the highest Debian version."""
    initdb = shutil.which("initdb")
    if initdb:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").is_file():
            return folder

    def version(folder: str) -> tuple[int, ...]:
        m = re.search(r"/(\d+(?:\.\d+)*)/bin$", folder)
        return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)

    for folder in sorted(glob.glob(_SEARCH_GLOB), key=version, reverse=True):
        if os.access(Path(folder, "initdb"), os.X_OK) and os.access(Path(folder, "pg_ctl"), os.X_OK):
            return Path(folder)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
        f"{_SEARCH_GLOB}; install the Debian package 'postgresql' (./quickstart.sh test does)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    try:  # a zombie (dead, not yet reaped, e.g. when PID 1 never reaps) counts as gone
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True


class PostgresServer:
    """A throwaway PostgreSQL server on 127.0.0.1 in a temp folder, for the tests."""

    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir)
        self.port: int | None = None
        self.pid: int | None = None
        self.run_dir: Path | None = None  # private folder holding data/, the socket and the log
        self.bin_dir: Path | None = None
        self._prefix: list[str] = []  # ["runuser", "-u", "postgres", "--"] under root
        self._running = False

    # ------------------------------------------------------------------ public API

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default ``postgres`` database."""
        return self._url("postgres")

    @property
    def data_dir(self) -> Path:
        assert self.run_dir is not None, "server not started"
        return self.run_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.run_dir is not None, "server not started"
        return self.run_dir / "server.log"

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq/psycopg connection string for ``dbname``."""
        self._require_running()
        return make_conninfo(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, connect_timeout=10
        )

    def start(self) -> None:
        if self._running:
            return
        self.bin_dir = _find_bin_dir()
        owner = self._server_identity()
        self.run_dir = self._make_run_dir(owner)
        try:
            self._initdb()
            last_error = ""
            for _ in range(3):  # the free port can be taken between picking and binding
                self.port = _free_port()
                self._write_config()
                result = self._pg_ctl("start", "-w", "-t", str(_START_TIMEOUT), "-l", str(self.log_file))
                if result.returncode == 0:
                    break
                last_error = result.stdout + result.stderr + self._log_tail()
                if "already in use" not in last_error:
                    raise PostgresUnavailable(f"pg_ctl start failed:\n{last_error}")
            else:
                raise PostgresUnavailable(f"pg_ctl start failed:\n{last_error}")
            self._running = True
            self.pid = self._read_pid()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (a copy of database ``template`` when given: no
        connection may be open to the template); returns its SQLAlchemy URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(statement)
        return self._url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` (if it exists), closing any connections still open to it."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)

    def stop(self) -> None:
        """Stop the server immediately and delete its files.  Safe to call more than once."""
        atexit.unregister(self.stop)
        run_dir, self.run_dir = self.run_dir, None
        if run_dir is None:
            return
        data = run_dir / "data"
        if self.pid is None and (data / "postmaster.pid").exists():
            self.pid = self._read_pid(data)
        if (data / "postmaster.pid").exists():
            try:
                subprocess.run(
                    [*self._prefix, str(self.bin_dir / "pg_ctl"), "stop", "-D", str(data),
                     "-m", "immediate", "-w", "-t", "30"],
                    capture_output=True, text=True, cwd=run_dir, env=self._env(), timeout=60,
                )
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.pid is not None and _pid_alive(self.pid):
            try:  # pg_ctl failed; make sure nothing is left behind
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            deadline = time.monotonic() + 10
            while _pid_alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self._running = False
        log = run_dir / "server.log"
        if log.exists() and self.base_dir.is_dir():
            try:
                shutil.copyfile(log, self.base_dir / "postgresql.log")
            except OSError:
                pass
        shutil.rmtree(run_dir, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"127.0.0.1:{self.port}" if self._running else "stopped"
        return f"<PostgresServer {state}>"

    # ------------------------------------------------------------------ internals

    def _url(self, name: str) -> str:
        self._require_running()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{quote(name, safe='')}"

    def _require_running(self) -> None:
        if not self._running:
            raise RuntimeError("the PostgreSQL server is not running; call start() first")

    def _server_identity(self) -> pwd.struct_passwd | None:
        """None: run as ourselves.  Under root: the postgres user (PostgreSQL refuses root)."""
        if os.geteuid() != 0:
            self._prefix = []
            return None
        try:
            user = pwd.getpwnam(_SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                "running as root, and PostgreSQL refuses to run as root, but there is no "
                f"'{_SERVER_USER}' user to run it as (the Debian package 'postgresql' creates it)"
            ) from None
        runuser = shutil.which("runuser")
        if not runuser:
            raise PostgresUnavailable("running as root but 'runuser' (util-linux) is not available")
        self._prefix = [runuser, "-u", _SERVER_USER, "--"]
        return user

    def _make_run_dir(self, owner: pwd.struct_passwd | None) -> Path:
        """A short private folder the server user can use (see the module docstring)."""
        parents = [tempfile.gettempdir(), "/tmp"]
        problems = []
        for parent in dict.fromkeys(parents):
            try:
                path = Path(tempfile.mkdtemp(prefix="qa-desk-pg-", dir=parent))
            except OSError as e:
                problems.append(f"{parent}: {e}")
                continue
            if owner is None:
                return path
            os.chown(path, owner.pw_uid, owner.pw_gid)  # mkdtemp already made it 0700
            probe = subprocess.run([*self._prefix, "test", "-w", str(path), "-a", "-x", str(path)],
                                   capture_output=True, cwd="/")
            if probe.returncode == 0:
                return path
            problems.append(f"{parent}: not reachable by user '{_SERVER_USER}'")
            shutil.rmtree(path, ignore_errors=True)
        raise PostgresUnavailable("no temp folder usable by the server: " + "; ".join(problems))

    def _env(self) -> dict[str, str]:
        # PG* variables of the caller (PGDATA, PGPORT, PGHOST...) must not leak into our cluster.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return env

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.run_dir is not None
        return subprocess.run([*self._prefix, *args], capture_output=True, text=True,
                              cwd=self.run_dir, env=self._env(), timeout=_START_TIMEOUT + 30)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args)

    def _initdb(self) -> None:
        result = self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{result.stdout}{result.stderr}")

    def _write_config(self) -> None:
        # Later settings win, so appending again on a port retry is fine.  root may write
        # the postgres-owned file; ownership stays with postgres.
        assert self.run_dir is not None
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.run_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "logging_collector": "off",
        }
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# qa-desk test server\n")
            for key, value in settings.items():
                f.write(f"{key} = '{value}'\n")
        # trust on loopback only (initdb --auth=trust already trusts local connections)
        with open(self.data_dir / "pg_hba.conf", "w", encoding="utf-8") as f:
            f.write("local all all trust\n"
                    "host all all 127.0.0.1/32 trust\n"
                    "host all all ::1/128 trust\n")

    def _read_pid(self, data_dir: Path | None = None) -> int | None:
        try:
            pid_file = (data_dir or self.data_dir) / "postmaster.pid"
            return int(pid_file.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            try:
                with psycopg.connect(self.conninfo(), autocommit=True) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as e:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(
                        f"server did not accept connections within {_START_TIMEOUT} s: {e}\n"
                        + self._log_tail()
                    ) from e
                time.sleep(0.1)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return ""
