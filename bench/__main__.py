"""Run every benchmark scenario: `python -m bench [NAME…]`. Exit 1 when a target is missed."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import importlib

from .harness import print_table

# scenario name → module in bench/ with a `run(work_dir) -> list[Result]`
SCENARIOS = {
    "import": "import_files",
    "library": "library_query",
    "call-open": "call_open",
    "redraw": "call_view_redraw",
    "transcribe": "transcription",
    "match": "rule_matching",
    "search": "transcript_search",
    "export": "scorecard_export",
    "scorecards": "scorecard_query",
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"scenarios to run: {', '.join(SCENARIOS)} (default: all)")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    results = []
    with tempfile.TemporaryDirectory(prefix="qa-desk-bench-") as work:
        os.environ["QA_DESK_HOME"] = os.path.join(work, "home")
        for name in args.names or SCENARIOS:
            print(f"running {name}…", file=sys.stderr, flush=True)
            results.extend(importlib.import_module(f"bench.{SCENARIOS[name]}").run(work))
    print_table(results)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
