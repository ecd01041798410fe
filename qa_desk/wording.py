"""Words the domain and the CLI write for a person, in that person's language.

The domain stays free of Qt, yet what it says (why a flag fired, why a file was
refused, an export's column headers) must reach a reviewer in Chinese or English.
So the domain writes its sentences as ``translate("Context", "English source")``
and ``QT_TRANSLATE_NOOP`` for tables of words: Qt's ``lupdate`` finds those calls by
name, so the sentences land in the same ``.ts`` files as the interface's, and the
window or the CLI plugs Qt's translator in here with ``use`` when it starts. Until
then (tests, scripts importing the domain) every sentence is its English source.

A sentence is translated when it is made: a finding stored by a scan keeps the
language of whoever ran the scan.
"""

from __future__ import annotations

from collections.abc import Callable

Lookup = Callable[[str, str], str]

_lookup: Lookup | None = None


def use(lookup: Lookup | None) -> None:
    """Translate through ``lookup(context, source)`` from now on (None: English again).
    A lookup returning "" or the source leaves the sentence in English."""
    global _lookup
    _lookup = lookup


def translate(context: str, source: str) -> str:
    """``source`` in the current language. Named like Qt's so that lupdate collects it;
    keep both arguments string literals."""
    if _lookup is None:
        return source
    return _lookup(context, source) or source


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Marks ``source`` for translation where it is defined (a table of words) and
    returns it unchanged; translate it where it is shown, with the same context."""
    return source


def word(context: str, table: dict, code, missing: str | None = None) -> str:
    """The word ``table`` (its values marked with QT_TRANSLATE_NOOP in ``context``) holds
    for a stored code, translated; ``missing`` (default: the code itself) for a code the
    table does not know, as a newer database may hold."""
    if code in table:
        return translate(context, table[code])
    return str(code) if missing is None else missing


def choose(count: int, one: str, many: str) -> str:
    """English's singular or plural (already translated sentences; Chinese has the same
    words for both, so a translator fills both the same)."""
    return one if count == 1 else many


__all__ = ["QT_TRANSLATE_NOOP", "choose", "translate", "use", "word"]
