"""The window's offer of a demo centre: asked only for an empty library (or just the sample
calls), built off the GUI thread with progress, cancellable without writing anything."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy import func, select

from qa_desk.demo import DemoReport
from qa_desk.samples import load_sample_calls
from qa_desk.store.models import Call, Evaluation, Team
from qa_desk.ui.demo_offer import DemoCentreJob, offer_demo_centre, summary_text

from ui_data import insert_calls


def _parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _counts(db) -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Team, Call, Evaluation))


def test_yes_builds_the_demo_centre_with_progress(qtbot, services):
    load_sample_calls(services.db)  # "Load sample calls" has just finished
    offer = offer_demo_centre(_parent(qtbot), services, agents=4, months=1)
    qtbot.waitUntil(lambda: offer.question is not None, timeout=10000)
    box = offer.question
    assert box.isVisible() and "demo centre" in box.text() and "evaluations" in box.text()
    assert box.informativeText()
    progress = []
    with qtbot.waitSignal(offer.built, timeout=120000) as built:
        box.button(QMessageBox.StandardButton.Yes).click()
        offer.job.progress.connect(lambda done, total: progress.append((done, total)))
    report = built.args[0]
    assert isinstance(report, DemoReport) and len(report.agents) == 4
    # The progress reaches every call. (Its last signal crosses from the worker thread by
    # another path than the result: on a loaded machine it was seen to arrive just after.)
    qtbot.waitUntil(lambda: progress and progress[-1][0] == progress[-1][1] == report.calls, timeout=5000)
    assert offer.progress_dialog is None  # closed when done
    teams, calls, evaluations = _counts(services.db)
    assert (teams, calls, evaluations) == (len(report.teams), report.calls + 4, report.evaluation_count)
    assert f"{report.calls} calls" in summary_text(report)


def test_no_leaves_the_library_alone(qtbot, services):
    offer = offer_demo_centre(_parent(qtbot), services)
    qtbot.waitUntil(lambda: offer.question is not None, timeout=10000)
    with qtbot.waitSignal(offer.declined, timeout=5000):
        offer.question.button(QMessageBox.StandardButton.No).click()
    assert offer.job is None
    assert _counts(services.db) == (0, 0, 0)


def test_not_offered_when_the_library_holds_real_calls(qtbot, services):
    insert_calls(services.db, 3)
    offer = offer_demo_centre(_parent(qtbot), services)
    with qtbot.waitSignal(offer.not_offered, timeout=10000) as blocker:
        pass
    assert "3 calls other than the sample calls" in blocker.args[0]
    assert offer.question is None


def test_cancelling_the_build_writes_nothing(qtbot, ui_db):
    job = DemoCentreJob(ui_db, agents=200, months=3)
    with qtbot.waitSignal(job.cancelled, timeout=30000):
        job.start()
        job.progress.connect(lambda done, total: job.cancel() if done >= 20 else None)
    assert job.is_done()
    assert _counts(ui_db) == (0, 0, 0)


def test_a_refused_build_is_reported(qtbot, ui_db):
    insert_calls(ui_db, 1)
    job = DemoCentreJob(ui_db, agents=2, months=1)
    with qtbot.waitSignal(job.failed, timeout=30000) as failed:
        job.start()
    assert "already holds" in failed.args[0]
