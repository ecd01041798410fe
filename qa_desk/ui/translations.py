"""Where the interface's compiled translations (.qm) are, building them when needed.

The .ts sources are committed in ``resources/translations``; the .qm files Qt loads
are built from them at install time (quickstart.sh, ``scripts/translations.py build``)
or when the desktop bundle is built. A copy installed some other way (``pip install``)
has only the sources: then the .qm files are built here, once, into the cache folder
with Qt's own lrelease (shipped with PySide6), and rebuilt when a source is newer.
Without lrelease the interface stays in English, the language of its sources.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from .. import wording
from ..paths import cache_dir, resources_dir

log = logging.getLogger(__name__)

# The interface's languages (Qt locale code, the language's name in itself: what a
# person looks for when the current language is one they cannot read).
INTERFACE_LANGUAGES = (("zh_CN", "简体中文"), ("en", "English"))


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime


def _lrelease() -> str | None:
    beside = Path(sys.executable).parent / "pyside6-lrelease"
    return str(beside) if beside.exists() else shutil.which("pyside6-lrelease")


def qm_folder() -> Path:
    """The folder holding up-to-date .qm files for every .ts shipped (the shipped folder
    when they were built at install time, else the cache)."""
    shipped = resources_dir() / "translations"
    sources = sorted(shipped.glob("qa_desk_*.ts"))
    if all(_fresh(ts.with_suffix(".qm"), ts) for ts in sources):
        return shipped
    cache = cache_dir() / "translations"
    stale = [ts for ts in sources if not _fresh(cache / f"{ts.stem}.qm", ts)]
    tool = _lrelease() if stale else None
    if stale and tool is None:
        log.warning("pyside6-lrelease not found: the interface is shown in English")
        return cache
    if stale:
        cache.mkdir(parents=True, exist_ok=True)
    for ts in stale:
        try:
            subprocess.run([tool, "-silent", str(ts), "-qm", str(cache / f"{ts.stem}.qm")], check=True,
                           capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("could not build the translation %s: %s", ts.name, exc)
    return cache


_installed: list = []  # the translators install_translators put in, taken out at the next call


def install_translators(app=None, language: str = "") -> list:
    """QA Desk's and Qt's own translations for ``language`` (a Qt locale name; "" is the
    system's), in place of any installed before: the first-run dialog switches language
    while it is open, before the window is built in it."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

    app = app or QCoreApplication.instance()
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    locale = QLocale(language) if language else QLocale.system()
    # Dates and numbers follow the interface's language, not only its words: a
    # Chinese interface on an English desktop writes 2026/12/2 and 1,234.5 as China does.
    QLocale.setDefault(locale)
    sources = (("qa_desk", qm_folder()), ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)))
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", str(folder)):
            app.installTranslator(translator)
            _installed.append(translator)
    # What the domain writes (a flag's reason, an export's headers) in the same language.
    wording.use(QCoreApplication.translate)
    return list(_installed)


def uninstall_translators(app=None) -> None:
    """Back to the sources' English: the translators install_translators put in are taken out
    (tests, which share one application between many windows, start each from there)."""
    from PySide6.QtCore import QCoreApplication

    app = app or QCoreApplication.instance()
    for old in _installed:
        if app is not None:
            app.removeTranslator(old)
    _installed.clear()
    wording.use(None)


__all__ = ["INTERFACE_LANGUAGES", "install_translators", "qm_folder", "uninstall_translators"]
