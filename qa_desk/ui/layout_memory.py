"""Where the reviewer left things: the window's size and place, its splitters, the main
tables' column widths.

Kept in layout.ini beside settings.json, with QSettings: Qt's own format for the state
Qt saves (saveGeometry, saveState), which neither the CLI nor the domain reads. Saved
when the window closes; restored when the window is built and, for views built later
(a call opened, an agent drilled into), the first time each splitter is seen.

A splitter or table is keyed by the objectNames of its named ancestors in the window
("callsArea/callView/callSplitter"), so its place survives unrelated layout changes.
Only splitters the reviewer moved are kept: a view that sizes its panes to its content
(the call view's transcript and flags) goes on doing so until the reviewer moves them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QGuiApplication, QRegion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeView,
    QWidget,
)

from .. import paths

log = logging.getLogger(__name__)

LAYOUT_FILE = "layout.ini"
STATE_VERSION = 1  # QMainWindow.saveState's version: a new one ignores older docks and bars
PATH_PROPERTY = "layoutMemoryPath"  # set on a splitter or header once it is looked after
WATCHED_PROPERTY = "layoutMemoryWatched"  # set on a stacked widget whose page changes start a look


def layout_file() -> Path:
    return paths.config_dir() / LAYOUT_FILE


def object_path(widget: QWidget, top: QWidget) -> str | None:
    """The objectNames from ``top`` (excluded) down to ``widget``; None when widget has none.
    Qt's names for the parts of its own widgets (qt_tabwidget_stackedwidget…) are left out."""
    if not widget.objectName():
        return None
    names = []
    node: QObject | None = widget
    while node is not None and node is not top:
        if node.objectName() and not node.objectName().startswith("qt_"):
            names.append(node.objectName())
        node = node.parent()
    return "/".join(reversed(names))


class LayoutMemory(QObject):
    """Restores and saves one main window's layout (see the module's docstring)."""

    def __init__(self, window: QMainWindow, path: Path | None = None):
        super().__init__(window)
        self._window = window
        self._settings = QSettings(str(path or layout_file()), QSettings.Format.IniFormat)
        self._splitters: dict[str, QSplitter] = {}
        self._moved: dict[str, QByteArray] = {}  # the reviewer's own splits, as last seen
        self._pending: dict[str, QByteArray] = {}  # saved splits of splitters not yet seen
        self._headers: dict[str, QHeaderView] = {}
        self._look_timer = QTimer(self)
        self._look_timer.setSingleShot(True)
        self._look_timer.setInterval(0)  # after the show in progress, with its own sizing, is done
        self._look_timer.timeout.connect(self._look)

    # --- reading the file ---------------------------------------------------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        """A saved state, or None: absent, or not bytes (a file edited by hand, a newer format)."""
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, (bytes, bytearray)) and value:
            return QByteArray(bytes(value))
        return None

    def _sizes(self, key: str) -> list[int] | None:
        value = self._settings.value(key)
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list):
            return None
        try:
            sizes = [int(v) for v in value]
        except (TypeError, ValueError):
            return None
        return sizes if all(0 <= s < 100_000 for s in sizes) else None  # 0: a hidden column

    # --- restoring ---------------------------------------------------------------------------

    def restore(self) -> None:
        """The window's geometry and docks now (before it is shown); the splitters and tables
        as they appear."""
        if self._settings.status() != QSettings.Status.NoError:
            log.warning("the layout file %s could not be read; the window opens at its default layout",
                        self._settings.fileName())
        geometry = self._bytes("window/geometry")
        if geometry is not None and self._window.restoreGeometry(geometry):
            keep_on_screen(self._window)
            # Again once shown: only then is the window's frame (title bar, borders) known.
            self._window.installEventFilter(self)
        state = self._bytes("window/state")
        if state is not None:
            self._window.restoreState(state, STATE_VERSION)
        self._settings.beginGroup("splitters")
        for key in self._settings.allKeys():
            state = self._bytes(key)
            if state is not None:
                self._pending[key] = state
        self._settings.endGroup()
        self.look()

    def look(self) -> None:
        """Look for splitters and tables not seen yet, once the current event is handled."""
        self._look_timer.start()

    def _look(self) -> None:
        window = self._window
        for stack in window.findChildren(QStackedWidget):
            # A page shown for the first time may hold a view just built (a call opened, an
            # agent's detail, the team view): each stack's page change starts a look.
            if not stack.property(WATCHED_PROPERTY):
                stack.setProperty(WATCHED_PROPERTY, True)
                stack.currentChanged.connect(self.look)
        for splitter in window.findChildren(QSplitter):
            if splitter.property(PATH_PROPERTY) is None and splitter.window() is window:
                self._adopt_splitter(splitter)
        for view in window.findChildren(QAbstractItemView):
            if isinstance(view, (QTableView, QTreeView)) and view.window() is window:
                header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
                if header.property(PATH_PROPERTY) is None:
                    self._adopt_header(view, header)

    def _adopt_splitter(self, splitter: QSplitter) -> None:
        path = object_path(splitter, self._window)
        if path is None:
            splitter.setProperty(PATH_PROPERTY, "")  # not remembered, and not looked at again
            log.debug("a splitter without an objectName is not remembered: %r", splitter)
            return
        if path in self._splitters:
            splitter.setProperty(PATH_PROPERTY, "")
            log.warning("two splitters at %s: only the first one's sizes are remembered", path)
            return
        splitter.setProperty(PATH_PROPERTY, path)
        self._splitters[path] = splitter
        splitter.destroyed.connect(lambda _obj=None, p=path: self._splitters.pop(p, None))
        splitter.splitterMoved.connect(lambda *_args, s=splitter, p=path: self._split_moved(p, s))
        if path in self._pending:
            # After the view's own first sizing (done as it is shown or first resized).
            splitter.installEventFilter(self)
            if splitter.isVisible():
                QTimer.singleShot(0, splitter, lambda s=splitter: self._restore_split(s))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._window:
            if event.type() == QEvent.Type.Show:
                self._window.removeEventFilter(self)
                QTimer.singleShot(0, self._window, lambda: keep_on_screen(self._window))
            return False
        if event.type() in (QEvent.Type.Show, QEvent.Type.Resize) and isinstance(watched, QSplitter) \
                and watched.isVisible():
            QTimer.singleShot(0, watched, lambda s=watched: self._restore_split(s))
        return False

    def _restore_split(self, splitter: QSplitter) -> None:
        path = splitter.property(PATH_PROPERTY)
        state = self._pending.pop(path, None)
        splitter.removeEventFilter(self)
        if state is None or splitter.count() < 2 or not splitter.restoreState(state):
            return
        # The restored split is the reviewer's own: said the way a drag says it, so a view
        # that keeps a moved split (the call view's transcript and flags) keeps this one.
        splitter.splitterMoved.emit(splitter.sizes()[0], 1)

    def _split_moved(self, path: str, splitter: QSplitter) -> None:
        self._moved[path] = splitter.saveState()

    def _adopt_header(self, view: QAbstractItemView, header: QHeaderView) -> None:
        path = object_path(view, self._window)
        if path is None or path in self._headers:
            header.setProperty(PATH_PROPERTY, "")
            return
        header.setProperty(PATH_PROPERTY, path)
        self._headers[path] = header
        header.destroyed.connect(lambda _obj=None, p=path: self._headers.pop(p, None))
        sizes = self._sizes(f"columns/{path}")
        model = view.model()
        if sizes is None or model is None:
            return
        if model.rowCount() > 0:
            restore_sections(header, sizes)
            return
        # Pages size their columns to the first rows they get (connected before this):
        # the saved widths are put back after that, once.
        def first_rows(*_args) -> None:
            if model.rowCount() > 0:
                for signal in (model.rowsInserted, model.modelReset, model.layoutChanged):
                    signal.disconnect(first_rows)
                restore_sections(header, sizes)

        for signal in (model.rowsInserted, model.modelReset, model.layoutChanged):
            signal.connect(first_rows)

    # --- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self._window.saveGeometry())
        settings.setValue("window/state", self._window.saveState(STATE_VERSION))
        for path, splitter in self._splitters.items():
            if path in self._moved:
                self._moved[path] = splitter.saveState()
        # Splits of views not opened this time (no call opened today) stay as they were.
        for path, state in self._moved.items():
            settings.setValue(f"splitters/{path}", state)
        for path, header in self._headers.items():
            if interactive_sections(header):
                settings.setValue(f"columns/{path}",
                                  ",".join(str(header.sectionSize(i)) for i in range(header.count())))
        settings.sync()
        if settings.status() != QSettings.Status.NoError:
            log.warning("the window's layout could not be saved to %s", settings.fileName())


def interactive_sections(header: QHeaderView) -> list[int]:
    """The sections whose width is the reviewer's to set (not stretched or sized to content)."""
    last = header.count() - 1
    return [i for i in range(header.count())
            if header.sectionResizeMode(i) == QHeaderView.ResizeMode.Interactive
            and not (header.stretchLastSection() and i == last)]


def restore_sections(header: QHeaderView, sizes: list[int]) -> None:
    if len(sizes) != header.count():  # other columns than when saved: the page's own widths
        return
    for section in interactive_sections(header):
        if sizes[section] and not header.isSectionHidden(section):
            header.resizeSection(section, max(sizes[section], header.minimumSectionSize()))


def keep_on_screen(window: QWidget) -> None:
    """A window saved on a screen that is gone (or was bigger) comes back whole on one that
    is here: restoreGeometry moves most, not all (a window wider than this screen, the
    frame it cannot know before the window is shown). A window the screens hold whole
    stays where it is."""
    if window.isMaximized() or window.isFullScreen():
        return
    frame = window.frameGeometry()
    screens = QGuiApplication.screens()
    shown = QRegion()
    for screen in screens:
        shown = shown.united(QRegion(screen.availableGeometry()))
    if not screens or QRegion(frame).subtracted(shown).isEmpty():
        return
    # The screen holding most of it (the main one if none does) takes all of it.
    def overlap(screen) -> int:
        part = screen.availableGeometry().intersected(frame)
        return part.width() * part.height() if part.isValid() else 0
    screen = max(screens, key=overlap)
    if overlap(screen) == 0:
        screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width = min(window.width(), available.width() - extra_w)
    height = min(window.height(), available.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)  # no smaller than the window's minimum size, though
    frame = window.frameGeometry()
    x = max(min(frame.x(), available.right() + 1 - frame.width()), available.left())
    y = max(min(frame.y(), available.bottom() + 1 - frame.height()), available.top())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)
