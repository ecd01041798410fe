"""An evaluation's history as the reviewer, agent and lead read it: one line a step.

"2026-12-02 10:41 · 李组长 · re-scored · standard_closing: no → yes · score 91 → 93 ·
“听过录音，结束语确实说了”"
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from .formatting import moment


class HistoryDialog(QDialog):
    def __init__(self, events, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(QCoreApplication.translate("EvaluationPanel", "Evaluation history"))
        self.listing = QListWidget()
        self.listing.addItems(self.lines(events))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.listing)
        column.addWidget(buttons)
        self.resize(640, 320)

    @staticmethod
    def lines(events) -> list[str]:
        actions = {"created": QCoreApplication.translate("EvaluationPanel", "started"), "submitted": QCoreApplication.translate("EvaluationPanel", "submitted"), "acknowledged": QCoreApplication.translate("EvaluationPanel", "acknowledged"),
                   "disputed": QCoreApplication.translate("EvaluationPanel", "disputed"), "rescored": QCoreApplication.translate("EvaluationPanel", "re-scored"), "resolved": QCoreApplication.translate("EvaluationPanel", "resolved"),
                   "commented": QCoreApplication.translate("EvaluationPanel", "commented")}
        out = []
        for event in events:
            line = f"{moment(event.at)} · {event.by} · {actions.get(event.action, event.action)}"
            new, old = event.new or {}, event.old or {}
            if "answers" in new and "answers" in old:
                line += " · " + ", ".join(f"{k}: {old['answers'].get(k)} → {v}" for k, v in new["answers"].items())
            if "score" in new and new.get("score") is not None:
                before = f"{old['score']:g} → " if old.get("score") is not None else ""
                line += " · " + QCoreApplication.translate("EvaluationPanel", "score {0}{1}").format(before, f"{new['score']:g}")
            if event.text:
                line += f" · “{event.text}”"
            out.append(line)
        return out
