"""The call library: filter bar, the table of calls, and its two empty states.

An empty library greets a first-time user with the two ways in (import their own
recordings or load the sample calls); a filter that matches nothing says so and
offers to clear the filters, rather than showing a blank table.
"""

from __future__ import annotations

from PySide6.QtCore import SIGNAL, QLocale, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..jobs import JobContext
from ..store.calls import CallRow, list_agents, list_teams
from ..store.database import Database
from .area_page import AreaPage
from .call_filter_bar import CallFilterBar
from .calls_model import AGENT, FILE, STARTED, TEAM, TRANSCRIPT, CallsTableModel
from .jobs import run_job

MAX_COLUMN_WIDTH = 260  # a long team or agent name must not push the file column away


class CallsPage(QWidget):
    """Browse, filter and sort the calls in the library; open one by double-click."""

    call_activated = Signal(int)
    import_requested = Signal()
    load_samples_requested = Signal()
    speech_models_requested = Signal()  # the welcome's "Install a speech model…"
    team_database_requested = Signal()  # the welcome's "Connect to a team database…"
    message = Signal(str)  # for the status bar
    transcribe_requested = Signal(list, bool)  # call ids, and whether to replace their transcripts
    transcribe_pending_requested = Signal()
    # A search hit: open the call at this moment (seconds), the searched words highlighted.
    # The window connects it to open_call(...).show_moment(...); unconnected, the call opens.
    call_moment_requested = Signal(int, float, str)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._sized_columns = False

        self.model = CallsTableModel(db, self)
        self.filter_bar = CallFilterBar()
        self.count_label = QLabel()
        self.count_label.setObjectName("callCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count_label.setMinimumWidth(120)

        self.view = QTableView()
        self.view.setObjectName("callsTable")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # file names differ at the end
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        # Sizing to contents looks at the first rows only: measuring a whole page of
        # 200 calls would stall the window when the first page arrives.
        header.setResizeContentsPrecision(40)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Newest calls first: what a reviewer looks at on a normal morning. Enabling
        # sorting makes the view ask the model for this order, which starts the load.
        header.setSortIndicator(STARTED, Qt.SortOrder.DescendingOrder)
        self.view.setSortingEnabled(True)

        self.no_match = AreaPage(
            self.tr("No calls match these filters"),
            self.tr("Try another agent, team or period, or clear the search text."),
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
        )
        self.no_match.setObjectName("noMatch")
        self.clear_button = self.no_match.add_action(self.tr("Clear filters"), primary=True)

        self.welcome = AreaPage(
            self.tr("Welcome to QA Desk"),
            self.tr(
                "Your call library is empty. Import the recordings exported by your call "
                "recorder (a folder of WAV, FLAC or MP3 files, with their metadata sheet if "
                "you have one), or load four sample calls to look around first. To transcribe "
                "calls, install a speech model for their language; a team that shares one "
                "database connects to it instead."
            ),
            self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume),
        )
        self.welcome.setObjectName("welcome")
        self.import_button = self.welcome.add_action(self.tr("Import recordings…"), primary=True)
        self.samples_button = self.welcome.add_action(self.tr("Load sample calls"))
        self.models_button = self.welcome.add_action(self.tr("Install a speech model…"))
        self.team_button = self.welcome.add_action(self.tr("Connect to a team database…"))

        self._build_transcribe_button()
        self.search_dialog = None  # "Search what was said", built when first opened
        self.said_button = QToolButton()
        self.said_button.setObjectName("searchSaidButton")
        self.said_button.setText(self.tr("Transcripts…"))  # short: the row must fit a 1024-pixel window
        self.said_button.setToolTip(self.tr("Search what was said in the calls: every call where a word or "
                                            "phrase was said (Ctrl+Shift+F)"))
        self.said_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.said_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.said_button.clicked.connect(self.open_transcript_search)
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, self.open_transcript_search,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.results = QStackedWidget()
        self.results.addWidget(self.view)
        self.results.addWidget(self.no_match)

        library = QWidget()
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.filter_bar, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.said_button)
        top.addWidget(self.transcribe_button)
        column = QVBoxLayout(library)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)
        column.addLayout(top)
        column.addWidget(self.results, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(library)
        self.pages.addWidget(self.welcome)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._library_page = library

        self.filter_bar.filter_changed.connect(self.model.set_filter)
        self.model.counted.connect(self._counted)
        self.model.loading_changed.connect(self._loading_changed)
        self.model.rowsInserted.connect(self._size_columns_once)
        self.model.load_failed.connect(self._load_failed)
        self.view.activated.connect(self._activated)
        self.view.selectionModel().selectionChanged.connect(self._update_transcribe_actions)
        self.model.dataChanged.connect(self._update_transcribe_actions)
        self.model.modelReset.connect(self._update_transcribe_actions)
        self.clear_button.clicked.connect(self.filter_bar.clear)
        self.import_button.clicked.connect(self.import_requested)
        self.samples_button.clicked.connect(self.load_samples_requested)
        self.models_button.clicked.connect(self.speech_models_requested)
        self.team_button.clicked.connect(self.team_database_requested)
        self._load_lists()

    def _build_transcribe_button(self) -> None:
        self.transcribe_selected_action = QAction(self.tr("Transcribe selected calls"), self)
        self.transcribe_selected_action.setObjectName("transcribeSelected")
        self.transcribe_selected_action.triggered.connect(self.transcribe_selected)
        self.transcribe_pending_action = QAction(self.tr("Transcribe all pending"), self)
        self.transcribe_pending_action.setObjectName("transcribePending")
        self.transcribe_pending_action.setToolTip(self.tr("Every call not yet transcribed nor waiting in the queue"))
        self.transcribe_pending_action.triggered.connect(self.transcribe_pending_requested)
        self.transcribe_again_action = QAction(self.tr("Transcribe again (replace transcript)"), self)
        self.transcribe_again_action.setObjectName("transcribeAgain")
        self.transcribe_again_action.triggered.connect(self.transcribe_again)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for action in (self.transcribe_selected_action, self.transcribe_pending_action, None,
                       self.transcribe_again_action):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.transcribe_button = QToolButton()
        self.transcribe_button.setObjectName("transcribeButton")
        self.transcribe_button.setText(self.tr("Transcribe"))
        self.transcribe_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume))
        self.transcribe_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.transcribe_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.transcribe_button.setMenu(menu)
        self.transcribe_button.clicked.connect(self._transcribe_clicked)
        self._update_transcribe_actions()

    # --- transcription ------------------------------------------------------------------------

    def _selected_calls(self) -> list[CallRow]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.call_at(row) for row in rows]

    def _update_transcribe_actions(self) -> None:
        selected = self._selected_calls()
        self.transcribe_selected_action.setEnabled(bool(selected))
        self.transcribe_again_action.setEnabled(any(c.transcript_status == "done" for c in selected))
        count = len(selected)
        self.transcribe_button.setToolTip(
            self.tr("Transcribe the selected call") if count == 1 else
            self.tr("Transcribe the {0} selected calls").format(count) if count else
            self.tr("Transcribe every call not transcribed yet (select calls to transcribe only those)")
        )

    def _transcribe_clicked(self) -> None:
        """The button itself: the selected calls, or everything pending when none is selected."""
        if self.view.selectionModel().hasSelection():
            self.transcribe_selected()
        else:
            self.transcribe_pending_requested.emit()

    def transcribe_selected(self) -> None:
        ids = self.selected_call_ids()
        if ids:
            self.transcribe_requested.emit(ids, False)

    def transcribe_again(self) -> None:
        ids = [c.id for c in self._selected_calls() if c.transcript_status == "done"]
        if ids:
            self.transcribe_requested.emit(ids, True)

    # --- what the main window asks for ----------------------------------------------------

    def refresh(self) -> None:
        """Reload after the library changed (an import, a reconnect)."""
        self._load_lists()
        self.model.refresh()

    def set_database(self, db: Database) -> None:
        self._db = db
        if self.search_dialog is not None:
            self.search_dialog.set_database(db)
        self._load_lists()
        self.model.set_database(db)
        # Agent and team ids belong to the old database: start the new one unfiltered.
        self.filter_bar.clear()

    def showing(self) -> str:
        """Which state is on screen: 'calls', 'no_match' or 'welcome' (for tests and the window)."""
        if self.pages.currentWidget() is self.welcome:
            return "welcome"
        return "no_match" if self.results.currentWidget() is self.no_match else "calls"

    def loaded_call(self, call_id: int) -> CallRow | None:
        """A call among the rows loaded so far (the one just activated, typically)."""
        for row in range(self.model.rowCount()):
            if self.model.call_id(row) == call_id:
                return self.model.call_at(row)
        return None

    def selected_call_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.call_id(row) for row in rows]

    def open_transcript_search(self):
        """The "Search what was said" window (one, kept with its last search)."""
        if self.search_dialog is None:
            from .transcript_search import TranscriptSearchDialog

            self.search_dialog = TranscriptSearchDialog(self._db, self)
            self.search_dialog.open_requested.connect(self._open_moment)
        self.search_dialog.show()
        self.search_dialog.raise_()
        self.search_dialog.activateWindow()
        self.search_dialog.text.setFocus()
        return self.search_dialog

    def _open_moment(self, call_id: int, seconds: float, words: str) -> None:
        if self.receivers(SIGNAL("call_moment_requested(int,double,QString)")) > 0:
            self.call_moment_requested.emit(call_id, seconds, words)
        else:
            self.call_activated.emit(call_id)

    # --- reacting to the model --------------------------------------------------------------

    def _load_lists(self) -> None:
        db = self._db

        def job(ctx: JobContext):
            with db.session() as session:
                return list_agents(session), list_teams(session)

        run_job(job, on_finished=self._lists_loaded, on_failed=self._load_failed, name="agent and team lists")

    def _lists_loaded(self, result: object) -> None:
        agents, teams = result
        self.filter_bar.set_agents(agents)
        self.filter_bar.set_teams(teams)

    def _counted(self, total: int, library_total: int) -> None:
        locale = QLocale()
        if library_total == 0:
            self.pages.setCurrentWidget(self.welcome)
            self.count_label.clear()
            return
        self.pages.setCurrentWidget(self._library_page)
        self.results.setCurrentWidget(self.view if total else self.no_match)
        if total == library_total:
            text = self.tr("1 call") if total == 1 else self.tr("{0} calls").format(locale.toString(total))
        else:
            text = self.tr("{0} of {1} calls").format(locale.toString(total), locale.toString(library_total))
        self.count_label.setText(text)

    def _loading_changed(self, loading: bool) -> None:
        if loading and self.model.rowCount() == 0:
            self.count_label.setText(self.tr("Loading…"))

    def _load_failed(self, message: str) -> None:
        self.count_label.setText(self.tr("Could not load calls"))
        self.message.emit(self.tr("Could not load the calls: {0}").format(message))

    def _size_columns_once(self) -> None:
        # Size to the first page once; later the reviewer's own column widths stay.
        if self._sized_columns:
            return
        self._sized_columns = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in range(FILE):
            width = header.sectionSize(column) + 16
            if column in (AGENT, TEAM):
                width = max(width, 120)
            if column == TRANSCRIPT:  # the first page may hold no call being transcribed yet
                width = max(width, self.model.transcript_column_width(self.view.fontMetrics()) + 16)
            header.resizeSection(column, min(width, MAX_COLUMN_WIDTH))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.call_activated.emit(self.model.call_id(index.row()))
