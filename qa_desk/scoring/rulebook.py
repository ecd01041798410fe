"""The service-language rulebook: which phrases, silences and habits QA flags in a call.

A rulebook is data (a YAML file per language in ``resources/rulebooks``, or one a
centre writes itself): categories, and per rule its phrases or patterns, the speaker
it applies to, the time window, the severity and the evaluation-form item it informs.
``parse_rulebook`` checks the whole file and either returns a complete rulebook or
raises one ``RulebookError`` listing every problem with file, line and field: an
invalid rulebook is never half-loaded.

``version`` is the first 12 hex digits of the SHA-256 of the canonical definition, so a
call's findings can always say which rules produced them, and reformatting a file
does not make a "new" version while changing any phrase or threshold does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import resources_dir
from ..wording import translate
from .rule_schema import ACOUSTIC_CATEGORIES, RuleChecker
from .yaml_lines import (
    LineDict,
    LineList,
    content_hash,
    in_file_order,
    line_of,
    load_yaml,
    suggest,
)

TOP_KEYS = ("key", "name", "language", "version", "description", "rules")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class RulebookError(Exception):
    """A rulebook that cannot be used; ``problems`` lists every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Window:
    anchor: str  # "anywhere" | "first" | "last" | "before hold" | "after hold"
    seconds: float | None = None

    def describe(self) -> str:
        """Where in the call, as it reads inside a finding's sentence."""
        if self.anchor == "first":
            template = translate("Findings", "within the first {seconds:g} s")
        elif self.anchor == "last":
            template = translate("Findings", "within the last {seconds:g} s")
        elif self.anchor == "before hold":
            template = translate("Findings", "within {seconds:g} s before hold")
        elif self.anchor == "after hold":
            template = translate("Findings", "within {seconds:g} s after hold")
        else:
            return translate("Findings", "anywhere in the call")
        return template.format(seconds=self.seconds)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    severity: str
    language: str
    speaker: str  # "agent" | "customer" | "any"
    form_item: str | None = None
    note: str | None = None
    # Text rules
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    window: Window = Window("anywhere")
    kind: str = "must_not_occur"  # must_not_occur | must_occur | at_most | per_minute
    limit: float | None = None  # at_most: times; per_minute: occurrences per minute of talk
    min_count: int | None = None  # per_minute: fewer occurrences than this never fire
    homophones: bool = False
    at: str = "anywhere"  # "anywhere" | "utterance start"
    min_hold: float | None = None  # hold windows: shortest silence that counts as a hold
    # Acoustic rules
    seconds: float | None = None
    count: int | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    line: int = 0  # where the rule starts in its file

    @property
    def acoustic(self) -> bool:
        return self.category in ACOUSTIC_CATEGORIES

    @classmethod
    def from_definition(cls, d: dict, line: int = 0) -> Rule:
        values = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "window"}
        for name in ("phrases", "patterns", "exceptions"):
            values[name] = tuple(d.get(name) or ())
        window = d.get("window") or {"from": "anywhere"}
        values.update(window=Window(window["from"], window.get("seconds")), line=line)
        for name in ("kind", "at"):
            if values.get(name) is None:
                values.pop(name, None)
        return cls(**values)


@dataclass(frozen=True)
class Rulebook:
    key: str
    name: str
    language: str
    version: str  # first 12 hex digits of content_hash
    content_hash: str  # sha256 of the canonical JSON of ``definition``
    rules: tuple[Rule, ...]
    definition: dict  # JSON-able; what is stored with the findings
    source: str  # the file it was read from ("" or a label for text)
    # The phrase automata, built once on first use: one rulebook checks thousands of calls.
    _matcher: Any = field(default=None, compare=False, repr=False, hash=False)

    def matcher(self):
        if self._matcher is None:
            from .phrase_index import PhraseIndex

            object.__setattr__(self, "_matcher", PhraseIndex(self.rules, self.language))
        return self._matcher

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def counts_by_category(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rule in self.rules:
            counts[rule.category] = counts.get(rule.category, 0) + 1
        return counts


def default_rulebook_path(language: str) -> Path:
    """The shipped rulebook for a language: "zh-CN"/"zh…" → zh-CN.yaml, "en…" → en.yaml."""
    tag = (language or "").strip().lower().replace("_", "-")
    folder = resources_dir() / "rulebooks"
    if tag.split("-")[0] == "zh":
        return folder / "zh-CN.yaml"
    if tag.split("-")[0] == "en":
        return folder / "en.yaml"
    raise ValueError(translate("Errors", "no default rulebook for language '{language}' (there are zh-CN and en)"
                               ).format(language=language))


def load_rulebook(path: str | Path) -> Rulebook:
    """Read and check a rulebook file. OSError when it cannot be read; RulebookError when invalid."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulebookError([translate("Errors", "{file}: not UTF-8 text (byte {byte})").format(
            file=path.name, byte=exc.start)]) from None
    return parse_rulebook(text, str(path))


def parse_rulebook(text: str, source: str) -> Rulebook:
    """Check a rulebook's YAML text; ``source`` names it in messages (a path or a label)."""
    name = Path(source).name if source else "<rulebook>"
    data, error = load_yaml(text, source or name)
    if error:
        raise RulebookError([error])
    problems: list[str] = []

    def top(key: str | None, message: str) -> None:
        problems.append(f"{name}:{line_of(data, key, 1)}: {message}")

    if not isinstance(data, dict):
        raise RulebookError([f"{name}:1: " + translate("Errors", "a rulebook is a mapping with key, name, language "
                                                                 "and rules")])
    for key, line in getattr(data, "duplicates", []):
        problems.append(f"{name}:{line}: " + translate("Errors", "'{key}' is written twice").format(key=key))
    for key in data:
        if key not in TOP_KEYS:
            top(key, translate("Errors", "unknown field '{key}'{hint}").format(key=key, hint=suggest(key, TOP_KEYS)))
    definition: dict[str, Any] = {}
    for key in ("key", "name", "language"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            top(key if key in data else None, (translate("Errors", "{field} is missing") if value is None else
                                               translate("Errors", "{field} must be text")).format(field=key))
        definition[key] = value.strip() if isinstance(value, str) else None
    if definition["key"] and not _KEY.match(definition["key"]):
        top("key", translate("Errors", "key '{key}' must be letters, digits, '-', '_' or '.'").format(
            key=definition["key"]))
    for key in ("version", "description"):
        value = data.get(key)
        definition[key] = None if value is None else str(value).strip()
    language = definition["language"] or ""
    rules_raw = data.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        top("rules" if "rules" in data else None, translate("Errors", "rules is missing: a rulebook needs a list of "
                                                                      "rules"))
        rules_raw = []
    definition["rules"], lines = _check_rules(rules_raw, language, name, problems)
    if problems:
        raise RulebookError(in_file_order(problems))  # in file order, as an editor reads them
    digest = content_hash(definition)
    rules = tuple(Rule.from_definition(d, line) for d, line in zip(definition["rules"], lines))
    return Rulebook(
        key=definition["key"], name=definition["name"], language=language, version=digest[:12],
        content_hash=digest, rules=rules, definition=definition, source=source,
    )


def _check_rules(rules_raw: list, language: str, name: str, problems: list[str]) -> tuple[list[dict], list[int]]:
    out: list[dict] = []
    lines: list[int] = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(rules_raw):
        line = line_of(rules_raw, index, 1) if isinstance(rules_raw, LineList) else 1
        if not isinstance(raw, dict):
            problems.append(f"{name}:{line}: " + translate("Errors", "rule #{number}: a rule is a mapping (id, title, "
                                                                     "category, …)").format(number=index + 1))
            continue
        label = (translate("Errors", "rule {id}").format(id=raw["id"]) if isinstance(raw.get("id"), str) else
                 translate("Errors", "rule #{number}").format(number=index + 1))

        def report(rule: dict, field_name: str | None, message: str, label=label, line=line) -> None:
            where = line_of(rule, field_name, line) if field_name else line_of(rule, "id", line)
            problems.append(f"{name}:{where}: {label}: {message}")

        for key, key_line in getattr(raw, "duplicates", []):
            problems.append(f"{name}:{key_line}: {label}: " + translate("Errors", "'{key}' is written twice").format(
                key=key))
        rule = RuleChecker(raw, report, language).check()
        rid = rule["id"]
        if rid is not None:
            rid_line = line_of(raw, "id", line) if isinstance(raw, LineDict) else line
            if rid in first_line:
                problems.append(f"{name}:{rid_line}: {label}: " + translate(
                    "Errors", "id '{id}' is used twice (first at line {line})").format(id=rid, line=first_line[rid]))
            else:
                first_line[rid] = rid_line
        out.append({k: v for k, v in rule.items() if v is not None and v != []})
        lines.append(line)
    return out, lines
