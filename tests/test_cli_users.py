"""qa-desk users: the first admin of a new database, then users added, listed and stopped."""

from __future__ import annotations

import json

from qa_desk.cli import main


def test_first_admin_then_users(db_url, monkeypatch, capsys):
    monkeypatch.setenv("QA_DESK_NEW_PASSWORD", "first secret")
    assert main(["--db", db_url, "users", "first-admin", "李组长"]) == 0
    assert main(["--db", db_url, "users", "first-admin", "someone"]) == 1  # only while there is none
    monkeypatch.setenv("QA_DESK_PASSWORD", "first secret")
    monkeypatch.setenv("QA_DESK_NEW_PASSWORD", "reviewer secret")
    assert main(["--db", db_url, "--user", "李组长", "users", "add", "王芳", "--role", "reviewer"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "--user", "李组长", "users", "list", "--json"]) == 0
    listed = {u["name"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["王芳"]["role"] == "reviewer" and listed["王芳"]["password"] is True
    monkeypatch.setenv("QA_DESK_PASSWORD", "reviewer secret")  # a reviewer may not add users
    assert main(["--db", db_url, "--user", "王芳", "users", "add", "x", "--role", "admin"]) == 1
    assert "may not" in capsys.readouterr().err
    monkeypatch.setenv("QA_DESK_PASSWORD", "first secret")
    assert main(["--db", db_url, "--user", "李组长", "users", "deactivate", "王芳"]) == 0
    assert main(["--db", db_url, "--user", "李组长", "users", "deactivate", "nobody"]) == 2
