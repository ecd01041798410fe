"""The import dialog on real recordings: preview, run, report, setup errors, cancel,
and a recorder's metadata sheet whose columns the reviewer maps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

pytest.importorskip("qa_desk.importing.importer")

from qa_desk.settings import Settings  # noqa: E402
from qa_desk.store.calls import list_calls  # noqa: E402
from qa_desk.ui.import_dialog import ImportDialog, first_recording  # noqa: E402
from qa_desk.ui.import_report import DETAILS  # noqa: E402

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


# --- a metadata sheet with the recorder's own column names ---------------------------

GERMAN = [
    ("anruf_0001.wav", "Anna Schmidt", 4711, "Rechnungen", datetime(2026, 11, 23, 10, 15), "eingehend"),
    ("anruf_0002.wav", "Jonas Weber", 4712, "Technik", datetime(2026, 11, 23, 10, 20), ""),
    ("anruf_0003.wav", "Lea Wolf", 4713, "Technik", "23.11.2026 10:25", ""),
]


@pytest.fixture
def german_export(tmp_path) -> Path:
    """Three calls and the recorder's sheet in German; the third row's start time is unreadable."""
    folder = tmp_path / "anrufe"
    folder.mkdir()
    for seed, row in enumerate(GERMAN):
        write_wav(folder / row[0], 20 + seed)
    write_wav(folder / "anruf_0099.wav", 99)  # not in the sheet
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Aufnahme", "Mitarbeiter", "Personalnummer", "班组", "Beginn", "Richtung"])
    for row in GERMAN:
        sheet.append(list(row))
    book.save(tmp_path / "anrufe.xlsx")
    return folder


def choose(dialog: ImportDialog, field: str, header: str | None) -> None:
    combo = dialog.columns.combos[field]
    combo.setCurrentIndex(combo.findData(header))


def test_a_sheet_with_unusual_columns_is_mapped_and_imported(qtbot, dialog, german_export, ui_db,
                                                             screenshots_dir):
    assert not dialog.columns.isVisible()  # no sheet, no columns to map
    dialog.add_paths([german_export])
    dialog.metadata_edit.setText(str(german_export.parent / "anrufe.xlsx"))
    editor = dialog.columns
    assert editor.isVisible() and dialog.columns.remember.isVisible()
    assert editor.combos["team"].currentText() == "班组"  # recognised by itself
    assert editor.combos["agent"].currentData() is None

    choose(dialog, "file", "Aufnahme")
    choose(dialog, "agent", "Mitarbeiter")
    choose(dialog, "agent_id", "Personalnummer")
    choose(dialog, "started_at", "Beginn")
    assert dialog.options().metadata_columns == {
        "file": "Aufnahme", "agent": "Mitarbeiter", "agent_id": "Personalnummer", "started_at": "Beginn"}
    # The sheet supplies the details: file names are not read (no alarming red
    # "does not match"), so the pattern is not a second, failing source.
    assert not dialog.use_pattern.isChecked() and dialog.options().pattern is None
    shoot(dialog, screenshots_dir / "import_dialog_columns.png")

    run_import(qtbot, dialog)
    assert not dialog.error_label.isVisible(), dialog.error_label.text()
    report = dialog.report
    assert (report.count("imported"), report.count("failed")) == (2, 2)
    with ui_db.session() as session:
        calls = {c.file_name: c for c in list_calls(session)}
    assert {name: (c.agent, c.agent_external_id, c.team) for name, c in calls.items()} == {
        "anruf_0001.wav": ("Anna Schmidt", "4711", "Rechnungen"),
        "anruf_0002.wav": ("Jonas Weber", "4712", "Technik"),
    }
    assert calls["anruf_0001.wav"].started_at == datetime(2026, 11, 23, 10, 15)
    # The settings were not touched: "Remember" was not ticked.
    assert dialog._services.settings.metadata_columns == {}
    assert not Settings.path().exists()


def test_long_report_messages_are_fully_readable(qtbot, dialog, german_export, screenshots_dir):
    dialog.add_paths([german_export])
    (german_export / "Dave Wilson_20261104-162007_2125550198.wav").write_text("the call list\n" * 40)
    dialog.metadata_edit.setText(str(german_export.parent / "anrufe.xlsx"))
    choose(dialog, "file", "Aufnahme")
    choose(dialog, "agent", "Mitarbeiter")
    choose(dialog, "started_at", "Beginn")
    dialog.use_pattern.click()  # names too, by hand: the longest message names both sources
    run_import(qtbot, dialog)
    panel = dialog.report_panel
    model = panel.model
    outcomes = model.outcomes()
    failed = [row for row, o in enumerate(outcomes) if o.status == "failed"]
    assert len(failed) == 3
    for row in failed:
        message = outcomes[row].message
        assert model.index(row, DETAILS).data(Qt.ItemDataRole.ToolTipRole) == message
        panel.table.selectRow(row)
        shown = panel.details.text()
        assert outcomes[row].path in shown
        assert message.removeprefix(Path(outcomes[row].path).name + ": ") in shown
        # Word-wrapped and tall enough for every line of it.
        assert panel.details.wordWrap()
        qtbot.waitUntil(lambda: panel.details.height() >= panel.details.heightForWidth(panel.details.width()),
                        timeout=2000)
    missing = next(o for o in outcomes if o.reason == "metadata_missing")
    assert "no row for it in anrufe.xlsx and its name does not match the pattern" in missing.message
    unreadable = next(o for o in outcomes if o.reason == "metadata")
    assert "anrufe.xlsx row 4: start time '23.11.2026 10:25' is not a date/time" in unreadable.message
    panel.table.selectRow(next(row for row in failed if outcomes[row] is missing))
    shoot(dialog, screenshots_dir / "import_dialog_report.png")


def test_name_reading_follows_the_sheet_until_set_by_hand(qtbot, dialog, german_export):
    assert dialog.use_pattern.isChecked()
    sheet = str(german_export.parent / "anrufe.xlsx")
    dialog.metadata_edit.setText(sheet)
    assert not dialog.use_pattern.isChecked()
    dialog.metadata_edit.clear()
    assert dialog.use_pattern.isChecked()  # no sheet: names are the only source again
    dialog.use_pattern.click()  # the reviewer decides: off, and it stays so
    dialog.metadata_edit.setText(sheet)
    dialog.metadata_edit.clear()
    assert not dialog.use_pattern.isChecked()
    dialog.use_pattern.click()  # on, with a sheet: both sources, as chosen
    dialog.metadata_edit.setText(sheet)
    assert dialog.use_pattern.isChecked() and dialog.options().pattern


def test_an_unmapped_file_column_refuses_the_import(qtbot, dialog, german_export):
    dialog.add_paths([german_export])
    dialog.metadata_edit.setText(str(german_export.parent / "anrufe.xlsx"))
    warning = dialog.columns.warning_label
    assert warning.isVisible()
    assert warning.text() == "Choose the column that holds the recording's file name."
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0 and not dialog.is_running()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Choose which column of the metadata sheet holds the recording's file name."
    choose(dialog, "file", "Aufnahme")
    assert not warning.isVisible() and not dialog.error_label.isVisible()

    dialog.metadata_edit.clear()  # no sheet: nothing to map, nothing refused
    assert not dialog.columns.isVisible()
    assert dialog._setup_problem() is None


def test_remembered_columns_are_saved_and_preselected_next_time(qtbot, dialog, services, german_export):
    sheet = german_export.parent / "anrufe.xlsx"
    dialog.add_paths([german_export])
    dialog.metadata_edit.setText(str(sheet))
    choose(dialog, "file", "Aufnahme")
    choose(dialog, "agent", "Mitarbeiter")
    choose(dialog, "team", None)
    dialog.columns.remember.setChecked(True)
    run_import(qtbot, dialog)
    remembered = {"file": "Aufnahme", "agent": "Mitarbeiter", "team": None}
    assert services.settings.metadata_columns == remembered
    assert Settings.load().metadata_columns == remembered  # written to the settings file

    again = ImportDialog(services)
    qtbot.addWidget(again)
    again.show()
    assert not again.columns.remember.isChecked()
    again.metadata_edit.setText(str(sheet))
    chosen = again.columns.chosen_columns()
    assert (chosen["file"], chosen["agent"], chosen["team"]) == ("Aufnahme", "Mitarbeiter", None)
    assert again.columns.problem() is None and not again.columns.warning_label.isVisible()
    assert again.options().metadata_columns == remembered


def shoot(widget, path: Path) -> None:
    QGuiApplication.processEvents()  # let the layout settle, as it has by the time a person looks
    assert widget.grab().save(str(path)), path
