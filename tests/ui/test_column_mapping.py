"""The column mapping editor on real CSV and XLSX sheets: detection, choosing, preview."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from qa_desk.ui.column_mapping import BACKGROUND_BYTES, ColumnMappingEditor

CHINESE = "录音文件,坐席姓名,工号,班组,开始时间,呼叫方向,技能组,客户号码\n" \
          "张三_001.wav,张三,1001,A组,2026-11-23 10:15:00,呼入,账单,13800138000\n"


def german_sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Aufnahme", "Mitarbeiter", "Personalnummer", "Beginn", "Richtung"])
    sheet.append(["anruf_0001.wav", "Anna Schmidt", 4711, datetime(2026, 11, 23, 10, 15), "in"])
    sheet.append(["anruf_0002.wav", "Jonas Weber", 4712, "23.11.2026 10:20", "out"])
    book.save(path)
    return path


@pytest.fixture
def editor(qtbot):
    editor = ColumnMappingEditor()
    qtbot.addWidget(editor)
    editor.resize(800, 300)
    editor.show()
    return editor


def choose(editor: ColumnMappingEditor, field: str, header: str | None) -> None:
    combo = editor.combos[field]
    index = combo.findData(header)
    assert index >= 0, (field, header)
    combo.setCurrentIndex(index)


def preview_text(editor: ColumnMappingEditor) -> dict[str, list[str]]:
    table = editor.preview
    return {table.horizontalHeaderItem(c).text(): [table.item(r, c).text() for r in range(table.rowCount())]
            for c in range(table.columnCount())}


def test_detected_columns_are_preselected(editor, tmp_path):
    sheet = tmp_path / "calls.csv"
    sheet.write_bytes(CHINESE.encode("gbk"))
    editor.set_sheet(sheet)
    assert not editor.is_reading()
    assert {f: c.currentText() for f, c in editor.combos.items()} == {
        "file": "录音文件", "agent": "坐席姓名", "agent_id": "工号", "team": "班组", "started_at": "开始时间",
        "direction": "呼叫方向", "queue": "技能组", "customer_ref": "客户号码"}
    assert editor.mapping() == {}  # all automatic: nothing to remember
    assert editor.problem() is None and not editor.warning_label.isVisible()
    shown = preview_text(editor)
    assert shown["Agent name"] == ["张三"] and shown["Direction"] == ["Inbound"]
    assert shown["Start time"] == ["2026-11-23 10:15:00"]
    # The drop-down says what each column holds.
    combo = editor.combos["agent_id"]
    assert combo.itemData(combo.findData("工号"), 3) == "e.g. 1001"  # 3: Qt's tooltip role


def test_choosing_unusual_columns(qtbot, editor, tmp_path):
    editor.set_sheet(german_sheet(tmp_path / "anrufe.xlsx"))
    assert all(c.currentData() is None for c in editor.combos.values())
    assert editor.combos["agent"].itemText(0) == "(not in the sheet)"
    assert editor.warning_label.isVisible()
    assert editor.warning_label.text() == "Choose the column that holds the recording's file name."
    assert editor.problem() == "Choose which column of the metadata sheet holds the recording's file name."

    with qtbot.waitSignal(editor.mapping_changed):
        choose(editor, "file", "Aufnahme")
    assert not editor.warning_label.isVisible() and editor.problem() is None
    choose(editor, "agent", "Mitarbeiter")
    choose(editor, "agent_id", "Personalnummer")
    choose(editor, "started_at", "Beginn")
    assert editor.mapping() == {"file": "Aufnahme", "agent": "Mitarbeiter", "agent_id": "Personalnummer",
                                "started_at": "Beginn"}
    shown = preview_text(editor)
    assert list(shown) == ["File name", "Agent name", "Agent ID", "Start time"]
    assert shown["Agent name"] == ["Anna Schmidt", "Jonas Weber"]
    assert shown["Agent ID"] == ["4711", "4712"]
    # Honest: the start time the import cannot read shows its error, in red.
    refused = "start time '23.11.2026 10:20' is not a date/time; write it as e.g. 2026-11-23 10:15:00"
    assert shown["Start time"] == ["2026-11-23 10:15:00", refused]
    assert editor.preview.item(1, 3).foreground().color().name() == "#b3261e"

    choose(editor, "agent", None)
    assert "Agent name" not in preview_text(editor)
    assert "agent" not in editor.mapping()  # no column would be found for it anyway


def test_saved_mapping_is_preselected_where_the_sheet_has_it(editor, tmp_path):
    (tmp_path / "calls.csv").write_text("Recording,Agent,Agent Login\nx.wav,Li Na,li.na\n", encoding="utf-8")
    editor.set_sheet(tmp_path / "calls.csv", {"agent": "Agent Login", "team": "Mannschaft", "queue": None})
    assert editor.combos["agent"].currentText() == "Agent Login"
    assert editor.combos["team"].currentData() is None  # "Mannschaft" is not in this sheet
    # Only what differs from automatic detection is kept.
    assert editor.mapping() == {"agent": "Agent Login"}
    choose(editor, "agent", "Agent")
    assert editor.mapping() == {}
    choose(editor, "agent", None)  # a recognised column the reviewer does not want
    assert editor.mapping() == {"agent": None}


def test_unreadable_sheet_is_explained(editor, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    editor.set_sheet(tmp_path / "broken.xlsx", {"agent": "Mitarbeiter"})
    assert "broken.xlsx: cannot be read as an Excel workbook" in editor.status_label.text()
    assert editor.error() and not editor.fields_box.isVisible() and not editor.preview.isVisible()
    assert editor.problem() is None  # the importer explains it, naming the file
    assert editor.mapping() == {"agent": "Mitarbeiter"}


def test_a_large_sheet_is_read_in_the_background(qtbot, editor, tmp_path):
    big = tmp_path / "big.csv"
    lines = ["Aufnahme,Mitarbeiter"] + [f"anruf_{i:06d}.wav,Agent {i}" for i in range(6000)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert big.stat().st_size > BACKGROUND_BYTES
    small = tmp_path / "small.csv"
    small.write_text("file,agent\nx.wav,Li\n", encoding="utf-8")

    with qtbot.waitSignal(editor.sheet_read, timeout=10000):
        editor.set_sheet(big, {"file": "Aufnahme"})
        assert editor.is_reading()
        assert editor.status_label.text() == "Reading the sheet's columns…"
        assert editor.mapping() == {"file": "Aufnahme"}
        assert "still being read" in editor.problem()
    assert editor.combos["file"].currentText() == "Aufnahme"
    assert preview_text(editor)["File name"] == ["anruf_000000.wav", "anruf_000001.wav", "anruf_000002.wav"]

    # A sheet replaced while it is being read: the late answer is not shown.
    editor.set_sheet(big)
    editor.set_sheet(small)
    assert not editor.is_reading() and editor.combos["file"].currentText() == "file"
    qtbot.wait(300)
    from qa_desk.ui.jobs import JobRunner

    assert JobRunner.shutdown_all(10000)
    qtbot.wait(50)
    assert editor.sheet() == small and editor.combos["file"].currentText() == "file"
