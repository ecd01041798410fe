"""The guard against PySide6 6.12.0 losing references to True on every emit."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import qa_desk.ui  # noqa: F401 - installs the guard


class _Source(QObject):
    changed = Signal(bool)
    ping = Signal()

    def slot(self, *args) -> None:
        pass


def test_emit_and_disconnect_keep_true_alive(qapp):
    source = _Source()
    source.changed.connect(source.slot)
    before = sys.getrefcount(True)
    for _ in range(3000):  # more than True's references at start-up: would abort unguarded
        source.changed.emit(True)
        source.ping.emit()
        source.ping.connect(source.slot)
        source.ping.disconnect(source.slot)
    assert sys.getrefcount(True) >= before
