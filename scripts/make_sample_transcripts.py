#!/usr/bin/env python3
"""Write a WebVTT transcript beside every demo recording in ``resources/samples/``.

The cues are the scripted lines of ``transcripts.json`` (the ground truth the
recordings were spoken from), with ``<v Agent>`` / ``<v Customer>`` voices. QA Desk
picks up ``<recording name>.vtt`` when it imports the recording, so "Load sample
calls" gives every demo call its transcript, the way a centre whose recorder already
transcribes would see it.

Usage (from the repository root)::

    python scripts/make_sample_transcripts.py          # (re)write the .vtt files
    python scripts/make_sample_transcripts.py --check  # exit 1 if one is missing or stale

Needs nothing beyond the standard library; the output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"
VOICES = {"agent": "Agent", "customer": "Customer"}


def timestamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(call: dict) -> str:
    lines = [
        "WEBVTT",
        "",
        f"NOTE Scripted lines of the synthetic demo call {call['file']},",
        "from transcripts.json (written by scripts/make_sample_transcripts.py).",
        "",
    ]
    segments = sorted(call["segments"], key=lambda s: (s["start"], s["end"]))
    for number, segment in enumerate(segments, 1):
        voice = VOICES[segment["speaker"]]
        text = segment["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines += [
            str(number),
            f"{timestamp(segment['start'])} --> {timestamp(segment['end'])}",
            f"<v {voice}>{text}</v>",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    calls = json.loads((SAMPLES / "transcripts.json").read_text(encoding="utf-8"))["calls"]
    stale = []
    for call in calls:
        recording = SAMPLES / call["file"]
        if not recording.exists():
            print(f"{recording.name}: recording missing", file=sys.stderr)
            return 1
        target = recording.with_suffix(".vtt")
        text = webvtt(call)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            print(f"{target.name}: up to date")
        elif args.check:
            stale.append(target.name)
            print(f"{target.name}: {'stale' if current else 'missing'}", file=sys.stderr)
        else:
            target.write_text(text, encoding="utf-8", newline="\n")
            print(f"{target.name}: written ({len(call['segments'])} cues)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
