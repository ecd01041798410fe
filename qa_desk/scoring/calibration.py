"""Calibration: several reviewers score the same call blind, then compare: pure statistics.

A team lead runs a calibration session on one or more calls with a form. Each reviewer
answers the form on each call without seeing the others; then ``calibrate`` lines the
answers of one call up side by side. A session of several calls is several results.
``calibration_report`` follows each reviewer across sessions, month by month.

The reference is what "right" means in the session:

- a named reviewer (the lead's or a quality expert's sheet): their percentage for score
  deviation, their answer on each item for agreement;
- or nobody (``reference=None``): the median of everyone's percentages (the mean of the
  middle two for an even number), and on each item the modal answer.

Decisions a lead reads the figures by:

- An item's ``agreement`` is the share of the reviewers who answered it that gave its
  most common answer, the reference among them (a unanimous item is 1.0; a 2-2 split 0.5).
- A tie for the most common answer has no modal answer: the room did not agree. With
  the median reference such an item is "contested" and counts as a mismatch for every
  reviewer who answered it (two reviewers answering yes and no both missed a consensus
  that was not there); with a named reference ties do not matter.
- N/A is an answer like any other for agreement: one reviewer finding an item does
  not apply while another scores it is exactly what calibration is for. For the
  percentage, N/A counts as the form says (out of the maximum, or a pass), as in
  ``score_form``.
- An item a reviewer left blank is not compared: it is neither a match nor a mismatch
  for them, and is not in the item's agreement. When the named reference left it
  blank, nobody is compared on it.
- The named reference is listed with deviation 0 and every item matched, and counts in
  the items' agreement and the spread (they scored the call too); it is left out of
  ``calibration_report`` (their figures against themselves say nothing).
- The spread is over every percentage: low, high, range, mean and the population
  standard deviation (the reviewers in the room are the whole population of interest).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ..wording import translate
from .forms import Form
from .periods import Period, month_of
from .score import AnswerError, score_form


class CalibrationError(ValueError):
    """Calibration inputs that cannot be compared; the message names the reviewer or item."""


@dataclass(frozen=True)
class ItemAgreement:
    key: str
    question: str
    critical: bool
    answers: dict[str, str | None]  # reviewer → answer (None: left blank)
    modal: str | None  # the most common answer; None: a tie, or nobody answered
    agreement: float | None  # share of those who answered giving the most common answer
    reference: str | None  # the answer counted as right (None: a tie, or not answered)
    contested: bool  # median reference and a tie: the room did not agree
    matches: dict[str, bool | None]  # reviewer → gave the reference answer (None: not compared)


@dataclass(frozen=True)
class ReviewerDeviation:
    reviewer: str
    percent: float | None  # None: nothing scorable answered
    deviation: float | None  # percent − reference percent, in points: below 0 harsher
    auto_failed: bool
    items_compared: int
    items_matched: int
    items_differing: tuple[str, ...]  # item keys, in form order
    critical_differing: tuple[str, ...]  # the differing items that are critical
    unanswered: tuple[str, ...]  # items (not bonus) the reviewer left blank
    is_reference: bool = False

    @property
    def abs_deviation(self) -> float | None:
        return abs(self.deviation) if self.deviation is not None else None

    @property
    def agreement_rate(self) -> float | None:
        return self.items_matched / self.items_compared if self.items_compared else None


@dataclass(frozen=True)
class Spread:
    """The percentages side by side (all None when nobody has a percentage)."""

    low: float | None
    high: float | None
    range: float | None
    mean: float | None
    stdev: float | None


@dataclass(frozen=True)
class CalibrationResult:
    form_key: str
    call_id: int | None
    held_on: date | None
    reference: str | None  # the reference reviewer; None: the median
    reference_percent: float | None
    items: tuple[ItemAgreement, ...]  # in form order
    reviewers: tuple[ReviewerDeviation, ...]  # in the order the answers came
    spread: Spread

    @property
    def agreement(self) -> float | None:
        """The mean of the items' agreement (items nobody answered left out)."""
        shares = [i.agreement for i in self.items if i.agreement is not None]
        return statistics.fmean(shares) if shares else None

    def reviewer(self, name: str) -> ReviewerDeviation:
        return next(r for r in self.reviewers if r.reviewer == name)

    def item(self, key: str) -> ItemAgreement:
        return next(i for i in self.items if i.key == key)


def modal_answer(answers: Iterable[str | None]) -> tuple[str | None, float | None]:
    """(the most common answer or None on a tie, its share of the answers given); blanks left out."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None, None
    ranked = counts.most_common()
    top = ranked[0][1]
    share = top / sum(counts.values())
    if len(ranked) > 1 and ranked[1][1] == top:
        return None, share
    return ranked[0][0], share


def _spread(percents: list[float]) -> Spread:
    if not percents:
        return Spread(None, None, None, None, None)
    low, high = min(percents), max(percents)
    return Spread(low, high, high - low, statistics.fmean(percents), statistics.pstdev(percents))


def calibrate(form: Form, answers: Mapping[str, Mapping[str, str | None]], *, reference: str | None = None,
              call_id: int | None = None, held_on: date | datetime | None = None) -> CalibrationResult:
    """Line up each reviewer's ``answers`` (reviewer → {item key: value}) on ``form`` for one
    call, against ``reference`` (a reviewer's name) or, with None, the median and mode.
    Raises CalibrationError for no reviewers, an unknown reference or an answer the form
    does not allow (naming the reviewer)."""
    sheets: dict[str, Mapping[str, str | None]] = {}
    for name, sheet in answers.items():
        clean = name.strip() if isinstance(name, str) else ""
        if not clean:
            raise CalibrationError(translate("Calibration", "a reviewer without a name ({name!r}) in the calibration"
                                             ).format(name=name))
        if clean in sheets:
            raise CalibrationError(translate("Calibration", "reviewer {name} has two answer sheets in the calibration"
                                             ).format(name=clean))
        sheets[clean] = sheet
    if not sheets:
        raise CalibrationError(translate("Calibration", "a calibration needs at least one reviewer's answers"))
    if reference is not None:
        reference = reference.strip()
        if reference not in sheets:
            raise CalibrationError(translate("Calibration", "the reference reviewer {name} has no answers in the "
                                                            "calibration (reviewers: {reviewers})").format(
                name=reference, reviewers=", ".join(sheets)))
    scores = {}
    for name, sheet in sheets.items():
        try:
            scores[name] = score_form(form, sheet)
        except AnswerError as exc:
            raise CalibrationError(translate("Calibration", "reviewer {name}: {problem}").format(
                name=name, problem=exc)) from None

    percents = [s.percent for s in scores.values() if s.percent is not None]
    if reference is not None:
        reference_percent = scores[reference].percent
    else:
        reference_percent = statistics.median(percents) if percents else None

    items = []
    for item in form.items():
        given = {name: sheet.get(item.key) for name, sheet in sheets.items()}
        modal, share = modal_answer(given.values())
        if reference is not None:
            right, contested = given[reference], False
        else:
            right, contested = modal, modal is None and share is not None
        matches = {
            name: (None if value is None or (right is None and not contested) else value == right)
            for name, value in given.items()
        }
        items.append(ItemAgreement(item.key, item.question, item.critical is not None, given, modal, share,
                                   right, contested, matches))

    reviewers = []
    for name, result in scores.items():
        compared = [i for i in items if i.matches[name] is not None]
        differing = tuple(i.key for i in compared if not i.matches[name])
        deviation = (result.percent - reference_percent
                     if result.percent is not None and reference_percent is not None else None)
        if name == reference:
            deviation = 0.0 if deviation is not None else None  # exactly 0, not a float difference
        reviewers.append(ReviewerDeviation(
            name, result.percent, deviation, result.auto_failed, len(compared), len(compared) - len(differing),
            differing, tuple(i.key for i in items if i.key in differing and i.critical), result.unanswered,
            name == reference))
    held = held_on.date() if isinstance(held_on, datetime) else held_on
    return CalibrationResult(form.key, call_id, held, reference, reference_percent, tuple(items),
                             tuple(reviewers), _spread(percents))


@dataclass(frozen=True)
class CalibrationFigures:
    """One reviewer's calibrations over some time."""

    calls: int  # calibrated calls they scored
    mean_abs_deviation: float | None  # mean distance from the reference, percentage points
    mean_deviation: float | None  # signed: below 0 they score harsher than the reference
    items_compared: int
    items_matched: int

    @property
    def agreement_rate(self) -> float | None:
        """Items matched over items compared, pooled (a call with more items weighs more)."""
        return self.items_matched / self.items_compared if self.items_compared else None


@dataclass(frozen=True)
class ReviewerCalibration:
    reviewer: str
    overall: CalibrationFigures
    months: tuple[tuple[Period, CalibrationFigures], ...]  # oldest first; only months they took part in


def _figures(rows: list[ReviewerDeviation]) -> CalibrationFigures:
    deviations = [r.deviation for r in rows if r.deviation is not None]
    return CalibrationFigures(
        calls=len(rows),
        mean_abs_deviation=statistics.fmean(abs(d) for d in deviations) if deviations else None,
        mean_deviation=statistics.fmean(deviations) if deviations else None,
        items_compared=sum(r.items_compared for r in rows),
        items_matched=sum(r.items_matched for r in rows),
    )


def calibration_report(sessions: Iterable[CalibrationResult]) -> list[ReviewerCalibration]:
    """Each reviewer's average absolute deviation and agreement rate, overall and by month
    (the month of ``held_on``), over calibration results (one per call of each session).
    A named reference's own rows are left out. Sorted by reviewer name."""
    rows: dict[str, list[tuple[Period, ReviewerDeviation]]] = defaultdict(list)
    for result in sessions:
        if result.held_on is None:
            raise CalibrationError(translate("Calibration", "calibration of call {call} on form {form} has no date: "
                                                            "a report over time needs the day it was held").format(
                call=result.call_id, form=result.form_key))
        month = month_of(result.held_on)
        for reviewer in result.reviewers:
            if not reviewer.is_reference:
                rows[reviewer.reviewer].append((month, reviewer))
    report = []
    for name in sorted(rows):
        by_month: dict[Period, list[ReviewerDeviation]] = defaultdict(list)
        for month, row in rows[name]:
            by_month[month].append(row)
        report.append(ReviewerCalibration(
            name, _figures([row for _, row in rows[name]]),
            tuple((month, _figures(by_month[month])) for month in sorted(by_month))))
    return report


__all__ = [
    "CalibrationError", "CalibrationFigures", "CalibrationResult", "ItemAgreement", "ReviewerCalibration",
    "ReviewerDeviation", "Spread", "calibrate", "calibration_report", "modal_answer",
]
