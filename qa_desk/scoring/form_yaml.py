"""Write a form's definition back as the YAML file a QA lead would have written.

The form builder and "Export YAML…" both end in a file people read, diff and keep in
their own version control, so the fields come in the order a person writes them and
defaults are left out, as in the shipped forms. What is written always parses back
to the same canonical definition (the same content hash): an exported form imported
again is the same version, not a new one.
"""

from __future__ import annotations

import yaml


class _Flow(list):
    """A list written on one line: ``rules: [zh-greeting-01, zh-closing-01]``."""


class _Block(str):
    """Text with line breaks, written as a ``|`` block so it stays readable."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # Sequences indented under their key ("  - key: …"), as the shipped forms are.
        return super().increase_indent(flow, False)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


def _text(value: str) -> str:
    # Trailing spaces on a line cannot be kept in a block scalar; such text stays quoted.
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return _Block(value)
    return value


def _put(out: dict, key: str, value: object) -> None:
    if value is None:
        return
    out[key] = _text(value) if isinstance(value, str) else value


def _item(item: dict) -> dict:
    out: dict = {}
    _put(out, "key", item.get("key"))
    _put(out, "question", item.get("question"))
    _put(out, "guidance", item.get("guidance"))
    answer = item.get("answer") or "yes_no"
    if answer != "yes_no":
        out["answer"] = answer
    if answer == "scale":
        _put(out, "scale", item.get("scale"))
    if answer == "yes_partial_no":
        _put(out, "partial", item.get("partial"))
    _put(out, "points", item.get("points"))
    if item.get("na"):
        out["na"] = True
    _put(out, "critical", item.get("critical"))
    if item.get("bonus"):
        out["bonus"] = True
    if item.get("rules"):
        out["rules"] = _Flow(item["rules"])
    return out


def _section(section: dict) -> dict:
    out: dict = {}
    _put(out, "key", section.get("key"))
    _put(out, "title", section.get("title"))
    _put(out, "points", section.get("points"))
    _put(out, "weight", section.get("weight"))
    if section.get("bonus_cap"):
        out["bonus_cap"] = section["bonus_cap"]
    out["items"] = [_item(i) for i in section.get("items") or ()]
    return out


def form_to_yaml(definition: dict) -> str:
    """The YAML text of a form definition (canonical, as ``Form.definition``, or as the
    builder assembles it): UTF-8 text, Chinese written as is."""
    out: dict = {}
    for key in ("key", "name", "language", "description", "total"):
        _put(out, key, definition.get(key))
    out["na"] = definition.get("na") or "exclude"
    out["sections"] = [_section(s) for s in definition.get("sections") or ()]
    return yaml.dump(out, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=False)
