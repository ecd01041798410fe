"""Scoring a calibration sheet from the window: the Calibration tab opens the call on the
reviewer's blind sheet, never their normal evaluation."""

from __future__ import annotations

from calibration_data import WANG, three_reviewer_session
from ui_data import make_window

from qa_desk.store.models import Evaluation


def test_score_requested_opens_the_blind_sheet(qtbot, services):
    session_id, (call_id,) = three_reviewer_session(services.db, submit=False)
    services.user = WANG
    window = make_window(qtbot, services)
    window.show_area("review")
    window.calibration_page.score_requested.emit(session_id, call_id)
    panel = window.call_view.evaluation
    qtbot.waitUntil(lambda: panel.pages.currentIndex() == 1 and panel._view is not None, timeout=10000)
    qtbot.wait(200)  # nothing arriving later replaces it
    assert panel.calibration_banner.isVisible() and panel.calibration_session() == session_id
    with services.db.session() as s:
        shown = s.get(Evaluation, panel._view.id)
        assert (shown.calibration_session_id, shown.reviewer_name) == (session_id, WANG.name)
    assert window.call_view.review_tabs.currentWidget() is panel
    window.call_view.back_button.click()
    assert window.current_area() == "review"
