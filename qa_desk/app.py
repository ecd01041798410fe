"""The composition root of the window: settings, database, services, MainWindow.

Everything the window needs is built here, once, and handed to ``MainWindow``;
tests build the same ``Services`` on a temporary database. A database that cannot
be opened is not the end: the user may correct its address, fall back to the local
database for this session, or quit.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from . import __version__
from .scoring.scan import AfterTranscript, RulebookCache
from .settings import (
    Settings,
    SettingsError,
    default_database_url,
    resolve_database_url,
)
from .store.database import Database, DatabaseError, redact
from .transcription.service import TranscriptionService
from .ui.jobs import JobRunner
from .ui.main_window import MainWindow
from .ui.services import Services
from .ui.settings_page import SettingsPage
from .ui.theme import apply_theme
from .ui.translations import install_translators

__all__ = ["EXIT_NO_DATABASE", "Services", "install_translators", "run_app", "start_app"]

log = logging.getLogger(__name__)

EXIT_NO_DATABASE = 3
APP_NAME = "QA Desk"



def _application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    if existing is not None:
        return existing  # tests, or a second window in the same process
    # Qt 6 scales for high-DPI screens by itself; pass fractional factors (150 %) through
    # instead of rounding them, so text on a laptop at 125 % is neither tiny nor huge.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def _load_settings() -> tuple[Settings, str | None]:
    try:
        return Settings.load(), None
    except SettingsError as exc:
        return Settings(), str(exc)


def _tell_settings_problem(problem: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("QADeskApp", "QA Desk"), QCoreApplication.translate("QADeskApp", "Your settings could not be read."))
    box.setInformativeText(
        QCoreApplication.translate("QADeskApp", "{0}\n\nQA Desk starts with the default settings. Saving settings replaces the file.").format(problem)
    )
    box.exec()


def _ask_about_database(message: str, offer_local: bool) -> str:
    """'settings', 'local' or 'quit': what the user wants after the database failed."""
    box = QMessageBox(QMessageBox.Icon.Critical, QCoreApplication.translate("QADeskApp", "QA Desk"), QCoreApplication.translate("QADeskApp", "QA Desk cannot open its database."))
    box.setInformativeText(message)
    settings = box.addButton(QCoreApplication.translate("QADeskApp", "Open settings"), QMessageBox.ButtonRole.ActionRole)
    settings.setObjectName("openSettings")
    local = None
    if offer_local:
        local = box.addButton(QCoreApplication.translate("QADeskApp", "Use local database"), QMessageBox.ButtonRole.AcceptRole)
        local.setObjectName("useLocalDatabase")
        box.setDefaultButton(local)
    quit_button = box.addButton(QCoreApplication.translate("QADeskApp", "Quit"), QMessageBox.ButtonRole.RejectRole)
    quit_button.setObjectName("quit")
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is settings:
        return "settings"
    if local is not None and clicked is local:
        return "local"
    return "quit"


def _edit_database_settings(services: Services, failed_url: str, parent: QWidget | None = None) -> str | None:
    """Settings in a dialog, before the window exists; the new database URL once saved.

    The URL that failed is shown for correction even when it came from --db or
    QA_DESK_DB rather than the setting: a typo is fixed where it is seen."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(QCoreApplication.translate("QADeskApp", "QA Desk settings"))
    dialog.resize(760, 520)
    page = SettingsPage(services)
    if failed_url != default_database_url():
        page.url_edit.setText(failed_url)
    chosen: list[str] = []
    page.database_change_requested.connect(chosen.append)
    page.database_change_requested.connect(dialog.accept)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(page, 1)
    layout.addWidget(buttons)
    dialog.exec()
    JobRunner.shutdown_all()  # a connection test still running must not outlive its page
    return chosen[-1] if chosen else None


def open_database(
    url: str,
    settings: Settings,
    *,
    ask: Callable[[str, bool], str] | None = None,
    edit_settings: Callable[[Services, str], str | None] | None = None,
) -> Database | None:
    """The database to work on, after as many tries as the user wants; None to quit."""
    ask = ask or _ask_about_database
    edit_settings = edit_settings or _edit_database_settings
    local = default_database_url()
    while True:
        try:
            return Database.open(url)
        except DatabaseError as exc:
            log.warning("cannot open database %s: %s", redact(url), exc)
            choice = ask(str(exc), url != local)
        if choice == "quit":
            return None
        if choice == "local":
            url = local  # for this session only; the saved setting is left as it was
        elif choice == "settings":
            # Services without a database: the settings page only needs the settings here.
            new_url = edit_settings(Services(settings, None), url)  # type: ignore[arg-type]
            if new_url:
                url = new_url


def start_app(argv: list[str], db_url: str | None = None) -> MainWindow | None:
    """Everything up to the shown window (run_app without the event loop); None: quit."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = _application(argv)
    settings, problem = _load_settings()
    install_translators(app, settings.language)
    apply_theme(app, settings.theme)
    if problem:
        _tell_settings_problem(problem)
    db = open_database(resolve_database_url(db_url, settings), settings)
    if db is None:
        return None
    # Workers read the settings afresh for every job: a model installed or made the
    # default in Settings is used by the next call (a broken file: the defaults, as above).
    rulebooks = RulebookCache()  # one for the window's checks and the workers'

    def transcription(database: Database) -> TranscriptionService:
        load = lambda: _load_settings()[0]
        return TranscriptionService(database, load_settings=load, after_transcript=AfterTranscript(load, rulebooks))

    services = Services(settings, db, transcription=transcription(db), new_transcription=transcription,
                        rulebooks=rulebooks)
    from .ui.sign_in import choose_user

    services.user = choose_user(services, save=not problem)  # the first-run choice (SQLite) or signing in (shared database)
    if services.user is None:
        if services.transcription is not None:
            services.transcription.stop()
        db.close()
        return None
    window = MainWindow(services)
    window.show()
    return window


def run_app(argv: list[str], db_url: str | None = None) -> int:
    """Start QA Desk's window; the process exit code (3: no usable database, user quit)."""
    window = start_app(argv, db_url)
    if window is None:
        return EXIT_NO_DATABASE
    app = QApplication.instance()
    app.aboutToQuit.connect(JobRunner.shutdown_all)
    _quit_for_smoke_test(app, window)
    try:
        return app.exec()
    finally:
        if window.services.transcription is not None:
            window.services.transcription.stop()  # calls in hand go back to the queue
        JobRunner.shutdown_all()
        window.services.db.close()


def _quit_for_smoke_test(app: QApplication, window: MainWindow) -> None:
    """QA_DESK_SMOKE_EXIT_MS=N: quit N ms after the window is shown (bench/frozen_smoke.py
    starts a built bundle headless this way). Only a whole number above 0 counts, so an
    unset, empty or stray value never closes anyone's window."""
    value = os.environ.get("QA_DESK_SMOKE_EXIT_MS", "")
    if not (value.isascii() and value.isdigit()) or int(value) <= 0:
        return

    def quit_now() -> None:
        print(f"qa-desk: smoke exit after {value} ms, window shown: {window.isVisible()}", file=sys.stderr)
        app.quit()

    QTimer.singleShot(int(value), quit_now)
