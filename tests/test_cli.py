"""The `qa-desk` command line: commands, JSON output and exit codes that scripts rely on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from recordings import write_call, write_text_as

from qa_desk.cli import main


@pytest.fixture
def folder(tmp_path):
    rec = tmp_path / "rec"
    write_call(rec / "张伟_20261103-143311_13912345678.wav", 2.0, seed=1)
    write_call(rec / "Li Na_20261104-091502_13800138000.wav", 3.0, seed=2)
    write_text_as(rec / "broken.wav")
    return rec


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_reports_every_file_and_exits_1_when_one_failed(capsys, db_url, folder):
    code, out, _ = run(capsys, "--db", db_url, "import", str(folder),
                       "--pattern", "{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    assert code == 1
    assert "broken.wav" in out and "not" in out
    assert out.strip().splitlines()[-1] == "2 imported, 0 already known, 1 failed, 0 skipped"
    code, out, _ = run(capsys, "--db", db_url, "import", str(folder / "张伟_20261103-143311_13912345678.wav"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["known"] == 1 and report["files"][0]["status"] == "known"


def test_calls_lists_filters_and_prints_json(capsys, db_url, folder):
    run(capsys, "--db", db_url, "import", str(folder), "--pattern", "{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    code, out, _ = run(capsys, "--db", db_url, "calls")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "Agent", "Team", "Start", "Duration", "Dir", "Status", "File"]
    assert "Li Na" in lines[1] and "0:03" in lines[1]  # newest first
    assert "张伟" in lines[2] and "0:02" in lines[2]
    assert lines[-1] == "2 calls"
    code, out, _ = run(capsys, "--db", db_url, "calls", "--agent", "张伟", "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 1
    call = data["calls"][0]
    assert call["agent"] == "张伟" and call["started_at"] == "2026-11-03 14:33:11"
    assert call["customer"] == "13912345678" and call["duration"] == pytest.approx(2.0)
    code, out, _ = run(capsys, "--db", db_url, "calls", "--since", "2026-11-04", "--json")
    assert [c["agent"] for c in json.loads(out)["calls"]] == ["Li Na"]
    code, out, _ = run(capsys, "--db", db_url, "calls", "--limit", "1")
    assert "1 of 2 calls (use --limit 0 for all)" in out


def test_db_upgrade_and_info(capsys, blank_db_url):
    code, out, _ = run(capsys, "--db", blank_db_url, "db", "upgrade")
    assert code == 0 and "upgraded from empty to" in out
    code, out, _ = run(capsys, "--db", blank_db_url, "db", "upgrade")
    assert code == 0 and "is up to date" in out
    code, out, _ = run(capsys, "--db", blank_db_url, "db", "info", "--json")
    info = json.loads(out)
    assert info["up_to_date"] is True and info["calls"] == 0
    assert info["backend"] in ("sqlite", "postgresql")


@pytest.mark.parametrize(
    "argv, code, words",
    [
        (["calls", "--since", "last tuesday"], 2, "is not a date"),
        (["calls", "--sort", "password"], 2, "cannot sort by"),
        (["import"], 2, "required"),
        (["frobnicate"], 2, "invalid choice"),
        (["--db", "nonsense", "calls"], 3, "is not a database URL"),
        (["--db", "postgresql://qa:pw@127.0.0.1:1/qa", "db", "info"], 3, "Cannot connect"),
    ],
)
def test_exit_codes_and_messages(capsys, argv, code, words):
    try:
        got = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        got = exc.code
    _, err = capsys.readouterr()
    assert got == code
    assert words in err
    assert "Traceback" not in err


def test_a_broken_sidecar_is_a_usage_error_and_imports_nothing(capsys, db_url, folder, tmp_path):
    sidecar = tmp_path / "export.csv"
    sidecar.write_text("agent,team\nLi,A\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db_url, "import", str(folder), "--metadata", str(sidecar))
    assert code == 2 and "export.csv" in err
    code, out, _ = run(capsys, "--db", db_url, "calls", "--json")
    assert json.loads(out)["total"] == 0


def test_sidecar_columns_can_be_named_on_the_command_line(capsys, db_url, folder, tmp_path):
    sidecar = tmp_path / "acd.csv"
    sidecar.write_text(
        "Aufnahme;Mitarbeiter;Beginn\n"
        "张伟_20261103-143311_13912345678.wav;Zhang Wei;2026-11-03 14:33:11\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", db_url, "import", str(folder / "张伟_20261103-143311_13912345678.wav"),
                         "--metadata", str(sidecar), "--column", "file=Aufnahme",
                         "--column", "agent=Mitarbeiter", "--column", "started_at=Beginn", "--json")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db_url, "calls", "--json")
    assert json.loads(out)["calls"][0]["agent"] == "Zhang Wei"
    with pytest.raises(SystemExit) as exc:
        main(["import", str(folder), "--column", "mood=Laune"])
    assert exc.value.code == 2 and "unknown field 'mood'" in capsys.readouterr().err


def test_database_from_the_environment(capsys, monkeypatch, tmp_path, folder):
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("QA_DESK_DB", url)
    run(capsys, "import", str(folder / "Li Na_20261104-091502_13800138000.wav"))
    assert (tmp_path / "env.sqlite3").exists()
    code, out, _ = run(capsys, "db", "info", "--json")
    assert json.loads(out)["calls"] == 1


def test_the_installed_entry_point_runs(tmp_path, folder):
    """The console script a contact centre scripts against, in a real process."""
    exe = shutil.which("qa-desk", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "qa_desk"]
    url = f"sqlite:///{tmp_path / 'proc.sqlite3'}"
    proc = subprocess.run([*command, "--db", url, "import", str(folder), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["counts"] == {"imported": 2, "known": 0, "failed": 1, "skipped": 0}
