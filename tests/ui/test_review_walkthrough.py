"""A review cycle in one window, as the people do it: the lead defines and runs a
sampling rule, a reviewer signs in, opens a call from their queue, scores it in the
call view's evaluation panel and submits, and back in the queue the call is done."""

from __future__ import annotations

from datetime import date

from review_data import LEAD, REVIEWER, centre
from test_review_page import SelfRunningDialog, monthly_rule_dialog
from ui_data import make_window

from qa_desk.store import assignments

TODAY = date(2026, 11, 28)


def _on_the_day(review_page) -> None:
    """The Review area's views count 'this month' from TODAY (the calls are November's)."""
    for view in (review_page.queue, review_page.overview, review_page.rules):
        view._today = lambda: TODAY


def test_a_lead_queues_calls_and_a_reviewer_scores_one_from_the_queue(qtbot, services, ui_db):
    centre(ui_db, calls_per_agent=3)
    services.user = LEAD
    window = make_window(qtbot, services)
    review = window.review_page
    _on_the_day(review)

    # The lead: Review → Sampling rules → New… → Run….
    window.show_area("review")
    review.tabs.setCurrentWidget(review.rules)
    qtbot.waitUntil(lambda: not review.rules.is_loading(), timeout=10000)

    review.rules.rule_dialog_factory = monthly_rule_dialog
    review.rules.new_rule()
    qtbot.waitUntil(lambda: [r.name for r in review.rules.rules] == ["monthly"], timeout=10000)
    review.rules.select_rule("monthly")
    SelfRunningDialog.qtbot = qtbot
    review.rules.run_dialog_factory = SelfRunningDialog
    with qtbot.waitSignal(review.rules.message):
        review.rules.run_rule()

    # The reviewer signs in (as after switching database): their own queue, nothing to manage.
    services.user = REVIEWER
    window.apply_role()
    review.tabs.setCurrentWidget(review.queue)
    queue = review.queue
    qtbot.waitUntil(lambda: not queue.is_loading() and queue.table.rowCount() == 3, timeout=10000)
    assert queue.progress_label.text() == "0 of 3 done this month"
    assert not review.rules.new_button.isEnabled()

    # Double-click the first call: the call view opens on it, the Evaluation tab at hand.
    first = queue.shown_items()[0]
    queue.table.cellDoubleClicked.emit(0, 1)
    view = window.call_view
    # (The centre's calls have no recordings: the view shows the call without its audio.)
    qtbot.waitUntil(lambda: window.showing_call() and view.call() is not None, timeout=20000)
    assert view.call().id == first.call_id
    view.review_tabs.setCurrentWidget(view.evaluation)
    panel = view.evaluation
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=10000)
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.pages.currentIndex() == 1, timeout=10000)
    for row in panel.rows:
        if not row.item.bonus:
            panel.answer(row.item.key, row.item.passing())
    assert panel.submit_button.isEnabled()
    with qtbot.waitSignal(panel.step_done, timeout=10000):
        panel.submit()

    # Back to the queue it came from: that call is done, the others still to do.
    view.back_requested.emit()
    assert window.current_area() == "review"
    queue.refresh()
    qtbot.waitUntil(lambda: queue.progress_label.text() == "1 of 3 done this month", timeout=10000)
    done = next(i for i in queue.shown_items() if i.call_id == first.call_id)
    assert queue.status_text(done) == "Done"
    with ui_db.session() as s:
        mine = {i.call_id: i for i in assignments.my_queue(s, REVIEWER.name)}
    assert mine[first.call_id].status == "done" and sum(i.status == "done" for i in mine.values()) == 1
