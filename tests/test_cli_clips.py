"""`qa-desk clips list|playlists|export` through the real command line (qa_desk.cli.main)."""

from __future__ import annotations

import json
import zipfile

import pytest
import soundfile as sf
from clip_library import ZH_AGENT, phone_clip, playlist_of, recorded_call

from qa_desk.audio.clip_audio import clip_audio_formats
from qa_desk.cli import main
from qa_desk.store.database import Database
from qa_desk.store.models import ClipAudio


@pytest.fixture
def library(db_url, tmp_path):
    """Two calls, a clip of each (ids 1: Chinese, 2: English) and a playlist (id 1) of both."""
    db = Database.open(db_url)
    try:
        zh, en = recorded_call(db, tmp_path), recorded_call(db, tmp_path, english=True)
        first = phone_clip(db, zh)
        second = phone_clip(db, en, title="Callback number", kind="needs_improvement", tags=("English",),
                            notes="No read-back.")
        playlist_of(db, [(first.id, "先听这一段"), (second.id, "")])
    finally:
        db.close()
    return db_url


def run(capsys, url: str, *argv: str):
    code = main(["--db", url, "clips", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_the_library_and_filters_it(capsys, library):
    code, out, _ = run(capsys, library, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "title", "kind", "tags"]
    assert lines[1].split()[:3] == ["2", "Callback", "number"]  # newest first
    assert f"{ZH_AGENT} asks for the phone number" in lines[2] and "privacy, 号码" in lines[2]
    assert lines[-1] == "2 clips"
    code, out, _ = run(capsys, library, "list", "--tag", "号码", "--json")
    [clip] = json.loads(out)
    assert (clip["id"], clip["agent"], clip["tags"], clip["start"]) == (1, ZH_AGENT, ["privacy", "号码"], 0.9)
    def ids(*argv):
        return [c["id"] for c in json.loads(run(capsys, library, "list", *argv, "--json")[1])]

    assert ids("--kind", "needs_improvement") == [2] and ids("--text", "手机号") == [1]
    assert ids("--team", "Billing EN") == [2] and ids("--agent", ZH_AGENT) == [1]
    assert run(capsys, library, "list", "--agent", "nobody")[1] == "No clips match.\n"


def test_playlists_are_listed_with_their_ids(capsys, library):
    code, out, _ = run(capsys, library, "playlists", "--json")
    assert code == 0
    [playlist] = json.loads(out)
    assert (playlist["id"], playlist["name"], playlist["clips"]) == (1, "新员工培训 · Week 1", 2)


def test_export_a_playlist_anonymised_by_default(capsys, library, tmp_path):
    code, out, err = run(capsys, library, "export", "--playlist", "1", "-o", str(tmp_path / "week1"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Exported 2 clips to {tmp_path / 'week1'} (anonymised, 2 numbers hidden)"
    assert "  index.html" in lines and "  01-Agent A asks for the phone number.wav" in lines
    assert run(capsys, library, "export", "--playlist", "1", "-o", str(tmp_path / "week1"))[0] == 2
    code, _, err = run(capsys, library, "export", "--playlist", "1", "-o", str(tmp_path / "week1"), "--overwrite",
                       "--format", "flac")
    assert code == 0, err
    assert sorted({p.suffix for p in (tmp_path / "week1").iterdir()}) == [".flac", ".html", ".srt", ".txt", ".xlsx"]
    page = (tmp_path / "week1" / "index.html").read_text(encoding="utf-8")
    assert ZH_AGENT not in page and "先听这一段" in page


def test_export_clips_to_a_zip_as_flac_with_silence_and_no_anonymising(capsys, library, tmp_path):
    code, out, err = run(capsys, library, "export", "1", "2", "-o", str(tmp_path / "picked"), "--zip",
                         "--format", "flac", "--no-anonymise", "--silence", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["target"] == str(tmp_path / "picked.zip") and report["zip"] and not report["anonymised"]
    with zipfile.ZipFile(tmp_path / "picked.zip") as archive:
        names = archive.namelist()
    assert f"picked/01-{ZH_AGENT} asks for the phone number.flac" in names and "picked/index.xlsx" in names


def test_export_one_clip_silenced(capsys, library, tmp_path):
    code, out, _ = run(capsys, library, "export", "1", "-o", str(tmp_path / "one"), "--silence", "--language", "zh")
    assert code == 0
    assert sorted(p.suffix for p in (tmp_path / "one").iterdir()) == [".srt", ".txt", ".wav"]  # no index for one
    srt = next((tmp_path / "one").glob("*.srt")).read_text(encoding="utf-8-sig")
    assert "客户：***********" in srt and "坐席A" in srt


def test_usage_problems_exit_2_and_write_nothing(capsys, library, tmp_path):
    target = tmp_path / "out"
    assert run(capsys, library, "export", "-o", str(target))[0] == 2
    assert run(capsys, library, "export", "1", "--playlist", "1", "-o", str(target))[0] == 2
    code, _, err = run(capsys, library, "export", "1", "7", "-o", str(target))
    assert code == 2 and "Clip 7 does not exist" in err
    code, _, err = run(capsys, library, "export", "--playlist", "9", "-o", str(target))
    assert code == 2 and "Playlist 9 does not exist" in err
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, _, err = run(capsys, library, "export", "1", "-o", str(target))
    assert code == 2 and "not empty" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    with pytest.raises(SystemExit) as usage:
        run(capsys, library, "export", "x", "-o", str(target))
    assert usage.value.code == 2


def test_a_clip_that_fails_is_named_and_exit_1_with_the_rest_exported(capsys, library, tmp_path):
    db = Database.open(library)
    try:
        with db.session() as s:
            s.get(ClipAudio, 2).data = b"broken"
    finally:
        db.close()
    code, out, err = run(capsys, library, "export", "--playlist", "1", "-o", str(tmp_path / "week1"))
    assert code == 1
    assert "Exported 1 clip to" in out and "clip 2 (Callback number): the clip's stored audio cannot be read" in err
    assert (tmp_path / "week1" / "index.html").is_file()
    code, out, err = run(capsys, library, "export", "2", "-o", str(tmp_path / "none"))
    assert code == 1 and "clip 2 (Callback number)" in err and not (tmp_path / "none").exists()


@pytest.mark.skipif("mp3" not in clip_audio_formats(), reason="this libsndfile does not write MP3")
def test_mp3_export(capsys, library, tmp_path):
    code, _, err = run(capsys, library, "export", "2", "-o", str(tmp_path / "mp3"), "--format", "mp3")
    assert code == 0, err
    [mp3] = (tmp_path / "mp3").glob("*.mp3")
    assert sf.info(mp3).duration == pytest.approx(8.8, abs=0.1)
