"""Read a hand-written YAML file (a rulebook, a form) and remember where every value came from.

Rulebooks and evaluation forms are written by hand by QA staff; a message that says
"line 42" saves them hunting through a 600-line file. PyYAML's nodes carry marks (line, column); the loader
below builds ordinary dicts and lists that also remember their line and the line of
each key, and it notices a key written twice in one mapping (PyYAML silently keeps
the last one, which would hide a typo'd copy-paste).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path

import yaml

from ..wording import translate


class LineDict(dict):
    """A mapping from the file: ``line`` (1-based) of the mapping, ``key_lines`` per key,
    ``duplicates`` [(key, line)] for keys written more than once."""

    line: int = 0
    key_lines: dict
    duplicates: list


class LineList(list):
    """A sequence from the file: ``line`` of the sequence, ``item_lines`` per item."""

    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # resolves YAML merge keys (<<) the way SafeLoader does
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines, out.duplicates = {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(item, deep=True) for item in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str, source: str) -> tuple[object, str | None]:
    """(data, None), or (None, "file:line: YAML problem") when the text is not YAML."""
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}:" if mark is not None else ""
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return None, f"{Path(source).name}:{line} " + translate("Errors", "not valid YAML: {problem}").format(
            problem=problem)
    except yaml.YAMLError as exc:
        return None, f"{Path(source).name}: " + translate("Errors", "not valid YAML: {problem}").format(problem=exc)


def line_of(container: object, key: object = None, default: int = 0) -> int:
    """The line of ``container[key]`` (or of the container itself) in the file."""
    if isinstance(container, LineDict):
        if key is not None and key in container.key_lines:
            return container.key_lines[key]
        return container.line or default
    if isinstance(container, LineList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line or default
    return default


def suggest(key: str, allowed: tuple[str, ...]) -> str:
    """" (did you mean 'x'?)" for a near miss of one of the allowed words, else ""."""
    close = difflib.get_close_matches(str(key), allowed, n=1)
    return translate("Errors", " (did you mean '{word}'?)").format(word=close[0]) if close else ""


def in_file_order(problems: list[str]) -> list[str]:
    """"file:line: …" messages sorted by line, as whoever edits the file reads them."""
    def line(problem: str) -> int:
        match = re.match(r"^[^:]*:(\d+):", problem)
        return int(match.group(1)) if match else 0

    return sorted(problems, key=line)


def canonical_json(definition: dict) -> str:
    return json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(definition: dict) -> str:
    """The version of a definition: files differing only in formatting hash the same."""
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()
