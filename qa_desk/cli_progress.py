"""'done/total' on one line of stderr, redrawn in place while a long command runs.

Only on a terminal and never with --json: a script reading the output, or a log file,
gets the result alone, not a stream of carriage returns.
"""

from __future__ import annotations

import sys

from .wording import QT_TRANSLATE_NOOP, translate

# The units the commands count in: callers name them in English, the line shows them
# in the CLI's language.
UNITS = (QT_TRANSLATE_NOOP("CLI", "recordings"), QT_TRANSLATE_NOOP("CLI", "calls"),
         QT_TRANSLATE_NOOP("CLI", "rows"), QT_TRANSLATE_NOOP("CLI", "clips"))


class CountProgress:
    """A JobContext ``on_progress`` callback; as a context manager it ends its line."""

    def __init__(self, unit: str = "", *, json_output: bool = False, thousands: bool = False):
        self.enabled = sys.stderr.isatty() and not json_output
        self._unit = f" {translate('CLI', unit)}" if unit else ""
        self._format = "{:,}" if thousands else "{}"
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            count = f"{self._format.format(done)}/{self._format.format(total)}"
            print(f"\r{count}{self._unit}", end="", file=sys.stderr, flush=True)
            self._drawn = True

    def __enter__(self) -> CountProgress:
        return self

    def __exit__(self, *exc) -> None:
        if self._drawn:  # whatever follows starts on a line of its own
            print(file=sys.stderr)
