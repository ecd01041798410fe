"""Importing recordings: real files, real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from recordings import write_call, write_text_as, write_truncated_wav
from sqlalchemy import func, select

from qa_desk.importing.importer import ImportOptions, ImportSetupError, import_recordings
from qa_desk.jobs import JobContext
from qa_desk.store import calls as store
from qa_desk.store.database import Database
from qa_desk.store.models import Agent, Call, Team


def outcome_by_name(report):
    return {Path(o.path).name: o for o in report.outcomes}


@pytest.fixture
def mixed_folder(tmp_path):
    """What a QA lead's export folder really looks like."""
    folder = tmp_path / "recordings"
    write_call(folder / "good_stereo.wav", 3.0)
    write_call(folder / "sub" / "good.flac", 2.0, channels=1, seed=1)
    write_call(folder / "sub" / "deeper" / "ulaw.wav", 2.5, subtype="ULAW", seed=2)
    write_call(folder / "good.mp3", 2.0, seed=3, format="MP3")
    write_truncated_wav(folder / "corrupt.wav")
    write_text_as(folder / "minutes.wav")
    (folder / "empty.wav").write_bytes(b"")
    shutil.copy(folder / "good_stereo.wav", folder / "zz_copy_of_good_stereo.wav")
    write_text_as(folder / "notes.txt")
    (folder / ".hidden").mkdir()
    write_call(folder / ".hidden" / "ignored.wav", 1.0, seed=9)
    return folder


def test_mixed_folder_gives_the_right_report(db, mixed_folder):
    report = import_recordings(db, [mixed_folder])
    got = {name: (o.status, o.reason) for name, o in outcome_by_name(report).items()}
    assert got == {
        "good_stereo.wav": ("imported", None),
        "zz_copy_of_good_stereo.wav": ("known", "duplicate"),
        "good.flac": ("imported", None),
        "ulaw.wav": ("imported", None),
        "good.mp3": ("imported", None),
        "corrupt.wav": ("failed", "unreadable"),
        "minutes.wav": ("failed", "not_audio"),
        "empty.wav": ("failed", "empty"),
        "notes.txt": ("skipped", "not_a_recording"),
    }
    messages = {Path(o.path).name: o.message for o in report.outcomes}
    for name in ("corrupt.wav", "minutes.wav", "empty.wav"):
        assert name in messages[name]  # every message names its file
    assert report.counts() == {"imported": 4, "known": 1, "failed": 3, "skipped": 1}
    with db.session() as s:
        calls = {c.file_name: c for c in s.execute(select(Call)).scalars()}
    assert set(calls) == {"good_stereo.wav", "good.flac", "ulaw.wav", "good.mp3"}
    stereo = calls["good_stereo.wav"]
    assert (stereo.channels, stereo.sample_rate) == (2, 8000)
    assert stereo.duration == pytest.approx(3.0, abs=1e-3)
    assert stereo.channel_map == {"0": "agent", "1": "customer"}
    assert calls["good.flac"].channel_map == {"0": "mixed"}
    assert calls["ulaw.wav"].codec == "ULAW"
    assert calls["good.mp3"].duration == pytest.approx(2.0, abs=0.25)


def test_reimporting_a_folder_adds_only_what_is_new(db, mixed_folder):
    import_recordings(db, [mixed_folder])
    write_call(mixed_folder / "new_today.wav", 2.0, seed=42)
    again = outcome_by_name(import_recordings(db, [mixed_folder]))
    assert again["new_today.wav"].status == "imported"
    assert {n for n, o in again.items() if o.status == "imported"} == {"new_today.wav"}
    assert again["good.flac"].status == "known"
    with db.session() as s:
        assert s.execute(select(func.count(Call.id))).scalar_one() == 5


def test_a_renamed_recording_is_the_same_call(db, tmp_path):
    original = write_call(tmp_path / "a" / "1023_call.wav", 2.0)
    import_recordings(db, [original])
    renamed = tmp_path / "b" / "renamed.wav"
    renamed.parent.mkdir()
    shutil.copy(original, renamed)
    report = import_recordings(db, [renamed])
    assert report.outcomes[0].status == "known"
    assert "1023_call.wav" in report.outcomes[0].message


def test_a_moved_recording_is_followed_to_its_new_place(db, tmp_path):
    original = write_call(tmp_path / "old" / "call.wav", 2.0)
    first = import_recordings(db, [original]).outcomes[0]
    moved = tmp_path / "archive" / "call.wav"
    moved.parent.mkdir()
    original.rename(moved)
    second = import_recordings(db, [moved]).outcomes[0]
    assert (second.status, second.call_id) == ("known", first.call_id)
    with db.session() as s:
        assert s.get(Call, first.call_id).file_path == str(moved.resolve())


@pytest.mark.parametrize(
    "agent_channel, expected",
    [("left", {"0": "agent", "1": "customer"}), ("right", {"0": "customer", "1": "agent"}),
     ("mono", {"0": "mixed", "1": "mixed"})],
)
def test_channel_map_follows_the_option(sqlite_db, tmp_path, agent_channel, expected):
    path = write_call(tmp_path / "c.wav", 1.0)
    import_recordings(sqlite_db, [path], ImportOptions(agent_channel=agent_channel))
    with sqlite_db.session() as s:
        assert s.execute(select(Call.channel_map)).scalar_one() == expected


def test_metadata_from_the_file_name(db, tmp_path):
    folder = tmp_path / "rec"
    write_call(folder / "张伟_20261103-143311_13912345678.wav", 2.0, seed=1)
    write_call(folder / "Li Na_20261104-091502_13800138000.wav", 2.0, seed=2)
    write_call(folder / "unnamed-recording.wav", 2.0, seed=3)
    options = ImportOptions(pattern="{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    report = outcome_by_name(import_recordings(db, [folder], options))
    assert report["unnamed-recording.wav"].status == "failed"
    assert report["unnamed-recording.wav"].reason == "metadata_missing"
    assert "does not match the pattern" in report["unnamed-recording.wav"].message
    with db.session() as s:
        rows = {r.agent: r for r in store.list_calls(s, limit=None)}
    assert rows["张伟"].started_at == datetime(2026, 11, 3, 14, 33, 11)
    assert rows["张伟"].customer_ref == "13912345678"
    assert rows["Li Na"].started_at == datetime(2026, 11, 4, 9, 15, 2)


def test_metadata_from_a_recorder_sidecar_creates_agents_and_teams(db, tmp_path):
    folder = tmp_path / "rec"
    for i, name in enumerate(["r1.wav", "r2.wav", "r3.wav", "r4.wav"]):
        write_call(folder / name, 1.5, seed=i)
    sidecar = tmp_path / "export.csv"
    sidecar.write_text(
        "文件名,坐席姓名,工号,班组,开始时间,呼叫方向,技能组,客户号码\n"
        "r1.wav,王芳,3001,投诉组,2026-11-05 10:00:00,呼入,complaints,13700000001\n"
        "r2.wav,王芳,3001,投诉组,2026-11-05 11:00:00,呼出,complaints,13700000002\n"
        "r3.wav,陈静,3002,投诉组,not a date,呼入,complaints,13700000003\n",
        encoding="gb18030",
    )
    kept_beside = folder / "export.csv"  # recorders often write it into the same folder
    shutil.copy(sidecar, kept_beside)
    report = outcome_by_name(import_recordings(db, [folder], ImportOptions(metadata=kept_beside)))
    assert "export.csv" not in report  # the metadata file is not a "skipped" recording
    assert report["r1.wav"].status == report["r2.wav"].status == "imported"
    assert (report["r3.wav"].status, report["r3.wav"].reason) == ("failed", "metadata")
    assert "not a date" in report["r3.wav"].message
    assert report["r4.wav"].reason == "metadata_missing"
    assert "export.csv" in report["r4.wav"].message
    with db.session() as s:
        assert s.execute(select(Team.name)).scalars().all() == ["投诉组"]
        assert [(a.name, a.external_id) for a in s.execute(select(Agent)).scalars()] == [("王芳", "3001")]
        directions = sorted(s.execute(select(Call.direction)).scalars())
    assert directions == ["inbound", "outbound"]


def test_a_broken_sidecar_stops_before_anything_is_imported(db, tmp_path):
    path = write_call(tmp_path / "r1.wav", 1.0)
    sidecar = tmp_path / "export.csv"
    sidecar.write_text("recording,agent\nr1.wav,Li\n", encoding="utf-8")
    with pytest.raises(ImportSetupError, match="export.csv"):
        import_recordings(db, [path], ImportOptions(metadata=sidecar, metadata_columns={"file": "Datei"}))
    with pytest.raises(ImportSetupError):
        import_recordings(db, [path], ImportOptions(pattern="{agent_{started}"))
    with db.session() as s:
        assert s.execute(select(func.count(Call.id))).scalar_one() == 0


def test_a_value_the_database_rejects_fails_only_that_file(db, tmp_path):
    folder = tmp_path / "rec"
    write_call(folder / ("x" * 210 + "_20261103-143311_1.wav"), 1.0, seed=1)
    write_call(folder / "ok_20261103-143311_2.wav", 1.0, seed=2)
    report = outcome_by_name(import_recordings(db, [folder], ImportOptions(pattern="{agent}_{started:%Y%m%d-%H%M%S}_{customer}")))
    assert report["ok_20261103-143311_2.wav"].status == "imported"
    if db.backend == "postgresql":  # SQLite does not enforce VARCHAR lengths
        long = next(o for n, o in report.items() if n.startswith("xxx"))
        assert (long.status, long.reason) == ("failed", "database")


def test_cancel_keeps_what_was_imported_and_skips_the_rest(sqlite_db, tmp_path):
    folder = tmp_path / "rec"
    for i in range(30):
        write_call(folder / f"c{i:02d}.wav", 0.5, seed=i)
    ctx = JobContext()
    seen = []

    def partial(outcome):
        seen.append(outcome)
        if len(seen) == 5:
            ctx.cancel()

    ctx._on_partial = partial
    report = import_recordings(sqlite_db, [folder], ctx=ctx)
    assert report.cancelled
    imported = report.count("imported")
    assert 5 <= imported < 30
    assert report.count("skipped") == 30 - imported
    with sqlite_db.session() as s:
        assert s.execute(select(func.count(Call.id))).scalar_one() == imported
    again = import_recordings(sqlite_db, [folder])
    assert again.count("imported") == 30 - imported and again.count("known") == imported


def test_m4a_through_ffmpeg(sqlite_db, tmp_path):
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    wav = write_call(tmp_path / "src.wav", 2.0)
    m4a = tmp_path / "call.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "aac", str(m4a)], check=True)
    outcome = import_recordings(sqlite_db, [m4a]).outcomes[0]
    assert outcome.status == "imported"
    with sqlite_db.session() as s:
        call = s.execute(select(Call)).scalar_one()
    assert (call.decoder, call.channels) == ("ffmpeg", 2)
    assert call.duration == pytest.approx(2.0, abs=0.1)


def test_m4a_without_ffmpeg_says_what_to_install(sqlite_db, tmp_path, monkeypatch):
    m4a = tmp_path / "call.m4a"
    # A real MP4 header is enough: the file must be recognised as M4A, not as junk.
    m4a.write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42" + bytes(2000))
    monkeypatch.setenv("QA_DESK_FFPROBE", "/nonexistent/ffprobe")
    outcome = import_recordings(sqlite_db, [m4a]).outcomes[0]
    assert (outcome.status, outcome.reason) == ("failed", "needs_ffmpeg")
    assert "ffmpeg" in outcome.message and "call.m4a" in outcome.message


def test_a_killed_import_leaves_no_half_call_and_a_rerun_completes_it(tmp_path):
    """Kill -9 an import halfway: every stored call is whole; running it again finishes."""
    folder = tmp_path / "rec"
    for i in range(400):
        write_call(folder / f"c{i:03d}.wav", 0.3, seed=i)
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    Database.open(url).close()
    env = {**os.environ, "QA_DESK_DB": url}
    proc = subprocess.Popen([sys.executable, "-m", "qa_desk", "import", str(folder)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = Database.open(url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with db.session() as s:
                if s.execute(select(func.count(Call.id))).scalar_one() >= 50:
                    break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with db.session() as s:
            stored = s.execute(select(Call)).scalars().all()
        assert 50 <= len(stored) < 400, "the import must be killed halfway for this test to mean anything"
        assert all(c.duration > 0 and c.content_hash and c.channels == 2 for c in stored)
        report = import_recordings(db, [folder])
        assert report.count("imported") == 400 - len(stored)
        assert report.count("known") == len(stored)
        with db.session() as s:
            assert s.execute(select(func.count(Call.id))).scalar_one() == 400
    finally:
        db.close()
