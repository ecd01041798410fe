"""One line that follows a running job: what it is doing, how far it is, and Cancel.

Used where slow work has no dialog of its own (the status bar's rulebook check and
sample calls, the calibration export, a sampling run). The label shows the job's
status text, the bar counts "done / total" once the job knows its total (a busy bar
until then), and Cancel asks the job to stop at its next check. The line hides
itself when the job ends, however it ends; the owner says the outcome.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .jobs import JobRunner


class JobProgress(QWidget):
    cancel_requested = Signal()  # Cancel was pressed (the job has been asked to stop)

    def __init__(self, parent: QWidget | None = None, *, bar_width: int = 200):
        super().__init__(parent)
        self._runner: JobRunner | None = None
        self.label = QLabel()
        self.label.setObjectName("jobProgressText")
        self.bar = QProgressBar()
        self.bar.setObjectName("jobProgressBar")
        self.bar.setMaximumWidth(bar_width)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("jobProgressCancel")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.cancel)
        self.hide()

    def follow(self, runner: JobRunner, text: str, *, cancellable: bool = True) -> JobRunner:
        """Show ``runner``'s progress from now until it ends; ``text`` until it says more."""
        self._runner = runner
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the job knows its total
        self.bar.setFormat("")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        # Bound methods (Qt drops them with this widget); each slot checks that the
        # sender is still the job followed: an older job's late signals must not move
        # the bar of a newer one.
        runner.status.connect(self._status)
        runner.progress.connect(self._progress)
        runner.finished.connect(self._ended)
        runner.failed.connect(self._ended)
        runner.cancelled.connect(self._ended)
        self.show()
        return runner

    def is_following(self) -> bool:
        return self._runner is not None and not self._runner.is_done()

    def cancel(self) -> None:
        if self.is_following():
            self._runner.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Cancelling…"))
            self.cancel_requested.emit()

    def _followed(self) -> bool:
        return self._runner is not None and self.sender() is self._runner

    def _status(self, text: str) -> None:
        if self._followed() and self.cancel_button.isEnabled():
            self.label.setText(text)

    def _progress(self, done: int, total: int) -> None:
        if not self._followed() or total <= 0:
            return
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
        locale = QLocale()
        self.bar.setFormat(self.tr("{0} of {1}").format(locale.toString(min(done, total)), locale.toString(total)))

    def _ended(self, *_result) -> None:
        if self._followed():
            self._runner = None
            self.hide()


__all__ = ["JobProgress"]
