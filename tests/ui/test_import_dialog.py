"""The import dialog on real recordings: preview, run, report, setup errors, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

pytest.importorskip("qa_desk.importing.importer")

from qa_desk.ui.import_dialog import ImportDialog, first_recording  # noqa: E402

GOOD = ("张伟_20261103-143311_13912345678.wav", "Li Na_20261103-091502_13800138000.wav")
BOGUS = "Dave Wilson_20261104-162007_2125550198.wav"  # a text file named like a recording


def write_wav(path: Path, seed: int, seconds: float = 1.0) -> Path:
    rng = np.random.default_rng(seed)
    signal = (0.2 * rng.standard_normal((int(8000 * seconds), 2))).astype(np.float32)
    sf.write(path, signal, 8000, subtype="PCM_16")
    return path


@pytest.fixture
def export(tmp_path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for seed, name in enumerate(GOOD):
        write_wav(folder / name, seed)
    (folder / BOGUS).write_text("this is the call list, not a recording\n", encoding="utf-8")
    return folder


@pytest.fixture
def dialog(qtbot, services):
    dialog = ImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def run_import(qtbot, dialog):
    with qtbot.waitSignal(dialog.library_changed, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)


def test_imports_a_folder_and_reports_every_file(qtbot, dialog, export):
    dialog.add_paths([export])
    assert dialog.chosen_paths() == [export]
    # The preview reads the first recording's name with the pattern from settings.
    feedback = dialog.pattern.feedback.text()
    assert BOGUS in feedback and "agent: Dave Wilson" in feedback and "2026-11-04 16:20:07" in feedback

    run_import(qtbot, dialog)
    report = dialog.report
    assert report is not None
    assert (report.count("imported"), report.count("failed")) == (2, 1)
    failed = next(o for o in report.outcomes if o.status == "failed")
    assert Path(failed.path).name == BOGUS

    panel = dialog.report_panel
    assert panel.model.rowCount() == 3
    assert "2 imported, 0 already known, 1 failed, 0 skipped" in panel.summary_label.text()
    assert dialog.status_label.text() == "Import finished."
    assert dialog.more_button.isVisible() and not dialog.cancel_button.isVisible()
    outcomes = {panel.model.index(r, 1).data() for r in range(3)}
    assert outcomes == {"Imported", "Failed"}

    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert BOGUS in copied and "Failed" in copied and GOOD[0] in copied

    # Importing the same folder again: every recording is already known.
    qtbot.mouseClick(dialog.more_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0 and dialog.sources.count() == 0
    dialog.add_paths([export / GOOD[0], export / GOOD[1]])
    run_import(qtbot, dialog)
    assert dialog.report.count("known") == 2
    assert "Already known" in {panel.model.index(r, 1).data() for r in range(2)}


def test_preview_says_when_a_name_does_not_match(qtbot, dialog, tmp_path):
    other = write_wav(tmp_path / "rec-0001.wav", 5)
    dialog.add_paths([other])
    assert "does not match" in dialog.pattern.feedback.text()
    dialog.use_pattern.setChecked(False)
    assert dialog.options().pattern is None


def test_invalid_pattern_and_missing_inputs_are_shown_inline(qtbot, dialog, export):
    assert not dialog.import_button.isEnabled()  # nothing chosen yet
    dialog.add_paths([export])
    dialog.pattern.setText("{agent_{started}")
    assert "Invalid pattern" in dialog.pattern.feedback.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible() and "not valid" in dialog.error_label.text()
    assert dialog.pages.currentIndex() == 0

    dialog.pattern.setText("{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    dialog.metadata_edit.setText(str(export / "missing.csv"))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in dialog.error_label.text()


def test_a_setup_the_importer_refuses_comes_back_inline(qtbot, dialog, export):
    sheet = export.parent / "calls.csv"
    sheet.write_text("", encoding="utf-8")  # the recorder exported an empty sheet
    dialog.add_paths([export])
    dialog.metadata_edit.setText(str(sheet))
    run_import(qtbot, dialog)
    assert dialog.pages.currentIndex() == 0
    assert dialog.error_label.isVisible()
    assert "calls.csv" in dialog.error_label.text()
    assert dialog.chosen_paths() == [export]  # the user's choices are still there


def test_cancel_stops_the_import(qtbot, dialog, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        write_wav(folder / f"agent{i}_20261103-0900{i:02d}_1.wav", 100 + i, seconds=0.5)
    dialog.add_paths([folder])
    with qtbot.waitSignal(dialog.library_changed, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text() == "Import cancelled."
    if dialog.report is not None:
        assert dialog.report.cancelled
        assert dialog.report.count("imported") < 30


def test_first_recording_looks_into_folders(tmp_path):
    (tmp_path / "a" / ".hidden").mkdir(parents=True)
    (tmp_path / "a" / "notes.txt").write_text("x")
    write_wav(tmp_path / "a" / ".hidden" / "0.wav", 1)
    wav = write_wav(tmp_path / "a" / "b.wav", 2)
    assert first_recording([tmp_path / "a"]) == wav
    assert first_recording([]) is None
