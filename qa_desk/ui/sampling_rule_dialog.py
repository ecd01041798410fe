"""A lead's sampling rule, new or edited: how many calls per agent, picked how, from which
calls. Every option of ``qa_desk.scoring.sampling.SamplingRule``; the rule's own check
names every problem before anything is saved."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from ..scoring.sampling import DEFAULT_NEW_AGENT_DAYS, SamplingRule, SamplingRuleError


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]


class SamplingRuleDialog(QDialog):
    def __init__(self, rule: SamplingRule | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit sampling rule") if rule else self.tr("New sampling rule"))
        self.selections = {
            "random": self.tr("At random (the monitoring quota)"),
            "critical_flags": self.tr("Most critical flags"),
            "longest_dead_air": self.tr("Longest dead air"),
            "shortest_handle": self.tr("Shortest handle time"),
            "longest_handle": self.tr("Longest handle time"),
            "never_reviewed": self.tr("Never reviewed, at random"),
        }
        self.name = QLineEdit()
        self.per_agent = QSpinBox()
        self.per_agent.setRange(1, 1000)
        self.per_agent.setValue(4)
        self.per_agent.setSuffix(self.tr(" calls per agent"))
        self.selection = QComboBox()
        for key, label in self.selections.items():
            self.selection.addItem(label, key)
        self.new_agents_first = QCheckBox(self.tr("New agents first"))
        self.new_agent_days = QSpinBox()
        self.new_agent_days.setRange(1, 3650)
        self.new_agent_days.setValue(DEFAULT_NEW_AGENT_DAYS)
        self.new_agent_days.setSuffix(self.tr(" days since hiring"))
        self.new_agents_first.toggled.connect(self.new_agent_days.setEnabled)
        self.new_agent_days.setEnabled(False)
        self.teams = QLineEdit()
        self.teams.setPlaceholderText(self.tr("All teams (or names, separated by commas)"))
        self.queues = QLineEdit()
        self.queues.setPlaceholderText(self.tr("All queues (or names, separated by commas)"))
        self.min_duration = QSpinBox()
        self.min_duration.setRange(0, 3600)
        self.min_duration.setSuffix(self.tr(" s"))
        self.min_duration.setSpecialValueText(self.tr("Any length"))
        self.exclude_reviewed = QCheckBox(self.tr("Skip calls someone already reviewed"))
        self.exclude_reviewed.setChecked(True)
        self.max_calls = QSpinBox()
        self.max_calls.setRange(0, 100000)
        self.max_calls.setSpecialValueText(self.tr("No cap"))
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        self.problems.hide()

        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("Quota:"), self.per_agent)
        form.addRow(self.tr("Pick:"), self.selection)
        form.addRow("", self.new_agents_first)
        form.addRow(self.tr("New agent:"), self.new_agent_days)
        form.addRow(self.tr("Teams:"), self.teams)
        form.addRow(self.tr("Queues:"), self.queues)
        form.addRow(self.tr("Shortest call to judge:"), self.min_duration)
        form.addRow("", self.exclude_reviewed)
        form.addRow(self.tr("Most calls per run:"), self.max_calls)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(520, 0)
        if rule is not None:
            self.set_rule(rule)

    def set_rule(self, rule: SamplingRule) -> None:
        self.name.setText(rule.name)
        self.per_agent.setValue(rule.per_agent)
        self.selection.setCurrentIndex(max(0, self.selection.findData(rule.selection)))
        self.new_agents_first.setChecked(rule.new_agents_first)
        self.new_agent_days.setValue(rule.new_agent_days)
        self.teams.setText(", ".join(rule.teams))
        self.queues.setText(", ".join(rule.queues))
        self.min_duration.setValue(int(rule.min_duration))
        self.exclude_reviewed.setChecked(rule.exclude_reviewed)
        self.max_calls.setValue(rule.max_calls or 0)

    def definition(self) -> dict:
        return {
            "name": self.name.text().strip(), "per_agent": self.per_agent.value(),
            "selection": self.selection.currentData(), "new_agents_first": self.new_agents_first.isChecked(),
            "new_agent_days": self.new_agent_days.value(), "teams": _names(self.teams.text()),
            "queues": _names(self.queues.text()), "min_duration": float(self.min_duration.value()),
            "exclude_reviewed": self.exclude_reviewed.isChecked(), "max_calls": self.max_calls.value() or None,
        }

    def rule(self) -> SamplingRule:
        return SamplingRule.from_dict(self.definition())

    def accept(self) -> None:
        try:
            self.rule()
        except SamplingRuleError as exc:
            self.problems.setText("\n".join(exc.problems))
            self.problems.show()
            return
        super().accept()
