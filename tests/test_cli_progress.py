"""Commands' progress line: drawn in place on a terminal, ended with a newline, never
with --json or when stderr is a file."""

from __future__ import annotations

import io
import sys

from qa_desk.cli_progress import CountProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_count_redrawn_then_a_new_line(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with CountProgress("rows", thousands=True) as progress:
        progress(999, 12000)
        progress(12000, 12000)
    assert sys.stderr.getvalue() == "\r999/12,000 rows\r12,000/12,000 rows\n"


def test_json_output_and_files_get_no_progress(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with CountProgress("calls", json_output=True) as progress:
        progress(1, 2)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with CountProgress("calls") as progress:
        progress(1, 2)
    assert sys.stderr.getvalue() == ""
