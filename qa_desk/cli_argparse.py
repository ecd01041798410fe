"""argparse's own words (``usage:``, ``options``, its usage errors) in the CLI's language.

argparse looks its sentences up through its module's ``_`` (gettext) when it writes
them, so pointing that at ``wording.translate`` makes ``--help`` and a usage error
speak the language of the rest of the CLI. The sentences are argparse's (Python 3.11+),
listed here so that lupdate collects them; any other passes through unchanged, and
without a translator every one is argparse's English.
"""

from __future__ import annotations

import argparse

from .wording import QT_TRANSLATE_NOOP, translate

ARGPARSE_WORDS = (
    QT_TRANSLATE_NOOP("CLI", "usage: "),
    QT_TRANSLATE_NOOP("CLI", "options"),
    QT_TRANSLATE_NOOP("CLI", "positional arguments"),
    QT_TRANSLATE_NOOP("CLI", "show this help message and exit"),
    QT_TRANSLATE_NOOP("CLI", "%(prog)s: error: %(message)s\n"),
    QT_TRANSLATE_NOOP("CLI", "argument %(argument_name)s: %(message)s"),
    QT_TRANSLATE_NOOP("CLI", "invalid choice: %(value)r (choose from %(choices)s)"),
    QT_TRANSLATE_NOOP("CLI", "invalid %(type)s value: %(value)r"),
    QT_TRANSLATE_NOOP("CLI", "the following arguments are required: %s"),
    QT_TRANSLATE_NOOP("CLI", "unrecognized arguments: %s"),
    QT_TRANSLATE_NOOP("CLI", "expected one argument"),
    QT_TRANSLATE_NOOP("CLI", "expected at least one argument"),
    QT_TRANSLATE_NOOP("CLI", "expected at most one argument"),
    QT_TRANSLATE_NOOP("CLI", "ambiguous option: %(option)s could match %(matches)s"),
    QT_TRANSLATE_NOOP("CLI", "not allowed with argument %s"),
    QT_TRANSLATE_NOOP("CLI", "one of the arguments %s is required"),
    QT_TRANSLATE_NOOP("CLI", "ignored explicit argument %r"),
    QT_TRANSLATE_NOOP("CLI", "can't open '%(filename)s': %(error)s"),
)


def _argparse_words(text: str) -> str:
    return translate("CLI", text)


def speak_argparse() -> None:
    """From now on argparse writes its words through the CLI's translator (call before
    building a parser: the -h help text is looked up then)."""
    argparse._ = _argparse_words


__all__ = ["ARGPARSE_WORDS", "speak_argparse"]
