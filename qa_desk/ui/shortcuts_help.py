"""The keyboard shortcuts: the call view's, from one table that both binds and explains
them, and the window's menu keys, read from the window's own actions when the help opens
(so the list shows the keys the menus really have, on this platform).

J, K and L follow the video-player convention many reviewers already know from
YouTube: J back 10 s, K play/pause, L forward 10 s (QA Desk plays forwards only, so
not the editors' "J plays backwards"). Speed has its own keys, [ and ].
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys matched by the character they type rather than the key pressed: "?" and "+"
# need Shift on one keyboard and not on another, and a shortcut bound to both
# spellings would be ambiguous where the platform offers both.
TYPED_KEYS = frozenset({"?", "+", "=", "-"})

# action -> the keys bound to it (portable QKeySequence text), in the order shown
SHORTCUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("play_pause", ("Space", "K")),
    ("back_5", ("Left",)),
    ("forward_5", ("Right",)),
    ("back_1", ("Shift+Left",)),
    ("forward_1", ("Shift+Right",)),
    ("back_10", ("J",)),
    ("forward_10", ("L",)),
    ("slower", ("[",)),
    ("faster", ("]",)),
    ("start", ("Home",)),
    ("end", ("End",)),
    ("zoom_in", ("Ctrl+=", "Ctrl++", "+", "=")),
    ("zoom_out", ("Ctrl+-", "-")),
    ("zoom_fit", ("Ctrl+0",)),
    ("escape", ("Escape",)),
    ("search", ("Ctrl+F",)),
    ("back_to_calls", ("Alt+Left",)),
    ("help", ("F1", "?")),
)


# Keys of the flags list (handled by the list itself, so they act only where a flag is
# selected: typing a C in the transcript search never confirms anything).
FLAG_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("flag_play", ("Return",)),
    ("flag_confirm", ("C",)),
    ("flag_dismiss", ("D",)),
    ("flag_note", ("N",)),
    ("flag_reopen", ("R",)),
)


# Keys of the evaluation panel (handled by the panel, for the item that has the focus).
EVALUATION_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("item_move", ("Up", "Down")),
    ("item_answer", ("Y", "P", "N", "A")),
)


def describe(action: str) -> str:
    return {
        "play_pause": QCoreApplication.translate("Shortcuts", "Play or pause"),
        "back_5": QCoreApplication.translate("Shortcuts", "Back 5 seconds"),
        "forward_5": QCoreApplication.translate("Shortcuts", "Forward 5 seconds"),
        "back_1": QCoreApplication.translate("Shortcuts", "Back 1 second"),
        "forward_1": QCoreApplication.translate("Shortcuts", "Forward 1 second"),
        "back_10": QCoreApplication.translate("Shortcuts", "Back 10 seconds"),
        "forward_10": QCoreApplication.translate("Shortcuts", "Forward 10 seconds"),
        "slower": QCoreApplication.translate("Shortcuts", "Slower (0.25× steps, down to 0.5×)"),
        "faster": QCoreApplication.translate("Shortcuts", "Faster (0.25× steps, up to 2×)"),
        "start": QCoreApplication.translate("Shortcuts", "Go to the start of the call"),
        "end": QCoreApplication.translate("Shortcuts", "Go to the end of the call"),
        "zoom_in": QCoreApplication.translate("Shortcuts", "Zoom in around the playhead"),
        "zoom_out": QCoreApplication.translate("Shortcuts", "Zoom out"),
        "zoom_fit": QCoreApplication.translate("Shortcuts", "Show the whole call"),
        "escape": QCoreApplication.translate("Shortcuts", "Clear the transcript search, or else the selection"),
        "search": QCoreApplication.translate("Shortcuts", "Search the transcript"),
        "back_to_calls": QCoreApplication.translate("Shortcuts", "Back to the call library"),
        "help": QCoreApplication.translate("Shortcuts", "Show these shortcuts"),
        "flag_play": QCoreApplication.translate("Shortcuts", "Play the selected flag from a second before"),
        "flag_confirm": QCoreApplication.translate("Shortcuts", "Confirm the selected flag"),
        "flag_dismiss": QCoreApplication.translate("Shortcuts", "Dismiss the selected flag (asks for the reason)"),
        "flag_note": QCoreApplication.translate("Shortcuts", "Add a note to the selected flag"),
        "flag_reopen": QCoreApplication.translate("Shortcuts", "Reopen a decided flag"),
        "item_move": QCoreApplication.translate("Shortcuts", "The previous or next item"),
        "item_answer": QCoreApplication.translate("Shortcuts", "Answer the item: Yes, Partial, No or N/A (a digit on a 0..N scale)"),
    }[action]


def bind_shortcuts(widget: QWidget, actions: dict[str, Callable[[], object]]):
    """Bind every shortcut to widget and its children: ({action: [QShortcut]}, {typed key: action}).

    The typed keys (TYPED_KEYS) are left to the widget's keyPressEvent, which sees only
    keys no child took: typing "?" in a search box stays typing.
    """
    shortcuts: dict[str, list[QShortcut]] = {}
    typed: dict[str, Callable[[], object]] = {}
    for action, keys in SHORTCUTS:
        shortcuts[action] = [
            QShortcut(QKeySequence(key), widget, actions[action], context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for key in keys if key not in TYPED_KEYS
        ]
        typed.update((key, actions[action]) for key in keys if key in TYPED_KEYS)
    return shortcuts, typed


def key_text(keys: tuple[str, ...]) -> str:
    """Keys as the reviewer's keyboard labels them (e.g. ⌘ on a Mac)."""
    return sequences_text([QKeySequence(k) for k in keys])


def sequences_text(sequences: list[QKeySequence]) -> str:
    return ",  ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


def menu_text(text: str) -> str:
    """A menu entry's text without its mnemonic: "&Find…" and "查找(&F)…" read "Find…", "查找…"."""
    return re.sub(r"&(.)", r"\1", re.sub(r"\s*\(&[^&]\)", "", text))


def window_keys(window: QMainWindow | None) -> list[tuple[str, str]]:
    """(keys, "Menu › Entry") for each entry of the window's menus that has a shortcut, in
    the menus' order: whatever keys the menus were given, as this platform shows them."""
    if window is None:
        return []
    rows = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        for action in menu.actions():
            if not action.isSeparator() and action.shortcuts():
                where = QCoreApplication.translate("Shortcuts", "{0} › {1}")  # menu › entry
                rows.append((sequences_text(action.shortcuts()),
                             where.format(menu_text(top.text()), menu_text(action.text()))))
    return rows


def sections(window: QMainWindow | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help's groups: (heading, [(keys, what they do)]); the window's only with a window."""
    def rows(table):
        return [(key_text(keys), describe(action)) for action, keys in table]

    groups = [
        (QCoreApplication.translate("Shortcuts", "Window"), window_keys(window)),
        (QCoreApplication.translate("Shortcuts", "Call view"), rows(SHORTCUTS)),
        (QCoreApplication.translate("Shortcuts", "Flags list (a flag selected)"), rows(FLAG_KEYS)),
        (QCoreApplication.translate("Shortcuts", "Evaluation (the item with the focus)"), rows(EVALUATION_KEYS)),
    ]
    return [(heading, entries) for heading, entries in groups if entries]


class ShortcutsHelp(QDialog):
    """The shortcuts, grouped; opened from the window (F1) or from a call view inside it,
    whose window's menus it reads."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        window = parent.window() if parent is not None else None
        self.sections = sections(window if isinstance(window, QMainWindow) else None)
        self.table = QTableWidget(sum(1 + len(entries) for _heading, entries in self.sections), 2)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What it does")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self._headings: set[int] = set()
        row = 0
        for heading, entries in self.sections:
            item = QTableWidgetItem(heading)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setBackground(self.palette().midlight())  # a band over its group, light or dark
            self.table.setItem(row, 0, item)
            self.table.setSpan(row, 0, 1, 2)
            self._headings.add(row)
            row += 1
            for keys, what in entries:
                self.table.setItem(row, 0, QTableWidgetItem(keys))
                self.table.setItem(row, 1, QTableWidgetItem(what))
                row += 1
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.resizeRowsToContents()

        note = QLabel(self.tr(
            "J, K and L work as in most video players: back 10 s, play/pause, forward 10 s. "
            "On the waveform: click to jump there, drag to select a span, use the mouse wheel to "
            "zoom and Shift+wheel (or the scrollbar) to scroll. Click a word in the transcript to "
            "hear it."
        ))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addWidget(note)
        column.addWidget(buttons)
        # All of it without scrolling where the screen is tall enough; else most of the screen.
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        whole = rows + self.table.horizontalHeader().height() + 4
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() * 3 // 4 - (self.sizeHint().height() - self.table.sizeHint().height())
        self.table.setMinimumHeight(max(min(whole, room), 240))
        self.resize(620, self.sizeHint().height())

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) of every shortcut shown, the group headings left out."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())
                if r not in self._headings]

    def headings(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in sorted(self._headings)]
