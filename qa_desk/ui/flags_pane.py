"""The call's flags beside its transcript: what the rulebook found, and the reviewer's say.

Each flag is a card: severity, time, category and kind on top, what was said and the
rule under it, and a reason or note when there is one; the status on the right shows
the last decision and who made it (the tooltip has the whole history). A click on a
flag plays the call from a second before it; C confirms, D dismisses (asking why),
N adds a note, R reopens.

Flags are read and every decision is written through ``qa_desk.store.flags`` in a job
(a shared PostgreSQL database may be slow to answer); after each decision the list is
read again, so it always shows what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..jobs import JobContext
from ..settings import login_name
from ..store.database import Database
from .flag_dialogs import (
    FLAG_ROLE, DismissDialog, FlagDelegate, FlagHistoryDialog, NoteDialog, flag_summary, flag_tooltip, kind_label,
    status_text,
)
from .formatting import moment
from .jobs import JobRunner, run_job
from .shortcuts_help import TYPED_KEYS
from .wrap_layout import WrapLayout

STORE_ERRORS = (LookupError, ValueError, PermissionError)  # a refusal; a flag a rescan removed; a decision without a reason


@dataclass(frozen=True)
class CallFlags:
    call_id: int
    flags: list  # store.flags.FlagRow, in call order
    history: dict  # flag id -> [FlagEventRow], for flags with decisions or notes
    scan: object | None  # store.flags.ScanInfo, or None: the call was never checked
    transcribed: bool = True  # False: no transcript yet, so there is nothing to check


def read_flags(db: Database, call_id: int) -> CallFlags:
    from sqlalchemy import select

    from ..store import flags as store_flags
    from ..store.models import Transcript

    with db.session() as session:
        rows = store_flags.flags_for_call(session, call_id)
        history = {row.id: store_flags.flag_history(session, row.id) for row in rows if row.event_count}
        transcribed = session.execute(select(Transcript.id).where(Transcript.call_id == call_id).limit(1)).first()
        return CallFlags(call_id, rows, history, store_flags.scan_info(session, call_id), transcribed is not None)


class FlagsModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._flags: list = []
        self._history: dict = {}

    def set_flags(self, flags: list, history: dict) -> None:
        self.beginResetModel()
        self._flags, self._history = list(flags), dict(history)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._flags)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        flag = self._flags[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return " · ".join(p for p in (flag_summary(flag), kind_label(flag.kind), status_text(flag)) if p)
        if role == Qt.ItemDataRole.ToolTipRole:
            return flag_tooltip(flag, self._history.get(flag.id, []))
        if role == FLAG_ROLE:
            return flag
        return None

    def all_flags(self) -> list:
        return list(self._flags)

    def history(self, flag_id: int) -> list:
        return list(self._history.get(flag_id, []))

    def row_of(self, flag_id: int) -> int:
        return next((i for i, f in enumerate(self._flags) if f.id == flag_id), -1)


class FlagList(QListView):
    """The cards; C, D, N and R decide on the selected flag, Enter plays it."""

    key_action = Signal(str)

    KEYS = {Qt.Key.Key_C: "confirm", Qt.Key.Key_D: "dismiss", Qt.Key.Key_N: "note", Qt.Key.Key_R: "reopen",
            Qt.Key.Key_Return: "play", Qt.Key.Key_Enter: "play"}

    def keyPressEvent(self, event) -> None:  # noqa: N802
        action = self.KEYS.get(event.key())
        extra = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if action is not None and not extra:
            event.accept()
            self.key_action.emit(action)
            return
        if event.text() in TYPED_KEYS:  # "?", "+", "-": the call view's, not a search of the list
            event.ignore()
            return
        super().keyPressEvent(event)


class FlagsPane(QWidget):
    """The flags of the call shown in the call view, and the reviewer's decisions on them."""

    flag_activated = Signal(object)  # FlagRow: play from just before it
    flag_selected = Signal(object)  # FlagRow or None
    flags_changed = Signal(list)  # the call's flags, after every read
    check_requested = Signal()  # "Check now" / "Check again": the call view asks for a scan
    message = Signal(str)

    def __init__(self, db: Database, *, reviewer: Callable[[], str] = login_name, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._reviewer = reviewer
        self._call_id: int | None = None
        self._loaded_call: int | None = None
        self._scan = None  # store.flags.ScanInfo of the shown call
        self._transcribed = True  # the shown call has a transcript (else nothing to check yet)
        self._checking = False
        self._jobs: list[JobRunner] = []
        self.dialog = None  # the dismiss / note / history dialog open now

        self.title = QLabel(self.tr("Flags"))
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.counts = QLabel()
        self.counts.setObjectName("flagCounts")
        self.counts.setStyleSheet("color: palette(placeholder-text);")
        self.check_button = QToolButton()
        self.check_button.setObjectName("checkAgain")
        self.check_button.setText(self.tr("Check again"))
        self.check_button.setToolTip(self.tr("Check this call against the service-language rulebook again"))
        self.check_button.clicked.connect(self.check_requested)

        self.model = FlagsModel(self)
        self.list = FlagList()
        self.list.setObjectName("flagList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(FlagDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        self.empty_message = QLabel()
        self.empty_message.setObjectName("flagsEmpty")
        self.empty_detail = QLabel()
        self.empty_detail.setObjectName("flagsEmptyDetail")
        self.empty_detail.setStyleSheet("color: palette(placeholder-text);")
        for label in (self.empty_message, self.empty_detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.empty_button = QPushButton()
        self.empty_button.setObjectName("checkNow")
        self.empty_button.clicked.connect(self.check_requested)
        self.empty = QWidget()
        empty_column = QVBoxLayout(self.empty)
        empty_column.addStretch(1)
        empty_column.addWidget(self.empty_message)
        empty_column.addWidget(self.empty_detail)
        empty_column.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_column.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.list)

        self.confirm_button = self._button("confirmFlag", self.tr("Confirm"), self.tr("The agent did say it (C)"))
        self.dismiss_button = self._button("dismissFlag", self.tr("Dismiss…"),
                                           self.tr("The flag is wrong: say why (D)"))
        self.note_button = self._button("noteFlag", self.tr("Note…"), self.tr("Add a note to the flag (N)"))
        self.reopen_button = self._button("reopenFlag", self.tr("Reopen"), self.tr("Undo the decision (R)"))
        self.history_button = self._button("flagHistoryButton", self.tr("History"),
                                           self.tr("Every decision and note on the flag"))
        self.error = QLabel()
        self.error.setObjectName("flagError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.counts, 1)
        heading.addWidget(self.check_button)
        self.actions_row = QWidget()
        actions = WrapLayout(self.actions_row, spacing=4)  # wraps in a narrow pane
        for button in (self.confirm_button, self.dismiss_button, self.note_button, self.reopen_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.history_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(6)
        column.addLayout(heading)
        column.addWidget(self.pages, 1)
        column.addWidget(self.error)
        column.addWidget(self.actions_row)

        self.confirm_button.clicked.connect(self.confirm_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.note_button.clicked.connect(self.note_selected)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.history_button.clicked.connect(self.show_history)
        self.list.clicked.connect(self._activate)
        self.list.key_action.connect(self._key_action)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.clear()

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the list keeps the keyboard
        return button

    # --- the call -----------------------------------------------------------------------

    def set_database(self, db: Database) -> None:
        self.clear()
        self._db = db

    def clear(self) -> None:
        """No call: nothing to show (and no job of the last call's may come back)."""
        self._cancel_jobs()
        self._call_id = self._loaded_call = self._scan = None
        self._checking = False
        self.model.set_flags([], {})
        self._show_state()
        self.flags_changed.emit([])

    def load(self, call_id: int) -> None:
        """Read the call's flags (again: after a decision elsewhere, or a scan)."""
        if call_id != self._call_id:
            self.clear()
            self._call_id = call_id
            self._show_state(loading=True)
        db = self._db
        self._start(lambda ctx: read_flags(db, call_id), self._loaded, self._load_failed, "read flags")

    def reload(self) -> None:
        if self._call_id is not None:
            self.load(self._call_id)

    def set_checking(self, checking: bool) -> None:
        """A scan of this call is running (the call view's rescan sets this)."""
        self._checking = checking
        self._show_state()

    def flags(self) -> list:
        return self.model.all_flags()

    def empty_text(self) -> str:
        return self.empty_message.text() if self.pages.currentWidget() is self.empty else ""

    def _start(self, fn, finished, failed, name: str) -> None:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        self._jobs.append(run_job(fn, on_finished=finished, on_failed=failed, expected=STORE_ERRORS, name=name))

    def _cancel_jobs(self) -> None:
        for runner in self._jobs:
            runner.abandon()
        self._jobs = []

    def _loaded(self, result: object) -> None:
        if not isinstance(result, CallFlags) or result.call_id != self._call_id:
            return  # another call was opened meanwhile
        keep = self.selected_flag()
        self._loaded_call, self._scan = result.call_id, result.scan
        self._transcribed = result.transcribed
        self.model.set_flags(result.flags, result.history)
        self.error.hide()
        self._show_state()
        if keep is not None and self.model.row_of(keep.id) >= 0:
            self.select_flag(keep.id)
        else:
            self._current_changed()
        self.flags_changed.emit(result.flags)

    def _load_failed(self, message: str) -> None:
        if self.model.all_flags():  # the flags shown stay; say that they may be out of date
            self.error.setText(self.tr("Could not read the flags again: {0}").format(message))
            self.error.show()
            return
        self._loaded_call = None
        self._show_state(failed=message)

    def _show_state(self, *, loading: bool = False, failed: str = "") -> None:
        flags = self.model.all_flags()
        self.pages.setCurrentWidget(self.list if flags else self.empty)
        self.check_button.setEnabled(self._call_id is not None and not self._checking)
        self.check_button.setVisible(bool(flags) or self._scan is not None)
        self.empty_button.hide()
        detail, message = "", ""
        if failed:
            message, detail = self.tr("Could not read the flags"), failed
        elif self._call_id is None:
            message = ""
        elif self._checking and not flags:
            message = self.tr("Checking the call against the rulebook…")
        elif loading or self._loaded_call != self._call_id:
            message = self.tr("Reading flags…")
        elif not flags and self._scan is None and not self._transcribed:
            # "Check now" would find nothing to check: the transcript comes first.
            message = self.tr("Not checked yet: no transcript")
            detail = self.tr("A call is checked against the service-language rulebook once it is transcribed. "
                             "Transcribe it first (the Transcribe button by its transcript); its flags appear "
                             "here when the check is done.")
        elif not flags and self._scan is None:
            message = self.tr("Not checked yet")
            detail = self.tr("This call has not been checked against the service-language rulebook.")
            self.empty_button.setText(self.tr("Check now"))
            self.empty_button.show()
        elif not flags:
            message = self.tr("No flags: this call meets the standard")
            detail = self._checked_with()
        self.empty_message.setText(message)
        self.empty_detail.setText(detail)
        self.empty_detail.setVisible(bool(detail))
        self._show_counts(flags)
        self._current_changed()

    def _checked_with(self) -> str:
        scan = self._scan
        if scan is None:
            return ""
        day = moment(scan.at)
        if scan.rulebook:
            return self.tr("Checked with {0} (version {1}) on {2}.").format(scan.rulebook, scan.version, day)
        return self.tr("Checked on {0}.").format(day)

    def _show_counts(self, flags: list) -> None:
        if self._checking and flags:
            self.counts.setText(self.tr("checking again…"))
        elif flags:
            open_ = sum(f.status == "open" for f in flags)
            self.counts.setText(self.tr("{0} · {1} open").format(len(flags), open_))
            self.counts.setToolTip(self._checked_with())
        else:
            self.counts.clear()

    # --- selection and playing --------------------------------------------------------------

    def selected_flag(self):
        index = self.list.currentIndex()
        return index.data(FLAG_ROLE) if index.isValid() else None

    def select_flag(self, flag_id: int) -> bool:
        row = self.model.row_of(flag_id)
        if row < 0:
            return False
        index = self.model.index(row)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        self._current_changed()
        return True

    def _current_changed(self, *_args) -> None:
        flag = self.selected_flag()
        on = flag is not None
        self.confirm_button.setEnabled(on and flag.status != "confirmed")
        self.dismiss_button.setEnabled(on and flag.status != "dismissed")
        self.note_button.setEnabled(on)
        self.reopen_button.setEnabled(on and flag.status != "open")
        self.history_button.setEnabled(on and flag.event_count > 0)
        self.actions_row.setVisible(bool(self.model.all_flags()))
        self.flag_selected.emit(flag)

    def _activate(self, index: QModelIndex) -> None:
        flag = index.data(FLAG_ROLE)
        if flag is not None:
            self.flag_activated.emit(flag)

    def _key_action(self, action: str) -> None:
        if action == "play":
            self._activate(self.list.currentIndex())
            return
        {"confirm": self.confirm_selected, "dismiss": self.dismiss_selected, "note": self.note_selected,
         "reopen": self.reopen_selected}[action]()

    # --- decisions ---------------------------------------------------------------------------

    def confirm_selected(self) -> None:
        from ..store.flags import confirm

        flag = self.selected_flag()
        if flag is not None and flag.status != "confirmed":
            self._decide(lambda s, by: confirm(s, flag.id, by), self.tr("Flag confirmed by {0}."))

    def reopen_selected(self) -> None:
        from ..store.flags import reopen

        flag = self.selected_flag()
        if flag is not None and flag.status != "open":
            self._decide(lambda s, by: reopen(s, flag.id, by), self.tr("Flag reopened by {0}."))

    def dismiss_selected(self) -> DismissDialog | None:
        """Ask why (OK stays disabled until a reason is typed), then dismiss."""
        from ..store.flags import dismiss

        flag = self.selected_flag()
        if flag is None or flag.status == "dismissed":
            return None
        dialog = self._open_dialog(DismissDialog(flag, self))
        dialog.accepted.connect(lambda: self._decide(
            lambda s, by, reason=dialog.value(): dismiss(s, flag.id, by, reason), self.tr("Flag dismissed by {0}.")))
        return dialog

    def note_selected(self) -> NoteDialog | None:
        from ..store.flags import add_note

        flag = self.selected_flag()
        if flag is None:
            return None
        dialog = self._open_dialog(NoteDialog(flag, self))
        dialog.accepted.connect(lambda: self._decide(
            lambda s, by, text=dialog.value(): add_note(s, flag.id, by, text), self.tr("Note added by {0}.")))
        return dialog

    def show_history(self) -> FlagHistoryDialog | None:
        flag = self.selected_flag()
        if flag is None:
            return None
        return self._open_dialog(FlagHistoryDialog(flag, self.model.history(flag.id), self))

    def _open_dialog(self, dialog):
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self.list.setFocus())
        dialog.open()  # window-modal, and the window keeps running (no nested event loop)
        return dialog

    def _decide(self, action: Callable, done: str) -> None:
        """Write one decision as the reviewer, then read the call's flags again."""
        by, db, call_id = self._reviewer(), self._db, self._call_id
        if call_id is None:
            return

        def job(ctx: JobContext) -> tuple[CallFlags, str]:
            with db.session() as session:
                action(session, by)
            return read_flags(db, call_id), done.format(getattr(by, "name", by))

        self._start(job, self._decided, self._decision_failed, "flag decision")

    def _decided(self, result: object) -> None:
        flags, message = result
        self._loaded(flags)
        self.message.emit(message)

    def _decision_failed(self, message: str) -> None:
        self.error.setText(self.tr("The decision was not saved: {0}").format(message))
        self.error.show()
        self.message.emit(self.error.text())
        self.reload()  # a rescan may have changed the flags under the reviewer
