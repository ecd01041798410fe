"""The Jobs panel: the queue's jobs and progress, refreshed without losing the selection;
cancel, retry and clear; the status-bar summary; a screenshot mid-batch.

The queue is real (SQLite, the domain's queue functions); its workers are played by
the test ("on another machine"), so every state is reached deterministically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy import select
from ui_data import make_window

from qa_desk.settings import Settings
from qa_desk.store.models import Call
from qa_desk.store.transcripts import UtteranceRow, replace_transcript
from qa_desk.transcription import queue
from qa_desk.transcription.runner import ResolvedModel
from qa_desk.transcription.service import JobRow, TranscriptionService
from qa_desk.ui.jobs_model import (
    CALL,
    DURATION,
    ERROR,
    FINISHED,
    PROGRESS,
    PROGRESS_ROLE,
    STARTED,
    STATUS,
    WORKER,
    JobsTableModel,
)
from qa_desk.ui.jobs_panel import JobsPanel
from qa_desk.ui.services import Services
from qa_desk.ui.transcription_control import TranscriptionControl

MISSING = "/recordings/2026-11/李娜_20261102-080700_13800000001.wav: recording not found (moved, or not reachable from this computer)"


class WorkersElsewhere(TranscriptionService):
    """The queue with no worker threads in this window: jobs wait until the test
    (playing a worker on another machine) claims them."""

    def start(self) -> int:
        return queue.requeue_orphans(self.db)


def some_model(name, language):
    return ResolvedModel("vosk-model-small-cn-0.22", "zh", Path("/models/vosk-model-small-cn-0.22"))


def elsewhere(db) -> WorkersElsewhere:
    settings = Settings()
    return WorkersElsewhere(db, load_settings=lambda: settings, resolve=some_model, workers=2)


def services_elsewhere(db) -> Services:
    return Services(Settings(), db, transcription=elsewhere(db), new_transcription=elsewhere)


def call_ids(db) -> list[int]:
    with db.session() as s:
        return list(s.execute(select(Call.id).order_by(Call.started_at.desc(), Call.id.desc())).scalars())


def claim(db, job_id: int, progress: float = 0.0, worker: str = "qa-pc-07:4242:0") -> queue.ClaimedJob:
    job = queue.claim(db, worker, only=[job_id])
    assert job is not None
    if progress:
        assert queue.renew(db, job.id, worker, progress) in ("ok", "cancel")
    return job


def finish(db, job: queue.ClaimedJob, speakers=("agent", "customer")) -> None:
    with db.session() as s:
        assert queue.finish(s, job)
        replace_transcript(s, job.call_id, engine="vosk", model_name="vosk-model-small-cn-0.22", language="zh",
                           utterances=[
                               UtteranceRow(speaker, 1.0 + 3 * i, 2.5 + 3 * i, text,
                                            [{"word": text, "start": 1.0 + 3 * i, "end": 2.5 + 3 * i, "conf": 0.9}])
                               for i, (speaker, text) in enumerate(zip(speakers, ("您好请问有什么可以帮您", "我的账单有问题")))
                           ])


def wait_looked(qtbot, control: TranscriptionControl) -> None:
    """Until the changes asked for and a fresh look at the queue have landed."""
    qtbot.waitUntil(lambda: not control.is_busy(), timeout=5000)
    seen = []
    control.snapshot_changed.connect(seen.append)
    control.poll()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    control.snapshot_changed.disconnect(seen.append)


def make_panel(qtbot, db):
    control = TranscriptionControl(elsewhere(db))
    panel = JobsPanel(control)
    qtbot.addWidget(panel)
    panel.resize(1100, 320)
    panel.show()
    return control, panel


def select_jobs(panel: JobsPanel, job_ids: list[int]) -> None:
    panel.view.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for job_id in job_ids:
        panel.view.selectionModel().select(panel.model.index(panel.model.row_of(job_id), 0), flags)


def statuses(panel: JobsPanel) -> dict[int, str]:
    return {panel.model.job(r).id: panel.model.index(r, STATUS).data() for r in range(panel.model.rowCount())}


# --- the model -------------------------------------------------------------------------------


def row(job_id: int, status: str = "queued", progress: float = 0.0) -> JobRow:
    return JobRow(job_id, 100 + job_id, f"call-{job_id}.wav", 60.0, status, progress, None, None, None,
                  datetime(2026, 11, 3, 9, 0), None, None)


def test_the_model_keeps_selection_through_refreshes(qtbot):
    model = JobsTableModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.set_jobs([row(1), row(2), row(3), row(4)])
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.selectionModel().select(model.index(2, 0), flags)  # job 3
    changes = []
    model.dataChanged.connect(lambda a, b: changes.append(a.row()))
    model.modelReset.connect(lambda: changes.append("reset"))

    model.set_jobs([row(1), row(2, "running", 0.5), row(3), row(4)])  # progress only
    assert changes == [1]
    assert model.index(1, PROGRESS).data(PROGRESS_ROLE) == 0.5 and model.index(1, PROGRESS).data() == "50%"
    # Job 3 starts running (moves to the top), 1 finishes and moves down, 5 is new, 4 is cleared.
    model.set_jobs([row(3, "running", 0.1), row(2, "running", 0.6), row(5), row(1, "done", 1.0)])
    assert "reset" not in changes
    assert [model.job(r).id for r in range(model.rowCount())] == [3, 2, 5, 1]
    selected = [model.job(i.row()).id for i in view.selectionModel().selectedRows()]
    assert selected == [3]
    assert model.index(0, STATUS).data() == "Transcribing" and model.index(3, STATUS).data() == "Done"
    model.set_jobs([])
    assert model.rowCount() == 0 and not view.selectionModel().selectedRows()


# --- the panel on a real queue ------------------------------------------------------------------


def test_panel_shows_progress_errors_and_acts_on_jobs(qtbot, ui_db, add_calls):
    add_calls(8)
    ids = call_ids(ui_db)
    control, panel = make_panel(qtbot, ui_db)
    service = control.service()
    wait_looked(qtbot, control)
    assert panel.model.rowCount() == 0 and panel.summary.text() == "No transcription jobs"
    assert not panel.cancel_all_button.isEnabled() and not panel.clear_button.isEnabled()

    jobs = service.transcribe(ids[:5]).queued
    wait_looked(qtbot, control)
    assert set(statuses(panel).values()) == {"Queued"}
    assert panel.summary.text().startswith("0 of 5 calls finished")
    assert panel.status_text().startswith("Transcription: 0 of 5 · 0%")
    assert panel.cancel_all_button.isEnabled() and not panel.cancel_button.isEnabled()

    # A worker takes two calls; one fails on a missing recording, one is done.
    running = claim(ui_db, jobs[0], 0.42)
    failed = claim(ui_db, jobs[1])
    queue.fail(ui_db, failed, MISSING)
    finish(ui_db, claim(ui_db, jobs[2]))
    wait_looked(qtbot, control)
    assert statuses(panel) == {jobs[0]: "Transcribing", jobs[3]: "Queued", jobs[4]: "Queued",
                               jobs[2]: "Done", jobs[1]: "Failed"}
    at = panel.model.row_of(jobs[0])
    assert panel.model.index(at, PROGRESS).data() == "42%"
    assert panel.model.index(at, PROGRESS).data(PROGRESS_ROLE) == 0.42
    bad = panel.model.row_of(jobs[1])
    assert panel.model.index(bad, ERROR).data(Qt.ItemDataRole.ToolTipRole) == MISSING
    assert panel.model.index(bad, CALL).data() == panel.model.job(bad).file_name
    assert panel.summary.text().startswith("2 of 5 calls finished · 1 transcribing")
    assert panel.overall.value() > 0
    assert "Failed: 1" in panel.counts.text() and "Done: 1" in panel.counts.text()
    assert panel.retry_failed_button.isEnabled() and panel.clear_button.isEnabled()

    # Cancel one waiting call, then everything: the running one is asked to stop.
    select_jobs(panel, [jobs[3]])
    assert panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    wait_looked(qtbot, control)
    assert statuses(panel)[jobs[3]] == "Cancelled"
    assert [panel.model.job(i.row()).id for i in panel.view.selectionModel().selectedRows()] == [jobs[3]]
    assert panel.retry_button.isEnabled() and not panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.cancel_all_button, Qt.MouseButton.LeftButton)
    wait_looked(qtbot, control)
    assert statuses(panel)[jobs[4]] == "Cancelled"
    assert queue.renew(ui_db, running.id, running.worker, 0.5) == "cancel"  # the worker hears it…
    queue.cancelled(ui_db, running)  # …and stops
    wait_looked(qtbot, control)
    assert statuses(panel)[jobs[0]] == "Cancelled"
    assert not panel.cancel_all_button.isEnabled()
    assert panel.status_text() == "Transcription: 1 failed"

    # Resume the cancelled one, retry the failed one.
    qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    wait_looked(qtbot, control)
    assert statuses(panel)[jobs[3]] == "Queued"
    qtbot.mouseClick(panel.retry_failed_button, Qt.MouseButton.LeftButton)
    wait_looked(qtbot, control)
    assert statuses(panel)[jobs[1]] == "Queued" and statuses(panel)[jobs[0]] == "Cancelled"
    assert panel.model.index(panel.model.row_of(jobs[1]), ERROR).data() == ""

    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    wait_looked(qtbot, control)
    assert set(statuses(panel)) == {jobs[1], jobs[3]}

    with qtbot.waitSignal(panel.call_requested, timeout=1000) as opened:
        index = panel.model.index(panel.model.row_of(jobs[1]), CALL)
        panel.view.doubleClicked.emit(index)
    assert opened.args == [ids[1]]


def test_the_status_text_reads_like_a_sentence(qtbot, ui_db):
    control, panel = make_panel(qtbot, ui_db)
    assert panel.eta_text(20) == "less than a minute left"
    assert panel.eta_text(61) == "about 1 min left"
    assert panel.eta_text(42 * 60) == "about 42 min left"
    assert panel.eta_text(2 * 3600 + 5 * 60) == "about 2 h 5 min left"
    assert panel.status_text() == "Transcription"


def test_statuses_reach_the_library_without_reloading_it(qtbot, ui_db, add_calls):
    add_calls(30)
    window = make_window(qtbot, services_elsewhere(ui_db))
    model = window.calls_page.model
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    first, second = model.call_id(0), model.call_id(1)
    jobs = window.services.transcription.transcribe([first, second]).queued
    window.transcription.poll()
    from qa_desk.ui.calls_model import TRANSCRIPT

    qtbot.waitUntil(lambda: model.index(0, TRANSCRIPT).data() == "Queued", timeout=5000)
    assert model.index(1, TRANSCRIPT).data() == "Queued" and model.index(2, TRANSCRIPT).data() == "—"
    assert window.jobs_panel.isVisible()  # a batch began: the panel shows itself
    assert window.transcription_button.isVisible()
    assert window.transcription_button.text().startswith("Transcription: 0 of 2")
    finish(ui_db, claim(ui_db, jobs[0]))
    queue.fail(ui_db, claim(ui_db, jobs[1]), MISSING)
    qtbot.waitUntil(lambda: model.index(1, TRANSCRIPT).data() == "Failed", timeout=5000)
    assert model.index(0, TRANSCRIPT).data() == "Done"
    assert resets == []  # two rows changed, the library was not fetched again
    assert window.transcription_button.text() == "Transcription: 1 failed"
    # The View menu's action (and the status-bar button) show and hide the panel.
    window.jobs_action.trigger()
    assert not window.jobs_panel.isVisible()
    window.transcription_button.click()
    assert window.jobs_panel.isVisible()


# --- screenshots ---------------------------------------------------------------------------------

ZH = {
    # Window and library
    "Calls": "通话", "Review": "质检", "Scorecards": "评分卡", "Clips": "片段", "Forms": "评估表", "Settings": "设置",
    "&File": "文件(&F)", "&View": "视图(&V)", "&Help": "帮助(&H)",
    "Agent": "坐席", "Team": "班组", "Start time": "开始时间", "Duration": "时长", "Direction": "方向",
    "Queue": "技能组", "Customer": "客户", "Status": "状态", "Transcript": "转写", "File": "文件",
    "Inbound": "呼入", "Outbound": "呼出", "Imported": "已导入", "Transcribed": "已转写", "Reviewed": "已质检",
    "Transcribe": "转写", "{0} calls": "{0} 通", "Database: {0}": "数据库：{0}",
    "All agents": "全部坐席", "All teams": "全部班组", "Any time": "任意时间",
    # Transcription states
    "Queued": "排队中", "Transcribing": "转写中", "Done": "已完成", "Failed": "失败", "Cancelled": "已取消",
    # Jobs panel
    "Transcription jobs": "转写任务", "Call": "通话", "Progress": "进度", "Length": "时长", "Model": "模型",
    "Worker": "工作进程", "Started": "开始", "Finished": "结束", "Error": "错误",
    "Cancel selected": "取消所选", "Cancel all": "全部取消", "Retry selected": "重试所选",
    "Retry all failed": "重试全部失败项", "Clear finished": "清除已结束",
    "{0} of {1} calls finished": "已完成 {0} / {1} 通", "{0} transcribing": "{0} 通转写中",
    "about {0} min left": "约剩 {0} 分钟", "less than a minute left": "不到一分钟",
    "{0}: {1}": "{0}：{1}", "Transcription: {0} of {1}": "转写：{0} / {1}",
}


class Chinese:
    """A stand-in for the shipped zh_CN translation (not written yet): the window's
    strings in Chinese, to see that nothing is clipped in the other language."""

    def __init__(self, app):
        from PySide6.QtCore import QTranslator

        class Translator(QTranslator):
            def translate(self, context, source, disambiguation=None, n=-1):  # noqa: N802
                return ZH.get(source)  # None: not translated, the English stays

            def isEmpty(self):  # noqa: N802
                return False

        self.app = app
        self.translator = Translator()

    def __enter__(self):
        self.app.installTranslator(self.translator)
        return self

    def __exit__(self, *exc):
        self.app.removeTranslator(self.translator)


def mid_batch(qtbot, ui_db, window) -> None:
    """Eight calls queued: three done, two being transcribed, one failed, two waiting."""
    ids = [window.calls_page.model.call_id(r) for r in range(8)]
    jobs = window.services.transcription.transcribe(ids).queued
    wait_looked(qtbot, window.transcription)
    for job_id in jobs[:3]:
        finish(ui_db, claim(ui_db, job_id, worker="qa-pc-07:4242:0"))
    path = window.calls_page.model.call_at(3).file_path
    queue.fail(ui_db, claim(ui_db, jobs[3], worker="qa-pc-07:4242:1"),
               f"{path}: recording not found (moved, or not reachable from this computer)")
    claim(ui_db, jobs[4], 0.35, worker="qa-pc-07:4242:0")
    claim(ui_db, jobs[5], 0.71, worker="qa-pc-12:1188:0")
    wait_looked(qtbot, window.transcription)
    panel = window.jobs_panel
    qtbot.waitUntil(panel.isVisible, timeout=5000)
    window.resizeDocks([panel], [300], Qt.Orientation.Vertical)
    panel.view.selectRow(panel.model.row_of(jobs[4]))  # the failed one stays red
    qtbot.wait(50)


def test_screenshot_jobs_panel_mid_batch(qtbot, ui_db, add_calls, screenshots_dir):
    add_calls(40)
    window = make_window(qtbot, services_elsewhere(ui_db))
    mid_batch(qtbot, ui_db, window)
    panel = window.jobs_panel
    assert panel.summary.text().startswith("4 of 8 calls finished · 2 transcribing")
    assert window.transcription_button.text().startswith("Transcription: 4 of 8 · ")
    failed = next(r for r in range(panel.model.rowCount()) if panel.model.job(r).status == "failed")
    error = panel.model.index(failed, ERROR)
    assert error.data() == "recording not found (moved, or not reachable from this computer)"
    assert error.data(Qt.ItemDataRole.ToolTipRole).startswith("/recordings/2026-11/")  # the whole text
    assert window.grab().save(str(screenshots_dir / "jobs_panel.png"))


def test_screenshot_jobs_panel_in_chinese(qtbot, qapp, ui_db, add_calls, screenshots_dir):
    add_calls(40)
    with Chinese(qapp):
        window = make_window(qtbot, services_elsewhere(ui_db))
        mid_batch(qtbot, ui_db, window)
        panel = window.jobs_panel
        assert panel.windowTitle() == "转写任务" and panel.cancel_all_button.text() == "全部取消"
        for button in (panel.cancel_button, panel.cancel_all_button, panel.retry_button,
                       panel.retry_failed_button, panel.clear_button, window.calls_page.transcribe_button):
            assert button.width() >= button.sizeHint().width(), button.text()
        header = panel.view.horizontalHeader()
        for column in range(panel.model.columnCount()):
            if panel.view.isColumnHidden(column):
                continue
            assert header.sectionSize(column) >= header.sectionSizeFromContents(column).width(), column
        for column in (STATUS, PROGRESS, DURATION, WORKER, STARTED, FINISHED):  # whole words and times
            assert header.sectionSize(column) >= panel.view.sizeHintForColumn(column), column
        assert window.grab().save(str(screenshots_dir / "jobs_panel_zh.png"))
