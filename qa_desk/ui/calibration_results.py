"""One calibration session's results: the calls, the actor's own sheet, and the grid.

The grid puts every item of the form in a row and every reviewer in a column, with the
reference answer and the item's agreement beside them; under the items each reviewer's
score, deviation from the reference and how many items they differ on. An answer that
differs from the reference is tinted, the agreement cell is green (everyone agreed),
amber (one in four or fewer differ) or red. Under the grid: the reference and the spread.

What is shown comes from ``store.calibration_results.session_view``, which applies the
blind rule: a call the actor may not see yet has no result, and this widget says why
(and who has submitted) instead of the grid.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from .formatting import number, percent

# Agreement colours (light, so black text stays readable in both themes' tables).
_GREEN, _AMBER, _RED = QColor("#cdebd3"), QColor("#fbe7b5"), QColor("#f6c9c5")
_DIFFERS = QColor("#fde2df")  # an answer that is not the reference's
_SUMMARY = QColor("#eef1f6")  # the reviewers' score rows above the items
_AMBER_FROM = 0.75  # at least three in four gave the same answer


def agreement_colour(agreement: float | None) -> QColor | None:
    if agreement is None:
        return None
    if agreement >= 0.999:
        return _GREEN
    return _AMBER if agreement >= _AMBER_FROM else _RED


def _pct(value: float | None) -> str:
    return percent(value, 1)


def _points(value: float | None) -> str:
    return "—" if value is None else ("+" if value >= 0 else "") + number(value, 1)


def _agreement(share: float | None) -> str:
    """An agreement (0..1) as a whole percentage."""
    return percent(None if share is None else share * 100, 0)


class CalibrationResults(QWidget):
    """The selected session: pick a call, score it, and see the results when allowed."""

    score_requested = Signal(int, int)  # session id, call id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = None  # store.calibration_results.SessionView
        self.title = QLabel()
        self.title.setObjectName("calibrationTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.details = QLabel()
        self.details.setObjectName("calibrationDetails")
        self.details.setWordWrap(True)
        self.call_box = QComboBox()
        self.call_box.setObjectName("calibrationCall")
        self.call_box.currentIndexChanged.connect(self._show_call)
        self.score_button = QPushButton(self.tr("Score this call"))
        self.score_button.setObjectName("scoreCalibrationCall")
        self.score_button.clicked.connect(self._score)
        calls = QHBoxLayout()
        calls.addWidget(QLabel(self.tr("Call:")))
        calls.addWidget(self.call_box, 1)
        calls.addWidget(self.score_button)
        self.status = QLabel()
        self.status.setObjectName("calibrationStatus")
        self.status.setWordWrap(True)
        self.grid = QTableWidget()
        self.grid.setObjectName("calibrationGrid")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.verticalHeader().setVisible(False)
        self.grid.setWordWrap(False)
        # Compact rows: a 25-item form and the reviewers' figures fit on one screen.
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.spread = QLabel()
        self.spread.setObjectName("calibrationSpread")
        self.spread.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.details):
            layout.addWidget(widget)
        layout.addLayout(calls)
        layout.addWidget(self.status)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.spread)
        self.show_view(None)

    # --- the session -----------------------------------------------------------------------------------

    def show_view(self, view) -> None:
        """Show a SessionView (None: no session selected); keeps the selected call when it is still there."""
        keep = self.current_call_id()
        self._view = view
        self.call_box.blockSignals(True)
        self.call_box.clear()
        if view is None:
            self.title.setText(self.tr("No calibration session selected"))
            self.details.setText(self.tr("Pick a session on the left, or start a new one."))
        else:
            s = view.summary
            self.title.setText(s.name)
            reference = (self.tr("the median of the scores") if s.reference_reviewer is None
                         else self.tr("{0}'s sheet").format(s.reference_reviewer))
            state = self.tr("open") if s.status == "open" else self.tr("closed")
            self.details.setText(
                self.tr("{0} v{1} · reference: {2} · started by {3} · {4} · scored {5} of {6}")
                .format(s.form_name, s.form_version, reference, s.created_by, state, s.submitted, s.expected))
            for scores in view.calls:
                self.call_box.addItem(self._call_text(scores), scores.call.call_id)
            index = self.call_box.findData(keep) if keep is not None else -1
            self.call_box.setCurrentIndex(max(index, 0))
        self.call_box.blockSignals(False)
        self.call_box.setEnabled(view is not None)
        self._show_call()

    def current_call_id(self) -> int | None:
        data = self.call_box.currentData()
        return int(data) if data is not None else None

    def _call_text(self, scores) -> str:
        if scores.mine is None:
            mine = self.tr("not scored by you") if self._view.is_participant else ""
        elif scores.mine.submitted:
            mine = self.tr("you submitted")
        else:
            mine = self.tr("your draft")
        done = self.tr("{0} of {1} submitted").format(len(scores.submitted_by),
                                                      len(self._view.summary.participants))
        return " · ".join(part for part in (scores.call.label, done, mine) if part)

    def _scores(self):
        call_id = self.current_call_id()
        if self._view is None or call_id is None:
            return None
        return next((c for c in self._view.calls if c.call.call_id == call_id), None)

    def _score(self) -> None:
        scores = self._scores()
        if scores is not None:
            self.score_requested.emit(self._view.summary.id, scores.call.call_id)

    # --- one call --------------------------------------------------------------------------------------

    def _show_call(self, *_args) -> None:
        scores = self._scores()
        self._update_score_button(scores)
        self.grid.clear()
        self.grid.setRowCount(0)
        self.grid.setColumnCount(0)
        self.spread.clear()
        if scores is None:
            self.status.setText("")
            self.grid.hide()
            return
        who = ", ".join(scores.submitted_by) or self.tr("nobody yet")
        if scores.result is None:
            self.grid.hide()
            if not scores.revealed:
                self.status.setText(self.tr("Scoring is blind: you see the others' scores on this call once you "
                                            "have submitted your own. Submitted so far: {0}").format(who))
            else:
                self.status.setText(self.tr("Nobody has submitted a sheet on this call yet."))
            return
        note = (self.tr(" The reference has not submitted yet: the scores are compared with the median for now.")
                if scores.reference_pending else "")
        self.status.setText(self.tr("Submitted: {0}.").format(who) + note)
        self.grid.show()
        self._fill(scores.result)

    def _update_score_button(self, scores) -> None:
        view = self._view
        can_score = bool(view and view.is_participant and scores is not None
                         and (view.summary.status == "open" or scores.mine is not None))
        self.score_button.setVisible(bool(view and view.is_participant))
        self.score_button.setEnabled(can_score)
        if scores is not None and scores.mine is not None:
            self.score_button.setText(self.tr("View my sheet") if scores.mine.submitted
                                      else self.tr("Continue scoring"))
        else:
            self.score_button.setText(self.tr("Score this call"))

    def _answer(self, value: str | None) -> str:
        """An answer as the reviewer picked it (scale points stay numbers)."""
        words = {"yes": self.tr("yes"), "no": self.tr("no"), "partial": self.tr("partial"), "na": self.tr("N/A")}
        return "—" if value is None else words.get(value, value)

    def _cell(self, text: str, *, bold: bool = False, colour: QColor | None = None,
              tip: str = "") -> QTableWidgetItem:
        cell = QTableWidgetItem(text)
        cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        if bold:
            font = QFont(self.grid.font())
            font.setBold(True)
            cell.setFont(font)
        if colour is not None:
            cell.setBackground(QBrush(colour))
        if tip:
            cell.setToolTip(tip)
        return cell

    def _fill(self, result) -> None:
        """Each reviewer's score, deviation and differing items first (what a lead reads
        first, always in view), then one row per item."""
        reviewers = list(result.reviewers)
        headers = [self.tr("Item")] + [r.reviewer + (" ★" if r.is_reference else "") for r in reviewers] \
            + [self.tr("Reference"), self.tr("Agreement")]
        self.grid.setColumnCount(len(headers))
        self.grid.setHorizontalHeaderLabels(headers)
        summary = (self.tr("Score"), self.tr("Deviation (points)"), self.tr("Items differing"))
        self.grid.setRowCount(len(summary) + len(result.items))
        last = len(headers) - 1
        for row, title in enumerate(summary):
            label = self._cell(title, bold=True, colour=_SUMMARY)
            label.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.grid.setItem(row, 0, label)
            for col in range(1, last + 1):
                self.grid.setItem(row, col, self._cell("", colour=_SUMMARY))
        for col, reviewer in enumerate(reviewers, 1):
            values = (_pct(reviewer.percent), _points(reviewer.deviation),
                      f"{number(len(reviewer.items_differing))} / {number(reviewer.items_compared)}")
            for row, text in enumerate(values):
                tip = ", ".join(reviewer.items_differing) if row == 2 else ""
                self.grid.setItem(row, col, self._cell(text, bold=True, colour=_SUMMARY, tip=tip))
        self.grid.setItem(0, last - 1, self._cell(_pct(result.reference_percent), bold=True, colour=_SUMMARY))
        self.grid.setItem(0, last, self._cell(
            _agreement(result.agreement), bold=True,
            colour=agreement_colour(result.agreement) or _SUMMARY, tip=self.tr("Mean item agreement")))
        for row, item in enumerate(result.items, len(summary)):
            label = QTableWidgetItem(item.question + (" ⚑" if item.critical else ""))
            label.setToolTip(f"{item.key}: {item.question}")
            self.grid.setItem(row, 0, label)
            for col, reviewer in enumerate(reviewers, 1):
                differs = item.matches.get(reviewer.reviewer) is False
                self.grid.setItem(row, col, self._cell(
                    self._answer(item.answers.get(reviewer.reviewer)), colour=_DIFFERS if differs else None,
                    tip=self.tr("Differs from the reference") if differs else ""))
            reference = self.tr("contested") if item.contested else self._answer(item.reference)
            self.grid.setItem(row, last - 1, self._cell(reference))
            self.grid.setItem(row, last, self._cell(
                _agreement(item.agreement),
                colour=agreement_colour(item.agreement)))
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(headers)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        s = result.spread
        reference = result.reference or self.tr("median")
        self.spread.setText(
            self.tr("★ reference: {0} ({1}) · spread {2} – {3} (range {4} points, standard deviation {5}) · "
                    "mean item agreement {6}")
            .format(reference, _pct(result.reference_percent), _pct(s.low), _pct(s.high),
                    number(s.range, 1), number(s.stdev, 1), _agreement(result.agreement)))


__all__ = ["CalibrationResults", "agreement_colour"]
