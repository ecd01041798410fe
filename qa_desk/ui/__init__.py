"""QA Desk's window (PySide6 widgets): the only package besides qa_desk.app that imports Qt."""

from .qt_fixes import install as _install_qt_fixes

_install_qt_fixes()
