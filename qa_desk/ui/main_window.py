"""The main window: navigation on the left, one area at a time on the right.

The window owns the areas and the actions that cross them (import, sample calls,
reconnecting to another database); each area stays a widget of its own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from functools import partial

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QToolButton,
    QWidget,
)

from .. import __version__
from ..samples import load_sample_calls
from ..store.database import Database, redact
from .audit_page import AuditPage
from .calibration_page import CalibrationPage
from .review_page import ReviewPage
from .users_page import UsersPage
from .calls_page import CallsPage
from .clips_page import ClipsPage
from .demo_offer import offer_demo_centre, summary_text
from .elided_label import ElidedLabel
from .acting import permitted
from .import_dialog import ImportDialog
from .flag_checks import FlagChecker
from .forms_page import FormsPage
from .job_progress import JobProgress
from .jobs import JobRunner, run_job
from .jobs_panel import JobsPanel
from .layout_memory import LayoutMemory
from .services import Services
from .scorecards_page import ScorecardsPage
from .settings_page import SettingsPage
from .shortcuts_help import ShortcutsHelp
from .transcription_control import TranscriptionControl

if TYPE_CHECKING:
    from .call_view import CallView

log = logging.getLogger(__name__)

AREAS = ("calls", "review", "scorecards", "clips", "forms", "settings")
STATUS_MESSAGE_MS = 10000
NAV_MIN_WIDTH, NAV_MAX_WIDTH = 112, 180  # the navigation list fits its longest area name within these


class MainWindow(QMainWindow):
    """QA Desk's window over the services the composition root built."""

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.import_dialog: ImportDialog | None = None
        self._samples_job: JobRunner | None = None
        self._reconnect_job: JobRunner | None = None
        self.call_view: CallView | None = None  # built when the first call is opened
        self._came_from: str | None = None  # the area a call was opened from (Back returns there)
        self.model_problem_box: QMessageBox | None = None
        self._transcription_started = False
        self._batch_shown = False  # the Jobs panel opened itself for the work going on
        # Where played audio goes: None is the sound card; tests put a FakeOutput factory here.
        self.audio_output_factory = None
        self.setWindowTitle(self.tr("QA Desk"))
        self.resize(1280, 800)

        style = self.style()
        SP = QStyle.StandardPixmap
        self.calls_page = CallsPage(services.db)
        self.settings_page = SettingsPage(services)
        self.forms_page = FormsPage(services)
        self.scorecards_page = ScorecardsPage(services)
        self.review_page = ReviewPage(services)
        # The Calls area is the library, or one call opened from it (with a way back):
        # a reviewer goes library → call → library all day, keeping filters and place.
        self.calls_area = QStackedWidget()
        self.calls_area.addWidget(self.calls_page)
        pages: dict[str, QWidget] = {
            "calls": self.calls_area,
            "review": self.review_page,
            "scorecards": self.scorecards_page,
            "clips": self._build_clips_area(),
            "forms": self.forms_page,
            "settings": self.settings_page,
        }
        labels = {
            "calls": (self.tr("Calls"), SP.SP_FileDialogDetailedView),
            "review": (self.tr("Review"), SP.SP_MediaPlay),
            "scorecards": (self.tr("Scorecards"), SP.SP_FileDialogInfoView),
            "clips": (self.tr("Clips"), SP.SP_MediaSeekForward),
            "forms": (self.tr("Forms"), SP.SP_FileDialogContentsView),
            "settings": (self.tr("Settings"), SP.SP_ComputerIcon),
        }
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        # A little air around each area's name; the border separates it from the area.
        self.nav.setStyleSheet(
            "QListWidget#navigation { border-right: 1px solid palette(mid); padding-top: 6px; }"
            "QListWidget#navigation::item { padding-left: 10px; }"
        )
        self.stack = QStackedWidget()
        for key in AREAS:
            text, pixmap = labels[key]
            item = QListWidgetItem(style.standardIcon(pixmap), text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 36))
            self.nav.addItem(item)
            pages[key].setObjectName(f"{key}Area")
            self.stack.addWidget(pages[key])
        self._fit_navigation()
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.currentRowChanged.connect(self._area_shown)
        self.nav.setCurrentRow(0)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # Transcription: the queue's worker threads run while the window is open.
        self.transcription = TranscriptionControl(services.transcription, self)
        self.jobs_panel = JobsPanel(self.transcription, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_panel)
        self.jobs_panel.hide()

        self._build_menus()
        self._build_status_bar()

        self.calls_page.import_requested.connect(self.open_import_dialog)
        self.calls_page.load_samples_requested.connect(self.load_sample_calls)
        self.calls_page.speech_models_requested.connect(lambda: self.show_settings("speech_models"))
        self.calls_page.team_database_requested.connect(lambda: self.show_settings("database"))
        self.calls_page.call_activated.connect(self._call_activated)
        self.calls_page.message.connect(self.show_message)
        self.settings_page.database_change_requested.connect(self.reconnect)
        self.calls_page.transcribe_requested.connect(self.transcribe_calls)
        self.calls_page.transcribe_pending_requested.connect(self.transcribe_pending)
        self.jobs_panel.call_requested.connect(self.open_call)
        self.scorecards_page.call_requested.connect(self.open_call)
        self.review_page.call_requested.connect(self.open_call)
        # Calibration and the audit log are tabs of the Review area (leads use all three).
        self.calibration_page = CalibrationPage(services)
        self.calibration_page.score_requested.connect(lambda s, c: self.open_call(c, calibration_session=s))
        self.review_page.add_tab(self.calibration_page, self.tr("Calibration"))
        self.audit_page = AuditPage(services)
        self.review_page.add_tab(self.audit_page, self.tr("Audit log"))
        self.users_page = UsersPage(services)
        self.review_page.add_tab(self.users_page, self.tr("Users"))
        self.review_page.message.connect(self.show_message)
        self.scorecards_page.message.connect(self.show_message)
        # An empty list's next step in another area (an empty queue: "pick any call in Calls").
        for page in (self.review_page, self.scorecards_page, self.clips_area):
            page.area_requested.connect(self.show_area)
        self.calls_page.call_moment_requested.connect(lambda c, t, q: self.open_call(c).show_moment(t, q))
        self.flag_checker = FlagChecker(services, self)
        self.flag_checker.batch_finished.connect(self._checks_done)
        self.flag_checker.batch_failed.connect(self._checks_failed)
        self.flag_checker.batch_cancelled.connect(self._checks_cancelled)
        self.flag_checker.call_checked.connect(self._call_checked)
        self.flag_checker.call_failed.connect(self._call_check_failed)
        # A new rulebook (or a new version of it): check the calls again, as a job.
        self.settings_page.rulebook.rulebook_changed.connect(lambda _path: self._check_all_calls())
        self.settings_page.rulebook.check_requested.connect(self._check_all_calls)
        self.transcription.message.connect(self.show_message)
        self.transcription.snapshot_changed.connect(self._queue_looked)
        self.transcription.statuses_changed.connect(self._transcript_statuses_changed)
        self._take_over_shortcuts(self.calls_page)
        # Size, place, splitters and columns as the reviewer left them (layout_memory.py).
        self.layout_memory = LayoutMemory(self)
        self.layout_memory.restore()

    # --- building -----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.import_action = self._action(self.tr("&Import recordings…"), self.open_import_dialog, "Ctrl+I")
        self.samples_action = self._action(self.tr("Load &sample calls"), self.load_sample_calls)
        self.export_action = self._action(self.tr("&Export scorecards…"), self.export_scorecards)
        self.settings_action = self._action(self.tr("S&ettings…"), lambda: self.show_area("settings"),
                                            QKeySequence.StandardKey.Preferences, "Ctrl+,")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._add(file_menu, self.import_action, self.samples_action, None, self.export_action, None,
                  self.settings_action, None, self.quit_action)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        self.find_action = self._action(self.tr("&Find…"), self.find, QKeySequence.StandardKey.Find, "Ctrl+F")
        self.find_action.setStatusTip(self.tr("Search this call's transcript, or the calls or clips listed"))
        self.search_said_action = self._action(self.tr("Search what was &said…"),
                                               self.calls_page.open_transcript_search, "Ctrl+Shift+F")
        self._add(edit_menu, self.find_action, self.search_said_action)

        view_menu = bar.addMenu(self.tr("&View"))
        # Ctrl+1…6: the areas in the order of the navigation list (browsers' tabs, IDEs' panes).
        self.area_actions: dict[str, QAction] = {}
        areas = QActionGroup(self)
        for number, key in enumerate(AREAS, start=1):
            action = self._action(self._area_name(key), partial(self.show_area, key), f"Ctrl+{number}")
            action.setCheckable(True)
            areas.addAction(action)
            self.area_actions[key] = action
            view_menu.addAction(action)
        self.nav.currentRowChanged.connect(self._menus_follow)
        self._menus_follow(self.nav.currentRow())
        view_menu.addSeparator()
        self.jobs_action = self.jobs_panel.toggleViewAction()
        self.jobs_action.setText(self.tr("&Transcription jobs"))
        self.jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        view_menu.addAction(self.jobs_action)
        self.full_screen_action = self._action(self.tr("&Full screen"),
                                               lambda: self.set_full_screen(self.full_screen_action.isChecked()),
                                               QKeySequence.StandardKey.FullScreen, "F11")
        self.full_screen_action.setCheckable(True)
        self._was_maximized = False
        view_menu.addAction(self.full_screen_action)

        help_menu = bar.addMenu(self.tr("&Help"))
        self.shortcuts_action = self._action(self.tr("&Keyboard shortcuts"), self.show_shortcuts,
                                             QKeySequence.StandardKey.HelpContents, "F1")
        about = self._action(self.tr("&About QA Desk"), self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about_qt = self._action(self.tr("About &Qt"), lambda: QApplication.aboutQt())
        about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        self._add(help_menu, self.shortcuts_action, None, about, about_qt)
        self._help: ShortcutsHelp | None = None

    def _action(self, text: str, slot, *keys) -> QAction:
        """An action of the window's menus; keys are a QKeySequence.StandardKey, whose keys the
        platform sets (none on some: then the next key is used), or portable key texts."""
        action = QAction(text, self)
        action.triggered.connect(lambda: slot())
        for key in keys:
            sequences = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [
                QKeySequence(key)]
            if sequences:
                action.setShortcuts(sequences)
                break
        return action

    @staticmethod
    def _add(menu, *actions) -> None:
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)

    def _take_over_shortcuts(self, page: QWidget) -> None:
        """A page's own shortcut for a key the menus hold (the call view's Ctrl+F and F1, the
        library's Ctrl+Shift+F) would make that key ambiguous, and Qt then runs neither: the
        page's is turned off, and the menu's action does the page's thing there."""
        taken = {s.toString() for menu in self.menuBar().findChildren(QMenu) for action in menu.actions()
                 for s in action.shortcuts()}
        for shortcut in page.findChildren(QShortcut):
            if shortcut.key().toString() in taken:
                shortcut.setEnabled(False)

    def _menus_follow(self, row: int) -> None:
        self.area_actions[AREAS[row]].setChecked(True)
        self.find_action.setEnabled(AREAS[row] in ("calls", "clips"))

    def _build_status_bar(self) -> None:
        # A long database path gives way (shortened in the middle) rather than widening the window.
        self.database_label = ElidedLabel()
        self.database_label.setObjectName("databaseStatus")
        # Slow work without a dialog of its own: what it does, how far, and Cancel.
        self.checks_progress = JobProgress(bar_width=180)
        self.checks_progress.setObjectName("checksProgress")
        self.samples_progress = JobProgress(bar_width=180)
        self.samples_progress.setObjectName("samplesProgress")
        self.connect_progress = JobProgress(bar_width=120)
        self.connect_progress.setObjectName("connectProgress")
        for progress in (self.checks_progress, self.samples_progress, self.connect_progress):
            self.statusBar().addPermanentWidget(progress)
        # "Transcription: 3 of 8 · 42% · about 1 min left": click to show or hide the jobs.
        self.transcription_button = QToolButton()
        self.transcription_button.setObjectName("transcriptionStatus")
        self.transcription_button.setAutoRaise(True)
        self.transcription_button.setToolTip(self.tr("Show or hide the transcription jobs (Ctrl+J)"))
        self.transcription_button.clicked.connect(self.jobs_action.trigger)
        self.transcription_button.hide()
        self.statusBar().addPermanentWidget(self.transcription_button)
        # Who is signed in: every change the window makes is checked and audited as them.
        self.user_label = ElidedLabel()
        self.user_label.setObjectName("userStatus")
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.database_label)
        self._show_database()
        self.show_user()

    def show_user(self) -> None:
        from .sign_in import role_names

        user = self.services.user
        self.user_label.setVisible(user is not None)
        if user is not None:
            self.user_label.setText(self.tr("Signed in: {0} ({1})").format(user.name, role_names(self)[user.role]))

    def apply_role(self) -> None:
        """After another sign-in, every area offers what the new user's role allows (the
        store checks each change anyway; this keeps refused buttons out of reach)."""
        user = self.services.user
        self.review_page.set_actor(user)
        self.calibration_page.set_actor(user)
        self.forms_page.apply_role()
        self.settings_page.rulebook.apply_role()
        self.scorecards_page.apply_role()
        self.clips_area.apply_role()

    def _show_database(self) -> None:
        url = redact(self.services.db.url)
        self.database_label.setText(self.tr("Database: {0}").format(url))
        self.database_label.setToolTip(url)

    # --- navigation ---------------------------------------------------------------------------

    def _fit_navigation(self) -> None:
        """As wide as the longest area name (in the language shown) with its icon, and no
        wider than 180 px: every logical pixel is the area's on a laptop at 125 % or 150 %
        scaling (1093 or 910 pixels wide)."""
        metrics = self.nav.fontMetrics()
        text = max(metrics.horizontalAdvance(self.nav.item(row).text()) for row in range(self.nav.count()))
        # Icon, the item's 10 px padding and the gap after the icon, the list's spacing on
        # both sides, its 1 px border and a little air after the longest name.
        width = text + self.nav.iconSize().width() + 10 + 8 + 2 * self.nav.spacing() + 1 + 24
        self.nav.setFixedWidth(min(max(width, NAV_MIN_WIDTH), NAV_MAX_WIDTH))

    def show_settings(self, part: str) -> None:
        """Settings, scrolled to one of its groups (the welcome's first-day actions)."""
        self.show_area("settings")
        self.settings_page.show_part(part)

    def show_area(self, key: str) -> None:
        self.nav.setCurrentRow(AREAS.index(key))

    def current_area(self) -> str:
        return AREAS[self.stack.currentIndex()]

    def _area_shown(self, row: int) -> None:
        if AREAS[row] == "settings":
            self.settings_page.reload()

    def find(self) -> None:
        """Ctrl+F: in a call, its transcript's search (the call view's own Ctrl+F); in the
        library or the clips, their search box."""
        if self.showing_call():
            self.call_view.shortcuts["search"][0].activated.emit()
            return
        box = {"calls": self.calls_page.filter_bar.search, "clips": self.clips_area.filter_bar.search}.get(
            self.current_area())
        if box is not None:
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    def show_shortcuts(self) -> ShortcutsHelp:
        """The keyboard shortcuts (the call view's own help when a call is shown)."""
        if self.showing_call():
            return self.call_view.show_shortcuts()
        if self._help is None:
            self._help = ShortcutsHelp(self)
        self._help.show()
        self._help.raise_()
        return self._help

    def set_full_screen(self, on: bool) -> None:
        if on == self.isFullScreen():
            return
        if on:
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif self._was_maximized:
            self.showMaximized()
        else:
            self.showNormal()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:  # also left by the window manager's own key
            self.full_screen_action.setChecked(self.isFullScreen())

    def export_scorecards(self) -> None:
        """File ▸ Export: the Scorecards area's export of the scorecard shown."""
        self.show_area("scorecards")
        button = self.scorecards_page.export_button
        if button.isEnabled():
            self.scorecards_page.choose_export_file()
        elif not permitted(self.services, "scorecard.export"):
            self.show_message(button.toolTip())
        else:
            self.show_message(self.tr("Scorecards are exported from here once a period with submitted "
                                      "evaluations is shown."))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def _call_activated(self, call_id: int) -> None:
        call = self.calls_page.loaded_call(call_id)
        name = call.file_path if call else str(call_id)
        self.show_message(self.tr("Opening call {0}: {1}").format(call_id, name))
        self.open_call(call_id)

    def _build_clips_area(self) -> ClipsPage:
        """The training library; its "Open call" opens the call at the clip's start."""
        self.clips_area = ClipsPage(self.services, output_factory=lambda: (
            self.audio_output_factory() if self.audio_output_factory else None))
        self.clips_area.call_requested.connect(lambda call_id, at: self.open_call(call_id).show_moment(at))
        self.clips_area.message.connect(self.show_message)
        return self.clips_area

    def open_call(self, call_id: int, calibration_session: int | None = None) -> CallView:
        """Show one call in the Calls area, in place of the library."""
        if self.call_view is None:
            # Imported here: pyqtgraph takes ~0.6 s to import, which the window's start
            # should not pay for a view opened later, if at all.
            from .call_view import CallView

            self.call_view = CallView(self.services.db, output_factory=self.audio_output_factory,
                                      settings=self.services.settings, user=lambda: self.services.user)
            self.call_view.rescan_requested.connect(self._check_call)
            self.call_view.setObjectName("callView")
            self.call_view.back_requested.connect(self.back_to_calls)
            self.call_view.message.connect(self.show_message)
            self.calls_area.addWidget(self.call_view)
            self.call_view.transcribe_requested.connect(self._transcribe_call)
            self.call_view.evaluation.saved.connect(self.calibration_page.sheet_changed)
            self._take_over_shortcuts(self.call_view)
        # Opened from another area (a scorecard's evaluation, a clip): Back returns there,
        # so a lead drilling through an agent's calls keeps their place.
        came_from = self.current_area()
        if came_from != "calls" or not self.showing_call():
            self._came_from = None if came_from == "calls" else came_from
        self.call_view.set_back_target(self._area_name(self._came_from) if self._came_from else None)
        self.show_area("calls")
        self.calls_area.setCurrentWidget(self.call_view)
        self.call_view.open_call(call_id, calibration_session)
        self.call_view.setFocus()
        return self.call_view

    # --- rulebook checks ------------------------------------------------------------------

    def _check_call(self, call_id: int) -> None:
        if self.call_view is not None:
            self.call_view.set_checking(True)
        self.flag_checker.check_call(call_id)

    def _call_checked(self, call_id: int) -> None:
        if self.call_view is not None and self.call_view.call_id() == call_id:
            self.call_view.reload_flags()

    def _call_check_failed(self, call_id: int, message: str) -> None:
        if self.call_view is not None and self.call_view.call_id() == call_id:
            self.call_view.set_checking(False)
        self._warn(self.tr("Call {0} could not be checked against the rulebook.").format(call_id), message)

    def _check_all_calls(self) -> None:
        self.checks_progress.follow(self.flag_checker.check_all(), self.tr("Checking calls against the rulebook…"))

    def _checks_done(self, text: str) -> None:
        self.show_message(text)
        if self.call_view is not None and self.call_view.call_id() is not None:
            self.call_view.reload_flags()

    def _checks_failed(self, message: str) -> None:
        self._warn(self.tr("The calls could not be checked against the rulebook."), message + "\n\n" + self.tr(
            "Correct the problem, then use “Check calls now” in Settings → Service-language rulebook."))

    def _checks_cancelled(self) -> None:
        self.show_message(self.tr(
            "Rulebook check cancelled. The calls checked so far keep their flags; “Check calls now” in "
            "Settings → Service-language rulebook checks the rest."))
        if self.call_view is not None and self.call_view.call_id() is not None:
            self.call_view.reload_flags()

    def back_to_calls(self) -> None:
        """Back to the library as it was left (same filters, sort, selection), or to the
        area the call was opened from."""
        if self.call_view is not None:
            self.call_view.close_call()
        self.calls_area.setCurrentWidget(self.calls_page)
        came_from, self._came_from = self._came_from, None
        if came_from:
            self.show_area(came_from)
        else:
            self.calls_page.view.setFocus()

    def _area_name(self, key: str) -> str:
        return self.nav.item(AREAS.index(key)).text()

    def showing_call(self) -> bool:
        return self.call_view is not None and self.calls_area.currentWidget() is self.call_view

    # --- importing ----------------------------------------------------------------------------

    def open_import_dialog(self) -> ImportDialog:
        if self.import_dialog is None:
            self.import_dialog = ImportDialog(self.services, self)
            self.import_dialog.library_changed.connect(self.calls_page.refresh)
        # Not modal: a long import runs while the reviewer keeps working in the library.
        self.import_dialog.show()
        self.import_dialog.raise_()
        self.import_dialog.activateWindow()
        return self.import_dialog

    def load_sample_calls(self) -> None:
        if self._samples_job is not None and not self._samples_job.is_done():
            return
        db = self.services.db
        self.samples_action.setEnabled(False)
        self.calls_page.samples_button.setEnabled(False)
        self.show_message(self.tr("Loading the sample calls…"))
        self._samples_job = run_job(
            lambda ctx: load_sample_calls(db, ctx),
            on_finished=self._samples_loaded,
            on_failed=self._samples_failed,
            on_cancelled=self._samples_cancelled,
            name="load sample calls",
        )
        self.samples_progress.follow(self._samples_job, self.tr("Loading the sample calls…"))

    def _samples_loaded(self, report: object) -> None:
        self._samples_done()
        imported, known, failed = (report.count(s) for s in ("imported", "known", "failed"))
        if report.cancelled:
            self.show_message(self.tr(
                "Loading the sample calls was cancelled: {0} imported. Load them again to add the rest.").format(
                imported))
            return
        self.show_message(
            self.tr("Sample calls: {0} imported, {1} already in the library, {2} failed.").format(
                imported, known, failed
            )
        )
        if failed:
            problems = "\n".join(o.message for o in report.outcomes if o.status == "failed")
            self._warn(self.tr("Some sample calls could not be loaded."), problems)
        else:
            # Only the sample calls in the library: offer a whole demo centre (the offer
            # checks off the GUI thread that the database holds nothing else).
            self._demo_offer = offer_demo_centre(self, self.services)
            self._demo_offer.built.connect(self._demo_built)

    def _demo_built(self, report: object) -> None:
        self.calls_page.refresh()
        self.scorecards_page.reload()
        self.show_message(summary_text(report))

    def _samples_cancelled(self) -> None:
        self._samples_done()
        self.show_message(self.tr("Loading the sample calls was cancelled; nothing was imported."))

    def _samples_failed(self, message: str) -> None:
        self._samples_done()
        self._warn(self.tr("The sample calls could not be loaded."), message)

    def _samples_done(self) -> None:
        self.samples_action.setEnabled(True)
        self.calls_page.samples_button.setEnabled(True)
        self.calls_page.refresh()

    def _warn(self, text: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("QA Desk"), text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- transcription ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._transcription_started:
            self._transcription_started = True
            self._start_transcription()

    def _start_transcription(self) -> None:
        try:
            requeued = self.transcription.start()
        except Exception as exc:  # noqa: BLE001 - the window works on without transcription
            log.exception("transcription workers did not start")
            self.show_message(self.tr("Transcription could not start: {0}").format(exc))
            return
        if requeued:
            self.show_message(
                self.tr("1 call left unfinished by the last session is queued again.") if requeued == 1 else
                self.tr("{0} calls left unfinished by the last session are queued again.").format(requeued)
            )

    def transcribe_calls(self, call_ids: list, force: bool = False) -> None:
        """Queue calls (the library's selection, the call open) unless no model can do it here."""
        if not self._explain_model_problem():
            self.transcription.transcribe(list(call_ids), force=force)

    def transcribe_pending(self) -> None:
        if not self._explain_model_problem():
            self.transcription.transcribe_pending()

    def _transcribe_call(self, call_id: int) -> None:
        self.transcribe_calls([call_id])

    def _explain_model_problem(self) -> bool:
        """Say why calls cannot be transcribed here (no speech model…); False when they can."""
        box = self.transcription.problem_box(self)
        if box is None:
            return False
        box.open_settings.clicked.connect(self.show_speech_models)
        box.open()
        self.model_problem_box = box
        return True

    def show_speech_models(self) -> None:
        self.show_area("settings")
        QTimer.singleShot(0, self._reveal_speech_models)

    def _reveal_speech_models(self) -> None:
        models = getattr(self.settings_page, "speech_models", None)
        scroll = self.settings_page.findChild(QScrollArea)
        if models is not None and scroll is not None:
            scroll.ensureWidgetVisible(models)

    def _queue_looked(self, snapshot: object) -> None:
        self.transcription_button.setText(self.jobs_panel.status_text())
        self.transcription_button.setVisible(bool(snapshot.jobs))
        if snapshot.active and not self._batch_shown:
            self._batch_shown = True  # a new batch: show it once; closed stays closed
            self.jobs_panel.show()
        elif not snapshot.active:
            self._batch_shown = False
        view = self.call_view
        if view is not None and view.call() is not None:
            job = self.transcription.latest_job(view.call_id())
            if job is not None and job.status in ("queued", "running"):
                view.set_transcription(job.status, job.progress)

    def _transcript_statuses_changed(self, statuses: object) -> None:
        self.calls_page.model.update_transcript_statuses(statuses)
        view = self.call_view
        if view is None or view.call() is None or view.call_id() not in statuses:
            return
        status, job = statuses[view.call_id()], self.transcription.latest_job(view.call_id())
        error = job.error if job is not None and job.status == "failed" else None
        view.set_transcription(status, job.progress if job else None, error)
        if status == "done":
            view.reload_transcript()

    # --- database -----------------------------------------------------------------------------

    def reconnect(self, url: str) -> None:
        """Switch to another database; the current one stays in use if that fails."""
        self.show_message(self.tr("Connecting to {0}…").format(redact(url)))
        self._reconnect_job = run_job(
            lambda ctx: Database.open(url),
            on_finished=self._reconnected,
            on_failed=self._reconnect_failed,
            name="reconnect",
        )
        # No Cancel: opening may upgrade the database's tables, which must not stop half-way.
        self.connect_progress.follow(self._reconnect_job, self.tr("Connecting to {0}…").format(redact(url)),
                                     cancellable=False)

    def _reconnected(self, db: object) -> None:
        # The old database's workers give their calls back to its queue, then stop.
        self.transcription.stop()
        old, self.services.db = self.services.db, db
        from .sign_in import user_after_reconnect

        self.services.user = user_after_reconnect(self.services, self)
        self.show_user()
        self.apply_role()
        self.services.transcription = self.services.transcription_for(db)
        self.transcription.set_service(self.services.transcription)
        self.jobs_panel.show_snapshot(None)
        self.transcription_button.hide()
        if self.call_view is not None:  # its call belongs to the old database
            self.back_to_calls()
            self.call_view.set_database(db)
        self.calls_page.set_database(db)
        self._show_database()
        message = self.tr("Now using {0}.").format(redact(db.url))
        self.settings_page.show_reconnect_result(message, True)
        self.show_message(message)
        old.close()
        if self._transcription_started:
            self._start_transcription()

    def _reconnect_failed(self, message: str) -> None:
        text = self.tr("Still using {0}: {1}").format(redact(self.services.db.url), message)
        self.settings_page.show_reconnect_result(text, False)
        self.show_message(text)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About QA Desk"))
        box.setIconPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(48, 48))
        box.setText(self.tr("QA Desk {0}").format(__version__))
        box.setInformativeText(
            self.tr("Quality assurance and call monitoring for contact centres.\n\nDatabase in use: {0}").format(
                redact(self.services.db.url)
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.layout_memory.save()
        # Stop playing and every job before the widgets they report to go away (see ui/jobs.py).
        if self.call_view is not None:
            self.call_view.close_call()
        self.clips_area.shutdown()  # stops a playing clip and removes its temporary audio
        self.transcription.stop()  # calls being transcribed go back to the queue for next time
        JobRunner.shutdown_all()
        super().closeEvent(event)
