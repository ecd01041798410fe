"""The calibration workbook (SQLite and PostgreSQL), re-opened with openpyxl."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from qa_desk.permissions import Actor, PermissionDenied
from qa_desk.reports.calibration_export import CalibrationExportError, export_calibration
from qa_desk.store.audit import audit_entries
from qa_desk.store.calibration_results import session_view

from calibration_data import CHEN, LEAD, LIU, WANG, three_reviewer_session


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_the_workbook_has_the_sessions_results_and_the_report(db, tmp_path):
    session_id, (call,) = three_reviewer_session(db)
    with db.session() as s:
        result = session_view(s, session_id, LEAD).calls[0].result
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "calibration.xlsx"
    report = export_calibration(db, path, LEAD, session_ids=[session_id])
    assert (report.sessions, report.calls, report.rows["reviewers"]) == (1, 1, 3)
    assert list(path.parent.iterdir()) == [path]  # nothing temporary left beside it
    wb = load_workbook(path)
    assert wb.sheetnames == ["Reviewers", "By month", "Scores", "Items", "Spread", "Parameters"]
    reviewers = {r["Reviewer"]: r for r in _rows(wb["Reviewers"])}
    assert set(reviewers) == {WANG.name, CHEN.name, LIU.name}  # the reference's own figures left out
    chen = result.reviewer(CHEN.name)
    assert reviewers[CHEN.name]["Mean distance (points)"] == pytest.approx(abs(chen.deviation))
    assert reviewers[CHEN.name]["Agreement rate"] == pytest.approx(chen.agreement_rate)  # a fraction, 0.0 %
    assert wb["Reviewers"]["E2"].number_format == "0.0%"
    scores = {r["Reviewer"]: r for r in _rows(wb["Scores"])}
    assert scores[LEAD.name]["Reference"] == "yes" and scores[LEAD.name]["Deviation (points)"] == 0
    assert scores[CHEN.name]["Items differing"] == "courtesy_words, attentive"
    assert scores[WANG.name]["Score"] == pytest.approx(result.reviewer(WANG.name).percent / 100)
    items = {r["Item"]: r for r in _rows(wb["Items"])}
    courtesy = items["courtesy_words"]
    assert courtesy["Agreement"] == pytest.approx(0.5) and courtesy["Reference answer"] == "yes"
    assert (courtesy[LEAD.name], courtesy[WANG.name], courtesy[CHEN.name], courtesy[LIU.name]) == \
        ("yes", "partial", "partial", "yes")
    (spread,) = _rows(wb["Spread"])
    assert spread["Sheets"] == 4 and spread["Reference"] == LEAD.name
    assert spread["Range (points)"] == pytest.approx(result.spread.range)
    assert wb["Reviewers"].freeze_panes == "B2" and wb["Reviewers"]["A1"].font.b
    with db.session() as s:
        (logged,) = audit_entries(s, action="export.calibration")
    assert (logged.user_name, logged.new["path"], logged.new["sessions"]) == (LEAD.name, str(path), [session_id])


def test_user_text_stays_text_and_refusals(db, tmp_path):
    session_id, _ = three_reviewer_session(db, name='=HYPERLINK("http://x","click")')
    path = tmp_path / "c.xlsx"
    export_calibration(db, path, LEAD)
    cell = load_workbook(path)["Scores"]["B2"]
    assert cell.value == '\'=HYPERLINK("http://x","click")' and cell.data_type == "s"
    with pytest.raises(PermissionDenied):
        export_calibration(db, tmp_path / "w.xlsx", WANG)
    with pytest.raises(CalibrationExportError, match=r"\.xlsx"):
        export_calibration(db, tmp_path / "c.csv", LEAD)
    with pytest.raises(CalibrationExportError, match="does not exist"):
        export_calibration(db, tmp_path / "missing" / "c.xlsx", Actor("Admin", "admin"))
