"""The CLI speaks the interface's language: the setting, else the system's (LANG).

Only QtCore is loaded (no window system): a QTranslator reads the same compiled
translations as the window, and ``wording`` sends the CLI's and the domain's
sentences through it. ``QA_DESK_LANGUAGE`` overrides both, for a script that wants
its messages in one language whatever the machine (``en`` for English).
What scripts parse does not change with the language: ``--json`` keys and values,
status codes and exit codes.
"""

from __future__ import annotations

import os

from . import wording

_kept: list = []  # the translator must outlive install(): Qt does not own it


def chosen_language(setting: str = "") -> str:
    """The Qt locale name to speak ("" is the system's)."""
    return os.environ.get("QA_DESK_LANGUAGE", "").strip() or (setting or "").strip()


def install(setting: str = "") -> str:
    """Load the translation for the chosen language; returns the locale name used."""
    from PySide6.QtCore import QLocale, QTranslator

    from .ui.translations import qm_folder

    language = chosen_language(setting)
    locale = QLocale(language) if language else QLocale.system()
    _kept.clear()
    translator = QTranslator()
    if translator.load(locale, "qa_desk", "_", str(qm_folder())):
        _kept.append(translator)
        wording.use(lambda context, source: translator.translate(context, source))
    else:
        wording.use(None)  # English: the sources
    return locale.name()


__all__ = ["chosen_language", "install"]
