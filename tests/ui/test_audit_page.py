"""The audit view: filters, the table, and a dispute's whole history beside its entry;
who may read it."""

from __future__ import annotations

from qa_desk.permissions import Actor
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.store import evaluations as ev
from qa_desk.store.forms import save_form
from qa_desk.ui.audit_page import AuditPage

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
WANG, LI, AGENT = Actor("王质检", "reviewer"), Actor("李组长", "lead"), Actor("张伟", "reviewer")


def disputed_and_resolved(db) -> int:
    from store_data import add_test_call
    from test_form_scoring import SHEET

    with db.session() as s:
        call_id, form_id = add_test_call(s), save_form(s, ZH, actor=LI).id
        view = ev.start_evaluation(s, call_id, form_id, WANG)
        view = ev.save_answers(s, view.id, view.row_version, {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, WANG)
        view = ev.submit(s, view.id, view.row_version, WANG)
        view = ev.dispute(s, view.id, AGENT, "结束语说了")
        ev.resolve(s, view.id, view.row_version, LI, "听过录音", {"standard_closing": ev.AnswerEdit("yes")})
    return view.id


def page_for(qtbot, services, user):
    services.user = user
    page = AuditPage(services)
    qtbot.addWidget(page)
    page.refresh()
    return page


def test_selecting_an_evaluation_entry_shows_the_dispute_s_whole_history(qtbot, services):
    evaluation_id = disputed_and_resolved(services.db)
    page = page_for(qtbot, services, LI)
    assert page.table.rowCount() == 7  # the form version, and the evaluation's six steps
    assert page.table.item(0, 2).text() == "evaluation.resolved" and page.table.item(0, 1).text() == "李组长"
    page.table.selectRow(0)
    lines = page.history_lines()
    assert page.history_title.text() == f"Evaluation {evaluation_id}: its whole history"
    assert "standard_closing: no → yes" in lines[3].splitlines()  # the re-score, answer by answer
    assert [line.split(" · ")[1:3] for line in lines] == [
        ["王质检", "evaluation.created"], ["王质检", "evaluation.submitted"], ["张伟", "evaluation.disputed"],
        ["李组长", "evaluation.rescored"], ["李组长", "evaluation.resolved"]]
    page.table.selectRow(page.table.rowCount() - 1)  # the form version: no evaluation history
    assert page.history_lines() == []


def test_filters(qtbot, services):
    disputed_and_resolved(services.db)
    page = page_for(qtbot, services, Actor("赵经理", "manager"))
    page.user.setText("张伟")
    page.refresh()
    assert [page.table.item(r, 2).text() for r in range(page.table.rowCount())] == ["evaluation.disputed"]
    page.user.clear()
    page.action.setCurrentIndex(page.action.findData("evaluation.rescored"))
    page.refresh()
    assert page.table.rowCount() == 1 and "standard_closing" in page.table.item(0, 4).text()
    page.action.setCurrentIndex(0)
    page.entity.setCurrentIndex(page.entity.findData("form"))
    page.refresh()
    assert [page.table.item(r, 2).text() for r in range(page.table.rowCount())] == ["form.version_saved"]
    page.entity.setCurrentIndex(0)
    page.use_dates.setChecked(True)
    page.since.setDate(page.since.date().addYears(-3))
    page.until.setDate(page.since.date())
    page.refresh()
    assert page.table.rowCount() == 0 and page.status.text() == "0 entries"


def test_a_reviewer_or_trainer_does_not_read_the_log(qtbot, services):
    disputed_and_resolved(services.db)
    for user in (WANG, Actor("王芳", "trainer")):
        page = page_for(qtbot, services, user)
        assert page.table.rowCount() == 0 and "Only a team lead" in page.status.text()


def test_screenshot(qtbot, services, screenshots_dir):
    disputed_and_resolved(services.db)
    page = page_for(qtbot, services, LI)
    page.resize(1200, 560)
    page.show()
    page.table.selectRow(1)  # the re-score: the dispute's whole history beside it
    qtbot.wait(50)
    assert page.grab().save(str(screenshots_dir / "audit_log.png"))
