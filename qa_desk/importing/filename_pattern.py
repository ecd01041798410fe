"""Read call details out of a recording's file name.

Many recorders put the agent, the start time and the customer's number into
the name, e.g. ``张三_20261123-101500_13800138000.wav``. The supervisor
describes the layout once, as ``{agent}_{started:%Y%m%d-%H%M%S}_{customer}``,
and every recording in the folder is read with it.

The pattern is compiled to one regular expression up front: a folder can
hold tens of thousands of recordings, and a bad pattern should fail when the
supervisor types it, not halfway through an import.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath

from ..wording import translate
from .metadata import CallMetadata, MetadataError, normalise_direction

__all__ = ["FIELDS", "FilenamePattern", "PatternError"]

# Pattern field -> CallMetadata attribute.
FIELDS = {
    "agent": "agent", "agent_id": "agent_id", "team": "team", "started": "started_at",
    "direction": "direction", "queue": "queue", "customer": "customer_ref",
}
_SKIP = ("*", "_")
DEFAULT_STARTED_FORMAT = "%Y%m%d%H%M%S"

# strftime codes a file name can sensibly contain, as fixed-width regex pieces
# so that run-together stamps like 20261123101500 split unambiguously.
_DATE_CODES = {
    "Y": r"\d{4}", "y": r"\d{2}", "m": r"\d{2}", "d": r"\d{2}", "H": r"\d{2}", "I": r"\d{2}",
    "M": r"\d{2}", "S": r"\d{2}", "j": r"\d{3}", "f": r"\d{1,6}", "p": r"[AaPp][Mm]",
    "b": r"[A-Za-z]{3}", "B": r"[A-Za-z]+", "a": r"[A-Za-z]{3}", "A": r"[A-Za-z]+", "%": "%",
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class PatternError(ValueError):
    """The file-name pattern itself is wrong; the message says how to fix it."""


class FilenamePattern:
    """A file-name layout such as ``{agent}_{started:%Y%m%d-%H%M%S}_{customer}``.

    Fields: agent, agent_id, team, started (optionally ``{started:<strftime>}``,
    default ``%Y%m%d%H%M%S``), direction, queue, customer; ``{*}`` or ``{_}``
    skips a part. ``{{`` and ``}}`` are literal braces. Literal text matches
    case-insensitively, since Windows file names are case-insensitive.
    """

    def __init__(self, text: str):
        self.text = text
        self.started_format: str | None = None
        self.fields: tuple[str, ...] = ()
        self._regex = re.compile(self._compile(text), re.IGNORECASE | re.DOTALL)

    def __repr__(self) -> str:
        return f"FilenamePattern({self.text!r})"

    def parse(self, path) -> CallMetadata | None:
        """Call details from the file name (its stem), or None if it does not fit.

        Raises MetadataError naming the file when the name fits the layout but
        a value in it is wrong, e.g. month 13 in the date.
        """
        name = PurePath(path).name
        match = self._regex.fullmatch(PurePath(path).stem)
        if match is None:
            return None
        values: dict = {}
        for field in self.fields:
            text = match.group(field).strip()
            if field == "started":
                try:
                    values["started_at"] = datetime.strptime(text, self.started_format)
                except ValueError:
                    raise MetadataError(translate(
                        "Errors", "{file}: start time '{value}' in the file name is not a valid date/time "
                        "for the format {format}; check the {{started:…}} part of the file-name pattern"
                    ).format(file=name, value=text, format=self.started_format), source=path) from None
            elif field == "direction":
                try:
                    values["direction"] = normalise_direction(text)
                except ValueError as exc:
                    raise MetadataError(translate("Errors", "{file}: {problem} (from the file name)").format(
                        file=name, problem=exc), source=path) from None
            else:
                values[FIELDS[field]] = text or None
        return CallMetadata(**values)

    def _compile(self, text: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise PatternError(translate(
                "Errors", "the file-name pattern is empty; use e.g. {example}").format(
                example="{agent}_{started}_{customer}"))
        parts: list[str] = []
        fields: list[str] = []
        previous_was_text = False  # two free-text parts in a row could split anywhere
        position = 0
        for token in _TOKEN.finditer(text):
            literal = text[position:token.start()]
            position = token.end()
            if literal:
                parts.append(re.escape(literal))
                previous_was_text = False
            raw = token.group(0)
            if raw in ("{{", "}}"):
                parts.append(re.escape(raw[0]))
                previous_was_text = False
                continue
            if raw in ("{", "}"):
                raise PatternError(translate(
                    "Errors", "unbalanced '{brace}' in the file-name pattern '{pattern}'; "
                    "write {open} or {close} for a literal brace").format(
                    brace=raw, pattern=text, open="{{", close="}}"))
            name, _, spec = token.group(1).strip().partition(":")
            name = name.strip()
            if name in _SKIP:
                piece, is_text = r".*?", True
            elif name in FIELDS:
                if name in fields:
                    raise PatternError(translate(
                        "Errors", "{field} appears twice in the file-name pattern '{pattern}'; keep one of them"
                    ).format(field="{" + name + "}", pattern=text))
                fields.append(name)
                if name == "started":
                    self.started_format = spec or DEFAULT_STARTED_FORMAT
                    piece, is_text = f"(?P<started>{_date_regex(self.started_format)})", False
                else:
                    piece, is_text = f"(?P<{name}>.+?)", True
            else:
                known = ", ".join("{" + field + "}" for field in (*FIELDS, "*"))
                raise PatternError(translate(
                    "Errors", "unknown field {field} in the file-name pattern '{pattern}'; the fields are {known}"
                ).format(field="{" + name + "}", pattern=text, known=known))
            if spec and name != "started":
                raise PatternError(translate(
                    "Errors", "only {started} takes a format, not {field}; write {plain}").format(
                    started="{started}", field="{" + name + ":" + spec + "}", plain="{" + name + "}"))
            if is_text and previous_was_text:
                raise PatternError(translate(
                    "Errors", "put a separator such as _ or - before {field} in the file-name pattern "
                    "'{pattern}'; otherwise it is unclear where one part ends").format(
                    field="{" + name + "}", pattern=text))
            parts.append(piece)
            previous_was_text = is_text
        if position < len(text):
            parts.append(re.escape(text[position:]))
        if not fields:
            raise PatternError(translate(
                "Errors", "the file-name pattern '{pattern}' has no fields; use e.g. {agent} or {started}"
            ).format(pattern=text, agent="{agent}", started="{started}"))
        self.fields = tuple(fields)
        return "".join(parts)


def _date_regex(fmt: str) -> str:
    """Translate a strftime format into a regex matching the text it produces."""
    pieces: list[str] = []
    codes: set[str] = set()
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char != "%":
            pieces.append(re.escape(char))
            index += 1
            continue
        code = fmt[index + 1:index + 2]
        if code not in _DATE_CODES:
            shown = f"%{code}" if code else translate("Errors", "a lone %")
            raise PatternError(translate(
                "Errors", "{code} in {field} is not a date code QA Desk understands; "
                "use %Y %m %d %H %M %S (or %y %b %B %j %I %p %f)").format(
                code=shown, field="{started:" + fmt + "}"))
        pieces.append(_DATE_CODES[code])
        codes.add(code)
        index += 2
    has_day = "j" in codes or ({"m", "b", "B"} & codes and "d" in codes)
    if not ({"Y", "y"} & codes and has_day):
        raise PatternError(translate(
            "Errors", "{field} must contain the year, month and day (e.g. %Y%m%d)").format(
            field="{started:" + fmt + "}"))
    return "".join(pieces)
