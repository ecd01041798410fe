"""The Calibration tab of the Review area: sessions, scoring them, and their results.

Left, the sessions the signed-in person may see (a lead or admin: all of them; a
reviewer: the sessions they are invited to, with their progress). Right, the selected
session (``CalibrationResults``): its calls, a button to score the selected call
(``score_requested(session_id, call_id)``: the window opens the call view on the
person's calibration sheet), and the results grid when the blind rule allows it.

A lead starts sessions ("New session…"), closes them (no new sheets; every participant
then sees the results) and exports the calibration report to Excel. Every read and
change runs off the GUI thread; who may do what is checked by the store, the buttons
are only greyed out to match.

The acting user is given as an ``Actor`` or a callable returning one (the window's
signed-in user); without either, the window's signed-in user (``acting.signed_in``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter, QStackedWidget,
    QStyle, QVBoxLayout, QWidget,
)

from ..permissions import Actor, can
from .acting import signed_in
from .area_page import AreaPage
from .calibration_results import CalibrationResults
from .calibration_start_dialog import CalibrationStartDialog, load_choices
from .job_progress import JobProgress
from .jobs import JobRunner, run_job

_ROLE = Qt.ItemDataRole.UserRole
_USER_ERRORS = (ValueError, LookupError, PermissionError)


def _load_sessions(db, actor):
    from ..store.calibration import list_sessions

    with db.session() as session:
        return list_sessions(session, actor)


def _load_view(db, session_id: int, actor):
    from ..store.calibration_results import session_view

    with db.session() as session:
        return session_view(session, session_id, actor)


class CalibrationPage(QWidget):
    score_requested = Signal(int, int)  # session id, call id: open the call on the actor's calibration sheet
    sessions_loaded = Signal()  # the list is filled (tests and the window wait on it)
    view_loaded = Signal(int)  # a session's results are shown

    def __init__(self, services, actor=None, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._actor_source = actor
        self._list_job: JobRunner | None = None
        self._view_job: JobRunner | None = None
        self._action_job: JobRunner | None = None
        self._sessions: list = []
        self._select_after: int | None = None
        self._preset_calls: list[int] | None = None

        title = QLabel(self.tr("Calibration"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        self.new_button = QPushButton(self.tr("New session…"))
        self.new_button.setObjectName("newCalibration")
        self.new_button.clicked.connect(self.new_session)
        self.close_button = QPushButton(self.tr("Close session"))
        self.close_button.setObjectName("closeCalibration")
        self.close_button.setToolTip(self.tr("No new sheets after closing; every participant then sees the results"))
        self.close_button.clicked.connect(self.close_session)
        self.export_button = QPushButton(self.tr("Export report…"))
        self.export_button.setObjectName("exportCalibration")
        self.export_button.setToolTip(self.tr("Every reviewer's deviation and agreement rate, with each session's "
                                              "results, as an Excel workbook"))
        self.export_button.clicked.connect(self.export_report)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        toolbar = QHBoxLayout()
        toolbar.addWidget(title)
        toolbar.addStretch(1)
        for button in (self.new_button, self.close_button, self.export_button, self.refresh_button):
            toolbar.addWidget(button)
        self.message = QLabel()
        self.message.setObjectName("calibrationMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.export_progress = JobProgress()
        self.export_progress.setObjectName("calibrationExportProgress")

        self.session_list = QListWidget()
        self.session_list.setObjectName("calibrationSessions")
        self.session_list.setWordWrap(True)
        self.session_list.currentItemChanged.connect(self._selected)
        self.results = CalibrationResults()
        self.results.score_requested.connect(self.score_requested)
        split = QSplitter()
        split.setObjectName("calibrationSplitter")
        split.addWidget(self.session_list)
        split.addWidget(self.results)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 780])
        # No session to show (none yet, or the role takes no part): why, and the next step.
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
        self.empty.setObjectName("calibrationEmpty")
        self.empty_new_button = self.empty.add_action(self.tr("New session…"), primary=True)
        self.empty_new_button.clicked.connect(lambda: self.new_session())
        self.content = QStackedWidget()
        self.content.addWidget(split)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.message)
        layout.addWidget(self.export_progress)
        layout.addWidget(self.content, 1)
        self._update_buttons()

    # --- who is acting ---------------------------------------------------------------------------------

    def actor(self) -> Actor | None:
        source = self._actor_source
        if callable(source):
            return source()
        if isinstance(source, Actor):
            return source
        return signed_in(self._services)

    def set_actor(self, actor) -> None:
        """Another person signed in: their sessions, their blind view."""
        self._actor_source = actor
        self.refresh()

    def _update_buttons(self) -> None:
        actor = self.actor()
        manager = can(actor, "calibration.manage")
        self.new_button.setVisible(manager)
        self.export_button.setVisible(manager)
        view = self.results._view
        self.close_button.setVisible(manager)
        self.close_button.setEnabled(bool(view and view.can_manage and view.summary.status == "open"))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- the sessions ----------------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sessions and (self._list_job is None or self._list_job.is_done()):
            self.refresh()

    def refresh(self) -> None:
        actor = self.actor()
        self._update_buttons()
        if actor is None or not (can(actor, "calibration.score") or can(actor, "calibration.manage")):
            self._sessions = []
            self.session_list.clear()
            self._show_empty()  # nobody signed in, or a role the store would refuse the list
            return
        if self._list_job is not None and not self._list_job.is_done():
            self._list_job.abandon()
        db = self._services.db
        self._list_job = run_job(lambda ctx: _load_sessions(db, actor), on_finished=self._sessions_loaded,
                                 on_failed=self._say, expected=_USER_ERRORS, name="calibration sessions")

    def _sessions_loaded(self, sessions) -> None:
        keep = self._select_after or self.current_session_id()
        self._select_after = None
        self._sessions = list(sessions)
        self.session_list.blockSignals(True)
        self.session_list.clear()
        for s in self._sessions:
            progress = (self.tr("you: {0} of {1} calls").format(s.my_submitted, len(s.calls))
                        if s.my_submitted is not None else self.tr("{0} of {1} sheets").format(s.submitted, s.expected))
            state = self.tr("open") if s.status == "open" else self.tr("closed")
            item = QListWidgetItem(f"{s.name}\n{s.form_name} · {state} · {progress}")
            item.setData(_ROLE, s.id)
            self.session_list.addItem(item)
        self.session_list.blockSignals(False)
        self._say("")
        self._show_empty()
        row = next((i for i, s in enumerate(self._sessions) if s.id == keep), 0 if self._sessions else -1)
        self.session_list.setCurrentRow(row)
        if row < 0:
            self.results.show_view(None)
        self.sessions_loaded.emit()

    def _show_empty(self) -> None:
        """The sessions when there are some; otherwise why there are none, and for a lead
        the way to start one."""
        actor = self.actor()
        manages = can(actor, "calibration.manage")
        self.content.setCurrentWidget(self.content.widget(0) if self._sessions else self.empty)
        about = self.tr("In a calibration session, reviewers score the same calls blind, then compare their "
                        "scores to agree on how the form is read.")
        if actor is None:
            title, text = self.tr("Nobody is signed in"), self.tr("Sign in to see calibration sessions.")
        elif manages:
            title = self.tr("No calibration sessions yet")
            text = about + "\n" + self.tr("Start one with New session…: a form, a few calls (their ids are shown "
                                         "in Calls) and the reviewers to invite.")
        elif can(actor, "calibration.score"):
            title = self.tr("No calibration sessions for you yet")
            text = about + "\n" + self.tr("A team lead starts the sessions and invites reviewers; the ones you are "
                                         "invited to appear here, for you to score each call on your own sheet.")
        else:
            title = self.tr("Calibration is for reviewers and team leads")
            text = about + "\n" + self.tr("Team leads start the sessions and invite reviewers; your role takes no "
                                         "part in them.")
        self.empty.set_title(title)
        self.empty.set_text(text)
        self.empty_new_button.setVisible(manages)

    def current_session_id(self) -> int | None:
        item = self.session_list.currentItem()
        return int(item.data(_ROLE)) if item is not None else None

    def _selected(self, *_args) -> None:
        self.show_session(self.current_session_id())

    def show_session(self, session_id: int | None) -> None:
        actor = self.actor()
        if session_id is None or actor is None:
            self.results.show_view(None)
            self._update_buttons()
            return
        if self._view_job is not None and not self._view_job.is_done():
            self._view_job.abandon()
        db = self._services.db
        self._view_job = run_job(lambda ctx: _load_view(db, session_id, actor), on_finished=self._view_loaded,
                                 on_failed=self._say, expected=_USER_ERRORS, name="calibration results")

    def _view_loaded(self, view) -> None:
        if view.summary.id != self.current_session_id():
            return  # another session was selected meanwhile
        self.results.show_view(view)
        self._update_buttons()
        self.view_loaded.emit(view.summary.id)

    def sheet_changed(self) -> None:
        """The window calls this after a calibration sheet was saved or submitted: the
        progress and, once submitted, the revealed results change."""
        self.refresh()

    # --- a lead's actions ------------------------------------------------------------------------------

    def new_session(self, call_ids: list[int] | None = None) -> None:
        """Load the forms and reviewers, then ask (``call_ids`` pre-fills the calls)."""
        actor, db = self.actor(), self._services.db
        if actor is None:
            return
        # (A button's clicked(bool) lands here too: only a list is calls.)
        self._preset_calls = list(call_ids) if isinstance(call_ids, (list, tuple)) else None
        self._action_job = run_job(lambda ctx: load_choices(db, actor), on_finished=self._ask, on_failed=self._say,
                                   expected=_USER_ERRORS, name="calibration choices")

    def _ask(self, choices) -> None:
        self.start_dialog = CalibrationStartDialog(self._services.db, self.actor(), choices,
                                                   call_ids=self._preset_calls, parent=self)
        if self.start_dialog.exec() == QDialog.DialogCode.Accepted and self.start_dialog.summary is not None:
            self._select_after = self.start_dialog.summary.id
            self.refresh()

    def close_session(self) -> None:
        session_id, actor, db = self.current_session_id(), self.actor(), self._services.db
        if session_id is None:
            return

        def close(ctx):
            from ..store.calibration import close_session

            with db.session() as session:
                return close_session(session, session_id, actor)

        self._action_job = run_job(close, on_finished=self._closed, on_failed=self._say,
                                   expected=_USER_ERRORS, name="close calibration")

    def _closed(self, _summary) -> None:
        self.refresh()

    def export_report(self, path: str | Path | None = None) -> None:
        """The calibration report of every session (all time) as an Excel workbook."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export calibration report"), "calibration.xlsx",
                                                  self.tr("Excel workbook (*.xlsx)"))
            if not path:
                return
        actor, db = self.actor(), self._services.db

        def export(ctx):
            from ..reports.calibration_export import export_calibration

            return export_calibration(db, Path(path), actor, ctx=ctx)

        self._say("")
        self.export_button.setEnabled(False)
        self._action_job = run_job(export, on_finished=self._exported, on_failed=self._export_failed,
                                   on_cancelled=self._export_cancelled, expected=_USER_ERRORS,
                                   name="calibration export")
        self.export_progress.follow(self._action_job, self.tr("Exporting the calibration report to {0}…").format(
            Path(path).name))

    def _exported(self, report) -> None:
        self.export_button.setEnabled(True)
        self._say(report.summary())

    def _export_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self._say(self.tr("The calibration report was not exported: {0}").format(message))

    def _export_cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self._say(self.tr("The export was cancelled; nothing was written."))


__all__ = ["CalibrationPage"]
