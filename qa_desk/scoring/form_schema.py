"""What an evaluation form may say, checked field by field, every problem with its line.

A form is written by a QA lead (in YAML, or in the form builder, which writes the same
YAML). The checker turns it into its canonical definition (defaults filled in, one
spelling for everything) and lists every problem at once, each with the file, the
line and the field: "hotline-zh.yaml:41: item greeting: points must be a number more
than 0, not 'two'".

The canonical definition is what is hashed and stored: two files that differ only in
formatting are the same form version.
"""

from __future__ import annotations

import math
import re

from ..wording import translate
from .yaml_lines import line_of, suggest

ANSWER_TYPES = ("yes_no", "yes_partial_no", "scale")
CRITICAL = ("fail_section", "fail_all")
NA_POLICIES = ("exclude", "pass")  # N/A leaves the maximum (default) or counts as a pass
SCORING = ("points", "weights")  # sections carry points (adding up to the total) or weights (%)
TOP_KEYS = ("key", "name", "language", "description", "total", "na", "sections")
SECTION_KEYS = ("key", "title", "points", "weight", "bonus_cap", "items")
ITEM_KEYS = ("key", "question", "guidance", "answer", "scale", "partial", "points", "na", "critical",
             "bonus", "rules")
DEFAULT_PARTIAL = 0.5  # a "partial" answer earns half the item's points unless the item says
MAX_SCALE = 10
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EPS = 1e-9


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _tidy(value: float) -> float | int:
    """2.0 → 2 in the canonical definition (so "2" and "2.0" are the same version)."""
    return int(value) if value == int(value) else value


class _Checker:
    """Checks one mapping of the file (the form, a section or an item)."""

    def __init__(self, data: dict, label: str, name: str, problems: list[str]):
        self.data, self.label, self.name, self.problems = data, label, name, problems

    def problem(self, field: str | None, message: str) -> None:
        prefix = f"{self.label}: " if self.label else ""
        self.problems.append(f"{self.name}:{line_of(self.data, field, 1)}: {prefix}{message}")

    def unknown(self, allowed: tuple[str, ...]) -> None:
        for key, line in getattr(self.data, "duplicates", []):
            twice = translate("Errors", "'{key}' is written twice (keep one)").format(key=key)
            self.problems.append(f"{self.name}:{line}: {self.label + ': ' if self.label else ''}{twice}")
        for key in self.data:
            if key not in allowed:
                self.problem(key, translate("Errors", "unknown field '{key}'{hint}").format(
                    key=key, hint=suggest(key, allowed)))

    def text(self, field: str, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None:
            if required:
                self.problem(None, translate("Errors", "{field} is missing").format(field=field))
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problem(field, translate("Errors", "{field} must be non-empty text").format(field=field))
            return None
        return value.strip()

    def key(self, field: str = "key") -> str | None:
        value = self.text(field, required=True)
        if value is not None and not _KEY.match(value):
            self.problem(field, translate("Errors", "{field} '{value}' must be letters, digits, '-', '_' or '.'").format(
                field=field, value=value))
            return None
        return value

    def choice(self, field: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.data.get(field, default)
        if value is None:
            return None
        if value not in choices:
            self.problem(field, translate("Errors", "{field} '{value}' is not one of {choices}{hint}").format(
                field=field, value=value, choices=", ".join(choices), hint=suggest(value, choices)))
            return None
        return value

    def number(self, field: str, *, low: float = 0.0, allow_low: bool = False, high: float | None = None,
               whole: bool = False) -> float | None:
        raw = self.data.get(field)
        if raw is None:
            return None
        value = _number(raw)
        bad = (value is None or value < low or (value == low and not allow_low)
               or (high is not None and value > high) or (whole and value != int(value)))
        if bad:
            kind = translate("Errors", "a whole number") if whole else translate("Errors", "a number")
            self.problem(field, translate("Errors", "{field} must be {kind} {range}, not {value}").format(
                field=field, kind=kind, range=_range(low, allow_low, high), value=repr(raw)))
            return None
        return value

    def flag(self, field: str) -> bool:
        value = self.data.get(field, False)
        if not isinstance(value, bool):
            self.problem(field, translate("Errors", "{field} must be true or false, not {value}").format(
                field=field, value=repr(value)))
            return False
        return value


def _range(low: float, allow_low: bool, high: float | None) -> str:
    """The numbers a field takes, as the end of "must be a number …"."""
    if high is None:
        text = translate("Errors", "{low} or more") if allow_low else translate("Errors", "more than {low}")
    elif allow_low:
        text = translate("Errors", "{low} or more and at most {high}")
    else:
        text = translate("Errors", "more than {low} and at most {high}")
    return text.format(low=_tidy(low), high=_tidy(high) if high is not None else "")


def _once(c: _Checker, key: str | None, seen: dict[str, int], what: str) -> None:
    """Keys name answers and section scores: each is used once in a form. A form from
    the builder has no lines (0): its message points at none."""
    if key is None:
        return
    line = line_of(c.data, "key", 0)
    if key not in seen:
        seen[key] = line
        return
    first = seen[key]
    if what == "section":
        text = (translate("Errors", "section key '{key}' is already used at line {line} (each key must be unique)")
                if first else translate("Errors", "section key '{key}' is already used (each key must be unique)"))
    else:
        text = (translate("Errors", "item key '{key}' is already used at line {line} (each key must be unique)")
                if first else translate("Errors", "item key '{key}' is already used (each key must be unique)"))
    c.problem("key", text.format(key=key, line=first))


def check_item(raw: dict, label: str, name: str, problems: list[str], known_rules: set[str] | None,
               seen: dict[str, int]) -> dict:
    c = _Checker(raw, label, name, problems)
    c.unknown(ITEM_KEYS)
    out: dict = {"key": c.key(), "question": c.text("question", required=True), "guidance": c.text("guidance")}
    _once(c, out["key"], seen, "item")
    answer = c.choice("answer", ANSWER_TYPES, "yes_no")
    out["answer"] = answer
    scale = c.number("scale", low=1, allow_low=True, high=MAX_SCALE, whole=True)
    if answer == "scale":
        if scale is None and "scale" not in raw:
            c.problem(None, translate("Errors", "a scale answer needs scale: N (answers 0..N, N from 1 to {max})").format(
                max=MAX_SCALE))
        out["scale"] = int(scale) if scale is not None else None
    elif "scale" in raw and answer is not None:
        c.problem("scale", translate("Errors", "scale is only for answer: scale (this item's answer is {answer})").format(
            answer=answer))
    partial = c.number("partial", low=0, high=1)
    if answer == "yes_partial_no":
        out["partial"] = _tidy(partial if partial is not None else DEFAULT_PARTIAL)
        if partial is not None and partial >= 1:
            c.problem("partial", translate("Errors", "partial must be less than 1 (a partial answer earns less than yes)"))
    elif "partial" in raw and answer is not None:
        c.problem("partial", translate(
            "Errors", "partial is only for answer: yes_partial_no (this item's answer is {answer})").format(answer=answer))
    points = c.number("points")
    if points is None and "points" not in raw:
        c.problem(None, translate("Errors", "{field} is missing").format(field="points"))
    out["points"] = _tidy(points) if points is not None else None
    out["na"] = c.flag("na")
    out["bonus"] = c.flag("bonus")
    critical = c.choice("critical", CRITICAL, None)
    if critical and out["bonus"]:
        c.problem("critical", translate("Errors", "a bonus item cannot be critical (it only ever adds points)"))
    out["critical"] = critical
    rules = raw.get("rules", [])
    if isinstance(rules, str):
        rules = [rules]
    if not isinstance(rules, list) or not all(isinstance(r, str) and r.strip() for r in rules):
        c.problem("rules", translate("Errors", "rules must be a list of rule ids, e.g. rules: [zh-greeting-01]"))
        rules = []
    rules = list(dict.fromkeys(r.strip() for r in rules))
    if known_rules is not None:
        for rule in rules:
            if rule not in known_rules:
                c.problem("rules", translate("Errors", "no rulebook has a rule '{rule}'{hint}").format(
                    rule=rule, hint=suggest(rule, tuple(sorted(known_rules)))))
    out["rules"] = rules
    return out


def check_section(raw: dict, label: str, name: str, problems: list[str], known_rules: set[str] | None,
                  seen: dict[str, dict[str, int]]) -> dict:
    c = _Checker(raw, label, name, problems)
    c.unknown(SECTION_KEYS)
    out: dict = {"key": c.key(), "title": c.text("title", required=True)}
    _once(c, out["key"], seen["section"], "section")
    points = c.number("points")
    weight = c.number("weight", high=100)
    if "points" in raw and "weight" in raw:
        c.problem("weight", translate("Errors", "a section has points or a weight, not both"))
    out["points"] = _tidy(points) if points is not None else None
    out["weight"] = _tidy(weight) if weight is not None else None
    cap = c.number("bonus_cap", allow_low=True)
    out["bonus_cap"] = _tidy(cap) if cap is not None else 0
    items_raw = raw.get("items")
    items: list[dict] = []
    if not isinstance(items_raw, list) or not items_raw:
        c.problem("items" if "items" in raw else None,
                  translate("Errors", "items is missing: a section needs a list of items"))
    else:
        for item, item_label in _mappings(items_raw, "item", name, problems, label):
            items.append(check_item(item, item_label, name, problems, known_rules, seen["item"]))
    out["items"] = items
    scored = [i["points"] for i in items if not i["bonus"] and i["points"] is not None]
    if items and all(i["bonus"] for i in items):
        c.problem("items", translate("Errors", "a section needs at least one item that is not a bonus"))
    complete = all(i["points"] is not None for i in items) and len(items) == len(items_raw or ())
    if points is not None and scored and complete and abs(sum(scored) - points) > _EPS:
        c.problem("points", translate("Errors", "the items' points add up to {sum}, not the section's {points}").format(
            sum=_tidy(sum(scored)), points=_tidy(points)))
    if "bonus_cap" in raw and not any(i["bonus"] for i in items):
        c.problem("bonus_cap", translate("Errors", "bonus_cap without a bonus item: nothing could use it"))
    return out


def _label(what: str, key: str | None, number: int, section: str | None) -> str:
    """An item or a section as problems name it: by its key, else by its position."""
    if what == "section":
        if key is not None:
            return translate("Errors", "section {key}").format(key=key)
        return translate("Errors", "section #{number}").format(number=number)
    if key is not None:
        return translate("Errors", "item {key}").format(key=key)
    if section:
        return translate("Errors", "{section}, item #{number}").format(section=section, number=number)
    return translate("Errors", "item #{number}").format(number=number)


def _mappings(entries: list, what: str, name: str, problems: list[str], section: str | None = None):
    """(entry, label) of each mapping in a list of sections or items (``section``: the
    items' section's label); any other entry is a problem at its line."""
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            where = f"{section}: " if section else ""
            if what == "section":
                text = translate("Errors", "section #{number} must be a mapping (key, title, points or weight, items)")
            else:
                text = translate("Errors", "item #{number} must be a mapping (key, question, answer, points, …)")
            problems.append(f"{name}:{line_of(entries, index, 1)}: {where}{text.format(number=index + 1)}")
            continue
        key = entry.get("key")
        yield entry, _label(what, key if isinstance(key, str) else None, index + 1, section)


def check_sections(data: dict, top: _Checker, name: str, problems: list[str],
                   known_rules: set[str] | None) -> tuple[list[dict], str]:
    """The sections, and how they combine: "points" or "weights"."""
    raw = data.get("sections")
    if not isinstance(raw, list) or not raw:
        top.problem("sections" if "sections" in data else None,
                    translate("Errors", "sections is missing: a form needs a list of sections"))
        return [], "points"
    sections = []
    seen: dict[str, dict[str, int]] = {"section": {}, "item": {}}
    for section, label in _mappings(raw, "section", name, problems):
        sections.append(check_section(section, label, name, problems, known_rules, seen))
    weighted = [s for s in sections if s["weight"] is not None]
    scoring = "weights" if weighted else "points"
    if weighted and len(weighted) != len(sections):
        top.problem("sections", translate("Errors", "either every section has a weight or none does (the others have "
                                                    "points)"))
    if weighted:
        total = sum(s["weight"] for s in weighted)
        if abs(total - 100) > 1e-6:
            top.problem("sections", translate("Errors", "the sections' weights add up to {total}, not 100").format(
                total=_tidy(total)))
    return sections, scoring


def check_form(data: dict, name: str, known_rules: set[str] | None) -> tuple[dict, list[str]]:
    """(canonical definition, problems) of a form mapping read from ``name``."""
    problems: list[str] = []
    top = _Checker(data, "", name, problems)
    top.unknown(TOP_KEYS)
    definition: dict = {"key": top.key(), "name": top.text("name", required=True)}
    language = top.text("language", required=True)
    if language is not None and not _LANGUAGE.match(language):
        top.problem("language", translate("Errors", "language '{language}' is not a language tag such as zh-CN or "
                                                    "en").format(language=language))
    definition["language"] = language
    definition["description"] = top.text("description")
    definition["na"] = top.choice("na", NA_POLICIES, "exclude") or "exclude"
    total = top.number("total")
    definition["sections"], definition["scoring"] = check_sections(data, top, name, problems, known_rules)
    if total is not None:
        if definition["scoring"] == "weights":
            top.problem("total", translate("Errors", "total is for forms whose sections have points (weighted forms add "
                                                     "up to 100 %)"))
        else:
            points = [s["points"] if s["points"] is not None else sum(
                i["points"] or 0 for i in s["items"] if not i["bonus"]) for s in definition["sections"]]
            if abs(sum(points) - total) > _EPS:
                top.problem("total", translate("Errors", "the sections add up to {sum} points, not the form's total "
                                                         "of {total}").format(sum=_tidy(sum(points)), total=_tidy(total)))
    definition["total"] = _tidy(total) if total is not None else None
    return definition, problems
