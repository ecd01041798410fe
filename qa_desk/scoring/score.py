"""An evaluation's score from its form and answers: pure functions, no database.

Everything a scorecard shows later is computed from what this returns, so the rules
are few and exact (and tested exhaustively, including with hypothesis):

- An item earns its points times its answer's share: yes 1, no 0, partial the item's
  ``partial`` (½ unless it says), a scale answer k of N k/N.
- N/A (only where the item allows it): with the form's ``na: exclude`` (the default)
  the item leaves the maximum, so the other items' percentage is unchanged; with
  ``na: pass`` it counts as full points.
- An unanswered item counts for nothing yet (a draft's running total covers what has
  been answered); submitting needs every item that is not a bonus answered.
- Bonus items add points but no maximum. A section never goes above its maximum
  plus its ``bonus_cap`` (0 unless the form says: bonus can make up for lost points
  but not push the section over 100 %). A section with nothing to score (all N/A)
  is out of the evaluation, bonus and all.
- A critical item fails on its worst answer (no, or 0 on a scale). ``fail_section``
  zeroes its section; ``fail_all`` zeroes the evaluation (its score and percentage;
  the sections keep their figures for analysis and the evaluation is marked
  auto-failed).
- A points form's score is the sum of its sections; a weighted form's percentage is
  the weighted mean of its sections' percentages (sections with nothing to score, all
  N/A, leave the mean and the other weights scale up), and its score is out of 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..wording import translate
from .forms import Form, Item, Section

NA = "na"


class AnswerError(ValueError):
    """An answer the item does not allow (a typo'd value, N/A where N/A is not allowed)."""


@dataclass(frozen=True)
class ItemScore:
    key: str
    value: str | None  # None: not answered yet
    earned: float
    max: float
    critical_failed: bool = False


@dataclass(frozen=True)
class SectionScore:
    key: str
    title: str
    earned: float
    max: float
    items: tuple[ItemScore, ...]
    failed: bool = False  # a fail_section (or fail_all) item of this section failed

    @property
    def percent(self) -> float | None:
        return 100.0 * self.earned / self.max if self.max > 0 else None


@dataclass(frozen=True)
class Score:
    score: float
    max_score: float
    percent: float | None  # None: nothing scorable answered yet
    auto_failed: bool
    sections: tuple[SectionScore, ...]
    unanswered: tuple[str, ...]  # keys of items (not bonus) still without an answer
    critical_failures: tuple[str, ...]  # keys of the critical items that failed

    @property
    def complete(self) -> bool:
        return not self.unanswered


def share(item: Item, value: str) -> float:
    """The share of the item's points an answer earns (N/A is not an answer here)."""
    if value not in item.values() or value == NA:
        allowed = ", ".join(v for v in item.values() if v != NA)
        raise AnswerError(translate("Scoring", "item {item}: '{value}' is not an answer to it (answers: {allowed})"
                                    ).format(item=item.key, value=value, allowed=allowed))
    if item.answer == "scale":
        return int(value) / item.scale
    if value == "partial":
        return float(item.partial if item.partial is not None else 0.5)
    return 1.0 if value == "yes" else 0.0


def score_item(item: Item, value: str | None, na_policy: str) -> ItemScore:
    if value is None:
        return ItemScore(item.key, None, 0.0, 0.0)
    maximum = 0.0 if item.bonus else item.points
    if value == NA:
        if not item.na:
            raise AnswerError(translate("Scoring", "item {item}: N/A is not allowed on this item").format(
                item=item.key))
        full = maximum if na_policy == "pass" else 0.0
        return ItemScore(item.key, NA, full, full)
    earned = item.points * share(item, value)
    failed = item.critical is not None and value == item.failing()
    return ItemScore(item.key, value, earned, maximum, failed)


def _section(section: Section, answers: Mapping[str, str | None], na_policy: str) -> SectionScore:
    items = tuple(score_item(i, answers.get(i.key), na_policy) for i in section.items)
    regular = [s for i, s in zip(section.items, items) if not i.bonus]
    bonus = [s for i, s in zip(section.items, items) if i.bonus]
    maximum = sum(s.max for s in regular)
    # A section with nothing to score (every item N/A or unanswered) is out of the
    # evaluation, its bonus with it: a bonus adds to a section, it is not one.
    earned = min(sum(s.earned for s in regular) + sum(s.earned for s in bonus), maximum + section.bonus_cap)
    if maximum == 0:
        earned = 0.0
    # Only a fail_section item zeroes its section; a failed fail_all item zeroes the
    # whole evaluation instead (score_form) and leaves the section's own figure.
    zeroed = any(s.critical_failed and i.critical == "fail_section" for i, s in zip(section.items, items))
    return SectionScore(section.key, section.title, 0.0 if zeroed else earned, maximum, items, zeroed)


def score_form(form: Form, answers: Mapping[str, str | None]) -> Score:
    """The score of ``answers`` (item key → value; missing or None: unanswered) on ``form``.
    Raises AnswerError for an answer an item does not allow."""
    unknown = set(answers) - {i.key for i in form.items()}
    if unknown:
        raise AnswerError(translate("Scoring", "no item {items} on the form {form}").format(
            items=", ".join(sorted(unknown)), form=form.key))
    sections = tuple(_section(s, answers, form.na) for s in form.sections)
    kinds = {i.key: i.critical for i in form.items()}
    failures = tuple(it.key for s in sections for it in s.items if it.critical_failed)
    auto_failed = any(kinds[key] == "fail_all" for key in failures)
    if form.scoring == "weights":
        weights = {s.key: s.weight or 0.0 for s in form.sections}
        scored = [s for s in sections if s.max > 0]
        total_weight = sum(weights[s.key] for s in scored)
        percent = (sum(weights[s.key] * s.earned / s.max for s in scored) / total_weight * 100.0
                   if scored and total_weight > 0 else None)
        score, max_score = (percent or 0.0), 100.0
    else:
        score = sum(s.earned for s in sections)
        max_score = sum(s.max for s in sections)
        percent = 100.0 * score / max_score if max_score > 0 else None
    if auto_failed:
        score, percent = 0.0, (0.0 if percent is not None else None)
    unanswered = tuple(i.key for i in form.items() if not i.bonus and answers.get(i.key) is None)
    return Score(score, max_score, percent, auto_failed, sections, unanswered, failures)
