"""Playlists beside the clip library: ordered clips for a training session.

One playlist is shown at a time (a trainer prepares one session at a time): its clips
in order, each with the note the trainer will say before or after it. Dragging a clip
up or down reorders the playlist; the order is stored at once, as the ids of the
entries in their new order, and the list is redrawn from what was stored (numbers
included). Every change goes through ``qa_desk.store.playlists`` in a job and
answers with the playlist as stored.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QMessageBox, QPushButton, QStyle, QToolButton, QVBoxLayout, QWidget,
)

from ..durations import format_duration
from ..permissions import can
from ..jobs import JobContext
from ..store.clips import ClipError
from ..store.database import Database
from .acting import gate
from .clip_words import KIND_COLOURS
from .jobs import JobRunner, run_job
from .wrap_layout import WrapLayout

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # a row's PlaylistEntryView


class PlaylistPanel(QWidget):
    clip_chosen = Signal(int)  # a clip of the playlist was clicked: show it
    play_requested = Signal(list, str)  # clip ids in order, the playlist's name
    export_requested = Signal(int, str)  # playlist id, name
    message = Signal(str)

    def __init__(self, db: Callable[[], Database], *, by: Callable[[], object],
                 selected_clip: Callable[[], object], parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._by, self._selected_clip = db, by, selected_clip
        self._playlist = None  # the PlaylistView shown
        self._jobs: list[JobRunner] = []
        self._filling = False
        self._library_empty = False  # told by the clips page: no clip to add yet

        title = QLabel(self.tr("Playlists"))
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.chooser = QComboBox()
        self.chooser.setObjectName("playlistChooser")
        self.chooser.setMinimumContentsLength(10)
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_button = self._tool(self.tr("New…"), self.tr("A new playlist"))
        self.rename_button = self._tool(self.tr("Rename…"), self.tr("Rename this playlist"))
        self.delete_button = self._tool(self.tr("Delete"), self.tr("Delete this playlist (its clips stay)"))

        self.entries = QListWidget()
        self.entries.setObjectName("playlistEntries")
        self.entries.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.entries.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.entries.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries.setWordWrap(True)
        self.entries.setSpacing(1)
        self.entries.setToolTip(self.tr("Drag a clip up or down to change the order"))
        self.empty = QLabel()
        self.empty.setObjectName("playlistEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        self.note = QLineEdit()
        self.note.setObjectName("entryNote")
        self.note.setPlaceholderText(self.tr("Note for this clip in the session (Enter to keep it)"))
        self.note.setEnabled(False)

        style = self.style()
        self.add_button = QPushButton(self.tr("+ Add chosen clip"))
        self.add_button.setObjectName("addToPlaylist")
        self.add_button.setToolTip(self.tr("Add the clip chosen in the library at the end of this playlist"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeFromPlaylist")
        self.play_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), self.tr("Play all"))
        self.play_button.setObjectName("playPlaylist")
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportPlaylist")

        # Both rows wrap in a narrow pane (a laptop's screen at 125 % or 150 %).
        top = WrapLayout(spacing=4)
        named = QHBoxLayout()
        named.setSpacing(4)
        named.addWidget(title)
        named.addWidget(self.chooser, 1)
        top.addLayout(named, 1)
        for button in (self.new_button, self.rename_button, self.delete_button):
            top.addWidget(button)
        bottom = WrapLayout(spacing=4)
        for button in (self.add_button, self.remove_button):
            bottom.addWidget(button)
        bottom.addStretch(1)
        for button in (self.play_button, self.export_button):
            bottom.addWidget(button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(top)
        column.addWidget(self.entries, 1)
        column.addWidget(self.empty)
        column.addWidget(self.note)
        column.addLayout(bottom)

        self.chooser.currentIndexChanged.connect(self._chosen)
        self.new_button.clicked.connect(self._ask_new)
        self.rename_button.clicked.connect(self._ask_rename)
        self.delete_button.clicked.connect(self._ask_delete)
        # A drop is a move, or (depending on where it lands) an insert and a remove: the
        # order is read once the drop is over, on the next turn of the event loop.
        self._drop_timer = QTimer(self)
        self._drop_timer.setSingleShot(True)
        self._drop_timer.setInterval(0)
        self._drop_timer.timeout.connect(self._dragged)
        for signal in (self.entries.model().rowsMoved, self.entries.model().rowsRemoved):
            signal.connect(lambda *_: None if self._filling else self._drop_timer.start())
        self.entries.currentItemChanged.connect(self._entry_changed)
        self.entries.itemClicked.connect(lambda item: self.clip_chosen.emit(item.data(ENTRY_ROLE).clip.id))
        self.note.editingFinished.connect(self._save_note)
        self.add_button.clicked.connect(self.add_selected_clip)
        self.remove_button.clicked.connect(self.remove_current)
        self.play_button.clicked.connect(self._play)
        self.export_button.clicked.connect(
            lambda: self._playlist and self.export_requested.emit(self._playlist.id, self._playlist.name))
        self._show(None)

    def apply_role(self) -> None:
        """Offer changes to trainers and admins, exports also to managers (the store
        refuses the others anyway); everyone may play."""
        item = self.entries.currentItem()
        has, entry = self._playlist is not None, item is not None and item.data(ENTRY_ROLE) is not None
        filled = bool(self._playlist and self._playlist.entries)
        manage = can(self._by(), "clip.manage")
        refusal = self.tr("Only a trainer or an admin changes playlists")
        gate(self.new_button, True, manage, refusal, self.tr("A new playlist"))
        gate(self.rename_button, has, manage, refusal, self.tr("Rename this playlist"))
        gate(self.delete_button, has, manage, refusal, self.tr("Delete this playlist (its clips stay)"))
        gate(self.add_button, has, manage, refusal)
        gate(self.remove_button, entry, manage, refusal)
        self.note.setEnabled(entry and manage)
        self.entries.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove if manage
                                     else QAbstractItemView.DragDropMode.NoDragDrop)
        gate(self.export_button, filled, can(self._by(), "clip.export"),
             self.tr("Only a trainer, a manager or an admin exports playlists"))
        self._explain_empty(has, manage)

    def _explain_empty(self, has: bool, manage: bool) -> None:
        """Why the list is empty, and the next step only for those who may take it (trainers, admins)."""
        if has and manage and self._library_empty:
            self.empty.setText(self.tr("This playlist has no clips yet, and the library has none to add: save "
                                       "moments of calls with \u201cSave as clip…\u201d first, then add them here."))
        elif has:
            self.empty.setText(self.tr("This playlist has no clips yet. Choose a clip in the library, then "
                                       "\u201c+ Add chosen clip\u201d.") if manage else
                               self.tr("This playlist has no clips yet; a trainer adds them."))
        else:
            self.empty.setText(self.tr("No playlists yet. A playlist is the clips of one training session, "
                                       "in the order you will play them: start one with New…") if manage else
                               self.tr("No playlists yet. A playlist is the clips of one training session, in "
                                       "the order they are played: trainers make them, and everyone can play "
                                       "them here."))

    def set_library_empty(self, empty: bool) -> None:
        """The clip library holds no clip at all (an empty playlist then says to save some first)."""
        if empty != self._library_empty:
            self._library_empty = empty
            self.apply_role()

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        return button

    # --- reading and changing, each as a job -------------------------------------------------

    def _run(self, change: Callable, name: str, select: bool = False) -> None:
        """Run change(session, by) -> PlaylistView | None, then read the list of playlists;
        ``by`` is who acts (read here, on the GUI thread), checked and audited by the store."""
        db, by = self._db(), self._by()
        chosen = self._playlist.id if self._playlist else None

        def job(ctx: JobContext):
            from ..store import playlists as store

            with db.session() as session:
                result = change(session, by)
                shown = result.id if result is not None and hasattr(result, "entries") else chosen
                summaries = store.list_playlists(session)
                if shown is None or shown not in {s.id for s in summaries}:
                    shown = summaries[0].id if summaries else None
                return summaries, (store.get_playlist(session, shown) if shown is not None else None)

        self._jobs = [j for j in self._jobs if not j.is_done()]
        self._jobs.append(run_job(job, on_finished=self._loaded, on_failed=self._failed,
                                  expected=(ClipError, LookupError, PermissionError), name=name))

    def reload(self, playlist_id: int | None = None) -> None:
        if playlist_id is not None:
            from ..store.playlists import get_playlist

            self._run(lambda s, by: get_playlist(s, playlist_id), "read playlist")
        else:
            self._run(lambda s, by: None, "read playlists")

    def is_idle(self) -> bool:
        return not self._drop_timer.isActive() and all(job.is_done() for job in self._jobs)

    def _loaded(self, result: object) -> None:
        summaries, playlist = result
        self._filling = True
        self.chooser.clear()
        for summary in summaries:
            self.chooser.addItem(self.tr("{0}  ({1} clips, {2})").format(
                summary.name, summary.clips, format_duration(summary.duration)), summary.id)
        if playlist is not None:
            self.chooser.setCurrentIndex(self.chooser.findData(playlist.id))
        self._filling = False
        self._show(playlist)

    def _failed(self, message: str) -> None:
        self.message.emit(self.tr("The playlist was not changed: {0}").format(message))
        self.reload()

    def _show(self, playlist) -> None:
        self._playlist = playlist
        current = self.entries.currentRow()
        self._filling = True
        self.entries.clear()
        for entry in playlist.entries if playlist else ():
            clip = entry.clip
            text = f"{entry.position + 1}.  {clip.title}   ({format_duration(clip.duration)})"
            if entry.notes:
                text += "\n      " + entry.notes
            item = QListWidgetItem(text)
            item.setData(ENTRY_ROLE, entry)
            item.setIcon(self._kind_dot(clip.kind))
            item.setToolTip(clip.excerpt_text or clip.title)
            self.entries.addItem(item)
        self._filling = False
        if 0 <= current < self.entries.count():
            self.entries.setCurrentRow(current)
        filled = bool(playlist and playlist.entries)
        self.apply_role()  # also says why an empty list is empty
        self.play_button.setEnabled(filled)
        self.entries.setVisible(filled)
        self.empty.setVisible(not filled)
        self._entry_changed()

    def _kind_dot(self, kind: str):
        from .swatches import colour_mark  # sharp on a 2× screen too

        return colour_mark(KIND_COLOURS.get(kind, KIND_COLOURS["other"]))

    def playlist(self):
        return self._playlist

    def entry_ids(self) -> list[int]:
        return [self.entries.item(i).data(ENTRY_ROLE).id for i in range(self.entries.count())]

    def _chosen(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.reload(self.chooser.itemData(index))

    # --- playlists ----------------------------------------------------------------------------

    def create_playlist(self, name: str) -> None:
        from ..store.playlists import create_playlist

        self._run(lambda s, by: create_playlist(s, name, actor=by), "create playlist")

    def rename_playlist(self, name: str) -> None:
        from ..store.playlists import update_playlist

        playlist = self._playlist
        if playlist is not None:
            self._run(lambda s, by: update_playlist(s, playlist.id, name=name, notes=playlist.notes, actor=by), "rename playlist")

    def delete_playlist(self) -> None:
        from ..store.playlists import delete_playlist

        playlist = self._playlist
        if playlist is not None:
            self._playlist = None
            self._run(lambda s, by: delete_playlist(s, playlist.id, actor=by), "delete playlist")

    def _ask_new(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("New playlist"), self.tr("Name of the training session:"))
        if ok and name.strip():
            self.create_playlist(name)

    def _ask_rename(self) -> None:
        if self._playlist is not None:
            name, ok = QInputDialog.getText(self, self.tr("Rename playlist"), self.tr("New name:"),
                                            text=self._playlist.name)
            if ok and name.strip():
                self.rename_playlist(name)

    def _ask_delete(self) -> None:
        if self._playlist is None:
            return
        answer = QMessageBox.question(self, self.tr("Delete playlist"), self.tr(
            "Delete the playlist \u201c{0}\u201d? Its clips stay in the library.").format(self._playlist.name))
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_playlist()

    # --- entries ------------------------------------------------------------------------------

    def add_clip(self, clip_id: int) -> None:
        from ..store.playlists import add_entry

        playlist = self._playlist
        if playlist is not None:
            self._run(lambda s, by: add_entry(s, playlist.id, clip_id, actor=by), "add to playlist")

    def add_selected_clip(self) -> None:
        clip = self._selected_clip()
        if clip is None:
            self.message.emit(self.tr("Choose a clip in the library first."))
        else:
            self.add_clip(clip.id)

    def remove_current(self) -> None:
        from ..store.playlists import remove_entry

        item = self.entries.currentItem()
        if item is not None:
            entry_id = item.data(ENTRY_ROLE).id
            self._run(lambda s, by: remove_entry(s, entry_id, actor=by), "remove from playlist")

    def move_entry(self, row: int, to: int) -> None:
        """What a drag does, for the keyboard and tests: the row at `row` goes to `to`."""
        model = self.entries.model()
        model.moveRow(self.entries.rootIndex(), row, self.entries.rootIndex(), to + (1 if to > row else 0))

    def _dragged(self, *_args) -> None:
        from ..store.playlists import reorder

        playlist, order = self._playlist, self.entry_ids()
        if playlist is not None and sorted(order) != sorted(e.id for e in playlist.entries):
            self._show(playlist)  # not a reordering (a drop outside the rows?): show what is stored
        elif playlist is not None and order != [e.id for e in playlist.entries]:
            self._run(lambda s, by: reorder(s, playlist.id, order, actor=by), "reorder playlist")

    def _entry_changed(self, *_args) -> None:
        item = self.entries.currentItem()
        entry = item.data(ENTRY_ROLE) if item is not None else None
        self.note.setText(entry.notes if entry else "")
        self.apply_role()

    def _save_note(self) -> None:
        from ..store.playlists import set_entry_notes

        item = self.entries.currentItem()
        entry = item.data(ENTRY_ROLE) if item is not None else None
        if entry is not None and self.note.text().strip() != entry.notes:
            notes = self.note.text()
            self._run(lambda s, by: set_entry_notes(s, entry.id, notes, actor=by), "playlist note")

    def _play(self) -> None:
        if self._playlist and self._playlist.entries:
            self.play_requested.emit([e.clip.id for e in self._playlist.entries], self._playlist.name)
