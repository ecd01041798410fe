"""Settings → Service-language rulebook: which rulebook checks the calls, and a rule tester.

The rulebook in use is the one shipped for the calls' language, or a file the centre
keeps (Choose file…). A chosen file is checked before it is used: an invalid one is
refused with every problem listed (file, line, rule, field) and the rulebook in use
stays as it was. Like the speech models above it, a choice takes effect at once.

The rule tester runs one sentence through the rulebook in use, as if the agent (or
the customer) said it at a given second, and lists the rules that fire and why: the
quickest way to see whether 不知道您 is excused while 不知道 is not.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..settings import login_name
from .acting import gate, permitted
from .flag_dialogs import SEVERITY_COLOURS, category_name, kind_short, severity_name
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, error_style, ok_style

TEST_DELAY_MS = 250  # the tester waits for a pause in typing
MAX_TEST_TEXT = 2000  # characters: a few sentences, never a whole call
COLUMNS = ("rule", "title", "category", "severity", "kind", "matched")  # and a row under each: why


def _load(path: Path):
    """Read and check a rulebook, and build its matcher (the slow part) off the GUI thread."""
    from ..scoring import checks  # noqa: F401 - imported here, once, rather than on the GUI thread
    from ..scoring.rulebook import load_rulebook

    rulebook = load_rulebook(path)
    rulebook.matcher()
    return rulebook


class _Refused(Exception):
    """A rulebook that cannot be used: its problems, one a line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _checked(path: Path):
    from ..scoring.rulebook import RulebookError

    try:
        return _load(path)
    except RulebookError as exc:
        raise _Refused(exc.problems) from None
    except OSError as exc:
        raise _Refused([f"{path}: {exc.strerror or exc}"]) from None


class RulebookPage(QGroupBox):
    """The "Service-language rulebook" group of the Settings page."""

    # The rulebook file now in use (after a choice): calls may be worth checking again.
    rulebook_changed = Signal(str)
    # "Check calls now": every transcribed call not yet checked with this version (a
    # check stopped half-way, calls transcribed elsewhere); the window runs it.
    check_requested = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Service-language rulebook"))
        self._services = services
        self._rulebook = None  # the rulebook in use, once read
        self._stale = True  # the settings may name another rulebook than the one shown
        self._job: JobRunner | None = None
        self._findings: list = []  # the tester's last findings
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(TEST_DELAY_MS)
        self._debounce.timeout.connect(self.test)

        self.in_use = QLabel()
        self.in_use.setObjectName("rulebookInUse")
        self.in_use.setWordWrap(True)
        self.in_use.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton(self.tr("Choose file…"))
        self.choose_button.setObjectName("chooseRulebook")
        self.default_button = QPushButton(self.tr("Use shipped default"))
        self.default_button.setObjectName("defaultRulebook")
        self.check_button = QPushButton(self.tr("Check calls now"))
        self.check_button.setObjectName("checkAllCalls")
        self.check_button.setToolTip(self.tr("Check every transcribed call not yet checked with this rulebook; "
                                             "the status bar shows the progress and can cancel it"))
        self.check_button.clicked.connect(self.check_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)

        self.name = self._value("rulebookName")
        self.language = self._value("rulebookLanguage")
        self.version = self._value("rulebookVersion")
        self.counts = self._value("rulebookCounts")
        details = QFormLayout()
        details.addRow(self.tr("Name:"), self.name)
        details.addRow(self.tr("Language:"), self.language)
        details.addRow(self.tr("Version:"), self.version)
        details.addRow(self.tr("Rules:"), self.counts)

        self.result = QLabel()
        self.result.setObjectName("rulebookResult")
        self.result.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("rulebookProblems")
        self.problems.setReadOnly(True)
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.problems.setFixedHeight(self.fontMetrics().height() * 6 + 12)
        self.problems.setStyleSheet("QPlainTextEdit { color: #b3261e; }")
        self.problems.hide()

        self.reviewer = QLineEdit()
        self.reviewer.setObjectName("reviewerName")
        self.reviewer.setPlaceholderText(login_name())
        self.reviewer.setMaximumWidth(260)
        reviewer_row = QFormLayout()
        reviewer_row.addRow(self.tr("Your name on flag decisions:"), self.reviewer)

        column = QVBoxLayout(self)
        column.setSpacing(8)
        column.addWidget(self.in_use)
        column.addLayout(buttons)
        column.addWidget(self.result)
        column.addWidget(self.problems)
        column.addLayout(details)
        column.addLayout(reviewer_row)
        column.addWidget(self._build_tester())

        self.choose_button.clicked.connect(self.choose_file)
        self.default_button.clicked.connect(self.use_default)
        self.reviewer.editingFinished.connect(self._save_reviewer)

    def _value(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_tester(self) -> QGroupBox:
        box = QGroupBox(self.tr("Rule tester"))
        self.test_text = QLineEdit()
        self.test_text.setObjectName("ruleTestText")
        self.test_text.setMaxLength(MAX_TEST_TEXT)
        self.test_text.setPlaceholderText(self.tr("Type what was said, e.g. 不知道，你自己再试试吧"))
        self.test_text.setClearButtonEnabled(True)
        self.test_speaker = QComboBox()
        self.test_speaker.setObjectName("ruleTestSpeaker")
        self.test_speaker.addItem(self.tr("Agent"), "agent")
        self.test_speaker.addItem(self.tr("Customer"), "customer")
        self.test_time = QDoubleSpinBox()
        self.test_time.setObjectName("ruleTestTime")
        self.test_time.setRange(0.0, 4 * 3600.0)
        self.test_time.setDecimals(1)
        self.test_time.setSuffix(self.tr(" s"))
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setObjectName("ruleTest")
        row = QHBoxLayout()
        row.addWidget(self.test_text, 1)
        row.addWidget(QLabel(self.tr("said by")))
        row.addWidget(self.test_speaker)
        row.addWidget(QLabel(self.tr("at")))
        row.addWidget(self.test_time)
        row.addWidget(self.test_button)
        self.test_summary = QLabel()
        self.test_summary.setObjectName("ruleTestSummary")
        self.test_summary.setWordWrap(True)
        self.test_summary.setStyleSheet(HINT_STYLE)
        self.test_table = QTableWidget(0, len(COLUMNS))
        self.test_table.setObjectName("ruleTestResults")
        self.test_table.setHorizontalHeaderLabels([
            self.tr("Rule"), self.tr("Title"), self.tr("Category"), self.tr("Severity"), self.tr("Kind"),
            self.tr("Matched"),
        ])
        self.test_table.verticalHeader().hide()
        self.test_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.test_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.test_table.setWordWrap(True)
        self.test_table.setMinimumHeight(150)
        self.test_table.setStyleSheet("QTableView::item { padding-left: 6px; padding-right: 6px; }")
        header = self.test_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        column = QVBoxLayout(box)
        column.addWidget(QLabel(self.tr("Which rules fire on a sentence, with the rulebook in use:")))
        column.addLayout(row)
        column.addWidget(self.test_summary)
        column.addWidget(self.test_table)
        self.test_text.textChanged.connect(self._debounce.start)
        self.test_speaker.currentIndexChanged.connect(self._debounce.start)
        self.test_time.valueChanged.connect(self._debounce.start)
        self.test_text.returnPressed.connect(self.test)
        self.test_button.clicked.connect(self.test)
        return box

    # --- the rulebook in use -------------------------------------------------------------------

    def active_path(self) -> Path | None:
        """The file in use: the centre's own, or the shipped one for the call language (None: none ships)."""
        settings = self._services.settings
        if (settings.rulebook_path or "").strip():
            return Path(settings.rulebook_path).expanduser()
        from ..scoring.rulebook import default_rulebook_path

        try:
            return default_rulebook_path(settings.call_language)
        except ValueError:
            return None

    def reload(self) -> None:
        """Show the rulebook the settings name (after a start, or another call language).

        The file is read when the group is on screen: the window need not read (and
        import the matcher for) a rulebook at every start."""
        self.reviewer.setText(self._services.settings.reviewer_name)
        self._stale = True
        if self.isVisible():
            self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._refresh()

    def _refresh(self) -> None:
        self._stale = False
        path = self.active_path()
        self._describe_source(path)
        if path is None:
            self._show_rulebook(None)
            self._say(self.tr("No rulebook ships for '{0}' calls: choose a rulebook file.").format(
                self._services.settings.call_language), error_style())
            return
        self._read(path, chosen=False)

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def rulebook(self):
        return self._rulebook

    def choose_file(self) -> None:
        start = str(self.active_path().parent) if self.active_path() else ""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose a rulebook"), start, self.tr("Rulebooks (*.yaml *.yml);;All files (*)"))
        if path:
            self._read(Path(path), chosen=True)

    def _activate(self, path: str | None, rulebook, previous: str | None) -> bool:
        """The service's check and audit entry (lead or admin); False, said, when refused."""
        from ..store.rulebooks import activate_rulebook

        try:
            with self._services.db.session() as session:
                activate_rulebook(session, self._services.user, path=path,
                                  rulebook=rulebook, previous=previous)
        except PermissionError as exc:  # PermissionDenied: the rulebook in use stays
            self._say(str(exc), error_style())
            return False
        return True

    def use_default(self) -> None:
        settings = self._services.settings
        if not (settings.rulebook_path or "").strip():
            return
        previous = settings.rulebook_path
        if not self._activate(None, None, previous):
            return
        settings.rulebook_path = None
        if not self._save_settings(lambda: setattr(settings, "rulebook_path", previous)):
            return
        self._refresh()
        path = self.active_path()
        if path is not None:
            self.rulebook_changed.emit(str(path))

    def _read(self, path: Path, *, chosen: bool) -> None:
        if self._job is not None:
            self._job.abandon()
        self._offer_choice(False)
        self._say(self.tr("Reading {0}…").format(path.name), HINT_STYLE)
        self.problems.hide()
        finished = self._chosen if chosen else self._loaded
        failed = self._refused if chosen else self._unusable
        self._job = run_job(lambda ctx: (path, _checked(path)), on_finished=finished, on_failed=failed,
                            expected=(_Refused,), name="read rulebook")

    def _loaded(self, result: object) -> None:
        path, rulebook = result
        self._offer_choice(True)
        self._show_rulebook(rulebook)
        self._say("", HINT_STYLE)
        self.test()

    def _chosen(self, result: object) -> None:
        path, rulebook = result
        self._offer_choice(True)
        settings = self._services.settings
        previous = settings.rulebook_path
        if not self._activate(str(path), rulebook, previous):
            return
        settings.rulebook_path = str(path)
        if not self._save_settings(lambda: setattr(settings, "rulebook_path", previous)):
            return
        self._describe_source(path)
        self._show_rulebook(rulebook)
        self._say(self.tr("Now using {0}: {1} rules. Calls checked from now on use it.").format(
            path.name, len(rulebook.rules)), ok_style())
        self.test()
        self.rulebook_changed.emit(str(path))

    def _refused(self, message: str) -> None:
        """A chosen file that cannot be used: every problem listed; the rulebook in use stays."""
        self._offer_choice(True)
        problems = [line for line in message.splitlines() if line.strip()]
        self._say(self.tr("This rulebook was not used: {0} problem(s) to correct first. The rulebook in use "
                          "is unchanged.").format(len(problems)), error_style())
        self._show_problems(problems)

    def _unusable(self, message: str) -> None:
        """The rulebook in the settings cannot be read (edited since, or moved)."""
        self._offer_choice(True)
        self._show_rulebook(None)
        self._say(self.tr("The rulebook in the settings cannot be used; calls are not checked until it is "
                          "corrected or another is chosen."), error_style())
        self._show_problems(message.splitlines())

    def _refusal(self) -> str:
        return self.tr("Only a team lead or an admin changes the rulebook; the rule tester is for everyone")

    def _offer_choice(self, idle: bool) -> None:
        """Choosing a rulebook file when no read is running and the role may change the
        rulebook (the store refuses others anyway: every activation is audited)."""
        gate(self.choose_button, idle, permitted(self._services, "rulebook.edit"), self._refusal())

    def apply_role(self) -> None:
        """Another person signed in: offer the changes their role allows."""
        self._offer_choice(self._job is None or self._job.is_done())
        own = bool((self._services.settings.rulebook_path or "").strip())
        gate(self.default_button, own, permitted(self._services, "rulebook.edit"), self._refusal())

    def _show_problems(self, problems: list[str]) -> None:
        """Every problem, in a box tall enough for them (it scrolls past a dozen lines)."""
        self.problems.setPlainText("\n".join(problems))
        width = max(200, self.problems.viewport().width() or self.width() - 40)
        lines = sum(max(1, -(-self.fontMetrics().horizontalAdvance(p) // width)) for p in problems)
        self.problems.setFixedHeight(self.fontMetrics().lineSpacing() * min(max(lines, 2), 12) + 14)
        self.problems.show()

    def _describe_source(self, path: Path | None) -> None:
        settings = self._services.settings
        own = bool((settings.rulebook_path or "").strip())
        gate(self.default_button, own, permitted(self._services, "rulebook.edit"), self._refusal())
        if path is None:
            self.in_use.setText(self.tr("In use: none"))
        elif own:
            self.in_use.setText(self.tr("In use: your centre's own rulebook, {0}").format(path))
        else:
            self.in_use.setText(self.tr("In use: the shipped rulebook for '{0}' calls ({1})").format(
                settings.call_language, path.name))

    def _show_rulebook(self, rulebook) -> None:
        self._rulebook = rulebook
        if rulebook is None:
            for label in (self.name, self.language, self.version, self.counts):
                label.setText("—")
            self._show_results(None)
            return
        self.name.setText(rulebook.name)
        self.language.setText(rulebook.language)
        written = rulebook.definition.get("version")
        self.version.setText(f"{written} ({rulebook.version})" if written else rulebook.version)
        counts = sorted(rulebook.counts_by_category().items(), key=lambda kv: (-kv[1], kv[0]))
        self.counts.setText(self.tr("{0} in all: {1}").format(
            len(rulebook.rules), " · ".join(f"{category_name(c)} {n}" for c, n in counts)))

    def _save_settings(self, undo) -> bool:
        try:
            self._services.save_settings()
        except OSError as exc:
            undo()
            self._say(self.tr("Could not save the settings: {0}").format(exc), error_style())
            return False
        return True

    def _save_reviewer(self) -> None:
        settings = self._services.settings
        name = self.reviewer.text().strip()
        if name != settings.reviewer_name:
            previous = settings.reviewer_name
            settings.reviewer_name = name
            self._save_settings(lambda: setattr(settings, "reviewer_name", previous))

    def _say(self, text: str, style: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(style)
        self.result.setVisible(bool(text))

    # --- the rule tester ------------------------------------------------------------------------

    def test(self) -> list:
        """Run the typed text through the rulebook in use; the findings shown."""
        self._debounce.stop()
        text = self.test_text.text().strip()
        if self._rulebook is None or not text:
            self._show_results(None)
            return []
        from ..scoring.checks import check_text  # already imported by the rulebook's job

        findings = check_text(self._rulebook, text, speaker=self.test_speaker.currentData(),
                              at=self.test_time.value())
        self._show_results(findings)
        return findings

    def _show_results(self, findings: list | None) -> None:
        """A row per rule that fires, and under it, across the table, why it fired."""
        table = self.test_table
        table.clearSpans()
        table.setRowCount(0)
        self._findings = list(findings or [])
        if findings is None:
            self.test_summary.setText(self.tr("Type a sentence to see which rules fire on it.")
                                      if self._rulebook is not None else "")
            return
        self.test_summary.setText(self.tr("No rule fires on this text.") if not findings else
                                  self.tr("{0} rule(s) fire.").format(len(findings)))
        table.setRowCount(2 * len(findings))
        width = table.viewport().width() - 16
        for index, finding in enumerate(findings):
            row = 2 * index
            for column, value in enumerate(self._row(finding)[:len(COLUMNS)]):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if COLUMNS[column] == "severity":
                    item.setForeground(Qt.GlobalColor.white)
                    item.setBackground(QColor(SEVERITY_COLOURS.get(finding.severity, "#718096")))
                table.setItem(row, column, item)
            why = QTableWidgetItem(self.tr("Why: {0}").format(finding.reason or "—"))
            why.setForeground(self.palette().placeholderText())
            table.setItem(row + 1, 0, why)
            table.setSpan(row + 1, 0, 1, len(COLUMNS))
            # Spanned cells are measured by their first column: set the height for the whole width.
            rect = self.fontMetrics().boundingRect(0, 0, max(width, 100), 10000, Qt.TextFlag.TextWordWrap,
                                                   why.text())
            table.setRowHeight(row + 1, rect.height() + 8)

    @staticmethod
    def _row(finding) -> tuple[str, ...]:
        return (finding.rule_key, finding.rule_title, category_name(finding.category), severity_name(finding.severity),
                kind_short(finding.kind), finding.matched_text or "", finding.reason or "")

    def results(self) -> list[tuple[str, ...]]:
        """The tester's findings as shown: rule, title, category, severity, kind, matched, why."""
        return [self._row(f) for f in self._findings]
