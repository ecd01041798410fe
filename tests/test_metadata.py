"""Call details from file names and from recorder exports (CSV/XLSX), real files only."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from qa_desk.importing.filename_pattern import FilenamePattern, PatternError
from qa_desk.importing.metadata import CallMetadata, MetadataError, normalise_direction, parse_start_time
from qa_desk.importing.sidecar import (
    DEFAULT_COLUMNS,
    Sidecar,
    detect_columns,
    preview,
    read_headers,
    read_sample,
)

T = datetime(2026, 11, 23, 10, 15, 0)
DATE_HINT = "; write it as e.g. 2026-11-23 10:15:00"  # what a refused start time tells the analyst to do


# --- direction and start time ------------------------------------------------------

@pytest.mark.parametrize("text", ["in", "Inbound", "INCOMING", "呼入", "来电", " in-bound ", "I"])
def test_inbound_spellings(text):
    assert normalise_direction(text) == "inbound"


@pytest.mark.parametrize("text", ["out", "Outbound", "outgoing", "呼出", "外呼", "去电", "O"])
def test_outbound_spellings(text):
    assert normalise_direction(text) == "outbound"


def test_blank_direction_is_unknown_and_garbage_is_refused():
    assert normalise_direction(None) is None
    assert normalise_direction("  ") is None
    with pytest.raises(ValueError, match="direction 'sideways' is not inbound or outbound"):
        normalise_direction("sideways")


@pytest.mark.parametrize("value", [
    T, "2026-11-23T10:15:00", "2026-11-23 10:15:00", "2026/11/23 10:15", "2026/11/23 10:15:00",
    "20261123101500", "20261123-101500", "2026年11月23日 10:15:00", "2026年11月23日10时15分00秒",
    " 2026-11-23 10:15 ", 20261123101500, 20261123101500.0,
])
def test_start_time_forms(value):
    assert parse_start_time(value) == T


def test_start_time_keeps_an_offset_and_fills_a_date_only_cell():
    assert parse_start_time("2026-11-23T10:15:00+08:00") == T.replace(tzinfo=timezone(timedelta(hours=8)))
    assert parse_start_time(date(2026, 11, 23)) == datetime(2026, 11, 23)


@pytest.mark.parametrize("value", ["abc", "", "2026-13-01 10:00", "20261323101500", "11/23/2026 10:15",
                                   "202611231", None, 3.5])
def test_bad_start_times_name_the_text(value):
    with pytest.raises(ValueError, match="is not a date/time") as caught:
        parse_start_time(value)
    assert repr(value.strip() if isinstance(value, str) else value) in str(caught.value)


def test_merged_over_fills_only_gaps():
    from_sidecar = CallMetadata(agent="张三", started_at=T)
    from_name = CallMetadata(agent="zhang", agent_id="1001", started_at=datetime(2020, 1, 1), queue="billing")
    merged = from_sidecar.merged_over(from_name)
    assert merged == CallMetadata(agent="张三", agent_id="1001", started_at=T, queue="billing")
    assert from_sidecar == CallMetadata(agent="张三", started_at=T)  # frozen, not changed in place


# --- file-name patterns ------------------------------------------------------------

def test_pattern_with_chinese_agent_name():
    pattern = FilenamePattern("{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    meta = pattern.parse("/recordings/2026-11/张三_20261123-101500_13800138000.wav")
    assert meta == CallMetadata(agent="张三", started_at=T, customer_ref="13800138000")


def test_pattern_text_field_may_contain_the_separator():
    pattern = FilenamePattern("{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    assert pattern.parse("Mary_Ann_20261123-101500_555.mp3").agent == "Mary_Ann"


def test_pattern_default_start_format_skip_and_direction():
    pattern = FilenamePattern("REC-{direction}-{agent_id}-{started}-{*}")
    meta = pattern.parse("rec-呼出-1001-20261123101500-line7_trunk2.wav")
    assert meta == CallMetadata(agent_id="1001", started_at=T, direction="outbound")
    assert pattern.fields == ("direction", "agent_id", "started")


def test_pattern_team_queue_and_month_names():
    pattern = FilenamePattern("{team}-{queue}-{started:%d%b%Y_%H%M}")
    meta = pattern.parse("A组-billing-23Nov2026_1015.ogg")
    assert meta == CallMetadata(team="A组", queue="billing", started_at=T)


def test_pattern_literal_braces():
    assert FilenamePattern("{{{agent}}}_{started}").parse("{Bob}_20261123101500.wav").agent == "Bob"


def test_name_that_does_not_fit_gives_none():
    pattern = FilenamePattern("{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    assert pattern.parse("张三-20261123-101500-13800138000.wav") is None
    assert pattern.parse("张三_2026112-101500_138.wav") is None


def test_month_13_names_the_file():
    pattern = FilenamePattern("{agent}_{started:%Y%m%d-%H%M%S}_{customer}")
    with pytest.raises(MetadataError, match=r"张三_20261323-101500_138\.wav: start time '20261323-101500'"):
        pattern.parse("/r/张三_20261323-101500_138.wav")


def test_bad_direction_in_name_names_the_file():
    with pytest.raises(MetadataError, match=r"x_sideways\.wav: direction 'sideways'"):
        FilenamePattern("{agent}_{direction}").parse("x_sideways.wav")


@pytest.mark.parametrize("text,message", [
    ("{agent", "unbalanced '{'"),
    ("agent}_{started}", "unbalanced '}'"),
    ("{agnet}_{started}", "unknown field {agnet}"),
    ("{agent}_{started:%Y%m%d%Q}", "%Q"),
    ("{agent}_{started:%Y%m%d%}", "lone %"),
    ("{agent}_{started:%H%M%S}", "year, month and day"),
    ("{agent:%Y}_{started}", "only {started} takes a format"),
    ("{agent}{team}_{started}", "separator"),
    ("{agent}_{agent}", "appears twice"),
    ("recording", "no fields"),
    ("", "empty"),
])
def test_invalid_patterns(text, message):
    with pytest.raises(PatternError) as caught:
        FilenamePattern(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- sidecar files -----------------------------------------------------------------

CHINESE_CSV = (
    "录音文件,坐席姓名,工号,班组,开始时间,呼叫方向,技能组,客户号码\n"
    "张三_001.wav,张三,1001,A组,2026-11-23 10:15:00,呼入,账单,13800138000\n"
    "2026/11/李四_002.wav,李四,1002,B组,2026/11/23 11:00,外呼,催收,13900139000\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_with_chinese_headers_in_any_encoding(tmp_path, encoding):
    path = tmp_path / "calls.csv"
    path.write_bytes(CHINESE_CSV.encode(encoding))
    sidecar = Sidecar.load(path)
    assert len(sidecar) == 2
    assert sidecar.lookup(tmp_path / "recs" / "张三_001.wav") == CallMetadata(
        agent="张三", agent_id="1001", team="A组", started_at=T, direction="inbound",
        queue="账单", customer_ref="13800138000")
    li = sidecar.lookup("/mnt/share/2026/11/李四_002.wav")
    assert (li.agent, li.direction, li.started_at) == ("李四", "outbound", datetime(2026, 11, 23, 11, 0))
    assert sidecar.columns["agent_id"] == "工号"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_delimiter_is_detected(tmp_path, delimiter):
    rows = [["Filename", "Agent Name", "Agent ID", "Start Time", "Direction"],
            ["call 1.wav", "Smith, Jo", "A7", "2026-11-23 10:15:00", "Inbound"]]
    (tmp_path / "calls.csv").write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    meta = Sidecar.load(tmp_path / "calls.csv").lookup(tmp_path / "call 1.wav")
    assert meta == CallMetadata(agent="Smith, Jo", agent_id="A7", started_at=T, direction="inbound")


def test_csv_with_excel_separator_hint(tmp_path):
    (tmp_path / "calls.csv").write_text("sep=;\nfile;agent\nx.wav;Li, Na\n", encoding="utf-8")
    sidecar = Sidecar.load(tmp_path / "calls.csv")
    assert sidecar.lookup("x.wav").agent == "Li, Na"
    assert sidecar.columns == {"file": "file", "agent": "agent"}


def test_xlsx_with_datetime_cells_and_number_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])  # recorders often leave a blank first row
    sheet.append(["Recording", "Agent", "工号", "Call Time", "Customer Number"])
    sheet.append(["a.wav", "张三", 1001, T, 13800138000])
    sheet.append(["b.wav", "李四", 1002, "not a time", 13900139000])
    book.save(tmp_path / "calls.xlsx")
    sidecar = Sidecar.load(tmp_path / "calls.xlsx")
    assert len(sidecar) == 2
    meta = sidecar.lookup("/x/A.WAV")
    assert meta == CallMetadata(agent="张三", agent_id="1001", started_at=T, customer_ref="13800138000")
    assert isinstance(meta.started_at, datetime)
    with pytest.raises(MetadataError, match=r"^calls\.xlsx row 4: start time 'not a time' is not a date/time; write it as e\.g\. 2026-11-23 "):
        sidecar.lookup("/x/b.wav")


def test_mapping_overrides_default_columns(tmp_path):
    (tmp_path / "calls.csv").write_text(
        "Recording,Agent,Operator,Begin\nx.wav,Supervisor Wang,Liu,20261123101500\n", encoding="utf-8")
    meta = Sidecar.load(tmp_path / "calls.csv", {"agent": "operator", "started_at": "BEGIN"}).lookup("x.wav")
    assert (meta.agent, meta.started_at) == ("Liu", T)
    ignored = Sidecar.load(tmp_path / "calls.csv", {"agent": None}).lookup("x.wav")
    assert ignored.agent is None


def test_mapped_header_that_is_absent_names_file_and_column(tmp_path):
    (tmp_path / "calls.csv").write_text("file,agent\nx.wav,Li\n", encoding="utf-8")
    with pytest.raises(MetadataError) as caught:
        Sidecar.load(tmp_path / "calls.csv", {"agent_id": "Staff No"})
    assert "calls.csv" in str(caught.value) and "'Staff No'" in str(caught.value)
    assert "agent_id" in str(caught.value)


def test_missing_file_column_error(tmp_path):
    (tmp_path / "export.csv").write_text("name,agent\nx.wav,Li\n", encoding="utf-8")
    with pytest.raises(MetadataError) as caught:
        Sidecar.load(tmp_path / "export.csv")
    message = str(caught.value)
    assert message.startswith("export.csv: no column names the recording file")
    assert "文件名" in message and "'name', 'agent'" in message


def test_unreadable_sidecars(tmp_path):
    with pytest.raises(MetadataError, match="gone.csv"):
        Sidecar.load(tmp_path / "gone.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(MetadataError, match="broken.xlsx: cannot be read as an Excel workbook"):
        Sidecar.load(tmp_path / "broken.xlsx")
    (tmp_path / "blank.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="blank.csv: the file has no header row"):
        Sidecar.load(tmp_path / "blank.csv")


def test_row_problems_surface_only_for_their_recording(tmp_path):
    lines = ["file,agent,start time,direction"] + [f"ok{i}.wav,Li,2026-11-23 10:15:00,in" for i in range(5)]
    lines += ["bad_time.wav,Li,abc,in", "bad_dir.wav,Li,2026-11-23 10:15:00,sideways"]
    (tmp_path / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sidecar = Sidecar.load(tmp_path / "calls.csv")  # loading does not fail
    assert len(sidecar) == 7
    assert sidecar.lookup("ok3.wav").started_at == T
    with pytest.raises(MetadataError, match=r"^calls\.csv row 7: start time 'abc' is not a date/time; write it as e\.g\. 2026-11-23 ") as caught:
        sidecar.lookup("/any/bad_time.wav")
    assert caught.value.row == 7
    with pytest.raises(MetadataError, match=r"calls\.csv row 8: direction 'sideways'"):
        sidecar.lookup("bad_dir.wav")


def test_lookup_by_full_path_relative_path_name_and_stem(tmp_path):
    full = tmp_path / "rec" / "full.wav"
    (tmp_path / "calls.csv").write_text(
        "file,agent\n"
        f"{full},Full\n"
        "2026/11/a.wav,November\n"
        "2026/12/a.wav,December\n"
        "D:\\Recorder\\Exports\\win.wav,Windows\n"
        "call_0042,NoExtension\n", encoding="utf-8")
    sidecar = Sidecar.load(tmp_path / "calls.csv")
    assert sidecar.lookup(full).agent == "Full"
    assert sidecar.lookup("/copy/of/rec/FULL.WAV").agent == "Full"  # by name, case ignored
    assert sidecar.lookup("/data/2026/12/a.wav").agent == "December"
    assert sidecar.lookup("/data/2026/11/A.wav").agent == "November"
    assert sidecar.lookup("/home/qa/import/win.wav").agent == "Windows"
    assert sidecar.lookup("/r/call_0042.mp3").agent == "NoExtension"
    assert sidecar.lookup("/r/call_0042.wav").agent == "NoExtension"
    assert sidecar.lookup("/r/call_00421.wav") is None
    assert sidecar.lookup("/r/nobody.wav") is None


def test_same_name_in_two_folders_is_ambiguous_only_without_the_folder(tmp_path):
    (tmp_path / "calls.csv").write_text("file,agent\nnov/a.wav,Li\ndec/a.wav,Wang\ndup.wav,Li\ndup.wav,Li\n",
                                        encoding="utf-8")
    sidecar = Sidecar.load(tmp_path / "calls.csv")
    assert sidecar.lookup("/x/dec/a.wav").agent == "Wang"
    with pytest.raises(MetadataError, match="rows 2, 3 all list"):
        sidecar.lookup("/x/elsewhere/a.wav")
    assert sidecar.lookup("dup.wav").agent == "Li"  # identical rows agree


def test_default_columns_cover_every_field():
    assert set(DEFAULT_COLUMNS) == {"file", "agent", "agent_id", "team", "started_at", "direction",
                                    "queue", "customer_ref"}
    assert "录音文件" in DEFAULT_COLUMNS["file"] and "工号" in DEFAULT_COLUMNS["agent_id"]


# --- looking at a sheet before importing (the column mapping screen) ---------------

def test_headers_of_a_gbk_csv_with_chinese_headers(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(CHINESE_CSV.encode("gbk"))
    headers = read_headers(path)
    assert headers == ["录音文件", "坐席姓名", "工号", "班组", "开始时间", "呼叫方向", "技能组", "客户号码"]
    assert detect_columns(headers) == {
        "file": "录音文件", "agent": "坐席姓名", "agent_id": "工号", "team": "班组", "started_at": "开始时间",
        "direction": "呼叫方向", "queue": "技能组", "customer_ref": "客户号码"}
    assert detect_columns(headers) == {**dict.fromkeys(DEFAULT_COLUMNS), **Sidecar.load(path).columns}


def test_headers_of_an_xlsx_after_a_blank_first_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["Recording", "Agent Login", None, "Call Time"])
    sheet.append(["a.wav", "zhang.san", "x", T])
    book.save(tmp_path / "calls.xlsx")
    headers = read_headers(tmp_path / "calls.xlsx")
    assert headers == ["Recording", "Agent Login", "", "Call Time"]
    detected = detect_columns(headers)
    assert (detected["file"], detected["started_at"], detected["agent"]) == ("Recording", "Call Time", None)


def test_detect_columns_puts_the_mapping_first(tmp_path):
    headers = ["Recording", "Agent", "Operator", "Begin", "Team"]
    detected = detect_columns(headers, {"agent": "operator", "started_at": "BEGIN", "team": None})
    # The sheet's own spelling comes back, as Sidecar.load would use it.
    assert (detected["agent"], detected["started_at"], detected["team"]) == ("Operator", "Begin", None)
    assert detected["file"] == "Recording"
    # A column remembered for another recorder's sheet does not hide one we recognise.
    assert detect_columns(headers, {"agent": "Mitarbeiter"})["agent"] == "Agent"
    (tmp_path / "calls.csv").write_text(",".join(headers) + "\nx.wav,Wang,Liu,20261123101500,A\n",
                                        encoding="utf-8")
    chosen = {"agent": "operator", "started_at": "BEGIN", "team": None}
    assert Sidecar.load(tmp_path / "calls.csv", chosen).columns == {
        f: h for f, h in detect_columns(headers, chosen).items() if h}


def test_no_recognisable_file_column_is_detected_as_none(tmp_path):
    (tmp_path / "export.csv").write_text("Aufnahme;Mitarbeiter;Beginn\nx.wav;Anna;2026-11-23 10:15\n",
                                         encoding="utf-8")
    headers = read_headers(tmp_path / "export.csv")
    assert headers == ["Aufnahme", "Mitarbeiter", "Beginn"]
    assert detect_columns(headers) == dict.fromkeys(DEFAULT_COLUMNS)
    assert detect_columns(headers, {"file": "aufnahme"})["file"] == "Aufnahme"


def test_read_headers_names_the_file_on_problems(tmp_path):
    with pytest.raises(MetadataError, match="gone.csv: cannot be read"):
        read_headers(tmp_path / "gone.csv")
    (tmp_path / "blank.csv").write_text("\n \n", encoding="utf-8")
    with pytest.raises(MetadataError, match="blank.csv: the file has no header row"):
        read_headers(tmp_path / "blank.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(MetadataError, match="old.xls: old .xls workbooks"):
        read_headers(tmp_path / "old.xls")


def test_preview_reads_rows_as_the_import_does(tmp_path):
    lines = ["sep=;", "Aufnahme;Mitarbeiter;Beginn;Richtung", ";;;", "SUMME;;;",
             "a.wav;Anna Schmidt;2026-11-23 10:15:00;in", ";Totals;;", "b.wav;Jonas Weber;23.11.2026;out",
             "c.wav;Lea Wolf;20261123101500;sideways", "d.wav;Max Braun;;"]
    (tmp_path / "anrufe.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = {"file": "Aufnahme", "agent": "Mitarbeiter", "started_at": "Beginn", "direction": "Richtung"}
    rows = preview(tmp_path / "anrufe.csv", mapping)
    assert [r.number for r in rows] == [4, 5, 7]  # Excel's rows: "sep=;" is row 1, the blank row 3 is skipped
    assert [r.values["file"] for r in rows] == ["SUMME", "a.wav", "b.wav"]
    assert rows[1].values["agent"] == "Anna Schmidt" and rows[1].values["started_at"] == T
    assert rows[1].values["direction"] == "inbound" and rows[1].problems == {}
    # A bad value is shown for what it is, field by field, as the import reports it.
    assert rows[2].problems == {"started_at": "start time '23.11.2026' is not a date/time" + DATE_HINT}
    assert rows[2].values["direction"] == "outbound" and rows[2].values["started_at"] is None
    later = read_sample(tmp_path / "anrufe.csv").preview(mapping, rows=10)
    assert later[3].problems == {
        "direction": "direction 'sideways' is not inbound or outbound; write e.g. inbound/outbound or 呼入/呼出"}
    assert [r.values["file"] for r in later] == ["SUMME", "a.wav", "b.wav", "c.wav", "d.wav"]
    with pytest.raises(MetadataError, match="row 7: start time '23.11.2026'"):
        Sidecar.load(tmp_path / "anrufe.csv", mapping).lookup("b.wav")


def test_preview_without_a_file_column_still_shows_the_other_columns(tmp_path):
    (tmp_path / "anrufe.csv").write_text("Aufnahme,Agent\na.wav,Anna\n,\n", encoding="utf-8")
    sample = read_sample(tmp_path / "anrufe.csv")
    assert sample.headers == ("Aufnahme", "Agent")
    rows = sample.preview()
    assert [(r.values["file"], r.values["agent"]) for r in rows] == [(None, "Anna")]
    with pytest.raises(MetadataError, match=r"'Staff' \(mapped to agent_id\) is not in the header row"):
        sample.preview({"agent_id": "Staff"})


def test_xlsx_sample_reads_only_the_first_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Recording", "Agent", "Start Time"])
    for i in range(200):
        sheet.append([f"r{i}.wav", f"Agent {i}", T + timedelta(minutes=i)])
    book.save(tmp_path / "calls.xlsx")
    sample = read_sample(tmp_path / "calls.xlsx", rows=5)
    assert [number for number, _ in sample.rows] == [2, 3, 4, 5, 6]
    assert [r.values["started_at"] for r in sample.preview(rows=2)] == [T, T + timedelta(minutes=1)]
