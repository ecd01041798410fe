"""What a rulebook may say, checked field by field, every problem with its line.

The checker turns one rule as written in YAML into its canonical form (defaults filled
in, windows and kinds spelled one way, numbers as numbers) and lists every problem it
finds: a rulebook with a typo must say all of its problems at once, each with the
file, the line and the field, so whoever edits it fixes them in one go.

The canonical form is what is hashed and stored, so two files that differ only in
formatting (quotes, flow or block lists, key order, "first 10s" or "first 10 s") are
the same rulebook version.
"""

from __future__ import annotations

import math
import re

from ..text import fold
from ..wording import translate
from .yaml_lines import suggest

# Text categories and the kind a rule of that category has unless it says otherwise.
TEXT_CATEGORIES = {
    "forbidden_phrase": "must_not_occur",
    "required_greeting": "must_occur",
    "required_closing": "must_occur",
    "hold_courtesy": "must_occur",
    "filler_words": "must_not_occur",
    "impolite_address": "must_not_occur",
    "rhetorical_question": "must_not_occur",
    "negative_framing": "must_not_occur",
}
# Acoustic categories → (thresholds it may have, at least one of these is required).
ACOUSTIC_CATEGORIES = {
    "dead_air": (("seconds",), ("seconds",)),
    "hold_silence": (("seconds",), ("seconds",)),
    "overtalk": (("count", "seconds"), ("count", "seconds")),
    "talk_ratio": (("min", "max"), ("min", "max")),
    "speech_rate": (("min", "max", "unit"), ("min", "max")),
    "first_words_latency": (("seconds",), ("seconds",)),
}
CATEGORIES = (*TEXT_CATEGORIES, *ACOUSTIC_CATEGORIES)
SEVERITIES = ("critical", "major", "minor")
SPEAKERS = ("agent", "customer", "any")
KINDS = ("must_not_occur", "must_occur", "at_most", "per_minute")
WINDOWS = ("anywhere", "first", "last", "before hold", "after hold")
POSITIONS = ("anywhere", "utterance start")
RATE_UNITS = ("characters", "words")
# A finding from a rate needs a few occurrences: one filler is not a habit.
DEFAULT_MIN_COUNT = 3

_COMMON = ("id", "title", "category", "severity", "language", "speaker", "form_item", "note")
TEXT_KEYS = (*_COMMON, "phrases", "patterns", "exceptions", "window", "kind", "homophones", "at",
             "min_count", "min_hold")
ACOUSTIC_KEYS = (*_COMMON, "seconds", "count", "min", "max", "unit")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_WINDOW = re.compile(r"^(anywhere|first|last|before hold|after hold)(?: ([0-9]+(?:\.[0-9]*)?) ?(?:s|sec|secs|seconds)?)?$")
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def is_chinese(language: str) -> bool:
    return language.lower().split("-")[0] == "zh"


def homophone_ready(folded_phrase: str) -> bool:
    """Only all-Han phrases of 3+ syllables are compared by sound: shorter ones have too
    many same-sounding words to be worth a flag (one Han character is one syllable)."""
    return len(folded_phrase) >= 3 and bool(_HAN.match(folded_phrase))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


class RuleChecker:
    """Checks one rule mapping; ``problem(field, message)`` records a problem at the field's line."""

    def __init__(self, rule: dict, report, language: str):
        self.rule, self.report, self.book_language = rule, report, language
        self.out: dict = {}

    def problem(self, field: str | None, message: str) -> None:
        self.report(self.rule, field, message)

    def text(self, field: str, required: bool = False) -> str | None:
        value = self.rule.get(field)
        if value is None:
            if required:
                self.problem(field, translate("Errors", "{field} is missing").format(field=field))
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(field, translate("Errors", "{field} must be non-empty text").format(field=field))
            return None
        return value.strip()

    def choice(self, field: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.rule.get(field, default)
        if value is None:
            self.problem(field, translate("Errors", "{field} is missing (one of {choices})").format(
                field=field, choices=", ".join(choices)))
            return None
        if value not in choices:
            self.problem(field, translate("Errors", "{field} '{value}' is not one of {choices}{hint}").format(
                field=field, value=value, choices=", ".join(choices), hint=suggest(value, choices)))
            return None
        return value

    def texts(self, field: str) -> list[str]:
        value = self.rule.get(field)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(field, translate("Errors", "{field} must be a list, e.g. {field}: [\"…\", \"…\"]").format(
                field=field))
            return []
        out: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.problem(field, translate("Errors", "{field}: {value} is not text (quote it)").format(
                    field=field, value=repr(item)))
            elif field != "patterns" and not fold(item):
                self.problem(field, translate("Errors", "{field}: '{value}' has no letters or digits to match").format(
                    field=field, value=item))
            elif item.strip() not in out:
                out.append(item.strip())
        return out

    def positive(self, field: str, allow_zero: bool = False, whole: bool = False) -> float | None:
        raw = self.rule.get(field)
        if raw is None:
            return None
        value = _number(raw)
        if value is None or value < 0 or (value == 0 and not allow_zero) or (whole and value != int(value)):
            kind = translate("Errors", "a whole number") if whole else translate("Errors", "a number")
            low = translate("Errors", "{low} or more") if allow_zero else translate("Errors", "more than {low}")
            self.problem(field, translate("Errors", "{field} must be {kind} {range}, not {value}").format(
                field=field, kind=kind, range=low.format(low=0), value=repr(raw)))
            return None
        return int(value) if whole else value

    def check(self) -> dict:
        out = self.out
        rid = self.rule.get("id")
        if rid is None:
            self.problem("id", translate("Errors", "{field} is missing").format(field="id"))
        elif not isinstance(rid, str) or not _ID.match(rid):
            self.problem("id", translate("Errors", "id {value} must be letters, digits, '-', '_' or '.'").format(
                value=repr(rid)))
        out["id"] = str(rid) if rid is not None else None
        out["title"] = self.text("title", required=True)
        category = self.choice("category", CATEGORIES, None)
        out["category"] = category
        out["severity"] = self.choice("severity", SEVERITIES, None)
        language = self.rule.get("language", self.book_language)
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            self.problem("language", translate("Errors", "language {value} is not a language tag such as zh-CN or "
                                                         "en").format(value=repr(language)))
            language = self.book_language
        out["language"] = language
        out["speaker"] = self.choice("speaker", SPEAKERS, "agent")
        out["form_item"] = self.text("form_item")
        out["note"] = self.text("note")
        if category in ACOUSTIC_CATEGORIES:
            self._unknown_keys(ACOUSTIC_KEYS, category)
            self._acoustic(category)
        else:
            self._unknown_keys(TEXT_KEYS, category)
            if category is not None:
                self._text_rule(category)
        return out

    def _unknown_keys(self, allowed: tuple[str, ...], category: str | None) -> None:
        for key in self.rule:
            if key not in allowed:
                other = TEXT_KEYS if allowed is ACOUSTIC_KEYS else ACOUSTIC_KEYS
                why = (translate("Errors", " ({category} rules are acoustic: they take {fields})").format(
                    category=category, fields=", ".join(allowed[len(_COMMON):]))
                       if key in other and category else suggest(key, allowed))
                self.problem(key, translate("Errors", "unknown field '{key}'{hint}").format(key=key, hint=why))

    def _acoustic(self, category: str) -> None:
        allowed, need = ACOUSTIC_CATEGORIES[category]
        out = self.out
        for field in ("seconds", "count", "min", "max"):
            if field in self.rule and field not in allowed:
                self.problem(field, translate("Errors", "{field} is not used by {category} rules (they take "
                                                        "{fields})").format(field=field, category=category,
                                                                            fields=", ".join(allowed)))
        out["seconds"] = self.positive("seconds") if "seconds" in allowed else None
        out["count"] = self.positive("count", allow_zero=True, whole=True) if "count" in allowed else None
        out["min"] = self.positive("min", allow_zero=True) if "min" in allowed else None
        out["max"] = self.positive("max") if "max" in allowed else None
        if not any(field in self.rule for field in need):
            self.problem(None, translate("Errors", "{category} needs {fields} (the threshold it checks)").format(
                category=category, fields=translate("Errors", " or ").join(need)))
        if out["min"] is not None and out["max"] is not None and out["min"] >= out["max"]:
            self.problem("min", translate("Errors", "min {min} must be below max {max}").format(
                min=f"{out['min']:g}", max=f"{out['max']:g}"))
        if category == "speech_rate":
            default = "characters" if is_chinese(out["language"]) else "words"
            out["unit"] = self.choice("unit", RATE_UNITS, default)

    def _text_rule(self, category: str) -> None:
        out = self.out
        out["phrases"] = self.texts("phrases")
        out["patterns"] = self.texts("patterns")
        out["exceptions"] = self.texts("exceptions")
        if not out["phrases"] and not out["patterns"]:
            self.problem("phrases", translate("Errors", "phrases is missing: a {category} rule needs phrases (or "
                                                        "patterns)").format(category=category))
        for pattern in out["patterns"]:
            try:
                compiled = re.compile(pattern, re.MULTILINE)
            except re.error as exc:
                self.problem("patterns", translate("Errors", "pattern '{pattern}' is not a valid regular expression: "
                                                             "{error}").format(pattern=pattern, error=exc))
                continue
            if compiled.fullmatch(""):
                self.problem("patterns", translate("Errors", "pattern '{pattern}' matches empty text").format(
                    pattern=pattern))
        folded = [fold(p) for p in out["phrases"]]
        for exception in out["exceptions"] if folded and not out["patterns"] else ():
            if not any(p in fold(exception) for p in folded):
                self.problem("exceptions", translate("Errors", "exception '{exception}' contains none of the rule's "
                                                               "phrases, so it can never apply").format(
                    exception=exception))
        self._kind(category)
        self._window(category)
        position = self.rule.get("at", "anywhere")
        position = position.replace("_", " ").strip() if isinstance(position, str) else position
        out["at"] = position if position in POSITIONS else self.choice("at", POSITIONS, "anywhere")
        if out["at"] == "utterance start" and out["patterns"]:
            self.problem("at", translate("Errors", "at 'utterance start' applies to phrases; start a pattern with ^ "
                                                   "instead"))
        homophones = self.rule.get("homophones", False)
        if not isinstance(homophones, bool):
            self.problem("homophones", translate("Errors", "{field} must be true or false, not {value}").format(
                field="homophones", value=repr(homophones)))
            homophones = False
        if homophones and not (is_chinese(self.book_language) and is_chinese(out["language"])):
            self.problem("homophones", translate("Errors", "homophones works only in a Chinese (zh) rulebook: "
                                                           "'{language}' is compared as written").format(
                language=out["language"]))
            homophones = False
        elif homophones and folded and not any(homophone_ready(p) for p in folded):
            self.problem("homophones", translate("Errors", "homophones needs a phrase of 3 or more Chinese syllables "
                                                           "(shorter phrases are matched exactly only)"))
        out["homophones"] = homophones

    def _kind(self, category: str) -> None:
        out = self.out
        raw = self.rule.get("kind", TEXT_CATEGORIES[category])
        limit = None
        if isinstance(raw, dict) and len(raw) == 1:
            (kind, limit), = raw.items()
            if kind not in ("at_most", "per_minute"):
                self.problem("kind", translate("Errors", "kind '{kind}' takes no number (use at_most: N or "
                                                         "per_minute: R)").format(kind=kind)
                             if kind in KINDS else translate("Errors", "{field} '{value}' is not one of {choices}{hint}")
                             .format(field="kind", value=kind, choices=", ".join(KINDS), hint=suggest(kind, KINDS)))
                kind = None
        elif isinstance(raw, str) and raw in ("at_most", "per_minute"):
            self.problem("kind", translate("Errors", "kind '{kind}' needs a number, e.g. kind: {example}").format(
                kind=raw, example=f"{{{raw}: 3}}"))
            kind = None
        elif isinstance(raw, str) and raw in KINDS:
            kind = raw
        else:
            self.problem("kind", translate("Errors", "kind {value} is not one of {choices}{hint}").format(
                value=repr(raw), choices=", ".join(KINDS), hint=suggest(raw, KINDS) if isinstance(raw, str) else ""))
            kind = None
        if kind in ("at_most", "per_minute"):
            value = _number(limit)
            whole = kind == "at_most"
            if value is None or value < 0 or (whole and value != int(value)) or (not whole and value <= 0):
                need = (translate("Errors", "a whole number, 0 or more") if whole
                        else translate("Errors", "a number more than 0"))
                self.problem("kind", translate("Errors", "kind {kind} needs {number}, not {value}").format(
                    kind=kind, number=need, value=repr(limit)))
                kind = None
            else:
                limit = int(value) if whole else value
        out["kind"], out["limit"] = kind, limit if kind in ("at_most", "per_minute") else None
        out["min_count"] = None
        if "min_count" in self.rule:
            if kind != "per_minute":
                self.problem("min_count", translate("Errors", "min_count is used only with kind per_minute"))
            else:
                out["min_count"] = self.positive("min_count", whole=True)
        if kind == "per_minute" and out["min_count"] is None:
            out["min_count"] = DEFAULT_MIN_COUNT

    def _window(self, category: str) -> None:
        out = self.out
        raw = self.rule.get("window", "anywhere")
        text = re.sub(r"[_\s]+", " ", raw.strip().lower()) if isinstance(raw, str) else None
        match = _WINDOW.match(text) if text else None
        window = None
        if match is None:
            self.problem("window", translate("Errors", "window {value} is not one of: anywhere, first N s, last N s, "
                                                       "before hold N s, after hold N s").format(value=repr(raw)))
        elif match.group(1) == "anywhere":
            window = {"from": "anywhere"} if match.group(2) is None else None
            if window is None:
                self.problem("window", translate("Errors", "window 'anywhere' takes no seconds"))
        elif match.group(2) is None:
            self.problem("window", translate("Errors", "window '{window}' needs seconds, e.g. '{window} 10 s'").format(
                window=match.group(1)))
        elif float(match.group(2)) <= 0:
            self.problem("window", translate("Errors", "window '{window}' needs more than 0 seconds").format(window=raw))
        else:
            window = {"from": match.group(1), "seconds": float(match.group(2))}
        out["window"] = window
        hold_window = window is not None and window["from"] in ("before hold", "after hold")
        if category == "hold_courtesy" and window is not None and not hold_window:
            self.problem("window", translate("Errors", "a hold_courtesy rule needs window 'before hold N s' or "
                                                       "'after hold N s'"))
        if hold_window and out.get("kind") not in (None, "must_occur"):
            self.problem("window", translate("Errors", "window '{window}' is used only with kind must_occur").format(
                window=raw))
        out["min_hold"] = None
        if "min_hold" in self.rule:
            if not hold_window:
                self.problem("min_hold", translate("Errors", "min_hold is used only with a 'before hold' or 'after hold' "
                                                             "window"))
            else:
                out["min_hold"] = self.positive("min_hold")
