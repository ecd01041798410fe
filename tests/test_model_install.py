"""Installing models from folders and zips: validity, safe extraction, names, replace,
nothing left behind on failure, and `qa-desk models install` with its exit codes."""

from __future__ import annotations

import argparse
import io
import json
import stat
import zipfile

import pytest
from fake_models import MFCC, make_model, make_model_zip, model_files

from qa_desk.cli_models import add_models_parser, run_models
from qa_desk.jobs import Cancelled, JobContext
from qa_desk.settings import Settings
from qa_desk.transcription import model_install as mi
from qa_desk.transcription import speech_models as sm
from qa_desk.transcription.model_errors import InvalidModel, ModelExists, UsageError
from qa_desk.transcription.model_views import has_dither_off
from qa_desk.transcription.model_zip import ZipLimits, extract_model_zip


def leftovers() -> list[str]:
    """Anything in the models folder besides installed models (temp folders, trash)."""
    return sorted(p.name for p in sm.models_dir().iterdir() if p.name.startswith("."))


def run_cli(capsys, *argv):
    parser = argparse.ArgumentParser(prog="qa-desk")
    add_models_parser(parser.add_subparsers(dest="command"))
    code = run_models(parser.parse_args(["models", *argv]), Settings())
    out, err = capsys.readouterr()
    return code, out, err


def test_install_from_folder_copies_patches_and_records(tmp_path):
    source = make_model(tmp_path / "vosk-model-small-cn-0.22")
    progress = []
    model = mi.install_from_folder(source, ctx=JobContext(on_progress=lambda d, t: progress.append((d, t)), min_interval=0))
    assert model.path == sm.models_dir() / "vosk-model-small-cn-0.22"
    assert model.location == "installed" and model.removable and model.language == "zh"
    conf = (model.path / "conf/mfcc.conf").read_text()
    assert conf.splitlines() == ["--use-energy=false", "--num-mel-bins=40", "--dither=0"]
    assert has_dither_off(model.path)
    assert (source / "conf/mfcc.conf").read_text() == MFCC  # the source is left alone
    record = json.loads((model.path / sm.METADATA_FILE).read_text())
    assert record["name"] == model.name and record["language"] == "zh" and record["source"] == str(source)
    assert record["installed_at"]
    assert progress[-1][0] == progress[-1][1] > 0
    assert leftovers() == []


def test_a_renamed_install_keeps_its_language(tmp_path):
    model = mi.install_from_folder(make_model(tmp_path / "vosk-model-small-en-us-0.15"), name="english-small")
    assert (model.name, model.language) == ("english-small", "en")
    assert sm.find_model("english-small").language == "en"


def test_a_folder_that_is_not_a_model_is_refused_naming_what_is_missing(tmp_path):
    source = make_model(tmp_path / "half", drop=("conf/model.conf", "graph/HCLG.fst"))
    with pytest.raises(InvalidModel) as err:
        mi.install_from_folder(source)
    assert str(source) in str(err.value)
    assert "missing conf/model.conf, graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)" in str(err.value)
    assert list(sm.models_dir().iterdir()) == []


def test_an_existing_name_is_refused_unless_replace_is_asked(tmp_path):
    first = mi.install_from_folder(make_model(tmp_path / "a" / "vosk-model-small-cn-0.22"))
    (first.path / "marker").write_text("old copy")
    with pytest.raises(ModelExists, match="already installed"):
        mi.install_from_zip(make_model_zip(tmp_path / "m.zip"))
    assert (first.path / "marker").exists()
    model = mi.install_from_zip(tmp_path / "m.zip", replace=True)
    assert model.path == first.path and not (model.path / "marker").exists()
    assert leftovers() == []


@pytest.mark.parametrize("top", ["vosk-model-small-cn-0.22", None])
def test_install_from_zip_with_a_top_folder_or_files_at_the_root(tmp_path, top):
    zip_path = make_model_zip(tmp_path / "vosk-model-small-cn-0.22.zip", top=top)
    model = mi.install_from_zip(zip_path)
    assert model.name == "vosk-model-small-cn-0.22" and model.language == "zh"
    assert sm.validate_model_dir(model.path) == [] and has_dither_off(model.path)
    record = json.loads((model.path / sm.METADATA_FILE).read_text())
    assert len(record["md5"]) == 32 and record["source"] == str(zip_path)
    assert leftovers() == []


def test_archive_clutter_is_ignored(tmp_path):
    zip_path = make_model_zip(tmp_path / "m.zip")
    with zipfile.ZipFile(zip_path, "a") as zf:
        zf.writestr("__MACOSX/vosk-model-small-cn-0.22/._README", b"x")
        zf.writestr("vosk-model-small-cn-0.22/.DS_Store", b"x")
    model = mi.install_from_zip(zip_path)
    assert model.name == "vosk-model-small-cn-0.22" and not (model.path / ".DS_Store").exists()


def _zip_with(tmp_path, name: str, data: bytes = b"x", *, mode: int | None = None):
    zip_path = make_model_zip(tmp_path / "evil.zip")
    with zipfile.ZipFile(zip_path, "a") as zf:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        if mode is not None:
            info.external_attr = mode << 16
        zf.writestr(info, data)
    return zip_path


@pytest.mark.parametrize("member, problem", [
    ("vosk-model-small-cn-0.22/../../escaped.txt", "points outside the folder"),
    ("../escaped.txt", "points outside the folder"),
    ("/tmp/escaped.txt", "absolute path"),
    ("C:/escaped.txt", "absolute path"),
    ("vosk-model-small-cn-0.22\\..\\..\\escaped.txt", "points outside the folder"),
])
def test_zip_slip_is_refused_and_nothing_is_written(tmp_path, member, problem):
    zip_path = _zip_with(tmp_path, member)
    with pytest.raises(InvalidModel, match=problem) as err:
        mi.install_from_zip(zip_path)
    assert str(zip_path) in str(err.value)
    assert list(sm.models_dir().iterdir()) == []
    assert not (tmp_path / "escaped.txt").exists() and not (sm.models_dir().parent / "escaped.txt").exists()


def test_symlink_members_are_refused(tmp_path):
    zip_path = _zip_with(tmp_path, "vosk-model-small-cn-0.22/am/link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)
    with pytest.raises(InvalidModel, match="is a symbolic link"):
        mi.install_from_zip(zip_path)
    assert list(sm.models_dir().iterdir()) == []


def test_a_zip_bomb_is_refused(tmp_path):
    zip_path = _zip_with(tmp_path, "vosk-model-small-cn-0.22/graph/huge.fst", bytes(40 << 20))
    with pytest.raises(InvalidModel, match="zip bomb"):
        mi.install_from_zip(zip_path)
    assert list(sm.models_dir().iterdir()) == []


def test_size_and_member_limits(tmp_path):
    zip_path = make_model_zip(tmp_path / "m.zip")
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(InvalidModel, match="unpacks to"):
        extract_model_zip(zip_path, dest, limits=ZipLimits(max_total_bytes=1000))
    with pytest.raises(InvalidModel, match="members"):
        extract_model_zip(zip_path, dest, limits=ZipLimits(max_members=3))
    assert list(dest.iterdir()) == []  # checked before anything is written


def test_a_zip_without_a_model_names_the_missing_parts(tmp_path):
    zip_path = make_model_zip(tmp_path / "m.zip", drop=("am/final.mdl",))
    with pytest.raises(InvalidModel, match=r"m\.zip: not a Vosk model: missing am/final\.mdl"):
        mi.install_from_zip(zip_path)
    (tmp_path / "junk.zip").write_bytes(b"PK not really")
    with pytest.raises(InvalidModel, match="junk.zip: not a zip file"):
        mi.install_from_zip(tmp_path / "junk.zip")
    assert list(sm.models_dir().iterdir()) == []


def test_a_damaged_member_fails_cleanly(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for rel, data in model_files().items():
            zf.writestr(f"m/{rel}", data)
    raw = bytearray(buffer.getvalue())
    at = raw.find(b"fake graph")
    raw[at:at + 4] = b"XXXX"  # CRC no longer matches
    (tmp_path / "bad.zip").write_bytes(bytes(raw))
    with pytest.raises(InvalidModel, match="is damaged"):
        mi.install_from_zip(tmp_path / "bad.zip")
    assert list(sm.models_dir().iterdir()) == []


def test_cancelling_an_install_leaves_nothing(tmp_path):
    ctx = JobContext(on_progress=lambda d, t: ctx.cancel() if d else None, min_interval=0)
    with pytest.raises(Cancelled):
        mi.install_from_folder(make_model(tmp_path / "vosk-model-small-cn-0.22"), ctx=ctx)
    assert list(sm.models_dir().iterdir()) == []
    ctx = JobContext(on_progress=lambda d, t: ctx.cancel() if d else None, min_interval=0)
    with pytest.raises(Cancelled):
        mi.install_from_zip(make_model_zip(tmp_path / "m.zip"), ctx=ctx)
    assert list(sm.models_dir().iterdir()) == []


def test_bad_names_and_sources(tmp_path):
    source = make_model(tmp_path / "m")
    for bad in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(UsageError):
            mi.install_from_folder(source, name=bad or " ")
    with pytest.raises(UsageError, match="not a model folder, a .zip file"):
        mi.install("no-such-thing")
    with pytest.raises(UsageError, match="missing.zip: no such file or folder"):
        mi.install(str(tmp_path / "missing.zip"))
    assert mi.install_name(str(make_model_zip(tmp_path / "x.zip", top="vosk-model-small-ko-0.22"))) == "vosk-model-small-ko-0.22"
    assert mi.install_name("vosk-model-small-ja-0.22") == "vosk-model-small-ja-0.22"
    assert mi.install_name(str(source), "other") == "other"


def test_cli_install_from_folder_and_zip_with_exit_codes(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "install", str(make_model(tmp_path / "vosk-model-small-en-us-0.15")))
    assert code == 0 and "Installed vosk-model-small-en-us-0.15 (en," in out and "default model for en" in out
    zip_path = make_model_zip(tmp_path / "cn.zip")
    code, out, _ = run_cli(capsys, "install", str(zip_path), "--name", "cn-small")
    assert code == 0 and "Installed cn-small (zh," in out
    code, _, err = run_cli(capsys, "install", str(zip_path), "--name", "cn-small")
    assert code == 2 and "already installed" in err
    code, _, err = run_cli(capsys, "install", str(zip_path), "--name", "cn-small", "--replace")
    assert code == 0
    code, _, err = run_cli(capsys, "install", str(make_model(tmp_path / "bad", drop=("am/final.mdl",))))
    assert code == 1 and "bad: not a Vosk model: missing am/final.mdl" in err
    code, _, err = run_cli(capsys, "install", "vosk-model-does-not-exist")
    assert code == 2 and "not a model folder" in err
    assert sorted(m.name for m in sm.list_models()) == ["cn-small", "vosk-model-small-en-us-0.15"]
    assert leftovers() == []


def test_a_zip_made_on_windows_with_backslashes_installs(tmp_path):
    zip_path = tmp_path / "win.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("vosk-model-small-cn-0.22\\", b"")
        for rel, data in model_files().items():
            zf.writestr("vosk-model-small-cn-0.22\\" + rel.replace("/", "\\"), data)
    model = mi.install_from_zip(zip_path)
    assert model.name == "vosk-model-small-cn-0.22" and (model.path / "am" / "final.mdl").is_file()
