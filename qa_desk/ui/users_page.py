"""Users and roles, for an admin: who may sign in to this database and what they may do.

Everyone can see the list; only an admin's buttons are enabled (the store refuses the
others anyway, and says why). Passwords are typed twice and go straight to the store,
which keeps only their Argon2id hash.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..permissions import ROLES, PermissionDenied
from ..store import users as store
from .acting import permitted
from .formatting import moment
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, error_style
from .sign_in import role_names


def role_label(role: str) -> str:
    """A role as the user reads it: the same words as the sign-in and the status bar."""
    return role_names().get(role, role)


class UserDialog(QDialog):
    """A new user (name, role, password twice) or a new password for one."""

    def __init__(self, parent: QWidget | None = None, *, name: str = "", password_only: bool = False):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Set password") if password_only else self.tr("Add user"))
        self.name = QLineEdit(name)
        self.name.setReadOnly(password_only)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        self.password, self.again = QLineEdit(), QLineEdit()
        for edit in (self.password, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet(error_style())
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        if not password_only:
            form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def check(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("Give the user's name."))
        elif len(self.password.text()) < store.MIN_PASSWORD:
            self.error.setText(self.tr("A password needs at least {0} characters.").format(store.MIN_PASSWORD))
        elif self.password.text() != self.again.text():
            self.error.setText(self.tr("The two passwords differ."))
        else:
            self.accept()

    def values(self) -> tuple[str, str, str]:
        return self.name.text().strip(), self.role.currentData(), self.password.text()


class UsersPage(QWidget):
    COLUMNS = ("Name", "Role", "Signs in", "Active", "Last sign-in")

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._users: list[store.UserView] = []
        self._job: JobRunner | None = None
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("usersTable")
        headers = (self.tr("Name"), self.tr("Role"), self.tr("Signs in"), self.tr("Active"), self.tr("Last sign-in"))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.add_button = QPushButton(self.tr("Add user…"))
        self.role_choice = QComboBox()
        for role in ROLES:
            self.role_choice.addItem(role_label(role), role)
        self.role_button = QPushButton(self.tr("Change role"))
        self.password_button = QPushButton(self.tr("Set password…"))
        self.deactivate_button = QPushButton(self.tr("Deactivate"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet(HINT_STYLE)
        row = QHBoxLayout()
        for widget in (self.add_button, self.role_choice, self.role_button, self.password_button,
                       self.deactivate_button):
            row.addWidget(widget)
        row.addStretch(1)
        # One user only (the first admin, or the local user of a file): who else may sign in, and how.
        self.alone = QLabel()
        self.alone.setObjectName("usersAlone")
        self.alone.setWordWrap(True)
        self.alone.setStyleSheet("QLabel { background: palette(alternate-base); padding: 8px; }")
        self.alone.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.alone)  # over the table, where the eye is, beside Add user…
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.change_role)
        self.password_button.clicked.connect(self.set_password)
        self.deactivate_button.clicked.connect(self.deactivate)
        self.table.itemSelectionChanged.connect(self._enable)
        self._enable()

    # --- reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        db = self._services.db
        self._job = run_job(lambda ctx: _listed(db), on_finished=self._show, on_failed=self._say_error,
                            name="list users")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _show(self, users: object) -> None:
        self._users = list(users)
        self.table.setRowCount(len(self._users))
        for row, user in enumerate(self._users):
            seen = moment(user.last_sign_in_at) if user.last_sign_in_at else self.tr("never")
            cells = (user.name, role_label(user.role),
                     self.tr("password") if user.has_password else self.tr("local user"),
                     self.tr("yes") if user.active else self.tr("no"), seen)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not user.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        self._explain_alone()
        self._enable()

    def _explain_alone(self) -> None:
        admin = permitted(self._services, "user.manage")
        self.alone.setVisible(len(self._users) <= 1)
        self.alone.setText(self.tr(
            "Only one user so far. On a shared database each person signs in with their own name and "
            "password: add them with Add user…, each with the role for their work (reviewer, team lead, "
            "trainer, manager, administrator).") if admin else self.tr(
            "Only one user so far. An administrator adds the people who sign in to this database and sets "
            "their roles."))

    def selected(self) -> store.UserView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._users[rows[0].row()] if rows else None

    def _enable(self) -> None:
        admin = permitted(self._services, "user.manage")
        chosen = self.selected()
        self.add_button.setEnabled(admin)
        for widget in (self.role_choice, self.role_button, self.password_button, self.deactivate_button):
            widget.setEnabled(admin and chosen is not None)
        if not admin:
            self.add_button.setToolTip(self.tr("Only an admin manages users."))

    # --- changing -----------------------------------------------------------------------------

    def add_user(self) -> UserDialog:
        dialog = UserDialog(self)
        dialog.accepted.connect(lambda: self._change(lambda s, actor: store.create_user(
            s, actor, *dialog.values()[:2], password=dialog.values()[2])))
        dialog.open()
        return dialog

    def change_role(self) -> None:
        user, role = self.selected(), self.role_choice.currentData()
        if user is not None:
            self._change(lambda s, actor: store.update_user(s, actor, user.id, role=role))

    def set_password(self) -> UserDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = UserDialog(self, name=user.name, password_only=True)
        dialog.accepted.connect(lambda: self._change(lambda s, actor: store.set_password(
            s, actor, user.id, dialog.values()[2])))
        dialog.open()
        return dialog

    def deactivate(self) -> None:
        user = self.selected()
        if user is not None:
            self._change(lambda s, actor: store.deactivate_user(s, actor, user.id))

    def _change(self, change) -> None:
        db, actor = self._services.db, self._services.user

        def work(ctx):
            with db.session() as session:
                change(session, actor)
            return _listed(db)

        self._job = run_job(work, on_finished=self._changed, on_failed=self._say_error,
                            expected=(PermissionDenied, store.UserError, LookupError), name="change user")

    def _changed(self, users: object) -> None:
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setText(self.tr("Saved."))
        self._show(users)

    def _say_error(self, message: str) -> None:
        self.status.setStyleSheet(error_style())
        self.status.setText(message)

    def is_busy(self) -> bool:
        return self._job is not None and not self._job.is_done()


def _listed(db) -> list[store.UserView]:
    with db.session() as session:
        return store.list_users(session)


__all__ = ["UserDialog", "UsersPage", "role_label"]
