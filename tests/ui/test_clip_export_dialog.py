"""Exporting a clip or a playlist from the window: options, a job with progress, cancel."""

from __future__ import annotations

import zipfile

import pytest
from clip_data import sample_calls, sample_clips, sample_playlist

from qa_desk.permissions import Actor
from qa_desk.ui.clip_export_dialog import ClipExportDialog


@pytest.fixture
def clips(ui_db):
    return sample_clips(ui_db, sample_calls(ui_db))


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def make_dialog(qtbot, db, folder, **what) -> ClipExportDialog:
    dialog = ClipExportDialog(db, folder=folder, actor=Actor("王芳", "trainer"), **what)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_playlist_exports_anonymised_by_default(qtbot, ui_db, clips, out):
    playlist_id = sample_playlist(ui_db, clips)
    dialog = make_dialog(qtbot, ui_db, out, playlist_id=playlist_id, name="新员工培训：开场与结束")
    assert dialog.anonymise.isChecked() and dialog.beep.isChecked() and dialog.as_folder.isChecked()
    assert dialog.target_path() == out / "新员工培训：开场与结束" or dialog.target_path().parent == out
    with qtbot.waitSignal(dialog.exported, timeout=20000) as done:
        dialog.export_button.click()
        assert dialog.close_button.text() == "Cancel" and not dialog.export_button.isEnabled()
    report = done.args[0]
    assert report.anonymised and len(report.clips) == 3 and not report.failures
    folder = dialog.target_path()
    names = sorted(p.name for p in folder.iterdir())
    assert "index.html" in names and sum(n.endswith(".wav") for n in names) == 3
    assert "Li Na" not in (folder / "index.html").read_text(encoding="utf-8")  # the agent is a label now
    assert "Exported 3 clip(s)" in dialog.status.text() and not dialog.open_button.isHidden()
    assert dialog.close_button.text() == "Close"


def test_one_clip_as_a_zip_file_with_silence(qtbot, ui_db, clips, out):
    dialog = make_dialog(qtbot, ui_db, out, clip_id=clips[3].id, name=clips[3].title)
    dialog.as_zip.setChecked(True)
    assert dialog.target_path().suffix == ".zip"
    dialog.silence.setChecked(True)
    dialog.audio_format.setCurrentIndex(dialog.audio_format.findData("flac"))
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.start()
    with zipfile.ZipFile(dialog.target_path()) as archive:
        assert any(n.endswith(".flac") for n in archive.namelist())
    dialog.as_folder.setChecked(True)
    assert dialog.target_path().suffix == ""


def test_an_export_that_cannot_start_says_why_and_writes_nothing(qtbot, ui_db, clips, out):
    dialog = make_dialog(qtbot, ui_db, out, clip_id=clips[0].id, name="clip")
    (out / "clip").mkdir()
    (out / "clip" / "mine.docx").write_text("a trainer's own file")
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10000)
    assert dialog.status.text().startswith("Nothing was exported") and "not empty" in dialog.status.text()
    assert [p.name for p in (out / "clip").iterdir()] == ["mine.docx"]


def test_cancel_stops_the_export_and_leaves_nothing(qtbot, ui_db, clips, out, monkeypatch):
    import qa_desk.reports.clip_export as clip_export

    playlist_id = sample_playlist(ui_db, clips)
    dialog = make_dialog(qtbot, ui_db, out, playlist_id=playlist_id, name="session")
    slow = clip_export.write_clip_files

    def write_slowly(*args, **kwargs):
        import time

        time.sleep(0.3)
        return slow(*args, **kwargs)

    monkeypatch.setattr(clip_export, "write_clip_files", write_slowly)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.maximum() > 0 or not dialog.is_running(), timeout=5000)
    dialog.close_button.click()  # Cancel
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10000)
    assert "cancelled" in dialog.status.text()
    assert list(out.iterdir()) == []
