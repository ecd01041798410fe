"""The benchmark harness: each scenario measures QA Desk and a reference in the same run.

A figure alone says little on a shared 2-core machine; the ratio against the
unavoidable work, measured minutes apart on the same machine, is what we track.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Result:
    scenario: str
    measured: float
    reference: float
    unit: str  # how to print the figures, e.g. "files/s", "ms"
    target: str  # e.g. "ratio ≤ 3×" or "≤ 150 ms"
    passed: bool
    note: str = ""
    # Rates (files/s) are better higher; times better lower. The ratio is always
    # "how many times the reference's cost", so ≤ targets read the same way.
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        slow, fast = (self.reference, self.measured) if self.higher_is_better else (self.measured, self.reference)
        return slow / fast if fast else float("inf")


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def print_table(results: list[Result]) -> None:
    header = ("scenario", "measured", "reference", "ratio", "target", "")
    rows = [
        (
            r.scenario,
            _fmt(r.measured, r.unit),
            _fmt(r.reference, r.unit),
            f"{r.ratio:.2f}×",
            r.target,
            "ok" if r.passed else "MISSED",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
    for r in results:
        if r.note:
            print(f"  {r.scenario}: {r.note}")
