"""Run a sampling rule: the period, the reviewers to share the calls between, and the
seed; a preview of every pick and who gets it, and only then the run that queues them.

The seed is shown and can be typed: the same seed on the same calls gives the same
picks, so a run can be repeated and checked later. Changing anything after a preview
asks for a new preview before the run, so what is written is what was seen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from ..permissions import Actor, PermissionDenied
from ..scoring.periods import PeriodError, month_of, parse_period
from ..scoring.sampling import AssignmentError
from ..store import sampling
from .formatting import day, number
from .job_progress import JobProgress
from .jobs import JobRunner, run_job
from .review_queue import fill_row, make_table

SEED_MAX = 2**31 - 1


class SamplingRunDialog(QDialog):
    def __init__(self, db, actor: Actor, rule: sampling.RuleView, reviewers: list[str], *,
                 today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor, self.rule_view, self._today = db, actor, rule, today
        self._job: JobRunner | None = None
        self.report: sampling.RunReport | None = None  # the run, once written
        self._previewed: tuple | None = None  # the inputs of the preview on screen
        self._close_when_done = False  # the dialog's Cancel during a job: close once it has stopped
        self.setWindowTitle(self.tr("Run sampling rule “{0}”").format(rule.name))

        self.period = QLineEdit(month_of(today()).label)
        self.period.setPlaceholderText(self.tr("2026-11, 2026-Q4, 2026-W44 or 2026-11-01..2026-11-15"))
        self.new_reviewer = QLineEdit()
        self.new_reviewer.setPlaceholderText(self.tr("Another reviewer's name"))
        self.new_reviewer.returnPressed.connect(lambda: self.add_reviewer(self.new_reviewer.text(), checked=True))
        self.reviewers = QListWidget()
        self.reviewers.setMaximumHeight(140)
        for name in reviewers:
            self.add_reviewer(name, checked=False)
        self.seed = QSpinBox()
        self.seed.setRange(1, SEED_MAX)
        self.seed.setValue(sampling.new_seed())
        new_seed = QPushButton(self.tr("New seed"))
        new_seed.clicked.connect(lambda: self.seed.setValue(sampling.new_seed()))
        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.clicked.connect(self.preview)
        self.summary = QLabel(self.tr("Preview the run to see which calls it picks and who gets them."))
        self.summary.setWordWrap(True)
        self.picks = make_table([self.tr("Call"), self.tr("Agent"), self.tr("Reviewer"), self.tr("Why")])
        self.picks.setWordWrap(False)
        self.picks.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # A month of a big centre's calls takes a while to weigh up: say so, and offer Cancel.
        self.progress = JobProgress()
        self.progress.setObjectName("samplingProgress")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = self.buttons.addButton(self.tr("Run and queue the calls"),
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        self.period.textChanged.connect(self._inputs_changed)
        self.seed.valueChanged.connect(self._inputs_changed)
        self.reviewers.itemChanged.connect(self._inputs_changed)

        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(new_seed)
        form = QFormLayout()
        form.addRow(self.tr("Period:"), self.period)
        form.addRow(self.tr("Reviewers:"), self.reviewers)
        form.addRow("", self.new_reviewer)
        form.addRow(self.tr("Seed:"), seed_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.preview_button)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.picks, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    def add_reviewer(self, name: str, *, checked: bool) -> None:
        name = name.strip()
        if not name:
            return
        found = self.reviewers.findItems(name, Qt.MatchFlag.MatchExactly)
        item = found[0] if found else QListWidgetItem(name, self.reviewers)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.new_reviewer.clear()

    def chosen_reviewers(self) -> list[str]:
        return [self.reviewers.item(i).text() for i in range(self.reviewers.count())
                if self.reviewers.item(i).checkState() == Qt.CheckState.Checked]

    def _inputs(self) -> tuple:
        return (self.period.text().strip(), tuple(self.chosen_reviewers()), self.seed.value())

    def _inputs_changed(self, *_args) -> None:
        if self._previewed is not None and self._previewed != self._inputs():
            self.run_button.setEnabled(False)
            self.summary.setText(self.tr("Changed since the preview: preview again before running."))

    def is_busy(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def _checked_inputs(self):
        try:
            period = parse_period(self.period.text())
        except PeriodError as exc:
            self.summary.setText(self.tr("Not a period: {0}").format(exc))
            return None
        if not self.chosen_reviewers():
            self.summary.setText(self.tr("Tick at least one reviewer."))
            return None
        return period, self.chosen_reviewers(), self.seed.value()

    def preview(self) -> None:
        inputs = self._checked_inputs()
        if inputs is None or self.is_busy():
            return
        period, reviewers, seed = inputs
        db, rule_id, today, key = self.db, self.rule_view.id, self._today(), self._inputs()

        def work(ctx):
            with db.session() as session:
                report = sampling.preview(session, rule_id, period, reviewers=reviewers, seed=seed, today=today)
            ctx.check_cancelled()
            return key, report

        self.summary.clear()  # the progress line says what is going on
        self._job = run_job(work, on_finished=self._previewed_run, on_failed=self._failed, name="sampling preview",
                            on_cancelled=self._cancelled, expected=(AssignmentError, ValueError, LookupError))
        self.progress.follow(self._job, self.tr("Working out the picks…"))

    def _previewed_run(self, result: object) -> None:
        if self._close_when_done:
            super().reject()
            return
        key, report = result
        self._show(report)
        self._previewed = key
        self.run_button.setEnabled(report.picked > 0 and key == self._inputs())
        shares = ", ".join(f"{n} {number(c)}" for n, c in report.per_reviewer().items())
        self.summary.setText(self.tr("{0} calls of {1} in {2} would be queued ({3}), due {4}; seed {5}.").format(
            number(report.picked), number(report.candidates), report.period.label, shares, day(report.due_on),
            report.seed)  # the seed as typed: it is an input to repeat the draw, not a quantity
            if report.picked else self.tr("No call of {0} fits this rule (or every agent's quota is already "
                                          "queued).").format(report.period.label))

    def _show(self, report: sampling.RunReport) -> None:
        self.picks.setRowCount(len(report.assignments))
        for i, a in enumerate(report.assignments):
            fill_row(self.picks, i, [f"#{a.call_id}", a.pick.agent_name, a.reviewer, a.pick.reason], key=a.call_id)

    def _failed(self, message: str) -> None:
        self.summary.setText(message)
        self.preview_button.setEnabled(True)
        if self._close_when_done:
            super().reject()

    def _cancelled(self) -> None:
        """The preview or the run stopped before anything was written (the run is one
        transaction, rolled back): the picks on screen, if any, are still the last preview's."""
        self.preview_button.setEnabled(True)
        self.run_button.setEnabled(self._previewed is not None and self._previewed == self._inputs())
        self.summary.setText(self.tr("Cancelled; no call was queued."))
        if self._close_when_done:
            super().reject()

    def reject(self) -> None:
        # Cancel while working stops the job first: the dialog closes once it has stopped,
        # so the caller never finds a run queued behind a closed dialog by surprise.
        if self.is_busy():
            self._close_when_done = True
            self.progress.cancel()
            return
        super().reject()

    def run(self) -> None:
        inputs = self._checked_inputs()
        if inputs is None or self.is_busy() or self._previewed != self._inputs():
            return
        period, reviewers, seed = inputs
        db, rule_id, actor, today = self.db, self.rule_view.id, self.actor, self._today()

        def work(ctx):
            with db.session() as session:
                report = sampling.run_rule(session, rule_id, period, reviewers=reviewers, actor=actor, seed=seed,
                                           today=today)
                # Still inside the transaction: a Cancel pressed meanwhile rolls the whole run back.
                ctx.check_cancelled()
                return report

        self.run_button.setEnabled(False)
        self.preview_button.setEnabled(False)
        self.summary.clear()
        self._job = run_job(work, on_finished=self._ran, on_failed=self._failed, on_cancelled=self._cancelled,
                            name="sampling run", expected=(AssignmentError, ValueError, LookupError, PermissionDenied))
        self.progress.follow(self._job, self.tr("Queuing the calls…"))

    def _ran(self, report: object) -> None:
        self.report = report
        self.accept()
