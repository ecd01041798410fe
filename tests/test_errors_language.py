"""Errors reach the user in the user's language, with the file they concern named.

The domain writes its sentences through ``qa_desk.wording``; here a small Chinese
lookup stands in for Qt's translator, and real failures (a text file renamed .wav,
a broken model zip, a recording that is gone) must come out in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from recordings import write_call, write_text_as

from qa_desk import wording
from qa_desk.audio.decode import DecodeError, recording_info
from qa_desk.audio.probe import ProbeError, probe
from qa_desk.importing.importer import import_recordings
from qa_desk.transcription import model_install as mi
from qa_desk.transcription.model_errors import InvalidModel

CHINESE = {
    ("Errors", ("{file}: this is not an audio recording (it looks like {what}); take it out of the "
                "recordings, or choose the recording itself")):
        "{file}: 这不是录音文件（看起来是{what}）；请将其移出录音，或选择录音文件本身",
    ("Errors", "text"): "文本",
    ("Errors", "{file}: the file does not exist (was it moved or deleted?)"):
        "{file}: 文件不存在（是否已被移动或删除？）",
    ("Errors", "the file does not exist (was it moved or deleted?)"): "文件不存在（是否已被移动或删除？）",
    ("Errors", "{file}: no such file or folder; check the path, or whether the drive or share is connected"):
        "{file}: 没有此文件或文件夹；请检查路径，或确认磁盘或共享文件夹已连接",
    ("Errors", "{zip}: not a zip file ({detail}); the download may be incomplete: download the model again"):
        "{zip}: 不是 zip 文件（{detail}）；下载可能不完整，请重新下载该模型",
    ("Import", "{file}: imported ({seconds} s)"): "{file}: 已导入（{seconds} 秒）",
    ("Import", "{imported} imported, {known} already known, {failed} failed, {skipped} skipped"):
        "已导入 {imported} 个，已存在 {known} 个，失败 {failed} 个，跳过 {skipped} 个",
}


def chinese(context: str, source: str) -> str:
    return CHINESE.get((context, source), "")  # "" = not translated: wording keeps the English


@pytest.fixture
def in_chinese():
    wording.use(chinese)  # tests/conftest.py puts English back after the test


def test_a_text_file_renamed_wav_is_refused_in_chinese_naming_the_file(in_chinese, sqlite_db, tmp_path):
    folder = tmp_path / "录音"
    write_call(folder / "good.wav", 2.0)
    write_text_as(folder / "minutes.wav")
    report = import_recordings(sqlite_db, [folder])
    outcomes = {Path(o.path).name: o for o in report.outcomes}
    refused = outcomes["minutes.wav"]
    assert (refused.status, refused.reason) == ("failed", "not_audio")  # the stable code stays a code
    assert refused.message == "minutes.wav: 这不是录音文件（看起来是文本）；请将其移出录音，或选择录音文件本身"
    assert outcomes["good.wav"].message == "good.wav: 已导入（2.0 秒）"
    assert report.summary() == "已导入 1 个，已存在 0 个，失败 1 个，跳过 0 个"


def test_a_missing_recording_is_reported_in_chinese(in_chinese, sqlite_db, tmp_path):
    gone = tmp_path / "张三_20261123.wav"
    with pytest.raises(ProbeError) as probed:
        probe(gone)
    assert probed.value.reason == "missing"
    assert str(probed.value) == "张三_20261123.wav: 文件不存在（是否已被移动或删除？）"
    with pytest.raises(DecodeError) as decoded:
        recording_info(gone)
    assert str(decoded.value) == "张三_20261123.wav: 文件不存在（是否已被移动或删除？）"
    report = import_recordings(sqlite_db, [gone])
    assert [(o.reason, o.message) for o in report.outcomes] == [
        ("missing", f"{gone}: 没有此文件或文件夹；请检查路径，或确认磁盘或共享文件夹已连接")]


def test_a_corrupt_model_zip_is_refused_in_chinese(in_chinese, tmp_path):
    junk = tmp_path / "vosk-model-small-cn.zip"
    junk.write_bytes(b"PK not really a zip")
    with pytest.raises(InvalidModel) as caught:
        mi.install_from_zip(junk)
    message = str(caught.value)
    assert message.startswith(f"{junk}: 不是 zip 文件（")
    assert message.endswith("）；下载可能不完整，请重新下载该模型")


def test_a_sentence_without_a_translation_stays_english(in_chinese, tmp_path):
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(ProbeError) as caught:
        probe(tmp_path / "folder.wav")
    assert str(caught.value) == "folder.wav: this is a folder, not a recording"


def test_english_is_the_default(tmp_path):
    write_text_as(tmp_path / "minutes.wav")
    with pytest.raises(ProbeError) as caught:
        probe(tmp_path / "minutes.wav")
    assert str(caught.value).startswith("minutes.wav: this is not an audio recording (it looks like text); ")
