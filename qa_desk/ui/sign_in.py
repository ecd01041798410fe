"""Who uses the window: the first-run choice of the local user (SQLite) or signing in
(a shared database), before the window opens.

On a local SQLite file one person works: at first run they give their name and role
(admin by default: it is their own file), kept in the settings and stored as the file's
single local user, without a password. On a shared database everyone signs in with the
name and password an admin gave them (``qa_desk.store.users``). Either way the result is
``Services.user``, the Actor every change in the window is checked and audited as.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from ..permissions import ROLES, Actor, PermissionDenied
from .pattern_edit import HINT_STYLE, error_style
from .translations import INTERFACE_LANGUAGES


def role_names(widget: QWidget | None = None) -> dict[str, str]:
    """The roles as the user reads them (one translation context, "Roles", whichever
    widget shows them: ``widget.tr`` would look them up under each widget's own class)."""
    translate = QCoreApplication.translate
    return {"reviewer": translate("Roles", "QA reviewer"), "lead": translate("Roles", "Team lead"),
            "trainer": translate("Roles", "Trainer"), "manager": translate("Roles", "Manager"),
            "admin": translate("Roles", "Administrator")}


DIALOG_WIDTH = 460  # wide enough for the explanations to wrap in two or three lines


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.25)
    label.setFont(font)
    return label


def _frame(dialog: QDialog, heading: str, parts: list, form: QFormLayout, buttons: QDialogButtonBox) -> QLabel:
    """The dialogs' common shape: a heading, what to know, the fields, the buttons."""
    dialog.setMinimumWidth(DIALOG_WIDTH)
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(10)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(20, 18, 20, 16)
    layout.setSpacing(12)
    title = _heading(heading)
    layout.addWidget(title)
    for part in parts:
        layout.addWidget(part)
    layout.addLayout(form)
    layout.addStretch(1)
    layout.addWidget(buttons)
    return title


class FirstRunDialog(QDialog):
    """The first start on a SQLite file: the interface language, then the name and role
    of the file's single local user. Choosing a language switches the dialog to it at
    once (``switch_language`` installs the translation), so the window that follows is
    built in it."""

    def __init__(self, name: str = "", role: str = "admin", parent: QWidget | None = None, *,
                 language: str = "", switch_language: Callable[[str], object] | None = None):
        super().__init__(parent)
        self._switch = switch_language
        self.language = QComboBox()
        self.language.setObjectName("firstRunLanguage")
        self.language.addItem("", "")  # "As the system": its text is set by retranslate()
        for code, native in INTERFACE_LANGUAGES:
            self.language.addItem(native, code)
        self.language.setCurrentIndex(max(0, self.language.findData(language or "")))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.name = QLineEdit(name)
        self.name.setObjectName("userName")
        self.role = QComboBox()
        self.role.setObjectName("userRole")
        for key in ROLES:
            self.role.addItem("", key)
        self.role.setCurrentIndex(max(0, self.role.findData(role if role in ROLES else "admin")))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._check)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.form = QFormLayout()
        self.labels = [QLabel(), QLabel(), QLabel()]  # language, name, role: texts set by retranslate()
        for label, field in zip(self.labels, (self.language, self.name, self.role)):
            self.form.addRow(label, field)
        self.heading = _frame(self, "", [self.intro], self.form, self.buttons)
        self.retranslate()
        self._check()

    def retranslate(self) -> None:
        """Every text of the dialog in the language installed now."""
        title = self.tr("Welcome to QA Desk")
        self.setWindowTitle(title)
        self.heading.setText(title)
        self.intro.setText(self.tr("Choose your language, then tell QA Desk who uses it on this computer: your "
                                   "name is written on the evaluations, flag decisions and clips you make, and in "
                                   "the audit log."))
        self.language.setItemText(0, self.tr("As the system"))
        for label, text in zip(self.labels, (self.tr("Language"), self.tr("Your name"), self.tr("Your role"))):
            label.setText(text)
        names = role_names()
        for i in range(self.role.count()):
            self.role.setItemText(i, names[self.role.itemData(i)])
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def _language_chosen(self) -> None:
        if self._switch is not None:
            self._switch(self.language_code())
            self.retranslate()

    def language_code(self) -> str:
        """The chosen interface language ("" follows the system)."""
        return self.language.currentData() or ""

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name.text().strip()))

    def chosen(self) -> tuple[str, str]:
        return self.name.text().strip(), self.role.currentData()

    def ask(self) -> tuple[str, str] | None:
        """(name, role), or None when cancelled (tests replace this method)."""
        return self.chosen() if self.exec() == QDialog.DialogCode.Accepted else None


class SignInDialog(QDialog):
    """Name and password for a shared database; ``attempt(name, password)`` signs in or
    raises with the message to show (it never says which of the two was wrong)."""

    def __init__(self, attempt: Callable[[str, str], Actor], name: str = "", database: str = "",
                 parent: QWidget | None = None, *, first_admin: bool = False):
        super().__init__(parent)
        self._attempt = attempt
        self._first_admin = first_admin
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Create the first admin") if first_admin else self.tr("Sign in to QA Desk"))
        where = QLabel(self.tr("Database: {0}").format(database)) if database else QLabel()
        where.setStyleSheet(HINT_STYLE)
        where.setVisible(bool(database))
        # A new shared database has nobody who can sign in: its first user becomes the admin
        # who then adds everyone else (Review and Settings, or qa-desk users add).
        self.first_admin_hint = QLabel(self.tr(
            "Nobody can sign in to this database yet. Choose the name and password of its first admin; "
            "the admin then adds the other users."))
        self.first_admin_hint.setWordWrap(True)
        self.first_admin_hint.setVisible(first_admin)
        self.again = QLineEdit()
        self.again.setObjectName("signInPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.name = QLineEdit(name)
        self.name.setObjectName("signInName")
        self.password = QLineEdit()
        self.password.setObjectName("signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("signInError")
        self.error.setStyleSheet(error_style())
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Create and sign in") if first_admin else self.tr("Sign in"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Password"), self.password)
        if first_admin:
            form.addRow(self.tr("Password again"), self.again)
        _frame(self, self.windowTitle(), [where, self.first_admin_hint], form, self.buttons)
        self.layout().insertWidget(self.layout().count() - 1, self.error)
        if name:
            self.password.setFocus()

    def try_sign_in(self) -> None:
        name, password = self.name.text().strip(), self.password.text()
        if not name or not password:
            self._show_error(self.tr("Give your name and password."))
            return
        if self._first_admin and self.again.text() != password:
            self._show_error(self.tr("The two passwords differ."))
            return
        try:
            self.actor = self._attempt(name, password)
        except Exception as exc:  # noqa: BLE001 - SignInError, PermissionDenied, a database failure: said, not raised
            self.password.clear()
            self._show_error(self.tr("Could not sign in: {0}").format(exc))
            return
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def ask(self) -> Actor | None:
        return self.actor if self.exec() == QDialog.DialogCode.Accepted else None


def choose_user(services, parent: QWidget | None = None, *, save: bool = True) -> Actor | None:
    """The window's user (first run / stored local user, or signed in); None: quit.
    ``save``: keep the first-run choice in the settings file (not over a broken one)."""
    from ..store.users import local_user, sign_in

    db, settings = services.db, services.settings
    if db.backend == "sqlite":
        name, role = settings.user_name.strip(), settings.user_role
        if not name:
            from .translations import install_translators

            dialog = FirstRunDialog(settings.user(), role or "admin", parent, language=settings.language,
                                    switch_language=lambda code: install_translators(None, code))
            answer = dialog.ask()
            if answer is None:
                return None
            name, role = answer
            settings.language = dialog.language_code()
        try:
            with db.session() as session:
                actor = local_user(session, name, role)
        except (PermissionDenied, ValueError):
            # A file with users who sign in (copied from a shared setup): they sign in here too.
            return _sign_in(db, settings, parent, sign_in)
        if save and (settings.user_name, settings.user_role) != (name, role):
            settings.user_name, settings.user_role = name, role  # with the language chosen with them
            try:
                services.save_settings()
            except OSError:
                pass  # asked again next time; this session goes on as them
        return actor
    return _sign_in(db, settings, parent, sign_in)


def user_after_reconnect(services, parent: QWidget | None = None) -> Actor | None:
    """Who works on the database the window just switched to. A signed-in user of one
    database means nothing on another: on a local file the same person carries on as its
    local user; where people sign in, they sign in again (None: nobody, so every change is
    refused until they do)."""
    from ..store.users import local_user, sign_in

    db, settings, current = services.db, services.settings, services.user
    if db.backend == "sqlite" and current is not None:
        try:
            with db.session() as session:
                return local_user(session, current.name, current.role)
        except (PermissionDenied, ValueError):
            pass  # a file with users who sign in
    return _sign_in(db, settings, parent, sign_in)


def _sign_in(db, settings, parent, sign_in) -> Actor | None:
    from ..store.database import redact
    from ..store.users import first_admin, has_users_who_sign_in

    with db.session() as session:
        first = not has_users_who_sign_in(session)

    def attempt(name: str, password: str) -> Actor:
        with db.session() as session:
            return first_admin(session, name, password) if first else sign_in(session, name, password)

    return SignInDialog(attempt, settings.user_name.strip(), redact(db.url), parent, first_admin=first).ask()


__all__ = ["FirstRunDialog", "SignInDialog", "choose_user", "role_names", "user_after_reconnect"]
