"""Evaluation forms: read, check and version the checklists reviewers score calls on.

A form file (YAML, shipped ones in ``forms/``) is checked whole (``form_schema``) and
becomes a ``Form``: sections of items, each item a question with its answer type and
points. The canonical definition is hashed: the same content is the same version
whatever the formatting, and the store keeps every version an evaluation was scored
on (``qa_desk.store.forms``).

``rules`` on an item name rulebook rules whose flags suggest its answer; a form is
checked against the rules QA Desk knows (the shipped rulebooks and the one in use)
so a typo'd rule id is an error, not a suggestion that silently never comes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import shipped_dir
from ..wording import translate
from .form_schema import check_form
from .yaml_lines import content_hash, in_file_order, load_yaml


class FormError(Exception):
    """A form that cannot be used; ``problems`` lists every problem, one line each.
    ``unreadable``: the file itself could not be read as text (no form to judge), which
    a caller tells apart from a form with mistakes without reading the worded problems."""

    def __init__(self, problems: list[str], *, unreadable: bool = False):
        self.problems = list(problems)
        self.unreadable = unreadable
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Item:
    key: str
    question: str
    guidance: str | None
    answer: str  # "yes_no" | "yes_partial_no" | "scale"
    points: float
    scale: int | None = None  # answers 0..scale
    partial: float | None = None  # the share of the points a "partial" answer earns
    na: bool = False  # N/A allowed
    critical: str | None = None  # "fail_section" | "fail_all"
    bonus: bool = False
    rules: tuple[str, ...] = ()

    def values(self) -> tuple[str, ...]:
        """Every answer a reviewer may give, best first ("na" last where allowed)."""
        if self.answer == "scale":
            out = tuple(str(v) for v in range(self.scale or 0, -1, -1))
        elif self.answer == "yes_partial_no":
            out = ("yes", "partial", "no")
        else:
            out = ("yes", "no")
        return out + (("na",) if self.na else ())

    def passing(self) -> str:
        return self.values()[0]

    def failing(self) -> str:
        return "0" if self.answer == "scale" else "no"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]
    points: float | None = None  # in a points form
    weight: float | None = None  # in a weighted form: percent of the whole
    bonus_cap: float = 0.0  # points bonus items may add above the section's maximum


@dataclass(frozen=True)
class Form:
    key: str
    name: str
    language: str
    sections: tuple[Section, ...]
    scoring: str  # "points" | "weights"
    na: str  # "exclude" | "pass"
    content_hash: str
    definition: dict
    description: str | None = None
    total: float | None = None
    source: str = ""

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items() if i.key == key), None)

    def rules(self) -> set[str]:
        return {rule for item in self.items() for rule in item.rules}

    @classmethod
    def from_definition(cls, definition: dict, source: str = "") -> Form:
        sections = tuple(
            Section(
                key=s["key"], title=s["title"], points=s.get("points"), weight=s.get("weight"),
                bonus_cap=float(s.get("bonus_cap") or 0),
                items=tuple(
                    Item(key=i["key"], question=i["question"], guidance=i.get("guidance"), answer=i["answer"],
                         points=float(i["points"]), scale=i.get("scale"), partial=i.get("partial"),
                         na=bool(i.get("na")), critical=i.get("critical"), bonus=bool(i.get("bonus")),
                         rules=tuple(i.get("rules") or ()))
                    for i in s["items"]
                ),
            )
            for s in definition["sections"]
        )
        return cls(
            key=definition["key"], name=definition["name"], language=definition["language"],
            sections=sections, scoring=definition["scoring"], na=definition["na"],
            content_hash=content_hash(definition), definition=definition,
            description=definition.get("description"), total=definition.get("total"), source=source,
        )


def parse_form(text: str, source: str, known_rules: set[str] | None = None) -> Form:
    """Check a form's YAML text; ``source`` names it in messages. ``known_rules``: the rule
    ids an item may name (None: not checked). Raises FormError with every problem."""
    name = Path(source).name if source else "<form>"
    data, error = load_yaml(text, source or name)
    if error:
        raise FormError([error])
    if not isinstance(data, dict):
        raise FormError([f"{name}:1: " + translate("Errors", "a form is a mapping with key, name, language and sections")])
    definition, problems = check_form(data, name, known_rules)
    if problems:
        raise FormError(in_file_order(problems))
    return Form.from_definition(definition, source)


def load_form(path: Path, known_rules: set[str] | None = None) -> Form:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FormError([translate("Errors", "{file}: not UTF-8 text (save the form as UTF-8)").format(
            file=Path(path).name)], unreadable=True) from None
    except OSError as exc:
        raise FormError([translate("Errors", "{file}: cannot be read ({error}); check that the file exists and that "
                                             "you may read it").format(file=Path(path).name,
                                                                       error=exc.strerror or exc)],
                        unreadable=True) from None
    return parse_form(text, str(path), known_rules)


def forms_dir() -> Path:
    """The shipped forms (``forms/`` next to the package, or where a frozen build put them)."""
    frozen = os.environ.get("QA_DESK_FORMS")
    return Path(frozen) if frozen else shipped_dir("forms")


def shipped_forms() -> list[Path]:
    return sorted(forms_dir().glob("*.yaml"))


def known_rule_ids(extra_rulebook: Path | None = None) -> set[str]:
    """Rule ids a form may link to: every shipped rulebook's, and the one in use."""
    from .rulebook import RulebookError, default_rulebook_path, load_rulebook

    paths = {default_rulebook_path("zh-CN"), default_rulebook_path("en")}
    if extra_rulebook is not None:
        paths.add(Path(extra_rulebook))
    out: set[str] = set()
    for path in paths:
        try:
            out |= {rule.id for rule in load_rulebook(path).rules}
        except (OSError, RulebookError):
            continue  # a broken rulebook has its own error where it is used
    return out
