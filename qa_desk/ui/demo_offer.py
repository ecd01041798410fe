"""Offering the demo centre after "Load sample calls", and building it off the GUI thread.

``offer_demo_centre(parent, services)`` first checks, on a worker thread, that the
database holds nothing but the sample calls (the demo never mixes with real data);
only then does it ask the user whether to fill a demo centre as well. Yes builds it
with ``DemoCentreJob`` behind a progress dialog that can cancel: a cancelled build
writes nothing. The offer's signals tell the window what became of it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ..demo import DemoError, DemoReport, build_demo_centre, check_demo_allowed
from ..demo_recordings import SamplesMissing
from ..store.database import Database
from .jobs import JobRunner, run_job


def summary_text(report: DemoReport) -> str:
    """One line for the status bar: what the demo centre holds."""
    return QCoreApplication.translate("DemoCentre", "Demo centre ready: {0} teams, {1} agents, {2} calls, {3} evaluations, {4} flags.").format(
        len(report.teams), len(report.agents), report.calls, report.evaluation_count, report.flag_count)


class DemoCentreJob(QObject):
    """``build_demo_centre`` on a worker thread, with its progress, result and errors as signals."""

    progress = Signal(int, int)
    built = Signal(object)  # DemoReport
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, db: Database, *, agents: int = 12, months: int = 6, seed: int = 2026,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._db, self._agents, self._months, self._seed = db, agents, months, seed
        self.runner: JobRunner | None = None

    def start(self) -> DemoCentreJob:
        db, agents, months, seed = self._db, self._agents, self._months, self._seed
        self.runner = run_job(
            lambda ctx: build_demo_centre(db, agents=agents, months=months, seed=seed, ctx=ctx),
            on_progress=self._progress, on_finished=self._built, on_failed=self._failed,
            on_cancelled=self._cancelled, expected=(DemoError, SamplesMissing), name="build demo centre",
        )
        return self

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()

    def is_done(self) -> bool:
        return self.runner is not None and self.runner.is_done()

    def _progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)

    def _built(self, report: object) -> None:
        self.built.emit(report)

    def _failed(self, message: str) -> None:
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self.cancelled.emit()


def _refusal(db: Database) -> str | None:
    """Why the demo would not be built here (None: it may be)."""
    try:
        check_demo_allowed(db)
    except (DemoError, SamplesMissing) as exc:
        return str(exc)
    return None


class DemoCentreOffer(QObject):
    """The whole offer: check → ask → build (with progress and cancel) → report."""

    built = Signal(object)  # DemoReport: the window refreshes its pages and says what was built
    failed = Signal(str)
    declined = Signal()  # the user said no
    not_offered = Signal(str)  # the database holds real data (or the samples are missing): why
    cancelled = Signal()

    def __init__(self, parent: QWidget, db: Database, **options):
        super().__init__(parent)
        self._parent = parent
        self._db = db
        self._options = options  # agents, months, seed for build_demo_centre (the defaults otherwise)
        self.question: QMessageBox | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.job: DemoCentreJob | None = None
        self._check: JobRunner | None = None

    def start(self) -> DemoCentreOffer:
        db = self._db
        self._check = run_job(lambda _ctx: _refusal(db), on_finished=self._checked, on_failed=self._not_offered,
                              name="check for a demo centre")
        return self

    def _checked(self, refusal: object) -> None:
        if refusal:
            self.not_offered.emit(str(refusal))
            return
        box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("DemoCentre", "Demo centre"),
                          QCoreApplication.translate("DemoCentre", "Also fill a demo centre with teams, agents and months of evaluations?"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self._parent)
        box.setInformativeText(QCoreApplication.translate("DemoCentre", 
            "QA Desk adds teams of agents and six months of their calls (the sample recordings reused), "
            "with flags and evaluations, so that the library, scorecards and trends have something to show. "
            "Use it to look around; keep your real calls in a database of their own."))
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._answered)
        self.question = box
        box.open()

    def _answered(self, result: int) -> None:
        self.question = None
        if result != QMessageBox.StandardButton.Yes:
            self.declined.emit()
            return
        self.build()

    def build(self) -> DemoCentreJob:
        """Build the demo centre now (the user said yes), behind a progress dialog that can cancel."""
        dialog = QProgressDialog(QCoreApplication.translate("DemoCentre", "Building the demo centre…"), QCoreApplication.translate("DemoCentre", "Cancel"), 0, 0, self._parent)
        dialog.setWindowTitle(QCoreApplication.translate("DemoCentre", "Demo centre"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.progress_dialog = dialog
        self.job = DemoCentreJob(self._db, parent=self, **self._options)
        dialog.canceled.connect(self.job.cancel)
        self.job.progress.connect(self._progress)
        self.job.built.connect(self._built)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        return self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _progress(self, done: int, total: int) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(min(done, max(total, 1)))
            self.progress_dialog.setLabelText(QCoreApplication.translate("DemoCentre", "Building the demo centre: call {0} of {1}…").format(done, total))

    def _close_dialog(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect()
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _built(self, report: object) -> None:
        self._close_dialog()
        self.built.emit(report)

    def _failed(self, message: str) -> None:
        self._close_dialog()
        box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("DemoCentre", "Demo centre"), QCoreApplication.translate("DemoCentre", "The demo centre could not be built."),
                          QMessageBox.StandardButton.Ok, self._parent)
        box.setInformativeText(message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self._close_dialog()
        self.cancelled.emit()

    def _not_offered(self, message: str) -> None:
        self.not_offered.emit(message)


def offer_demo_centre(parent: QWidget, services, **options) -> DemoCentreOffer:
    """Offer the demo centre in ``services.db`` if it holds nothing but the sample calls.

    Returns the started offer; connect ``built`` (refresh the pages, show ``summary_text``),
    and keep a reference to it (its parent, the window, keeps it alive too).
    """
    return DemoCentreOffer(parent, services.db, **options).start()
