"""The Review area on a real database: a lead defines a sampling rule, previews and runs
it, the reviewer sees their queue (progress, overdue, done once submitted) and opens a
call from it; the lead's overview and reassigning; what other roles may not do; and
screenshots of the queue and the overview."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialog
from review_data import LEAD, REVIEWER, centre, submit_evaluation

from qa_desk.scoring.periods import parse_period
from qa_desk.store import assignments, sampling
from qa_desk.ui.acting import signed_in
from qa_desk.ui.review_page import ReviewPage
from qa_desk.ui.sampling_rule_dialog import SamplingRuleDialog
from qa_desk.ui.sampling_run_dialog import SamplingRunDialog

TODAY = date(2026, 11, 28)


def make_page(qtbot, services, actor) -> ReviewPage:
    services.user = actor
    page = ReviewPage(services, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    qtbot.waitUntil(lambda: not page.queue.is_loading(), timeout=10000)
    return page


def show_tab(qtbot, page, view) -> None:
    page.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: not view.is_loading(), timeout=10000)


def queue_november(db, reviewers=("王质检", "赵质检")) -> sampling.RunReport:
    with db.session() as s:
        rule_id = sampling.save_rule(s, {"name": "monthly", "per_agent": 2}, actor=LEAD).id
        return sampling.run_rule(s, rule_id, parse_period("2026-11"), reviewers=list(reviewers), actor=LEAD,
                                 seed=11, today=date(2026, 11, 20))


def test_the_rule_dialog_has_every_option_and_names_problems(qtbot, screenshots_dir):
    dialog = SamplingRuleDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("dead air, new agents")
    dialog.per_agent.setValue(3)
    dialog.selection.setCurrentIndex(dialog.selection.findData("longest_dead_air"))
    dialog.new_agents_first.setChecked(True)
    dialog.new_agent_days.setValue(60)
    dialog.teams.setText("Billing CN， Tech CN")
    dialog.queues.setText("billing")
    dialog.min_duration.setValue(45)
    dialog.exclude_reviewed.setChecked(False)
    dialog.max_calls.setValue(20)
    rule = dialog.rule()
    assert (rule.per_agent, rule.selection, rule.new_agents_first, rule.new_agent_days) == (
        3, "longest_dead_air", True, 60)
    assert (rule.teams, rule.queues, rule.min_duration, rule.exclude_reviewed, rule.max_calls) == (
        ("Billing CN", "Tech CN"), ("billing",), 45.0, False, 20)
    again = SamplingRuleDialog(rule)
    qtbot.addWidget(again)
    assert again.rule() == rule
    dialog.show()
    qtbot.wait(50)
    assert dialog.grab().save(str(screenshots_dir / "sampling_rule_dialog.png"))
    dialog.name.clear()
    dialog.accept()
    assert "name must be non-empty" in dialog.problems.text() and dialog.result() != QDialog.DialogCode.Accepted


def monthly_rule_dialog(rule, parent):
    """The real rule dialog, filled in as a lead would ("monthly", 2 calls an agent) and accepted."""
    dialog = SamplingRuleDialog(rule, parent)
    dialog.name.setText("monthly")
    dialog.per_agent.setValue(2)
    dialog.exec = lambda: QDialog.DialogCode.Accepted
    return dialog


class SelfRunningDialog(SamplingRunDialog):
    """The real run dialog, driven as a lead would: period, reviewers, seed, preview, run."""

    qtbot = None
    seen: list = []

    def exec(self) -> int:
        self.period.setText("2026-11")
        for name in ("王质检", "赵质检"):
            self.add_reviewer(name, checked=True)
        self.seed.setValue(42)
        assert not self.run_button.isEnabled()  # no run before a preview
        self.preview()
        self.qtbot.waitUntil(lambda: self.run_button.isEnabled(), timeout=10000)
        SelfRunningDialog.seen = [self.picks.item(r, 2).text() for r in range(self.picks.rowCount())]
        assert "6 calls of" in self.summary.text() and "seed 42" in self.summary.text()
        self.seed.setValue(43)  # a change after the preview: preview again first
        assert not self.run_button.isEnabled()
        self.seed.setValue(42)
        self.preview()
        self.qtbot.waitUntil(lambda: self.run_button.isEnabled(), timeout=10000)
        self.run()
        self.qtbot.waitUntil(lambda: self.report is not None, timeout=10000)
        return QDialog.DialogCode.Accepted


def test_a_lead_defines_a_rule_runs_it_and_the_reviewer_sees_the_queue(qtbot, services, ui_db):
    centre(ui_db, calls_per_agent=3)
    page = make_page(qtbot, services, LEAD)
    rules = page.rules
    show_tab(qtbot, page, rules)
    assert rules.new_button.isEnabled() and not rules.run_button.isEnabled()

    rules.rule_dialog_factory = monthly_rule_dialog
    rules.new_rule()
    qtbot.waitUntil(lambda: [r.name for r in rules.rules] == ["monthly"], timeout=10000)
    rules.select_rule("monthly")
    assert rules.run_button.isEnabled()
    SelfRunningDialog.qtbot = qtbot
    rules.run_dialog_factory = SelfRunningDialog
    with qtbot.waitSignal(rules.message) as queued:
        rules.run_rule()
    assert queued.args == ["6 calls queued for 2026-11 (seed 42)"]
    qtbot.waitUntil(lambda: rules.runs.rowCount() == 1, timeout=10000)
    assert rules.runs.item(0, 3).text() == "42"
    with ui_db.session() as s:
        mine = assignments.my_queue(s, "王质检")
    assert sorted(SelfRunningDialog.seen).count("王质检") == len(mine) == 3  # what was previewed was written

    reviewer = make_page(qtbot, services, REVIEWER)
    queue = reviewer.queue
    assert queue.table.rowCount() == 3 and queue.progress_label.text() == "0 of 3 done this month"
    assert not reviewer.rules.new_button.isEnabled() and not reviewer.overview.may_manage
    submit_evaluation(ui_db, mine[0].call_id, "王质检")
    queue.refresh()
    qtbot.waitUntil(lambda: queue.progress_label.text() == "1 of 3 done this month", timeout=10000)
    assert queue.status_text(queue.shown_items()[-1]) == "Done"
    queue.show_done.setChecked(False)
    assert queue.table.rowCount() == 2
    with qtbot.waitSignal(reviewer.call_requested) as opened:
        queue.table.cellDoubleClicked.emit(0, 3)
    assert opened.args == [queue.shown_items()[0].call_id]


def test_the_overview_highlights_overdue_calls_and_a_lead_reassigns(qtbot, services, ui_db):
    centre(ui_db, calls_per_agent=3)
    report = queue_november(ui_db)
    page = make_page(qtbot, services, LEAD)
    view = page.overview
    show_tab(qtbot, page, view)
    assert [view.reviewers.item(r, 0).text() for r in range(view.reviewers.rowCount())] == ["王质检", "赵质检"]
    assert view.calls.rowCount() == 6 and "6 calls queued in 2026-11, 0 done, 0 overdue" == view.status.text()
    view._today = lambda: date(2026, 12, 3)  # past the due date
    view.refresh()
    qtbot.waitUntil(lambda: "6 overdue" in view.status.text(), timeout=10000)
    assert view.calls.item(0, 6).text() == "Overdue"
    assert view.calls.item(0, 0).background().color().red() == 255
    view.calls.selectRow(0)
    moving = view.selected_item()
    assert view.reassign_button.isEnabled()
    to = "赵质检" if moving.reviewer == "王质检" else "王质检"
    view.ask_reviewer = lambda item: to
    with qtbot.waitSignal(view.message):
        view.reassign_selected()
    qtbot.waitUntil(lambda: not view.is_loading()
                    and next(i for i in view._items if i.id == moving.id).reviewer == to, timeout=10000)
    with ui_db.session() as s:
        assert moving.call_id in {i.call_id for i in assignments.my_queue(s, to)}
    assert report.run_id


def test_the_acting_user_is_the_signed_in_user_never_the_settings_name(services):
    services.user = None
    services.settings.reviewer_name = "王质检"  # typing a name in the settings proves nothing
    assert signed_in(services) is None
    services.user = REVIEWER
    assert signed_in(services) is REVIEWER


def test_add_tab_takes_another_part_of_reviewing(qtbot, services):
    page = make_page(qtbot, services, LEAD)
    from PySide6.QtWidgets import QLabel

    index = page.add_tab(QLabel("calibration"), "Calibration")
    assert page.tabs.tabText(index) == "Calibration" and page.tabs.count() == 4


@pytest.mark.parametrize("which", ["queue", "overview", "rules"])
def test_screenshots(qtbot, services, ui_db, screenshots_dir, which):
    calls = centre(ui_db, calls_per_agent=4)
    queue_november(ui_db, reviewers=("王质检",))
    with ui_db.session() as s:
        mine = assignments.my_queue(s, "王质检")
        free = next(c for ids in calls.values() for c in ids if c not in {i.call_id for i in mine})
        assignments.assign_call(s, free, "王质检", actor=LEAD, due_on=date(2026, 11, 25),
                                reason="a customer complaint: please listen first")
        extra = next(c for ids in calls.values() for c in ids
                     if c not in {i.call_id for i in mine} and c != free)
        assignments.assign_call(s, extra, "赵质检", actor=LEAD, due_on=date(2026, 11, 26))
    submit_evaluation(ui_db, mine[0].call_id, "王质检")
    submit_evaluation(ui_db, mine[1].call_id, "王质检")
    if which == "queue":
        page = make_page(qtbot, services, REVIEWER)
        assert page.queue.progress_label.text() == "2 of 7 done this month · 1 overdue"
        target = screenshots_dir / "review_queue.png"
    elif which == "overview":
        page = make_page(qtbot, services, LEAD)
        show_tab(qtbot, page, page.overview)
        target = screenshots_dir / "review_overview.png"
    else:
        with ui_db.session() as s:
            sampling.save_rule(s, {"name": "critical flags", "per_agent": 1, "selection": "critical_flags",
                                   "teams": ["Billing CN"]}, actor=LEAD)
            sampling.save_rule(s, {"name": "dead air, new agents first", "per_agent": 2, "min_duration": 60,
                                   "selection": "longest_dead_air", "new_agents_first": True}, actor=LEAD)
        page = make_page(qtbot, services, LEAD)
        show_tab(qtbot, page, page.rules)
        page.rules.select_rule("dead air, new agents first")
        dialog = SamplingRunDialog(ui_db, LEAD, page.rules.selected_rule(), page.rules.reviewer_names,
                                   today=lambda: TODAY)
        qtbot.addWidget(dialog)
        dialog.seed.setValue(20261128)
        for name in ("王质检", "赵质检"):
            dialog.add_reviewer(name, checked=True)
        dialog.show()
        dialog.preview()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10000)
        assert dialog.run_button.isEnabled(), dialog.summary.text()
        assert dialog.grab().save(str(screenshots_dir / "sampling_run_preview.png"))
        target = screenshots_dir / "sampling_rules.png"
    qtbot.wait(50)
    assert page.grab().save(str(target)), target
