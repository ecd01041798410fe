"""The model list: where models are found, their language and default, removal, settings,
the published catalogue, and the `models list/default/remove/catalog` commands."""

from __future__ import annotations

import argparse
import json
import os

import pytest
from fake_models import make_model

from qa_desk.cli_models import add_models_parser, run_models
from qa_desk.settings import Settings
from qa_desk.transcription import catalog as cat
from qa_desk.transcription import speech_models as sm
from qa_desk.transcription.model_errors import CatalogError, ModelError, UnknownModel, UsageError


def run_cli(capsys, settings, *argv):
    parser = argparse.ArgumentParser(prog="qa-desk")
    add_models_parser(parser.add_subparsers(dest="command"))
    code = run_models(parser.parse_args(["models", *argv]), settings)
    out, err = capsys.readouterr()
    return code, out, err


def install_fake(name: str, language: str | None = None):
    """A model in our own models folder, as an install leaves it."""
    path = make_model(sm.models_dir() / name)
    if language:
        (path / sm.METADATA_FILE).write_text(json.dumps({"name": name, "language": language}), encoding="utf-8")
    return path


# --- validation --------------------------------------------------------------------------

def test_validate_names_every_missing_part(tmp_path):
    assert sm.validate_model_dir(make_model(tmp_path / "ok")) == []
    assert sm.validate_model_dir(make_model(tmp_path / "split", split_graph=True)) == []
    missing = sm.validate_model_dir(make_model(tmp_path / "bad", drop=("am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst")))
    assert missing == ["am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)"]
    half_split = make_model(tmp_path / "half", split_graph=True)
    (half_split / "graph/Gr.fst").unlink()
    assert sm.validate_model_dir(half_split) == ["graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)"]
    assert sm.validate_model_dir(tmp_path / "nothing") == ["the folder itself"]


# --- finding models ----------------------------------------------------------------------

def test_models_come_from_our_folder_the_environment_and_added_folders(tmp_path, monkeypatch):
    install_fake("vosk-model-small-cn-0.22")
    shared = tmp_path / "shared"
    make_model(shared / "vosk-model-small-en-us-0.15")
    make_model(shared / "vosk-model-ru-0.42")
    (shared / "not-a-model").mkdir()
    single = make_model(tmp_path / "single" / "vosk-model-small-ja-0.22")
    added = tmp_path / "added"
    make_model(added / "my-cantonese", split_graph=True)
    monkeypatch.setenv("VOSK_MODEL_PATH", os.pathsep.join([str(shared), str(single), str(tmp_path / "gone")]))
    settings = Settings(model_folders=[str(added), str(shared)])  # shared twice: listed once

    models = sm.list_models(settings)
    assert [(m.name, m.language, m.location, m.removable) for m in models] == [
        ("vosk-model-small-cn-0.22", "zh", "installed", True),
        ("vosk-model-ru-0.42", "ru", "VOSK_MODEL_PATH", False),
        ("vosk-model-small-en-us-0.15", "en", "VOSK_MODEL_PATH", False),
        ("vosk-model-small-ja-0.22", "ja", "VOSK_MODEL_PATH", False),
        ("my-cantonese", "unknown", "folder", False),
    ]
    assert models[0].size_bytes == sum(f.stat().st_size for f in models[0].path.rglob("*") if f.is_file())
    assert models[1].source == str(shared)
    assert sm.find_model("my-cantonese", settings).path == added / "my-cantonese"
    with pytest.raises(UnknownModel, match="no speech model named 'nope'.*vosk-model-ru-0.42"):
        sm.find_model("nope", settings)
    # A path to a model folder also works (how a one-off model is named on the CLI).
    assert sm.find_model(str(added / "my-cantonese")).name == "my-cantonese"


def test_language_comes_from_our_record_then_the_catalogue_then_the_folder_name():
    install_fake("cn-small", language="zh")                 # renamed at install: our record says
    install_fake("vosk-model-small-ko-0.22")                # catalogue entry "ko"
    install_fake("vosk-model-small-en-in-0.4")              # not in the catalogue: folder pattern
    install_fake("vosk-model-fr-0.22")
    install_fake("vosk-model-spk-0.4")                      # a speaker model, not a language
    install_fake("whatever")
    languages = {m.name: m.language for m in sm.list_models()}
    assert languages == {
        "cn-small": "zh", "vosk-model-small-ko-0.22": "ko", "vosk-model-small-en-in-0.4": "en",
        "vosk-model-fr-0.22": "fr", "vosk-model-spk-0.4": "unknown", "whatever": "unknown",
    }


def test_catalogue_codes_become_primary_languages():
    assert [cat.normalise_language(c) for c in ("cn", "en-us", "en-gb", "en-in", "ko", "ua", "zh-CN", "", None)] == [
        "zh", "en", "en", "en", "ko", "uk", "zh", "unknown", "unknown",
    ]


# --- defaults ----------------------------------------------------------------------------

def test_the_only_model_of_a_language_is_its_default_until_one_is_chosen():
    install_fake("vosk-model-small-cn-0.22")
    install_fake("vosk-model-small-en-us-0.15")
    settings = Settings()
    assert sm.default_model("zh", settings).name == "vosk-model-small-cn-0.22"
    assert sm.default_model("en-US", settings).name == "vosk-model-small-en-us-0.15"
    install_fake("vosk-model-cn-0.22")
    assert sm.default_model("zh", settings) is None  # two Chinese models and no choice
    assert sm.set_default("vosk-model-cn-0.22", settings).language == "zh"
    assert settings.default_models == {"zh": "vosk-model-cn-0.22"}
    assert sm.default_model("cn", settings).name == "vosk-model-cn-0.22"
    assert {k: m.name for k, m in sm.default_models(settings).items()} == {
        "zh": "vosk-model-cn-0.22", "en": "vosk-model-small-en-us-0.15",
    }
    install_fake("mystery")
    with pytest.raises(UsageError, match="language is not known"):
        sm.set_default("mystery", settings)


# --- removal -----------------------------------------------------------------------------

def test_only_our_own_models_can_be_removed(tmp_path, monkeypatch):
    path = install_fake("vosk-model-small-cn-0.22")
    install_fake("vosk-model-cn-0.22")
    shared = make_model(tmp_path / "shared" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(shared))
    settings = Settings(default_models={"zh": "vosk-model-small-cn-0.22"})
    with pytest.raises(ModelError, match=f"found through VOSK_MODEL_PATH .*{shared}"):
        sm.remove_model("vosk-model-small-en-us-0.15", settings)
    assert shared.exists()
    with pytest.raises(UnknownModel):
        sm.remove_model("nope", settings)
    assert sm.remove_model("vosk-model-small-cn-0.22", settings) == path
    assert not path.exists() and settings.default_models == {}
    assert list(sm.models_dir().glob(".*")) == []  # no trash left behind


# --- settings ----------------------------------------------------------------------------

def test_settings_keep_model_fields_and_reject_bad_types(tmp_path):
    settings = Settings(model_folders=["/srv/models"], default_models={"zh": "m"}, call_language="en",
                        transcription_workers=3)
    settings.save()
    assert Settings.load() == settings
    path = Settings.path()
    path.write_text(json.dumps({
        "model_folders": "/srv/models", "default_models": {"zh": 3}, "call_language": "",
        "transcription_workers": -1, "agent_channel": "right", "database_url": 5, "newer_key": 1,
    }), encoding="utf-8")
    loaded = Settings.load()
    assert (loaded.model_folders, loaded.default_models, loaded.call_language, loaded.transcription_workers) == (
        [], {}, "zh", 0)
    assert loaded.database_url == "" and loaded.agent_channel == "right"
    assert loaded.extra == {"newer_key": 1}
    path.write_text(json.dumps({"transcription_workers": True}), encoding="utf-8")
    assert Settings.load().transcription_workers == 0


# --- catalogue ---------------------------------------------------------------------------

def test_catalogue_ships_with_the_app_and_a_refreshed_copy_wins(tmp_path):
    shipped = cat.load_catalog()
    entry = cat.find_entry("vosk-model-small-cn-0.22", shipped)
    assert entry.language == "zh" and entry.size == 43898754 and entry.md5 == "d1a8e82933dcc7632667c036b0bb3dbb"
    assert cat.find_entry("vosk-model-cn-0.22", shipped).md5 == ""  # unknown: not checked
    newer = tmp_path / "model-list.json"
    newer.write_text(json.dumps([{"lang": "de", "lang_text": "German", "md5": "", "name": "vosk-model-small-de-0.15",
                                  "obsolete": "false", "size": 47, "size_text": "45MiB", "type": "small",
                                  "url": "https://example.com/de.zip", "version": "0.15"}]), encoding="utf-8")
    assert [e.name for e in cat.refresh_catalog(newer)] == ["vosk-model-small-de-0.15"]
    assert cat.catalog_path() == cat.user_catalog_path()
    assert [e.language for e in cat.load_catalog()] == ["de"]
    # A broken refreshed copy never hides the shipped list.
    cat.user_catalog_path().write_text("[{", encoding="utf-8")
    assert len(cat.load_catalog()) == len(shipped)


@pytest.mark.parametrize("text, problem", [
    ("{ nope", "not a JSON file"),
    ('{"name": "x"}', "expected a JSON list"),
    ("[]", "holds no models"),
    ('[{"name": "x", "url": "ftp://x"}]', "not an http"),
    ('[{"name": "x", "url": "https://x/x.zip", "md5": "zz"}]', "not an MD5"),
])
def test_a_bad_catalogue_file_is_refused_and_the_list_kept(tmp_path, text, problem):
    bad = tmp_path / "list.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=problem) as err:
        cat.refresh_catalog(bad)
    assert str(bad) in str(err.value)
    assert not cat.user_catalog_path().exists()


# --- the CLI -----------------------------------------------------------------------------

def test_cli_list_default_remove_and_catalog(capsys, tmp_path, monkeypatch):
    settings = Settings()
    code, out, _ = run_cli(capsys, settings, "list")
    assert code == 0 and "No speech models found" in out
    install_fake("vosk-model-small-cn-0.22")
    install_fake("vosk-model-cn-0.22")
    shared = make_model(tmp_path / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(shared))

    code, out, _ = run_cli(capsys, settings, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["Name", "Language", "Size", "Default", "Location", "Path"]
    en = next(line for line in lines if "en-us" in line)
    assert "yes" in en and "VOSK_MODEL_PATH" in en and lines[-1].startswith("3 models")

    code, out, _ = run_cli(capsys, settings, "default", "vosk-model-cn-0.22")
    assert code == 0 and "default model for zh" in out
    assert Settings.load().default_models == {"zh": "vosk-model-cn-0.22"}
    code, out, _ = run_cli(capsys, settings, "list", "--json")
    data = {m["name"]: m for m in json.loads(out)["models"]}
    assert data["vosk-model-cn-0.22"]["default"] and not data["vosk-model-small-cn-0.22"]["default"]

    code, _, err = run_cli(capsys, settings, "default", "nope")
    assert code == 2 and "no speech model named 'nope'" in err
    code, _, err = run_cli(capsys, settings, "remove", "vosk-model-small-en-us-0.15")
    assert code == 1 and "VOSK_MODEL_PATH" in err and str(shared) in err
    code, out, _ = run_cli(capsys, settings, "remove", "vosk-model-cn-0.22")
    assert code == 0 and "Removed vosk-model-cn-0.22" in out
    assert Settings.load().default_models == {}

    code, out, _ = run_cli(capsys, settings, "catalog")
    row = next(line for line in out.splitlines() if line.startswith("vosk-model-small-cn-0.22 "))
    assert code == 0 and "41.9MiB" in row and row.rstrip().endswith("yes")
    code, out, _ = run_cli(capsys, settings, "catalog", "--json")
    published = {m["name"]: m for m in json.loads(out)["models"]}
    assert published["vosk-model-small-cn-0.22"]["installed"] and not published["vosk-model-small-ja-0.22"]["installed"]

    code, _, err = run_cli(capsys, settings, "catalog", "refresh", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    code, _, err = run_cli(capsys, settings, "catalog", "refresh", str(tmp_path / "bad.json"))
    assert code == 1 and "holds no models" in err
    (tmp_path / "good.json").write_text(cat.shipped_catalog_path().read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run_cli(capsys, settings, "catalog", "refresh", str(tmp_path / "good.json"))
    assert code == 0 and "8 models" in out
