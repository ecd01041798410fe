"""What the rulebook found in a call: one flag a reviewer can jump to and judge.

A finding is plain data (it is stored with the call and shown in the call view), so it
carries everything the UI needs without going back to the rulebook: the rule's title,
category and severity as they were when the call was checked, the place (seconds) and
the words that triggered it, how sure the matcher is, and one plain sentence saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# kind → what a finding is:
#   exact     a rule phrase or pattern, as written, in the transcript
#   possible  sounds like a rule phrase (Chinese homophone, e.g. an ASR error), or said
#             on a mono recording where agent and customer cannot be told apart
#   missing   a required phrase was not said where the rule wants it
#   count     a phrase said more often than the rule allows (lists every occurrence)
#   acoustic  from the audio metrics: dead air, holds, overtalk, talk ratio, pace
KINDS = ("exact", "possible", "missing", "count", "acoustic")


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


@dataclass(frozen=True)
class Finding:
    rule_key: str
    rule_title: str
    category: str
    severity: str
    speaker: str | None  # "agent" / "customer" (or the lane's label); None for whole-call findings
    start: float | None  # seconds from the call's start; None only where there is no place
    end: float | None
    matched_text: str | None  # the transcript's words as said, joined for display
    words: tuple[dict, ...]  # {"word", "start", "end"} of the matched words
    kind: str
    confidence: float  # 1.0 exact; lower for "possible"
    reason: str  # one plain English sentence: why it fired
    form_item: str | None
    # Every place that counted (count findings: each occurrence; overtalk: each
    # interruption), so the call view can mark them all, not just the first.
    occurrences: tuple[tuple[float, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, times rounded to the millisecond."""
        return {
            "rule_key": self.rule_key,
            "rule_title": self.rule_title,
            "category": self.category,
            "severity": self.severity,
            "speaker": self.speaker,
            "start": _seconds(self.start),
            "end": _seconds(self.end),
            "matched_text": self.matched_text,
            "words": [
                {"word": str(w["word"]), "start": _seconds(w["start"]), "end": _seconds(w["end"])}
                for w in self.words
            ],
            "kind": self.kind,
            "confidence": round(float(self.confidence), 3),
            "reason": self.reason,
            "form_item": self.form_item,
            "occurrences": [[_seconds(s), _seconds(e)] for s, e in self.occurrences],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """The finding ``as_dict`` wrote (as stored with a call)."""
        return cls(
            rule_key=d["rule_key"], rule_title=d["rule_title"], category=d["category"],
            severity=d["severity"], speaker=d.get("speaker"), start=d.get("start"), end=d.get("end"),
            matched_text=d.get("matched_text"), words=tuple(dict(w) for w in d.get("words") or ()),
            kind=d["kind"], confidence=float(d["confidence"]), reason=d["reason"],
            form_item=d.get("form_item"),
            occurrences=tuple((float(s), float(e)) for s, e in d.get("occurrences") or ()),
        )
