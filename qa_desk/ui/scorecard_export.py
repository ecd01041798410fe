"""Exporting the scorecard on screen to Excel or CSV: the file dialog, then a job.

The bar under the filters shows the export going on (progress, Cancel) and then its
outcome, with a button to open the folder the file went to: a manager exports to
send the workbook on, and the next thing they want is the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from ..jobs import JobContext
from ..scoring.periods import Period
from .jobs import JobRunner, run_job
from .pattern_edit import error_style



@dataclass(frozen=True)
class ExportRequest:
    """What to export: the scorecard on screen, and the settings it is read by."""

    period: Period
    level: str
    team: str | None
    form_key: str | None
    quota_per_month: int
    thresholds: object  # Thresholds
    by: object  # who exports: the signed-in Actor, or a stored user's name (the export checks the role)


class ExportBar(QWidget):
    """Progress and outcome of one export at a time; hidden when there is nothing to say."""

    message = Signal(str)  # for the status bar
    running_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._job: JobRunner | None = None
        self._path = Path()
        self._folder = ""  # where the last export went: the next one starts there
        self.status = QLabel()
        self.status.setObjectName("exportStatus")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelExport")
        self.open_button = QPushButton(self.tr("Open folder"))
        self.open_button.setObjectName("openExportFolder")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Hide"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        for widget in (self.progress, self.cancel_button, self.open_button, self.close_button):
            row.addWidget(widget)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def choose_file(self, parent: QWidget, period: Period) -> Path | None:
        folder = Path(self._folder or Path.home())
        name = f"scorecards-{period.label.replace('..', '_')}.xlsx"
        path, chosen = QFileDialog.getSaveFileName(parent, self.tr("Export scorecards"), str(folder / name),
                                                   self.tr("Excel workbook (*.xlsx);;CSV files (*.csv)"))
        if not path:
            return None
        if Path(path).suffix.lower() not in (".xlsx", ".csv"):
            path += ".csv" if "csv" in chosen.lower() else ".xlsx"
        return Path(path)

    def start(self, db, path: Path, request: ExportRequest) -> JobRunner | None:
        if self.is_running():
            return None
        from ..reports.export import ExportError, export_scorecards

        r = request

        def job(ctx: JobContext):
            return export_scorecards(db, path, r.period, level=r.level, team=r.team, form_key=r.form_key,
                                     quota_per_month=r.quota_per_month, thresholds=r.thresholds, actor=r.by, ctx=ctx)

        self._path = path
        self._show(self.tr("Exporting the scorecards of {0} to {1}…").format(r.period.label, path.name), running=True)
        self.progress.setRange(0, 0)  # busy until the job knows its total
        self._job = run_job(job, expected=(ExportError, OSError), on_progress=self._progressed,
                            on_finished=self._finished, on_failed=self._failed, on_cancelled=self._cancelled,
                            name="scorecard export")
        self.running_changed.emit(True)
        return self._job

    def is_running(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def cancel(self) -> None:
        if self.is_running():
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))
            self._job.cancel()

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._path.parent)))

    def _show(self, text: str, *, running: bool, failed: bool = False, done: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(error_style() if failed else "")
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.open_button.setVisible(done)
        self.close_button.setVisible(not running)
        self.show()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: object) -> None:
        self._folder = str(self._path.parent)
        rows = getattr(report, "rows", {}) or {}
        text = self.tr("Exported to {0}: {1} evaluations, {2} flags.").format(
            getattr(report, "path", self._path), rows.get("evaluations", 0), rows.get("flags", 0))
        extra = len(getattr(report, "paths", ())) - 1
        if extra > 0:
            text += " " + self.tr("({0} more files beside it)").format(extra)
        self._show(text, running=False, done=True)
        self._ended(text)

    def _failed(self, message: str) -> None:
        self._show(self.tr("The export failed: {0}").format(message), running=False, failed=True)
        self._ended(self.tr("The export failed: {0}").format(message))

    def _cancelled(self) -> None:
        self._show(self.tr("Export cancelled."), running=False)
        self._ended(self.tr("Export cancelled."))

    def _ended(self, text: str) -> None:
        self.message.emit(text)
        self.running_changed.emit(False)


__all__ = ["ExportBar", "ExportRequest"]
