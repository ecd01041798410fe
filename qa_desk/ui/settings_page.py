"""Settings: which database QA Desk uses, and the defaults an import starts from.

A team shares one PostgreSQL database; a single reviewer keeps the local SQLite
file. "Test connection" tries a URL without switching to it, so a typo in a server
name is found before anyone depends on it. Saving a new URL asks the main window to
reconnect; the settings page itself never swaps the database.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QFrame,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..settings import AGENT_CHANNELS, default_database_url
from ..store.database import Database, redact
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, PatternEdit, error_style, ok_style
from .rulebook_page import RulebookPage
from .services import Services
from .speech_models_page import SpeechModelsPage
from .theme import THEMES, apply_theme
from .translations import INTERFACE_LANGUAGES

FORM_WIDTH = 720


def _try_database(url: str) -> str:
    """Open the database at url and close it again; the backend's name on success."""
    # No upgrade: testing a colleague's shared database must not migrate it.
    db = Database.open(url, upgrade=False)
    try:
        return db.backend
    finally:
        db.close()


class SettingsPage(QWidget):
    """Database connection and import defaults, saved to the user's settings file."""

    # The effective URL of the database to switch to, after a saved change.
    database_change_requested = Signal(str)
    saved = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._test: JobRunner | None = None

        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("databaseUrl")
        self.url_edit.setPlaceholderText(default_database_url())
        self.url_edit.setClearButtonEnabled(True)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.test_button)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        url_hint = self._hint(
            self.tr(
                "Leave empty to keep the calls in a local database on this computer. A team "
                "sharing one database enters its address, e.g. "
                "postgresql+psycopg://user:password@server/qa_desk"
            )
        )
        self.in_use = self._hint("")
        self.in_use.setObjectName("databaseInUse")
        database = QGroupBox(self.tr("Database"))
        db_column = QVBoxLayout(database)
        db_column.setSpacing(8)
        db_column.addWidget(QLabel(self.tr("Database URL:")))
        db_column.addLayout(url_row)
        db_column.addWidget(self.test_result)
        db_column.addWidget(url_hint)
        db_column.addWidget(self.in_use)

        self.channel = QComboBox()
        self.channel.setObjectName("defaultChannel")
        for key, label in zip(AGENT_CHANNELS, (self.tr("Left"), self.tr("Right"), self.tr("Mono (mixed)"))):
            self.channel.addItem(label, key)
        self.pattern = PatternEdit()
        self.pattern.set_idle_hint(self.tr("Valid pattern. The import dialog previews it on your recordings."))
        imports = QGroupBox(self.tr("Import defaults"))
        import_form = QFormLayout(imports)
        import_form.addRow(self.tr("Agent's channel:"), self.channel)
        import_form.addRow("", self._hint(self.tr("In stereo recordings, the channel that carries the agent's voice.")))
        import_form.addRow(self.tr("File-name pattern:"), self.pattern)

        # Scorecards: the monitoring quota and the colour bands every scorecard uses.
        self.quota = QSpinBox()
        self.quota.setObjectName("monitoringQuota")
        self.quota.setRange(0, 1000)
        self.quota.setSuffix(self.tr(" a month"))
        self.score_good = QDoubleSpinBox()
        self.score_good.setObjectName("scoreGood")
        self.score_poor = QDoubleSpinBox()
        self.score_poor.setObjectName("scorePoor")
        for box in (self.score_good, self.score_poor):
            box.setRange(0.0, 100.0)
            box.setDecimals(1)
            box.setSuffix(" %")
        scorecards = QGroupBox(self.tr("Scorecards"))
        scorecard_form = QFormLayout(scorecards)
        scorecard_form.addRow(self.tr("Evaluations per agent:"), self.quota)
        scorecard_form.addRow("", self._hint(self.tr(
            "The monitoring quota. Scorecards show who is behind it; a week or a quarter asks "
            "for its share. 0 turns it off.")))
        scorecard_form.addRow(self.tr("Good from:"), self.score_good)
        scorecard_form.addRow(self.tr("Poor below:"), self.score_poor)
        scorecard_form.addRow("", self._hint(self.tr(
            "Scores between the two are shown as “watch”.")))

        # The interface language: the system's by default; names in their own language, so
        # someone who cannot read the current one still finds theirs.
        self.language = QComboBox()
        self.language.setObjectName("interfaceLanguage")
        system = QLocale.system().nativeLanguageName()
        self.language.addItem(self.tr("As the system ({0})").format(system) if system else self.tr("As the system"), "")
        for code, name in INTERFACE_LANGUAGES:
            self.language.addItem(name, code)
        self.theme = QComboBox()
        self.theme.setObjectName("interfaceTheme")
        for key, label in zip(THEMES, (self.tr("As the system"), self.tr("Light"), self.tr("Dark"))):
            self.theme.addItem(label, key)
        interface = QGroupBox(self.tr("Interface"))
        interface_form = QFormLayout(interface)
        interface_form.addRow(self.tr("Language:"), self.language)
        interface_form.addRow("", self._hint(self.tr("A new language shows from the next start of QA Desk.")))
        interface_form.addRow(self.tr("Colours:"), self.theme)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveSettings")
        self.save_button.setDefault(True)
        self.save_result = QLabel()
        self.save_result.setObjectName("saveResult")
        self.save_result.setWordWrap(True)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_result, 1)
        save_row.addWidget(self.save_button)

        title = QLabel(self.tr("Settings"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)

        # Its own group, below Save: installs and removals take effect at once.
        self.speech_models = SpeechModelsPage(services)
        # Also its own group: a chosen rulebook is checked and used at once.
        self.rulebook = RulebookPage(services)
        self.rulebook.setObjectName("rulebookGroup")

        form = QWidget()
        form.setMaximumWidth(FORM_WIDTH)
        column = QVBoxLayout(form)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(interface)
        column.addWidget(database)
        column.addWidget(imports)
        column.addWidget(scorecards)
        column.addLayout(save_row)
        column.addWidget(self.speech_models)
        column.addWidget(self.rulebook)
        column.addStretch(1)
        content = QWidget()
        inner = QHBoxLayout(content)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(form, 1)
        inner.addStretch(0)
        # The page is taller than a small window (or the start-up settings dialog): scroll.
        scroll = self.scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self.url_edit.textChanged.connect(self.test_result.clear)
        # The shipped rulebook follows the language of calls chosen in Speech models.
        self.speech_models.call_language.currentIndexChanged.connect(self.rulebook.reload)
        self.reload()

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(HINT_STYLE)
        return label

    def reload(self) -> None:
        """Show the saved settings (discarding unsaved edits) and the database in use."""
        settings = self._services.settings
        self.url_edit.setText(settings.database_url)
        self.channel.setCurrentIndex(max(0, self.channel.findData(settings.agent_channel)))
        self.pattern.setText(settings.filename_pattern)
        self.quota.setValue(settings.monitoring_quota)
        self.score_good.setValue(settings.score_good)
        self.score_poor.setValue(settings.score_poor)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language or "")))
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme or "")))
        self.save_result.clear()
        self.test_result.clear()
        self.show_database_in_use()
        self.speech_models.reload()
        self.rulebook.reload()

    def show_part(self, part: str) -> None:
        """Bring a group into view for a first-day action: "speech_models" (install one) or
        "database" (a team's shared database: the address field, ready to type in)."""
        if part == "speech_models":
            self.scroll.ensureWidgetVisible(self.speech_models, 0, 0)
            self.speech_models.setFocus()
        elif part == "database":
            self.scroll.ensureWidgetVisible(self.url_edit.parentWidget(), 0, 40)
            self.url_edit.setFocus()
            self.url_edit.selectAll()

    def show_database_in_use(self) -> None:
        # No database yet when the app asks the user to fix a URL that failed to open.
        db = self._services.db
        self.in_use.setVisible(db is not None)
        if db is not None:
            self.in_use.setText(self.tr("In use now: {0}").format(redact(db.url)))

    def effective_url(self) -> str:
        return self.url_edit.text().strip() or default_database_url()

    # --- test connection ---------------------------------------------------------------------

    def test_connection(self) -> None:
        url = self.effective_url()
        self.test_button.setEnabled(False)
        self._say(self.test_result, self.tr("Connecting to {0}…").format(redact(url)), HINT_STYLE)
        self._test = run_job(
            lambda ctx: _try_database(url),
            on_finished=self._test_succeeded,
            on_failed=self._test_failed,
            name="test database connection",
        )

    def is_testing(self) -> bool:
        return self._test is not None and not self._test.is_done()

    def _test_succeeded(self, backend: object) -> None:
        self.test_button.setEnabled(True)
        self._say(self.test_result, self.tr("Connection works ({0}).").format(backend), ok_style())

    def _test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self._say(self.test_result, message, error_style())

    # --- save ----------------------------------------------------------------------------------

    def save(self) -> bool:
        if not self.pattern.is_valid():
            self._say(self.save_result, self.tr("Correct the file-name pattern before saving."), error_style())
            return False
        settings = self._services.settings
        old_url = settings.database_url.strip()
        new_url = self.url_edit.text().strip()
        if self.score_poor.value() > self.score_good.value():
            self._say(self.save_result, self.tr("“Poor below” cannot be above “Good from”."), error_style())
            return False
        names = ("database_url", "agent_channel", "filename_pattern", "monitoring_quota", "score_good", "score_poor",
                 "language", "theme")
        previous = {name: getattr(settings, name) for name in names}
        settings.database_url = new_url
        settings.agent_channel = self.channel.currentData()
        settings.filename_pattern = self.pattern.text()
        settings.monitoring_quota = self.quota.value()
        settings.score_good, settings.score_poor = self.score_good.value(), self.score_poor.value()
        language_changed = (settings.language or "") != self.language.currentData()
        settings.language = self.language.currentData()
        theme_changed = (settings.theme or "") != self.theme.currentData()
        settings.theme = self.theme.currentData()
        try:
            self._services.save_settings()
        except OSError as exc:
            for name, value in previous.items():
                setattr(settings, name, value)
            self._say(self.save_result, self.tr("Could not save the settings: {0}").format(exc), error_style())
            return False
        if theme_changed:  # colours change at once: the palette is the application's
            apply_theme(QApplication.instance(), settings.theme)
        self.saved.emit()
        in_use = self._services.db.url if self._services.db is not None else None
        if self._services.db is None or (new_url != old_url and self.effective_url() != in_use):
            self._say(
                self.save_result,
                self.tr("Saved. QA Desk reconnects to the new database…"),
                ok_style(),
            )
            self.database_change_requested.emit(self.effective_url())
        elif language_changed:
            self._say(self.save_result, self.tr("Settings saved. Start QA Desk again to see it in {0}.").format(
                self.language.currentText()), ok_style())
        else:
            self._say(self.save_result, self.tr("Settings saved."), ok_style())
        return True

    def show_reconnect_result(self, message: str, ok: bool) -> None:
        """The main window's answer to a reconnect request."""
        self._say(self.save_result, message, ok_style() if ok else error_style())
        self.show_database_in_use()

    def _say(self, label: QLabel, text: str, style: str) -> None:
        label.setText(text)
        label.setStyleSheet(style)

