"""The scorecard workbook: every sheet re-opened with openpyxl and checked as Excel sees it
(values, number formats, frozen panes, filters, colour scales, native charts), user text
neutralised against formula injection, streaming past Excel's row limit, a failed or
cancelled export leaving nothing behind, and LibreOffice opening the file."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from xml.etree import ElementTree
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from actors import ADMIN, MANAGER, reviewer
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from openpyxl.worksheet._writer import ALL_TEMP_FILES

from qa_desk.jobs import Cancelled, JobContext
from qa_desk.permissions import Actor
from qa_desk.reports import workbook as workbook_module
from qa_desk.reports.cells import neutralise, needs_neutralising, xlsx_text
from qa_desk.reports.export import ExportError, export_scorecards
from qa_desk.reports.tables import ExportParameters, RowProgress, ScorecardExport, TrendSeries
from qa_desk.reports.workbook import write_workbook
from qa_desk.scoring.findings import Finding
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.scoring.periods import parse_period, periods_back
from qa_desk.scoring.scorecards import (
    Figures, FormVersionUsed, MetricFigures, Scorecard, ScorecardRow, SectionFigure, Thresholds,
)

PERIOD = parse_period("2026-10")
EVIL = '=HYPERLINK("http://evil.example/x","click me")'
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
SHEETS = ["Summary", "Charts", "Sections", "Evaluations", "Answers", "Flags", "Parameters"]


def _figures(percent, evaluations=4, *, opening=None, flags=None, calls=0, scanned=0, **extra) -> Figures:
    sections = {}
    if opening is not None:
        sections["opening"] = SectionFigure("opening", "开场 Opening", opening, evaluations)
        sections["closing"] = SectionFigure("closing", "Closing", None, 0)
    return Figures(evaluations=evaluations, percent=percent, sections=sections, calls=calls,
                   scanned_calls=scanned, flags_per_call=flags or {}, **extra)


def sample_export(**parameters) -> ScorecardExport:
    """Four agents in two teams and one without, names a spreadsheet must not run."""
    quota = PERIOD.quota(4)
    agents = (
        ScorecardRow("agent", 1, "张伟", "Billing CN", _figures(92.5, 4, opening=95.0, calls=10, scanned=8,
                     flags={"forbidden_phrase": 0.25, "dead_air": 0.5},
                     metrics=MetricFigures(calls=8, talk_ratio=1.25, dead_air=4.5, handle_time=312.0)),
                     _figures(88.0), quota=quota),
        ScorecardRow("agent", 2, EVIL, "Billing CN", _figures(71.0, 2, opening=60.0, critical_failures=1),
                     Figures(), quota=quota),
        ScorecardRow("agent", 3, "@SUM(1)", "Sales", _figures(80.0, 5, opening=82.5), _figures(85.0), quota=quota),
        ScorecardRow("agent", 4, "-2+3", None, Figures(), Figures(), quota=quota),
    )
    teams = (
        ScorecardRow("team", 1, "Billing CN", None, _figures(84.2, 6, opening=83.3), _figures(88.0), agents=2),
        ScorecardRow("team", 2, "Sales", None, _figures(80.0, 5, opening=82.5), _figures(85.0), agents=1),
        ScorecardRow("team", None, "No team", None, Figures(), Figures(), agents=1),
    )
    centre = ScorecardRow("centre", None, "Centre", None, _figures(82.3, 11, opening=82.9), _figures(86.0), agents=4)
    versions = (FormVersionUsed("hotline-zh", 1, "热线质检", 7), FormVersionUsed("hotline-zh", 2, "热线质检", 4))
    card = Scorecard(PERIOD, PERIOD.previous(), "agent", agents, centre, form_versions=versions,
                     section_titles={"opening": "开场 Opening", "closing": "Closing"})
    team_card = replace(card, level="team", rows=teams)
    start = datetime(2026, 10, 3, 9, 30)
    evaluations = [
        (1, 101, start, "张伟", "Billing CN", "王质检", "hotline-zh", 1, "submitted", 70.5, 91.0, 77.47, 0, False,
         start + timedelta(hours=5)),
        (2, 102, start + timedelta(days=1), EVIL, "Billing CN", "+cmd", "hotline-zh", 2, "acknowledged", 0.0, 91.0,
         0.0, 1, True, None),
    ]
    answers = [
        (1, 101, "张伟", "opening", "standard_opening", "yes", 5.0, "yes", False, "=1+1 好"),
        (1, 101, "张伟", "opening", "courtesy_words", "partial", 2.5, "yes", True, "\t=cmd|' /C calc'!A0"),
        (2, 102, EVIL, "closing", "standard_closing", "no", 0.0, None, False, "line one\nline two\x0b"),
        (2, 102, EVIL, "closing", "#N/A", "no", 0.0, None, False, "#DIV/0!"),
    ]
    flags = [
        (7, 101, start, "张伟", "Billing CN", "zh-forbidden-01", "推诿搪塞", "forbidden_phrase", "major",
         "must_not_occur", "confirmed", "agent", 31.0, 31.8, "@不知道", "王质检", "-2+3"),
    ]
    trend = (TrendSeries("Billing CN", (80.0, 82.0, None, 85.0, 88.0, 84.2)),
             TrendSeries("Sales", (70.0, 75.0, 78.0, 80.0, 85.0, 80.0)),
             TrendSeries("All teams", (75.0, 78.0, 78.0, 82.0, 86.0, 82.3)))
    return ScorecardExport(
        card=card, other=team_card,
        parameters=ExportParameters(PERIOD, generated_by="李主管", application="QA Desk test",
                                    generated_at=datetime(2026, 11, 2, 8, 15), **parameters),
        trend_periods=tuple(periods_back(PERIOD, 6)), trend=trend,
        evaluations=evaluations, answers=answers, flags=flags, expected_rows=7,
    )


@pytest.fixture
def workbook_file(tmp_path) -> Path:
    path = tmp_path / "scorecards.xlsx"
    rows = write_workbook(path, sample_export(), RowProgress(None, 7))
    assert rows == {"summary": 4, "sections": 4, "evaluations": 2, "answers": 4, "flags": 1}
    return path


def _header(ws) -> list:
    return [c.value for c in ws[1]]


def _column(ws, name: str) -> int:
    return _header(ws).index(name) + 1


def test_the_workbook_has_every_sheet_in_order(workbook_file):
    wb = load_workbook(workbook_file)
    assert wb.sheetnames == SHEETS
    assert wb.active.title == "Summary"


def test_summary_one_row_per_agent_sorted_by_team_with_totals_under_the_filter(workbook_file):
    ws = load_workbook(workbook_file)["Summary"]
    header = _header(ws)
    assert header[:9] == ["Agent", "Team", "Evaluations", "Quota", "Behind quota", "Average score",
                          "Previous period", "Change (points)", "Critical failures"]
    assert "Flags per call: forbidden phrase" in header and "Flags per call: dead air" in header
    names = [ws.cell(r, 1).value for r in range(2, 6)]
    assert names == ["张伟", "'" + EVIL, "'@SUM(1)", "'-2+3"]
    assert [ws.cell(r, 2).value for r in range(2, 6)] == ["Billing CN", "Billing CN", "Sales", "No team"]
    score, change = _column(ws, "Average score"), _column(ws, "Change (points)")
    zhang = {h: ws.cell(2, i + 1) for i, h in enumerate(header)}
    assert zhang["Average score"].value == pytest.approx(0.925) and zhang["Average score"].number_format == "0.0%"
    assert zhang["Previous period"].value == pytest.approx(0.88)
    assert zhang["Change (points)"].value == pytest.approx(4.5)
    assert zhang["Change (points)"].number_format == "+0.0;-0.0;0.0"
    assert (zhang["Quota"].value, zhang["Behind quota"].value) == (4, 0)
    assert zhang["Talk ratio"].value == pytest.approx(1.25) and zhang["Handle time (s)"].value == 312
    assert zhang["Flags per call"].value == pytest.approx(0.75)
    assert ws.cell(3, _column(ws, "Behind quota")).value == 2
    assert ws.cell(5, score).value is None and ws.cell(3, change).value is None  # no score: empty, not 0
    # A blank row, then each team's totals and the centre's, in bold, outside the filter.
    assert all(ws.cell(6, c).value is None for c in range(1, len(header) + 1))
    totals = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(7, 11)]
    assert totals == [("All agents", "Billing CN"), ("All agents", "Sales"), ("All agents", "No team"),
                      ("All agents", "All teams")]
    assert ws.cell(7, 1).font.b and ws.cell(7, score).value == pytest.approx(0.842)
    assert (ws.cell(7, _column(ws, "Quota")).value, ws.cell(7, _column(ws, "Behind quota")).value) == (8, 2)
    assert (ws.cell(10, _column(ws, "Quota")).value, ws.cell(10, _column(ws, "Behind quota")).value) == (16, 6)
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}5"
    assert ws.cell(1, 1).font.b


def test_score_columns_have_colour_scales_on_the_thresholds(workbook_file):
    wb = load_workbook(workbook_file)
    ws = wb["Summary"]
    letter = ws.cell(1, _column(ws, "Average score")).column_letter
    scales = {str(cf.sqref): rule for cf in ws.conditional_formatting for rule in cf.rules}
    rule = scales[f"{letter}2:{letter}10"]
    assert rule.type == "colorScale"
    assert [(v.type, float(v.val)) for v in rule.colorScale.cfvo] == [("num", 0.75), ("num", 0.825), ("num", 0.9)]
    change = ws.cell(1, _column(ws, "Change (points)")).column_letter
    assert scales[f"{change}2:{change}10"].type == "colorScale"
    sections = wb["Sections"]
    assert [c.value for c in sections[1]] == ["Agent", "Team", "Evaluations", "开场 Opening", "Closing"]
    assert sections["D2"].value == pytest.approx(0.95) and sections["D2"].number_format == "0.0%"
    assert sections["E2"].value is None
    assert {str(cf.sqref) for cf in sections.conditional_formatting} == {"D2:D10", "E2:E10"}
    assert sections.freeze_panes == "B2" and sections.auto_filter.ref == "A1:E5"
    evaluations = wb["Evaluations"]
    percent = evaluations.cell(1, _column(evaluations, "Score")).column_letter
    assert {str(cf.sqref) for cf in evaluations.conditional_formatting} == {f"{percent}2:{percent}3"}


def test_the_colour_bands_follow_the_centres_thresholds(tmp_path):
    path = tmp_path / "strict.xlsx"
    write_workbook(path, sample_export(thresholds=Thresholds(good=95.0, poor=80.0)), RowProgress(None, 7))
    ws = load_workbook(path)["Summary"]
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules
             if str(cf.sqref).startswith(ws.cell(1, _column(ws, "Average score")).column_letter)]
    assert [float(v.val) for v in rules[0].colorScale.cfvo] == [0.8, 0.875, 0.95]


def test_evaluations_answers_and_flags_rows_with_real_dates_and_formats(workbook_file):
    wb = load_workbook(workbook_file)
    ws = wb["Evaluations"]
    assert _header(ws) == ["Evaluation", "Call", "Call date", "Agent", "Team", "Reviewer", "Form", "Form version",
                           "Status", "Points", "Max points", "Score", "Critical failures", "Auto-failed",
                           "Submitted"]
    assert ws["C2"].value == datetime(2026, 10, 3, 9, 30) and ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["O2"].value == datetime(2026, 10, 3, 14, 30) and ws["O3"].value is None
    assert ws["L2"].value == pytest.approx(0.7747) and ws["L2"].number_format == "0.0%"
    assert ws["J2"].value == 70.5 and ws["N3"].value is True and ws["B3"].value == 102
    assert ws["F3"].value == "'+cmd"
    for letter in "CO":  # dates never show as ###
        assert ws.column_dimensions[letter].width >= 18
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:O3"
    answers = wb["Answers"]
    assert [answers.cell(r, 10).value for r in range(2, 6)] == [
        "'=1+1 好", "'\t=cmd|' /C calc'!A0", "line one\nline two", "#DIV/0!"]
    assert answers["J5"].data_type == "s" and answers["E5"].data_type == "s"  # text, not error cells
    assert answers["I3"].value is True and answers.column_dimensions["J"].width >= 40
    flags = wb["Flags"]
    assert flags["O2"].value == "'@不知道" and flags["Q2"].value == "'-2+3" and flags["M2"].value == 31.0
    assert flags["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_no_cell_anywhere_is_a_formula(workbook_file):
    wb = load_workbook(workbook_file)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    with zipfile.ZipFile(workbook_file) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_charts_are_native_charts_with_unsmoothed_lines(workbook_file):
    ws = load_workbook(workbook_file)["Charts"]
    assert [c.value for c in ws[1]] == ["Period", "Billing CN", "Sales", "All teams"]
    assert [ws.cell(r, 1).value for r in range(2, 8)] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
                                                         "2026-10"]
    assert ws["B4"].value is None and ws["B7"].value == pytest.approx(0.842) and ws["B7"].number_format == "0.0%"
    charts = ws._charts
    assert [type(c) for c in charts] == [LineChart, BarChart]
    trend, bars = charts
    assert len(trend.series) == 3 and all(s.smooth is False for s in trend.series)
    assert str(trend.series[0].val.numRef.f) == "'Charts'!$B$2:$B$7"
    assert str(bars.series[0].val.numRef.f) == "'Summary'!$F$2:$F$5"
    assert str(bars.series[0].cat.strRef.f) == "'Summary'!$A$2:$A$5"
    assert str(trend.series[0].cat.strRef.f) == "'Charts'!$A$2:$A$7"
    assert bars.type == "bar"
    with zipfile.ZipFile(workbook_file) as archive:
        names = archive.namelist()
        charts_xml = [ElementTree.fromstring(archive.read(n)) for n in names if n.startswith("xl/charts/chart")]
    assert not any(n.startswith("xl/media/") for n in names)  # charts, not pictures
    line = next(x for x in charts_xml if x.find(f".//{C}lineChart") is not None)
    series = line.findall(f".//{C}lineChart/{C}ser")
    assert len(series) == 3 and [s.find(f"{C}smooth").get("val") for s in series] == ["0", "0", "0"]
    assert {e.get("val") for e in line.iter(f"{C}smooth")} == {"0"}
    assert {e.get("val") for e in line.iter(f"{C}delete")} == {"0"}  # both axes shown


def test_parameters_say_what_was_exported_when_and_by_whom(workbook_file):
    ws = load_workbook(workbook_file)["Parameters"]
    lines = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert lines["Period"].value == "2026-10" and lines["Compared with"].value == "2026-09"
    assert lines["From"].value == datetime(2026, 10, 1) and lines["From"].number_format == "yyyy-mm-dd"
    assert lines["Team"].value == "All teams" and lines["Form"].value == "All forms"
    assert lines["Generated at"].value == datetime(2026, 11, 2, 8, 15)
    assert lines["Generated by"].value == "李主管"
    assert lines["Good at or above"].value == pytest.approx(0.9) and lines["Good at or above"].number_format == "0.0%"
    assert lines["Rows: Evaluations"].value == 2 and lines["Rows: Answers"].value == 4
    versions = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Form version used"]
    assert versions == ["热线质检 v1 (hotline-zh): 7 evaluations", "热线质检 v2 (hotline-zh): 4 evaluations"]
    assert any("2 form versions" in str(ws.cell(r, 2).value) for r in range(2, ws.max_row + 1))
    assert ws.column_dimensions["B"].width >= 18


def test_column_widths_fit_names_and_headers(workbook_file):
    ws = load_workbook(workbook_file)["Summary"]
    assert ws.column_dimensions["A"].width >= len(EVIL) + 1
    assert ws.column_dimensions["E"].width >= len("Behind quota")


def test_team_level_rows_and_the_averages_chart_over_teams(tmp_path):
    export = sample_export(level="team")
    export.card, export.other = export.other, export.card
    path = tmp_path / "teams.xlsx"
    rows = write_workbook(path, export, RowProgress(None, 7))
    assert rows["summary"] == 3
    ws = load_workbook(path)["Summary"]
    assert _header(ws)[:5] == ["Team", "Agents", "Evaluations", "Quota", "Behind quota"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == ["Billing CN", "Sales", "No team", None, "All teams"]
    assert (ws["D2"].value, ws["E2"].value, ws["D6"].value) == (8, 2, 16)
    bars = load_workbook(path)["Charts"]._charts[1]
    assert str(bars.series[0].val.numRef.f) == "'Summary'!$F$2:$F$4"


def test_a_long_stream_goes_on_in_a_second_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_ROWS", 3)  # a header and two rows a sheet
    path = tmp_path / "split.xlsx"
    rows = write_workbook(path, sample_export(), RowProgress(None, 7))
    assert rows["answers"] == 4
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Charts", "Sections", "Evaluations", "Answers", "Answers (2)", "Flags",
                             "Parameters"]
    assert wb["Answers (2)"].max_row == 3
    second = wb["Answers (2)"]
    assert _header(second) == _header(wb["Answers"]) and second["A2"].value == 2
    assert second.freeze_panes == "B2" and second.auto_filter.ref == "A1:J3"


def test_cells_neutralise_what_a_spreadsheet_would_run():
    for text in (EVIL, "@SUM(1)", "-2+3", "+1", "\t=1", "\r=1", "  =1+1", "＝1+1", "\u3000=A1"):
        assert needs_neutralising(text) and neutralise(text) == "'" + text
    for text in ("张伟", "Li Na", "", "a=b", "'quoted", "2+3", "100%"):
        assert neutralise(text) == text
    assert xlsx_text("\x0b=1") == "'=1" and len(xlsx_text("x" * 40_000)) == 32_767


def test_progress_is_reported_and_a_cancel_stops_the_writer(tmp_path):
    seen = []
    ctx = JobContext(on_progress=lambda done, total: seen.append((done, total)), min_interval=0)
    export = sample_export()
    export.evaluations = ((i, 100 + i, None, "a", "t", "r", "f", 1, "submitted", 1.0, 2.0, 50.0, 0, False, None)
                          for i in range(2_000))
    write_workbook(tmp_path / "p.xlsx", export, RowProgress(ctx, 2_004))
    assert seen and seen[-1][0] >= 2_000
    ctx.cancel()
    export = sample_export()
    export.evaluations = ((i, 100 + i, None, "a", "t", "r", "f", 1, "submitted", 1.0, 2.0, 50.0, 0, False, None)
                          for i in range(2_000))
    with pytest.raises(Cancelled):
        write_workbook(tmp_path / "c.xlsx", export, RowProgress(ctx, 2_004))
    assert not (tmp_path / "c.xlsx").exists()


# --- through the database ---------------------------------------------------------------


def build_library(db) -> dict:
    """Two teams and an agent without one; October and September evaluations on the
    hotline form (one with a comment that looks like a formula); a flag with a note."""
    from qa_desk.store import evaluations as ev
    from qa_desk.store import flags as flag_store
    from qa_desk.store.calls import get_or_create_agent
    from qa_desk.store.forms import save_form
    from store_data import add_test_call
    from test_form_scoring import SHEET

    form = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    people = [("张伟", "1047", "Billing CN"), (EVIL, "1048", "Billing CN"), ("@SUM(1)", "2001", "Sales"),
              ("-2+3", "3001", None)]
    with db.session() as s:
        form_id = save_form(s, form, actor=ADMIN).id
        rulebook_id, _ = flag_store.ensure_rulebook(s, key="zh-CN", name="规范", language="zh-CN",
                                                    content_hash="r" * 64, definition={})
        calls = 0
        for n, (name, external, team) in enumerate(people):
            agent = get_or_create_agent(s, name=name, external_id=external, team=team)
            for month, day in ((9, 10), (10, 3), (10, 20))[: 3 - (n == 3) * 2]:
                calls += 1
                call_id = add_test_call(s, f"{calls}.wav", agent_id=agent.id,
                                        started_at=datetime(2026, month, day + n, 9, 30))
                view = ev.start_evaluation(s, call_id, form_id, reviewer("王质检"))
                edits = {k: ev.AnswerEdit(v) for k, v in SHEET.items()}
                edits["standard_closing"] = ev.AnswerEdit("no", "=1+1 客户挂断")
                saved = ev.save_answers(s, view.id, view.row_version, edits, reviewer("王质检"))
                ev.submit(s, view.id, saved.row_version, reviewer("王质检"))
                if n == 0 and month == 10:
                    finding = Finding(
                        rule_key="zh-forbidden-01", rule_title="推诿搪塞", category="forbidden_phrase",
                        severity="major", speaker="agent", start=31.0, end=31.8, matched_text="@不知道",
                        words=(), kind="exact", confidence=1.0, reason="禁用语", form_item="no_forbidden_phrases")
                    flag_store.save_findings(s, call_id, rulebook_id, [finding])
                    flag_id = flag_store.flags_for_call(s, call_id)[0].id
                    flag_store.add_note(s, flag_id, reviewer("王质检"), "-2+3 客户投诉")
    return {"form_id": form_id}


def test_export_from_the_database_to_xlsx(db, tmp_path):
    build_library(db)
    seen = []
    ctx = JobContext(on_progress=lambda done, total: seen.append((done, total)), min_interval=0)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "october.xlsx"
    report = export_scorecards(db, target, PERIOD, actor=Actor("李主管", "manager"), ctx=ctx)
    assert report.path == target and report.paths == (target,) and report.format == "xlsx"
    assert report.rows["summary"] == 4 and report.rows["evaluations"] == 6 and report.rows["flags"] == 2
    assert report.rows["answers"] == 6 * 24
    assert seen[-1][0] == seen[-1][1]
    assert [p.name for p in out.iterdir()] == ["october.xlsx"]  # no temporary file left
    wb = load_workbook(target)
    assert wb.sheetnames == SHEETS
    summary = wb["Summary"]
    names = {summary.cell(r, 1).value: r for r in range(2, 6)}
    assert set(names) == {"张伟", "'" + EVIL, "'@SUM(1)", "'-2+3"}
    zhang = names["张伟"]
    assert summary.cell(zhang, 2).value == "Billing CN" and summary.cell(zhang, 3).value == 2
    assert 0 < summary.cell(zhang, 6).value <= 1 and summary.cell(zhang, 6).number_format == "0.0%"
    assert summary.cell(zhang, 8).value == pytest.approx(0.0)  # same answers in September and October
    comments = [c.value for c in wb["Answers"]["J"] if c.value]
    assert "'=1+1 客户挂断" in comments
    assert wb["Flags"]["Q2"].value == "'-2+3 客户投诉"
    params = {r[0].value: r[1].value for r in wb["Parameters"].iter_rows(min_row=2)}
    assert params["Generated by"] == "李主管" and params["Rows: Evaluations"] == 6
    charts = wb["Charts"]
    assert [c.value for c in charts[1]] == ["Period", "Billing CN", "Sales", "All teams"]
    assert charts["B6"].value is not None and charts["B7"].value is not None  # September and October


def test_a_team_and_form_filtered_export(db, tmp_path):
    build_library(db)
    target = tmp_path / "sales.xlsx"
    report = export_scorecards(db, target, PERIOD, team="Sales", form_key="hotline-zh", level="team", actor=MANAGER)
    assert report.rows["evaluations"] == 2 and report.rows["summary"] == 1
    wb = load_workbook(target)
    assert [c.value for c in wb["Charts"][1]] == ["Period", "Sales"]
    params = {r[0].value: r[1].value for r in wb["Parameters"].iter_rows(min_row=2)}
    assert (params["Team"], params["Form"], params["One row per"]) == ("Sales", "hotline-zh", "team")


def test_bad_names_and_a_cancelled_export_leave_nothing(db, tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="scores.pdf"):
        export_scorecards(db, tmp_path / "scores.pdf", PERIOD, actor=MANAGER)
    with pytest.raises(ExportError, match="does not exist"):
        export_scorecards(db, tmp_path / "missing" / "x.xlsx", PERIOD, actor=MANAGER)
    build_library(db)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.xlsx").write_bytes(b"the earlier export")
    monkeypatch.setattr(RowProgress, "EVERY", 10)
    ctx = JobContext(on_progress=lambda done, _total: done > 50 and ctx.cancel(), min_interval=0)
    with pytest.raises(Cancelled):  # in the middle of the answers
        export_scorecards(db, out / "old.xlsx", PERIOD, ctx=ctx, actor=MANAGER)
    assert sorted(p.name for p in out.iterdir()) == ["old.xlsx"]
    assert (out / "old.xlsx").read_bytes() == b"the earlier export"
    assert not [f for f in ALL_TEMP_FILES if Path(f).exists()]  # openpyxl's sheet files removed too


def test_a_failure_while_writing_keeps_the_earlier_export(db, tmp_path, monkeypatch):
    build_library(db)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.xlsx").write_bytes(b"the earlier export")

    def broken(*_args, **_kwargs):
        yield (1, 2)
        raise RuntimeError("the database went away")

    monkeypatch.setattr("qa_desk.store.scorecards.flag_rows", broken)
    with pytest.raises(RuntimeError):
        export_scorecards(db, out / "old.xlsx", PERIOD, actor=MANAGER)
    assert sorted(p.name for p in out.iterdir()) == ["old.xlsx"]
    assert (out / "old.xlsx").read_bytes() == b"the earlier export"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook_and_keeps_its_charts(workbook_file, tmp_path):
    profile = tmp_path / "lo-profile"  # a private profile: no clash with a running LibreOffice

    def convert(to: str) -> Path:
        out = tmp_path / to
        result = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out), str(workbook_file)],
            capture_output=True, text=True, timeout=180,
        )
        converted = out / f"scorecards.{to}"
        assert converted.exists(), result.stdout + result.stderr
        return converted

    pdf = convert("pdf")
    assert pdf.stat().st_size > 5_000 and pdf.read_bytes().startswith(b"%PDF")
    # Saved again by LibreOffice: the charts were read as charts (a picture would be dropped
    # or come back under xl/media).
    with zipfile.ZipFile(convert("xlsx")) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert any(b"lineChart" in archive.read(n) for n in charts)
