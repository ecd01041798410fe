"""A guard against a reference-counting bug in PySide6 6.12.0's signals.

In PySide6 6.12.0, ``SignalInstance.emit()`` and ``SignalInstance.disconnect()``
return ``True`` (or ``False``) without taking a reference to it. Every call from
Python therefore takes one reference away from the interpreter's ``True`` object;
after a few hundred emits (an import's progress, a list refresh) ``True`` is freed
and the process aborts with "Fatal Python error: bool_dealloc".

``install()`` checks whether the running PySide6 has the bug and, only then, wraps
the two methods so that the reference the caller will release is taken first.
A PySide6 without the bug is left untouched. ``qa_desk.ui`` installs it on import,
before any widget can emit anything.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 8
_installed = False

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()

    def pong(self) -> None:
        pass


def _bool_refs() -> int:
    return sys.getrefcount(True) + sys.getrefcount(False)


def _loses_reference(call) -> bool:
    """True when call() gives away a reference to True/False it never took."""
    before = _bool_refs()
    for _ in range(_PROBES):
        call()
    lost = before - _bool_refs()
    if lost >= _PROBES:
        for _ in range(_PROBES):  # give back what the probe itself took
            _incref(True)
        return True
    return False


def _wrap(name: str) -> None:
    original = getattr(SignalInstance, name)

    @functools.wraps(original)
    def fixed(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if result is True or result is False:
            _incref(result)  # the reference PySide6 should have taken
        return result

    setattr(SignalInstance, name, fixed)


def install() -> list[str]:
    """Patch what is broken in this PySide6; the names of the methods patched."""
    global _installed
    if _installed:
        return []
    _installed = True
    probe = _Probe()
    patched = []
    if _loses_reference(probe.ping.emit):
        _wrap("emit")
        patched.append("emit")

    def connect_and_disconnect() -> None:
        probe.ping.connect(probe.pong)
        probe.ping.disconnect(probe.pong)

    if _loses_reference(connect_and_disconnect):
        _wrap("disconnect")
        patched.append("disconnect")
    probe.deleteLater()
    return patched
