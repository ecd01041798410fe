"""New calibration session: a name, a form, the calls, the reviewers and the reference.

Calls are given by id ("12, 15, 31", as the Calls library shows them), or come in
pre-filled when the lead starts a session from calls selected in the library. Reviewers
are ticked from the database's users who may score calibration; a name not stored as a
user (a local library) can be typed. The reference is the lead's own sheet (the lead
then scores the calls too), a named expert's (ticked or not, they are invited), or the
median. The session is started off the GUI thread; a refusal (role, unknown call, too
few reviewers) is shown here and the dialog stays open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QVBoxLayout, QWidget,
)

from .jobs import JobRunner, run_job


@dataclass(frozen=True)
class StartChoices:
    """What the dialog offers, read off the GUI thread by ``load_choices``."""

    forms: list  # FormVersion, newest of each key
    reviewers: list[str]  # active users who may score calibration


def load_choices(db, actor) -> StartChoices:
    from sqlalchemy import select

    from ..permissions import Actor, can
    from ..scoring.forms import shipped_forms
    from ..store.forms import install_forms, latest_forms
    from ..store.models import User

    with db.session() as session:
        forms = latest_forms(session)
        if not forms:  # a new database: the shipped forms, as the review panel does
            install_forms(session, shipped_forms())
            forms = latest_forms(session)
        users = session.execute(select(User.name, User.role).where(User.active.is_(True))
                                .order_by(User.name)).all()
    names = [name for name, role in users
             if name != actor.name and role in ("reviewer", "lead", "admin")
             and can(Actor(name, role), "calibration.score")]
    return StartChoices(forms, names)


def parse_call_ids(text: str) -> list[int]:
    """Call ids from "12, 15 31" (commas, spaces, #); ValueError naming what is not an id."""
    ids = []
    for part in re.split(r"[,\s;，、]+", text.strip()):
        if not part:
            continue
        token = part.lstrip("#")
        if not token.isdigit():
            raise ValueError(part)
        ids.append(int(token))
    return ids


class CalibrationStartDialog(QDialog):
    def __init__(self, db, actor, choices: StartChoices, *, call_ids: list[int] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("New calibration session"))
        self._db, self._actor = db, actor
        self._job: JobRunner | None = None
        self.summary = None  # the started session, once accepted
        self.name = QLineEdit()
        self.name.setObjectName("calibrationName")
        self.name.setPlaceholderText(self.tr("e.g. November calibration, complaints queue"))
        self.form = QComboBox()
        self.form.setObjectName("calibrationForm")
        for form in choices.forms:
            self.form.addItem(f"{form.name} v{form.version}", form.id)
        self.calls = QLineEdit(", ".join(map(str, call_ids or [])))
        self.calls.setObjectName("calibrationCalls")
        self.calls.setPlaceholderText(self.tr("call ids, e.g. 12, 15, 31"))
        self.reviewers = QListWidget()
        self.reviewers.setObjectName("calibrationReviewers")
        for name in choices.reviewers:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.reviewers.addItem(item)
        self.reviewers.setVisible(bool(choices.reviewers))
        self.other_reviewers = QLineEdit()
        self.other_reviewers.setObjectName("calibrationOtherReviewers")
        self.other_reviewers.setPlaceholderText(self.tr("other reviewers' names, separated by commas"))
        self.reference = QComboBox()
        self.reference.setObjectName("calibrationReference")
        self.reference.addItem(self.tr("My own sheet (I score the calls too)"), "lead")
        self.reference.addItem(self.tr("An expert's sheet"), "expert")
        self.reference.addItem(self.tr("The median of the scores"), "median")
        self.expert = QComboBox()
        self.expert.setObjectName("calibrationExpert")
        self.expert.setEditable(True)
        self.expert.addItems(choices.reviewers)
        self.expert.setEnabled(False)
        self.reference.currentIndexChanged.connect(
            lambda: self.expert.setEnabled(self.reference.currentData() == "expert"))
        self.error = QLabel()
        self.error.setObjectName("calibrationStartError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()

        fields = QFormLayout()
        fields.addRow(self.tr("Name"), self.name)
        fields.addRow(self.tr("Form"), self.form)
        fields.addRow(self.tr("Calls"), self.calls)
        fields.addRow(self.tr("Reviewers"), self.reviewers)
        fields.addRow("" if choices.reviewers else self.tr("Reviewers"), self.other_reviewers)
        fields.addRow(self.tr("Reference"), self.reference)
        fields.addRow(self.tr("Expert"), self.expert)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Start session"))
        self.buttons.accepted.connect(self._start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, 480)

    def invited(self) -> list[str]:
        ticked = [self.reviewers.item(i).text() for i in range(self.reviewers.count())
                  if self.reviewers.item(i).checkState() == Qt.CheckState.Checked]
        typed = [n.strip() for n in re.split(r"[,;，、]", self.other_reviewers.text()) if n.strip()]
        return list(dict.fromkeys(ticked + typed))

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.buttons.setEnabled(True)

    def _start(self) -> None:
        try:
            calls = parse_call_ids(self.calls.text())
        except ValueError as exc:
            self._fail(self.tr("'{0}' is not a call id").format(exc.args[0]))
            return
        form_id = self.form.currentData()
        if form_id is None:
            self._fail(self.tr("There is no form to calibrate on"))
            return
        db, actor, name = self._db, self._actor, self.name.text()
        reviewers, reference = self.invited(), self.reference.currentData()
        expert = self.expert.currentText().strip() or None

        def start(ctx):
            from ..store.calibration import start_session

            with db.session() as session:
                return start_session(session, actor, name=name, form_id=form_id, call_ids=calls,
                                     reviewers=reviewers, reference=reference, reference_reviewer=expert)

        self.buttons.setEnabled(False)
        self.error.hide()
        self._job = run_job(start, on_finished=self._started, on_failed=self._fail,
                            expected=(ValueError, LookupError, PermissionError), name="start calibration")

    def _started(self, summary) -> None:
        self.summary = summary
        self.accept()


__all__ = ["CalibrationStartDialog", "StartChoices", "load_choices", "parse_call_ids"]
