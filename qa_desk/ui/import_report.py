"""The import report: one line per file the user pointed at, and what became of it.

Lines arrive while the import runs (the job's partial results), so a long import
shows its failures as they happen. A failure's explanation is often longer than
its cell, so the pane under the table shows the selected line's whole message.
"Copy report" puts the whole table on the clipboard as tab-separated text, ready
to paste into a mail or a spreadsheet for whoever exports the recordings.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .formatting import number
from .pattern_edit import HINT_STYLE

STATUSES = ("imported", "known", "failed", "skipped")
FILE, OUTCOME, REASON, DETAILS = range(4)
MAX_FILE_WIDTH = 360


def _details(outcome) -> str:
    """The importer's message without the leading "file name: " the File column shows."""
    prefix = f"{Path(outcome.path).name}: "
    return outcome.message[len(prefix):] if outcome.message.startswith(prefix) else outcome.message


def _html(text: str) -> str:
    # Quotes stay as typed: the pane is rich text only for its bold file name.
    return html.escape(text, quote=False)


class ImportReportModel(QAbstractTableModel):
    """Outcomes (``FileOutcome``) of one import, in the order they happened."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._outcomes: list = []
        self._headers = (self.tr("File"), self.tr("Outcome"), self.tr("Reason"), self.tr("Details"))
        self._statuses = {
            "imported": self.tr("Imported"),
            "known": self.tr("Already known"),
            "failed": self.tr("Failed"),
            "skipped": self.tr("Skipped"),
        }
        # The importer's stable reason codes, in the reviewer's language; its own
        # message (naming the file) stays in the Details column.
        self._reasons = {
            "duplicate": self.tr("Already in the library"),
            "not_audio": self.tr("Not an audio file"),
            "not_a_recording": self.tr("Not a recording file type"),
            "empty": self.tr("Empty or silent file"),
            "needs_ffmpeg": self.tr("Needs FFmpeg to decode"),
            "metadata_missing": self.tr("No call details for this file"),
            "metadata": self.tr("Call details unusable"),
            "missing": self.tr("No such file or folder"),
            "unreadable": self.tr("Cannot read the file"),
            "cancelled": self.tr("Import cancelled"),
        }
        style = QApplication.style()
        pixmaps = {
            "imported": QStyle.StandardPixmap.SP_DialogApplyButton,
            "known": QStyle.StandardPixmap.SP_MessageBoxInformation,
            "failed": QStyle.StandardPixmap.SP_MessageBoxCritical,
            "skipped": QStyle.StandardPixmap.SP_MessageBoxWarning,
        }
        self._icons = {k: style.standardIcon(v) for k, v in pixmaps.items()}

    def add(self, outcome) -> None:
        row = len(self._outcomes)
        self.beginInsertRows(QModelIndex(), row, row)
        self._outcomes.append(outcome)
        self.endInsertRows()

    def set_outcomes(self, outcomes: list) -> None:
        self.beginResetModel()
        self._outcomes = list(outcomes)
        self.endResetModel()

    def outcomes(self) -> list:
        return list(self._outcomes)

    def outcome(self, row: int):
        return self._outcomes[row]

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(STATUSES, 0)
        for outcome in self._outcomes:
            counted[outcome.status] = counted.get(outcome.status, 0) + 1
        return counted

    def status_text(self, status: str) -> str:
        return self._statuses.get(status, status)

    def reason_text(self, reason: str | None) -> str:
        return self._reasons.get(reason, reason) if reason else ""

    def summary(self, cancelled: bool = False) -> str:
        c = {k: number(v) for k, v in self.counts().items()}
        text = self.tr("{0} imported, {1} already known, {2} failed, {3} skipped").format(
            c["imported"], c["known"], c["failed"], c["skipped"]
        )
        return text + (self.tr(" — cancelled") if cancelled else "")

    def as_text(self, cancelled: bool = False) -> str:
        lines = [self.summary(cancelled), "\t".join(self._headers)]
        for o in self._outcomes:
            lines.append("\t".join((o.path, self.status_text(o.status), self.reason_text(o.reason), o.message)))
        return "\n".join(lines) + "\n"

    # --- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._outcomes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        outcome = self._outcomes[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == FILE:
                return Path(outcome.path).name
            if column == OUTCOME:
                return self.status_text(outcome.status)
            if column == REASON:
                return self.reason_text(outcome.reason)
            return _details(outcome)
        if role == Qt.ItemDataRole.ToolTipRole:
            return outcome.path if column == FILE else outcome.message
        if role == Qt.ItemDataRole.DecorationRole and column == OUTCOME:
            return self._icons.get(outcome.status, QIcon())
        return None


class ImportReportPanel(QWidget):
    """Summary line, the table of outcomes and "Copy report"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ImportReportModel(self)
        self._cancelled = False

        self.summary_label = QLabel()
        self.summary_label.setObjectName("reportSummary")
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)

        self.copy_button = QPushButton(self.tr("Copy report"))
        self.copy_button.setObjectName("copyReport")
        self.copy_button.clicked.connect(self.copy_to_clipboard)

        self.table = QTableView()
        self.table.setObjectName("reportTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.resizeSection(FILE, 300)
        header.resizeSection(OUTCOME, 130)
        header.resizeSection(REASON, 180)

        # Word-wrapped rows would make a 5,000-line report slow and uneven to
        # scroll; one pane with the selected line's whole message reads better.
        self.details = QLabel()
        self.details.setObjectName("reportDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumHeight(3 * self.fontMetrics().lineSpacing() + 12)
        self.details.setFrameShape(QFrame.Shape.StyledPanel)
        self.details.setMargin(6)

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)

        self.model.rowsInserted.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self._update_summary()
        self._show_details()

    def clear(self) -> None:
        self._cancelled = False
        self.model.set_outcomes([])
        self._show_details()

    def add(self, outcome) -> None:
        self.model.add(outcome)

    def show_report(self, report) -> None:
        """The final report replaces the lines gathered on the way (it is complete)."""
        self._cancelled = bool(getattr(report, "cancelled", False))
        self.model.set_outcomes(report.outcomes)
        # Whole file names where they fit; the details (the part that explains a
        # failure) get the rest, and the tooltip has every word.
        self.table.resizeColumnToContents(FILE)
        header = self.table.horizontalHeader()
        header.resizeSection(FILE, min(header.sectionSize(FILE) + 12, MAX_FILE_WIDTH))
        # The first failure is what the user wants to read: open it in the details pane.
        failed = next((row for row, o in enumerate(report.outcomes) if o.status == "failed"), None)
        if failed is not None:
            self.table.selectRow(failed)
        self._show_details()

    def _show_details(self) -> None:
        row = self.table.currentIndex().row() if self.table.currentIndex().isValid() else -1
        if not 0 <= row < self.model.rowCount():
            self.details.setText(html.escape(self.tr("Select a line to read its whole message.")))
            self.details.setStyleSheet(HINT_STYLE)
            return
        outcome = self.model.outcome(row)
        reason = self.model.reason_text(outcome.reason)
        heading = " · ".join(part for part in (self.model.status_text(outcome.status), reason) if part)
        self.details.setStyleSheet("")
        self.details.setText(f"<b>{_html(outcome.path)}</b><br>{_html(heading)}: {_html(_details(outcome))}")

    def summary(self) -> str:
        return self.model.summary(self._cancelled)

    def _update_summary(self) -> None:
        self.summary_label.setText(self.summary())
        self.copy_button.setEnabled(self.model.rowCount() > 0)

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.model.as_text(self._cancelled))
