"""The audit log: who changed what, when, old → new — filtered, and an evaluation's
whole history (a dispute's steps) beside the entry chosen.

A lead, manager or admin reads it (``audit.view``); the page changes nothing (the log is
append-only for every role). Queries are bounded (LIMIT rows, newest first) and indexed
by time, so they run on the GUI thread; the lead may move them into a job if a centre's
log grows past what that allows.
"""

from __future__ import annotations

import json
from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QSplitter, QStackedWidget, QStyle, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)

from ..store.audit import ENTITIES, actions, audit_entries, evaluation_history
from .acting import permitted
from .area_page import AreaPage
from .formatting import moment, number

LIMIT = 1000


def _value(data: dict | None) -> str:
    if not data:
        return ""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)[:300]


def changes(old: dict | None, new: dict | None) -> list[str]:
    """What a step changed, as "key: old → new" (answers one by one): a re-score reads as
    "standard_closing: no → yes; score: 70.5 → 72.5", not as two blobs of JSON."""
    old, new = old or {}, new or {}
    out = []
    for key in new:
        before, after = old.get(key), new[key]
        if isinstance(after, dict) and isinstance(before, dict):
            out += [f"{k}: {before.get(k)} → {v}" for k, v in after.items() if before.get(k) != v]
        elif key in old and before != after and not isinstance(after, dict):
            out.append(f"{key}: {before} → {after}")
    return out


class AuditPage(QWidget):
    # Marked for translation here (lupdate reads only literal arguments of tr()), translated below.
    COLUMNS = (QT_TRANSLATE_NOOP("AuditPage", "When"), QT_TRANSLATE_NOOP("AuditPage", "Who"),
               QT_TRANSLATE_NOOP("AuditPage", "Action"), QT_TRANSLATE_NOOP("AuditPage", "Entity"),
               QT_TRANSLATE_NOOP("AuditPage", "Old"), QT_TRANSLATE_NOOP("AuditPage", "New"),
               QT_TRANSLATE_NOOP("AuditPage", "Summary"))

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._entries: list = []
        self.user = QLineEdit()
        self.user.setObjectName("auditUser")
        self.user.setPlaceholderText(self.tr("Anyone"))
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.entity = QComboBox()
        self.entity.setObjectName("auditEntity")
        self.entity.addItem(self.tr("Everything"), None)
        for entity in ENTITIES:
            self.entity.addItem(entity, entity)
        self.use_dates = QCheckBox(self.tr("From"))
        self.since, self.until = QDateEdit(QDate.currentDate().addMonths(-1)), QDateEdit(QDate.currentDate())
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button = QPushButton(self.tr("Show"))
        self.refresh_button.clicked.connect(self.refresh)
        filters = QHBoxLayout()
        for label, widget in ((self.tr("Who"), self.user), (self.tr("Action"), self.action),
                              (self.tr("What"), self.entity)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.since)
        filters.addWidget(QLabel(self.tr("to")))
        filters.addWidget(self.until)
        filters.addWidget(self.refresh_button)
        filters.addStretch(1)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)  # one line an entry; each cell's whole text is its tooltip
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        self.history_title = QLabel()
        # A text view, not a list: each step wraps onto as many lines as it needs (a
        # list's rows are sized before they know their width, and cut long steps short).
        self.history = QTextBrowser()
        self.history.setObjectName("auditHistory")
        self._history_lines: list[str] = []
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.history_title)
        side_layout.addWidget(self.history, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("auditSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([800, 400])
        self.status = QLabel()
        self.status.setObjectName("auditStatus")
        # No entry to show (the filters, or a role that does not read the log): why, and what to do.
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView))
        self.empty.setObjectName("auditEmpty")
        self.clear_button = self.empty.add_action(self.tr("Clear filters"), primary=True)
        self.clear_button.clicked.connect(self.clear_filters)
        self.content = QStackedWidget()
        self.content.addWidget(splitter)
        self.content.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.status)

    def allowed(self) -> bool:
        return permitted(self._services, "audit.view")

    def refresh(self) -> None:
        """Read the entries the filters ask for (nothing when the user may not read the log)."""
        self.table.setRowCount(0)
        self._show_history([])
        self.history_title.setText("")
        if not self.allowed():
            self._entries = []
            self.status.setText(self.tr("Only a team lead, a manager or an admin reads the audit log."))
            self._show_empty(False)
            return
        dates = dict(since=self.since.date().toPython(), until=self.until.date().toPython()) \
            if self.use_dates.isChecked() else {}
        with self._services.db.session() as session:
            known = actions(session)
            self._entries = audit_entries(session, user=self.user.text().strip() or None,
                                          action=self.action.currentData(), entity=self.entity.currentData(),
                                          limit=LIMIT, **dates)
        self._fill_actions(known)
        for row, entry in enumerate(self._entries):
            self.table.insertRow(row)
            cells = (moment(entry.at, seconds=True), entry.user_name, entry.action,
                     f"{entry.entity} {entry.entity_id}" if entry.entity_id is not None else entry.entity,
                     _value(entry.old), _value(entry.new), entry.summary)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the cell shows one line; the whole value on hover
                self.table.setItem(row, column, item)
        # The time, who, the action and the entity whole, never "evaluation.re…": the old
        # and new values are the ones that may be long (whole on hover).
        for column in range(4):
            self.table.resizeColumnToContents(column)
        self._show_empty(True)
        more = len(self._entries) >= LIMIT
        self.status.setText(self.tr("%n entries", "", len(self._entries))
                            + (self.tr(" (the newest {0}: narrow the filters)").format(number(LIMIT)) if more else ""))

    def filtered(self) -> bool:
        return bool(self.user.text().strip() or self.action.currentData() or self.entity.currentData()
                    or self.use_dates.isChecked())

    def clear_filters(self) -> None:
        self.user.clear()
        self.action.setCurrentIndex(0)
        self.entity.setCurrentIndex(0)
        self.use_dates.setChecked(False)
        self.refresh()

    def _show_empty(self, allowed: bool) -> None:
        """The entries, or why there are none: the role, or filters that match nothing."""
        filtered = allowed and self.filtered()
        self.content.setCurrentWidget(self.empty if not self._entries else self.content.widget(0))
        about = self.tr("The audit log records every change made in QA Desk, who made it and when: evaluations, "
                        "flag decisions, forms, rulebooks, sampling, users.")
        if not allowed:
            self.empty.set_title(self.tr("The audit log is for team leads, managers and admins"))
            self.empty.set_text(about + "\n" + self.tr("Your role does not read it: ask a team lead or a manager "
                                                      "when you need to know who changed something."))
        elif filtered:
            self.empty.set_title(self.tr("No entry matches these filters"))
            self.empty.set_text(about + "\n" + self.tr("Widen the filters, or clear them to see everything."))
        else:
            self.empty.set_title(self.tr("The audit log is empty"))
            self.empty.set_text(about + "\n" + self.tr("Nothing has been changed in this database yet."))
        self.clear_button.setVisible(filtered)

    def _fill_actions(self, known: list[str]) -> None:
        chosen = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem(self.tr("Any action"), None)
        for action in known:
            self.action.addItem(action, action)
        self.action.setCurrentIndex(max(0, self.action.findData(chosen)) if chosen else 0)
        self.action.blockSignals(False)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.show_entry(rows[0].row())

    def show_entry(self, row: int) -> None:
        """Beside an evaluation's entry: that evaluation's whole history, oldest first."""
        self._show_history([])
        entry = self._entries[row] if 0 <= row < len(self._entries) else None
        if entry is None or entry.entity != "evaluation" or entry.entity_id is None:
            self.history_title.setText("")
            return
        self.history_title.setText(self.tr("Evaluation {0}: its whole history").format(entry.entity_id))
        with self._services.db.session() as session:
            steps = evaluation_history(session, entry.entity_id)
        self._show_history(["\n".join([f"{moment(step.at)} · {step.user_name} · {step.action} · "
                                       f"{step.summary}", *changes(step.old, step.new)]) for step in steps])

    def _show_history(self, steps: list[str]) -> None:
        """Each step a paragraph: its first line in bold, what it changed below."""
        self._history_lines = steps
        parts = []
        for step in steps:
            first, *rest = step.split("\n")
            parts.append(f"<p><b>{escape(first)}</b>" + "".join(f"<br>{escape(line)}" for line in rest) + "</p>")
        self.history.setHtml("".join(parts))

    def history_lines(self) -> list[str]:
        return list(self._history_lines)


__all__ = ["AuditPage"]
