"""The Clips area: the training library, a clip played in place, and playlists.

Left, the library: search and filters over a list of clips, newest first. Right, the
clip chosen (its waveform, its words lit as it plays, handles to move it) over the
playlists. Every search and change runs as a job; the list is read again whenever the
area is shown (clips are saved from the call view, out of this page's sight).

The player (pyqtgraph) is built the first time the area is shown, not with the
window: the window's start should not pay for an area that may never be opened.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QScrollArea, QSplitter,
    QStackedWidget, QStyle, QTableView, QVBoxLayout, QWidget,
)

from ..durations import format_duration
from ..jobs import JobContext
from ..store.clips import ClipError
from .acting import gate, permitted
from .area_page import AreaPage
from .clip_filters import ClipFilter, ClipFilterBar, filter_choices
from .clip_words import KIND_COLOURS, kind_name, tags_text
from .formatting import day
from .jobs import JobRunner, run_job
from .playlist_panel import PlaylistPanel
from .services import Services


class ClipsModel(QAbstractTableModel):
    # The kind is the title's coloured dot (and its tooltip): the list keeps its width for titles.
    COLUMNS = ("title", "tags", "agent", "length", "date")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._clips: list = []
        self._headers = (self.tr("Title"), self.tr("Tags"), self.tr("Agent"), self.tr("Length"), self.tr("Call date"))
        self._dots: dict[str, QIcon] = {}

    def set_clips(self, clips: list) -> None:
        self.beginResetModel()
        self._clips = list(clips)
        self.endResetModel()

    def clips(self) -> list:
        return list(self._clips)

    def clip_at(self, row: int):
        return self._clips[row] if 0 <= row < len(self._clips) else None

    def row_of(self, clip_id: int) -> int:
        return next((i for i, c in enumerate(self._clips) if c.id == clip_id), -1)

    def _dot(self, kind: str) -> QIcon:
        if kind not in self._dots:
            from .swatches import colour_mark  # sharp on a 2× screen too

            self._dots[kind] = colour_mark(KIND_COLOURS.get(kind, KIND_COLOURS["other"]), round_=True)
        return self._dots[kind]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._clips)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        clip, column = self._clips[index.row()], self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                "title": clip.title, "tags": tags_text(clip.tags),
                "agent": clip.agent_name or "", "length": format_duration(clip.duration),
                "date": day(clip.call_started_at),
            }[column]
        if role == Qt.ItemDataRole.DecorationRole and column == "title":
            return self._dot(clip.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n\n".join(p for p in (f"{clip.title} · {kind_name(clip.kind)}", clip.notes, clip.excerpt_text)
                                 if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "length":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ShortScroll(QScrollArea):
    """Its widget at full width, scrolled up and down when the window is too short for all
    of it: the playlists under the player on a laptop screen at 150 %."""

    SHORTEST = 64  # the playlist's name and a line of its clips

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        own = self.widget().minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(own.width() + bar + 2 * self.frameWidth(), min(own.height(), self.SHORTEST))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        return self.widget().sizeHint().expandedTo(self.minimumSizeHint())


class ClipsPage(QWidget):
    call_requested = Signal(int, float)  # open the clip's call at its start
    message = Signal(str)
    area_requested = Signal(str)  # another area of the window (no clips yet: "calls", to save some)

    def __init__(self, services: Services, *, output_factory: Callable[[], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._output_factory = output_factory
        self._jobs: list[JobRunner] = []
        self._search_job: JobRunner | None = None
        self._select_after: int | None = None
        self._dialog = None  # the edit or export dialog open now
        self.player = None  # the ClipPlayer, built when the area is first shown

        self.filter_bar = ClipFilterBar()
        self.count = QLabel()
        self.count.setObjectName("clipCount")
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.model = ClipsModel(self)
        self.view = QTableView()
        self.view.setObjectName("clipList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((1, 110), (2, 92), (3, 58), (4, 82)):
            header.resizeSection(column, width)
        # No clip to list: why (the filters, or none saved yet) and the next step the role may take.
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward),
                              text_width=340)
        self.empty.setObjectName("clipsEmpty")
        self.show_all_button = self.empty.add_action(self.tr("Show every clip"), primary=True)
        self.show_all_button.clicked.connect(self.filter_bar.clear)
        self.calls_button = self.empty.add_action(self.tr("Go to Calls"))
        self.calls_button.clicked.connect(lambda: self.area_requested.emit("calls"))
        self.list_pages = QStackedWidget()
        self.list_pages.addWidget(self.view)
        self.list_pages.addWidget(self.empty)

        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setObjectName("editClip")
        self.open_call_button = QPushButton(self.tr("Open call"))
        self.open_call_button.setObjectName("openClipCall")
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportClip")
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setObjectName("deleteClip")
        self.playlists = PlaylistPanel(lambda: self._services.db, by=self.actor,
                                       selected_clip=self.selected_clip)
        self.playlists.setObjectName("playlistPanel")

        # The count over the list, the clip's actions over the player: one row above both
        # columns, so neither column is taller than the window (a laptop at 150 % has about
        # 510 logical pixels of height).
        actions = QHBoxLayout()
        actions.setSpacing(4)
        actions.addWidget(self.count)
        actions.addStretch(1)
        for button in (self.edit_button, self.open_call_button, self.export_button, self.delete_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.list_pages, 1)
        self.clip_box = QWidget()
        self.clip_column = QVBoxLayout(self.clip_box)
        self.clip_column.setContentsMargins(0, 0, 0, 0)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.setObjectName("clipsRightSplitter")
        self.right.addWidget(self.clip_box)
        self.right.addWidget(ShortScroll(self.playlists))
        self.right.setStretchFactor(0, 3)
        self.right.setStretchFactor(1, 1)
        self.right.setChildrenCollapsible(False)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("clipsSplitter")
        self.split.addWidget(left)
        self.split.addWidget(self.right)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)
        self._split_once = False
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)  # a little tighter than the other areas: the
        column.setSpacing(6)  # clip's waveform, words and playlists share a laptop's height
        column.addWidget(self.filter_bar)
        column.addLayout(actions)
        column.addWidget(self.split, 1)

        self.filter_bar.filter_changed.connect(lambda _f: self.refresh())
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.edit_button.clicked.connect(self.edit_selected)
        self.open_call_button.clicked.connect(self._open_call)
        self.export_button.clicked.connect(self.export_selected)
        self.delete_button.clicked.connect(self._ask_delete)
        self.playlists.clip_chosen.connect(self._playlist_clip_chosen)
        self.playlists.play_requested.connect(self._play_playlist)
        self.playlists.export_requested.connect(lambda pid, name: self.export(playlist_id=pid, name=name))
        self.playlists.message.connect(self.message)
        self._enable_actions()

    # --- the list -------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        # Half and half, the clip over the playlists (most to the clip: its waveform is
        # what the trainer works on); the trainer's own after that.
        if not self._split_once:
            self._split_once = True
            width, height = max(self.split.width(), self.width() - 24), max(self.right.height(), 500)
            self.split.setSizes([width // 2, width - width // 2])
            self.right.setSizes([height * 72 // 100, height - height * 72 // 100])
        self._ensure_player()
        self.refresh(choices=True)
        self.playlists.reload()

    def _ensure_player(self) -> None:
        if self.player is None:
            from .clip_player import ClipPlayer

            self.player = ClipPlayer(lambda: self._services.db, output_factory=self._output_factory,
                                     actor=self.actor)
            self.player.setObjectName("clipPlayer")
            self.player.clip_changed.connect(lambda clip: self.refresh(select=clip.id))
            self.player.message.connect(self.message)
            self.clip_column.addWidget(self.player, 1)

    def _start(self, fn, finished, name: str, failed=None) -> JobRunner:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        self._jobs.append(run_job(fn, on_finished=finished, on_failed=failed or self._failed,
                                  expected=(ClipError, LookupError, PermissionError), name=name))
        return self._jobs[-1]

    def is_idle(self) -> bool:
        """No search or change in flight (what tests wait for)."""
        return all(job.is_done() for job in self._jobs) and self.playlists.is_idle()

    def actor(self):
        """Who acts: the signed-in user (None: nobody, the store refuses)."""
        return self._services.user

    def refresh(self, *, choices: bool = False, select: int | None = None) -> None:
        """Search the library again with the filters shown; keep (or move to) a selection."""
        db, wanted = self._services.db, self.filter_bar.current_filter()
        chosen = self.selected_clip()
        self._select_after = select if select is not None else (chosen.id if chosen else None)
        if choices:
            self._start(lambda ctx: filter_choices(db), self.filter_bar.set_choices, "clip filter choices")

        def search(ctx: JobContext):
            from ..store.clips import clip_count, find_clips

            with db.session() as session:
                total = clip_count(session)
                return wanted, find_clips(session, **wanted.arguments()), total, total or _has_calls(session)

        if self._search_job is not None and not self._search_job.is_done():
            self._search_job.abandon()  # a newer search makes the last one's answer stale
        self._search_job = self._start(search, self._found, "search clips")

    def _found(self, result: object) -> None:
        wanted, clips, total, has_calls = result
        self.playlists.set_library_empty(not total)
        self.model.set_clips(clips)
        if clips:
            self.count.setText(self.tr("{0} of {1} clips").format(len(clips), total) if wanted != ClipFilter()
                               else self.tr("{0} clips").format(total))
        else:
            self.count.setText("")
        self.list_pages.setCurrentWidget(self.view if clips else self.empty)
        if not clips:
            self._explain_empty(bool(total), bool(has_calls))
        row = self.model.row_of(self._select_after) if self._select_after is not None else -1
        if row >= 0:
            self.view.selectRow(row)
        elif self.player is not None and self.player.clip() is not None and self.model.row_of(
                self.player.clip().id) < 0 and self.player.playlist_position() is None:
            self.player.clear()
        self._enable_actions()

    def _explain_empty(self, filtered: bool, has_calls: bool) -> None:
        """No clip listed: the filters hide them (show every clip), or none is saved yet
        (a trainer saves them from calls; others are told who does)."""
        manage = permitted(self._services, "clip.manage")
        if filtered:
            self.empty.set_title(self.tr("No clip matches these filters"))
            self.empty.set_text(self.tr("Try other words, tags or dates, or show every clip."))
        else:
            self.empty.set_title(self.tr("No clips yet"))
            about = self.tr("Clips are moments of calls kept for training: good examples and moments to improve.")
            if not manage:
                how = self.tr("Trainers save them from calls; they appear here for everyone to play.")
            elif has_calls:
                how = self.tr("Open a call, drag across its waveform (or pick a flag, or select transcript lines) "
                              "and choose \u201cSave as clip…\u201d.")
            else:
                how = self.tr("There are no calls yet: import recordings in Calls first, then save moments of "
                              "them with \u201cSave as clip…\u201d.")
            self.empty.set_text(about + "\n" + how)  # what clips are; then what to do
        self.show_all_button.setVisible(filtered)
        self.calls_button.setVisible(not filtered and manage)

    def _failed(self, message: str) -> None:
        self.message.emit(self.tr("Clips: {0}").format(message))

    def selected_clip(self):
        index = self.view.currentIndex()
        return self.model.clip_at(index.row()) if index.isValid() and self.view.selectionModel().hasSelection() \
            else None

    def select_clip(self, clip_id: int) -> bool:
        row = self.model.row_of(clip_id)
        if row >= 0:
            self.view.selectRow(row)
        return row >= 0

    def _selection_changed(self, *_args) -> None:
        clip = self.selected_clip()
        self._enable_actions()
        if clip is not None and self.player is not None:
            shown = self.player.clip()
            if shown is None or shown.id != clip.id or shown.updated_at != clip.updated_at:
                self.player.show_clip(clip.id)

    def apply_role(self) -> None:
        """Another person signed in: offer what their role allows."""
        self._enable_actions()
        self.playlists.apply_role()
        if self.list_pages.currentWidget() is self.empty:
            self.refresh()  # its next step depends on the role

    def _enable_actions(self) -> None:
        clip = self.selected_clip()
        manage = permitted(self._services, "clip.manage")
        trainer_only = self.tr("Only a trainer or an admin changes the training library")
        gate(self.edit_button, clip is not None, manage, trainer_only)
        gate(self.delete_button, clip is not None, manage, trainer_only)
        gate(self.export_button, clip is not None, permitted(self._services, "clip.export"),
             self.tr("Only a trainer, a manager or an admin exports clips"))
        self.open_call_button.setEnabled(clip is not None and clip.call_id is not None)
        self.open_call_button.setToolTip(self.tr("The call of this clip was deleted") if clip and clip.call_id
                                         is None else self.tr("Open the call at this clip"))

    # --- actions ------------------------------------------------------------------------------

    def _open_call(self) -> None:
        clip = self.selected_clip()
        if clip is not None and clip.call_id is not None:
            self.call_requested.emit(clip.call_id, clip.start)

    def edit_selected(self):
        from .clip_dialog import ClipDialog

        clip = self.selected_clip()
        if clip is None:
            return None
        self._dialog = ClipDialog(self._services.db, by=self.actor(), clip=clip, parent=self)
        self._dialog.saved.connect(lambda saved: self.refresh(choices=True, select=saved.id))
        self._dialog.open()
        return self._dialog

    def export_selected(self):
        clip = self.selected_clip()
        return self.export(clip_id=clip.id, name=clip.title) if clip else None

    def export(self, *, name: str, clip_id: int | None = None, playlist_id: int | None = None):
        from .clip_export_dialog import ClipExportDialog
        from .clip_words import export_language

        self._dialog = ClipExportDialog(self._services.db, clip_id=clip_id, playlist_id=playlist_id, name=name, actor=self.actor(),
                                        language=export_language(self._services.settings), parent=self)
        self._dialog.open()
        return self._dialog

    def _ask_delete(self) -> None:
        clip = self.selected_clip()
        if clip is None:
            return
        answer = QMessageBox.question(self, self.tr("Delete clip"), self.tr(
            "Delete the clip \u201c{0}\u201d? It also leaves every playlist it is in.").format(clip.title))
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_clip(clip.id)

    def delete_clip(self, clip_id: int) -> None:
        from ..store.clips import delete_clip

        db, actor = self._services.db, self.actor()

        def job(ctx: JobContext):
            with db.session() as session:
                delete_clip(session, clip_id, actor=actor)

        self._start(job, lambda _r: (self.refresh(choices=True), self.playlists.reload()), "delete clip")

    def _playlist_clip_chosen(self, clip_id: int) -> None:
        if not self.select_clip(clip_id) and self.player is not None:
            self.view.clearSelection()  # filtered out of the list: shown all the same
            self.player.show_clip(clip_id)

    def _play_playlist(self, clip_ids: list, name: str) -> None:
        self._ensure_player()
        self.view.clearSelection()
        self.player.play_playlist(clip_ids, name)

    def shutdown(self) -> None:
        """The window closes: stop playing, drop the clips' files."""
        if self.player is not None:
            self.player.shutdown()


def _has_calls(session) -> bool:
    from sqlalchemy import select

    from ..store.models import Call

    return session.execute(select(Call.id).limit(1)).first() is not None
