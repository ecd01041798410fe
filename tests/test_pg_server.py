"""The throwaway PostgreSQL server used by the database tests really works and really goes away."""

from __future__ import annotations

import os
import socket

import psycopg
import pytest

import pg_server
from pg_server import PostgresServer, PostgresUnavailable

pytestmark = pytest.mark.postgres


def _start_or_skip(server: PostgresServer) -> None:
    """Start the server; skip when PostgreSQL is not installed, except on CI where it must be."""
    try:
        server.start()
    except PostgresUnavailable as e:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not available: {e}")


def _libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def test_server_lifecycle(tmp_path):
    server = PostgresServer(tmp_path)
    _start_or_skip(server)
    try:
        port, pid, run_dir = server.port, server.pid, server.run_dir
        assert pid is not None and pg_server._pid_alive(pid)
        assert server.url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

        url = server.create_database("qa_desk_test")
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/qa_desk_test"
        with psycopg.connect(_libpq_url(url)) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("select current_database()").fetchone() == ("qa_desk_test",)
            # only loopback TCP, no other interfaces
            assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
            assert conn.execute("show fsync").fetchone() == ("off",)

        # dropping works even while a connection is still open (tests may leak pool connections)
        leaked = psycopg.connect(_libpq_url(url))
        server.drop_database("qa_desk_test")
        leaked.close()
        with psycopg.connect(_libpq_url(server.url)) as conn:
            names = [r[0] for r in conn.execute("select datname from pg_database")]
        assert "qa_desk_test" not in names
        server.drop_database("qa_desk_test")  # IF EXISTS: no error the second time
    finally:
        server.stop()

    # really gone: process, TCP port, files
    assert not pg_server._pid_alive(pid)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=3")
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert not run_dir.exists()
    assert "database system is ready to accept connections" in (tmp_path / "postgresql.log").read_text()

    server.stop()  # idempotent
    with pytest.raises(RuntimeError):
        server.url


def test_missing_binaries_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(pg_server, "_SEARCH_GLOB", str(tmp_path / "nothing-here" / "*" / "bin"))
    server = PostgresServer(tmp_path)
    with pytest.raises(PostgresUnavailable, match="initdb"):
        server.start()
    server.stop()  # harmless on a server that never started
