"""A lead's sampling rules: the list, new / edit / deactivate, 'Run…', and the recent runs
with their seeds (what an auditor asks for: which rule, which period, which seed, who).

Everything that changes a rule needs ``sampling.manage``; for anyone else the buttons
are greyed out (and the store would refuse).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QStackedWidget, QStyle, QVBoxLayout, QWidget,
)

from ..permissions import Actor, can
from ..store import sampling
from .area_page import AreaPage
from .formatting import moment
from .jobs import run_job
from .review_queue import fill_row, make_table
from .review_tab import ReviewTab
from .sampling_rule_dialog import SamplingRuleDialog
from .sampling_run_dialog import SamplingRunDialog


def load_rules(db):
    with db.session() as session:
        return (sampling.list_rules(session, include_inactive=True), sampling.list_runs(session, limit=30),
                sampling.known_reviewers(session))


class SamplingRulesView(ReviewTab):
    queues_changed = Signal()  # a run queued calls: the queue and the overview are stale

    def __init__(self, db, actor: Actor, *, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(db, today, parent)
        self.actor = actor
        self.rules: list[sampling.RuleView] = []
        self._runs_shown = True  # until the runs are read: no "No runs yet"
        self.reviewer_names: list[str] = []
        self.may_manage = can(actor, "sampling.manage")
        # Dialogs are built by these (tests put in ones that answer by themselves).
        self.rule_dialog_factory = SamplingRuleDialog
        self.run_dialog_factory = SamplingRunDialog

        self.table = make_table([self.tr("Rule"), self.tr("Quota"), self.tr("Pick"), self.tr("Filters"),
                                 self.tr("Active")], stretch=3)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda *_: self.edit_rule())
        self.new_button = QPushButton(self.tr("New rule…"))
        self.new_button.clicked.connect(self.new_rule)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self.edit_rule)
        self.deactivate_button = QPushButton(self.tr("Deactivate"))
        self.deactivate_button.clicked.connect(self.deactivate_rule)
        self.run_button = QPushButton(self.tr("Run…"))
        self.run_button.clicked.connect(self.run_rule)
        self.runs = make_table([self.tr("Run"), self.tr("Rule"), self.tr("Period"), self.tr("Seed"),
                                self.tr("Calls"), self.tr("Reviewers"), self.tr("By"), self.tr("When")],
                               stretch=5)
        self.status = QLabel()

        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<b>{0}</b>".format(self.tr("Sampling rules"))))
        buttons.addStretch(1)
        for button in (self.new_button, self.edit_button, self.deactivate_button, self.run_button):
            buttons.addWidget(button)
        self.no_runs = QLabel()
        self.no_runs.setObjectName("noSamplingRuns")
        self.no_runs.setWordWrap(True)
        self.no_runs.setStyleSheet("color: palette(placeholder-text);")
        self.no_runs.hide()
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        lists_layout.addWidget(self.table, 2)
        lists_layout.addWidget(QLabel("<b>{0}</b>".format(self.tr("Recent runs"))))
        lists_layout.addWidget(self.no_runs)
        lists_layout.addWidget(self.runs, 1)
        # No rule yet: what a rule is for, and "New rule…" for those who may make one.
        self.empty = AreaPage(self.tr("No sampling rules yet"), "",
                              self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogListView))
        self.empty.setObjectName("rulesEmpty")
        self.empty_new_button = self.empty.add_action(self.tr("New rule…"), primary=True)
        self.empty_new_button.clicked.connect(self.new_rule)
        self.content = QStackedWidget()
        self.content.addWidget(lists)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.status)
        self.set_actor(actor)

    def refresh(self) -> None:
        if self.is_loading():
            return
        db = self.db
        self._job = run_job(lambda ctx: load_rules(db), on_finished=self._loaded, on_failed=self._failed,
                            name="sampling rules")

    def _failed(self, message: str) -> None:
        self.status.setText(message)

    def selection_label(self, key: str) -> str:
        return {"random": self.tr("At random"), "critical_flags": self.tr("Most critical flags"),
                "longest_dead_air": self.tr("Longest dead air"), "shortest_handle": self.tr("Shortest handle time"),
                "longest_handle": self.tr("Longest handle time"),
                "never_reviewed": self.tr("Never reviewed")}.get(key, key)

    def filters_text(self, rule) -> str:
        parts = [self.tr("teams: {0}").format(", ".join(rule.teams))] if rule.teams else []
        parts += [self.tr("queues: {0}").format(", ".join(rule.queues))] if rule.queues else []
        parts += [self.tr("at least {0} s").format(f"{rule.min_duration:g}")] if rule.min_duration else []
        parts += [self.tr("new agents first")] if rule.new_agents_first else []
        parts += [self.tr("at most {0} calls").format(rule.max_calls)] if rule.max_calls else []
        return "; ".join(parts) or self.tr("all calls")

    def _loaded(self, result: object) -> None:
        self.rules, runs, self.reviewer_names = result
        self.table.setRowCount(len(self.rules))
        for i, view in enumerate(self.rules):
            rule = view.rule
            fill_row(self.table, i, [view.name, self.tr("{0} per agent").format(rule.per_agent),
                                     self.selection_label(rule.selection), self.filters_text(rule),
                                     self.tr("yes") if view.active else self.tr("no")],
                     key=view.id, done=not view.active)
        self.runs.setRowCount(len(runs))
        for i, run in enumerate(runs):
            fill_row(self.runs, i, [str(run.id), run.rule, run.period, str(run.seed), str(run.picked),
                                    ", ".join(run.reviewers), run.ran_by, moment(run.ran_at)])
        self._runs_shown = bool(runs)
        self.content.setCurrentWidget(self.empty if not self.rules else self.content.widget(0))
        self._explain_empty()
        self._selection_changed()

    def _explain_empty(self) -> None:
        """No rule, or no run yet: why, and the next step for those who may take it."""
        self.empty.set_text(self.tr(
            "A sampling rule picks the calls the reviewers score each period: how many per agent, which ones "
            "(at random, the most critical flags, the longest dead air…) and from which teams. Create one, then "
            "select it and choose Run… to queue its calls.") if self.may_manage else self.tr(
            "A sampling rule picks the calls the reviewers score each period: how many per agent, which ones "
            "and from which teams. Team leads create and run them; the calls they queue appear in each "
            "reviewer's My queue."))
        self.empty_new_button.setVisible(self.may_manage)
        self.no_runs.setText(self.tr("No runs yet: select a rule and choose Run… to queue its calls for a period.")
                             if self.may_manage else self.tr("No runs yet: a team lead runs a rule to queue calls."))
        self.no_runs.setVisible(not self._runs_shown)

    def selected_rule(self) -> sampling.RuleView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rules[rows[0].row()] if rows and rows[0].row() < len(self.rules) else None

    def set_actor(self, actor: Actor) -> None:
        """Who is looking (again after another sign-in): whether they may change and run rules."""
        self.actor, self.may_manage = actor, can(actor, "sampling.manage")
        self.status.setText("" if self.may_manage else
                            self.tr("Only a lead or an admin can change or run sampling rules."))
        self._explain_empty()
        self._selection_changed()

    def select_rule(self, name: str) -> None:
        for i, view in enumerate(self.rules):
            if view.name == name:
                self.table.selectRow(i)

    def _selection_changed(self) -> None:
        rule = self.selected_rule()
        self.new_button.setEnabled(self.may_manage)
        self.edit_button.setEnabled(self.may_manage and rule is not None)
        self.deactivate_button.setEnabled(self.may_manage and rule is not None and rule.active)
        self.run_button.setEnabled(self.may_manage and rule is not None and rule.active)

    def new_rule(self) -> None:
        self._edit(None)

    def edit_rule(self) -> None:
        rule = self.selected_rule()
        if rule is not None and self.may_manage:
            self._edit(rule)

    def _edit(self, view: sampling.RuleView | None) -> None:
        dialog = self.rule_dialog_factory(view.rule if view else None, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        definition, rule_id, actor = dialog.definition(), view.id if view else None, self.actor
        self._change(lambda s: sampling.save_rule(s, definition, actor=actor, rule_id=rule_id),
                     self.tr("Sampling rule “{0}” saved").format(definition["name"]), "save sampling rule")

    def deactivate_rule(self) -> None:
        view = self.selected_rule()
        if view is None:
            return
        answer = QMessageBox.question(self, self.tr("Deactivate rule"), self.tr(
            "Deactivate “{0}”? Its runs and the calls they queued stay.").format(view.name))
        if answer == QMessageBox.StandardButton.Yes:
            self._change(lambda s: sampling.deactivate_rule(s, view.id, actor=self.actor),
                         self.tr("Sampling rule “{0}” deactivated").format(view.name), "deactivate sampling rule")

    def run_rule(self) -> None:
        view = self.selected_rule()
        if view is None or not view.active:
            return
        dialog = self.run_dialog_factory(self.db, self.actor, view, self.reviewer_names, today=self._today,
                                         parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.report is not None:
            report = dialog.report
            self.message.emit(self.tr("{0} calls queued for {1} (seed {2})").format(
                report.picked, report.period.label, report.seed))
            self.queues_changed.emit()
            self.refresh()

    def _changed(self, text: object) -> None:
        self.status.setText(str(text))  # said here too: the rules' own status line
        super()._changed(text)
