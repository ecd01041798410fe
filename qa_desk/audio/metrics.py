"""Call metrics a QA reviewer reads off the audio: talk, dead air, holds, overtalk.

Pure functions over speech segments (see ``vad``), so they are tested on segments
laid out by hand and reused on any source of segments (a transcript's timings, say).

What the words mean here:

* talk time: seconds a lane has speech in it (pauses shorter than the VAD's
  hangover count as talk).
* talk-to-listen ratio: agent talk / customer talk; needs a stereo call with the
  agent and the customer on their own channels, else None.
* silence (dead air): a stretch where neither side speaks, between the call's first
  and last speech, of at least ``min_silence`` seconds. Silence before the first
  words is measured by ``first_agent_words``; after the last words the line is
  usually only waiting for the hang-up, so neither end counts as dead air.
* hold: a silence of at least ``hold_seconds``. From the audio alone an announced
  hold and unexplained dead air look the same; the transcript rules (请您稍等 /
  "please hold") can tell them apart later. Holds are also listed in ``silences``.
* overtalk: both sides speaking at once for at least ``min_overtalk`` seconds.
  ``started_by`` is who began speaking while the other was already talking: the
  agent starting = the agent interrupting the customer (the service standard
  forbids cutting the customer off); "both" when they started in the same frame.
  On a mono (mixed) recording overtalk cannot be heard apart: it is None, not [].
* speech rate: from a transcript, units per minute of the speaker's own utterance
  time. Units are words for English (and any spaced script) and characters for
  Chinese: a Han character counts one, a run of letters or digits counts one.
  ``speech_rate_unit`` says which the call's text mostly is ("words" or
  "characters"), so a Mandarin call reads as characters per minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .vad import Segment

__all__ = [
    "METRICS_VERSION", "MIN_SILENCE", "HOLD_SECONDS", "MIN_OVERTALK",
    "Overtalk", "CallMetrics", "compute_metrics", "speech_rate",
]

# Bump whenever the VAD or these definitions change what they measure: metrics
# stored with another version are computed again when a call is opened.
METRICS_VERSION = 1

# Dead air: 3 s is where a caller starts wondering whether the line dropped
# (turn-taking gaps on a call are 0.2-1.5 s).
MIN_SILENCE = 3.0
# A hold: the standard's hold-time target band is 20-60 s, so a silence of 20 s is
# treated as a hold rather than a pause to look something up.
HOLD_SECONDS = 20.0
# Overtalk shorter than this is the normal overlap of turn-taking or a backchannel.
MIN_OVERTALK = 0.3
# Two overtalk stretches this close are one event (a speaker's pause inside it).
_OVERTALK_JOIN = 0.3
_TIE = 1e-6


@dataclass(frozen=True)
class Overtalk:
    start: float
    end: float
    started_by: str  # "agent" (interrupted the customer) | "customer" | "both"

    @property
    def duration(self) -> float:
        return self.end - self.start


def _ms(value: float) -> float:
    return round(float(value), 3)


@dataclass(frozen=True)
class CallMetrics:
    duration: float
    talk: dict[str, float]  # seconds per speaker lane
    talk_ratio: float | None  # agent talk / customer talk; None for mono or no customer talk
    silences: list[Segment]  # dead air ≥ min_silence, in time order (holds included)
    longest_silence: float  # longest stretch with nobody speaking inside the call, any length
    holds: list[Segment]  # silences ≥ hold_seconds
    overtalk: list[Overtalk] | None  # None: mono, cannot be told
    first_agent_words: float | None  # seconds from the call's start; None without an agent lane (mono) or words
    speech_rate: dict[str, float] | None = None  # per speaker; None without a transcript
    speech_rate_unit: str | None = None  # "words" | "characters" (per minute)
    params: dict[str, float] = field(default_factory=dict)  # the thresholds used
    version: int = METRICS_VERSION

    @property
    def interruptions(self) -> list[Overtalk]:
        """Overtalk the agent started: cutting the customer off."""
        return [o for o in self.overtalk or [] if o.started_by == "agent"]

    @property
    def silence_total(self) -> float:
        return sum(s.duration for s in self.silences)

    @property
    def hold_total(self) -> float:
        return sum(s.duration for s in self.holds)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, times in seconds rounded to the millisecond."""
        return {
            "version": self.version,
            "duration": _ms(self.duration),
            "talk": {who: _ms(t) for who, t in self.talk.items()},
            "talk_ratio": None if self.talk_ratio is None else _ms(self.talk_ratio),
            "silences": [{"start": _ms(s.start), "end": _ms(s.end)} for s in self.silences],
            "longest_silence": _ms(self.longest_silence),
            "holds": [{"start": _ms(s.start), "end": _ms(s.end)} for s in self.holds],
            "overtalk": None if self.overtalk is None else [
                {"start": _ms(o.start), "end": _ms(o.end), "started_by": o.started_by} for o in self.overtalk
            ],
            "first_agent_words": None if self.first_agent_words is None else _ms(self.first_agent_words),
            # Scalar summaries beside the lists, so a scorecard averages them in SQL
            # (JSON lists cannot be summed portably on SQLite and PostgreSQL). Derived
            # data: from_dict ignores them and they are rewritten on every save.
            "silence_total": _ms(self.silence_total),
            "hold_total": _ms(self.hold_total),
            "overtalk_total": None if self.overtalk is None else _ms(sum(o.duration for o in self.overtalk)),
            "interruptions": None if self.overtalk is None else len(self.interruptions),
            "speech_rate": None if self.speech_rate is None else {w: round(r, 1) for w, r in self.speech_rate.items()},
            "speech_rate_unit": self.speech_rate_unit,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CallMetrics:
        """The metrics ``as_dict`` wrote; KeyError/TypeError/ValueError when it is not that."""
        overtalk = d.get("overtalk")
        return cls(
            duration=float(d["duration"]),
            talk={str(w): float(t) for w, t in d["talk"].items()},
            talk_ratio=None if d.get("talk_ratio") is None else float(d["talk_ratio"]),
            silences=_spans(d["silences"]),
            longest_silence=float(d["longest_silence"]),
            holds=_spans(d["holds"]),
            overtalk=None if overtalk is None else [
                Overtalk(float(o["start"]), float(o["end"]), str(o["started_by"])) for o in overtalk
            ],
            first_agent_words=None if d.get("first_agent_words") is None else float(d["first_agent_words"]),
            speech_rate=None if d.get("speech_rate") is None else {str(w): float(r) for w, r in d["speech_rate"].items()},
            speech_rate_unit=d.get("speech_rate_unit"),
            params=dict(d.get("params") or {}),
            version=int(d["version"]),
        )


def _spans(items: list[dict]) -> list[Segment]:
    return [Segment(float(s["start"]), float(s["end"])) for s in items]


def _union(lanes: Iterable[list[Segment]]) -> list[Segment]:
    spans = sorted((s for lane in lanes for s in lane), key=lambda s: s.start)
    out: list[Segment] = []
    for span in spans:
        if out and span.start <= out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Segment(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def _overtalk(agent: list[Segment], customer: list[Segment], min_overtalk: float) -> list[Overtalk]:
    pieces: list[Overtalk] = []
    i = j = 0
    agent, customer = _union([agent]), _union([customer])
    while i < len(agent) and j < len(customer):
        a, c = agent[i], customer[j]
        start, end = max(a.start, c.start), min(a.end, c.end)
        if end > start:
            who = "agent" if a.start > c.start + _TIE else "customer" if c.start > a.start + _TIE else "both"
            if pieces and start - pieces[-1].end < _OVERTALK_JOIN:
                # One speaker paused for a breath inside the overlap: still the same
                # event, started by whoever started it.
                pieces[-1] = Overtalk(pieces[-1].start, end, pieces[-1].started_by)
            else:
                pieces.append(Overtalk(start, end, who))
        if a.end <= c.end:
            i += 1
        else:
            j += 1
    return [p for p in pieces if p.duration >= min_overtalk - _TIE]


def compute_metrics(
    activity: dict[str, list[Segment]],
    duration: float,
    *,
    hold_seconds: float = HOLD_SECONDS,
    min_silence: float = MIN_SILENCE,
    min_overtalk: float = MIN_OVERTALK,
    transcript: Iterable | None = None,
) -> CallMetrics:
    """Metrics of one call from its speech segments per lane ("agent"/"customer", or "mixed").

    ``transcript``: utterances as (speaker, start, end, text) tuples, dicts with those
    keys, or objects with those attributes; gives the speech rate.
    """
    talk = {who: sum(s.duration for s in segments) for who, segments in activity.items()}
    two_sided = "agent" in activity and "customer" in activity
    ratio = None
    if two_sided and talk["customer"] > 0:
        ratio = talk["agent"] / talk["customer"]
    speech = _union(activity.values())
    if speech:
        gaps = [Segment(a.end, b.start) for a, b in zip(speech, speech[1:])]
    else:  # nobody said anything: the whole recording is dead air
        gaps = [Segment(0.0, duration)] if duration > 0 else []
    longest = max((g.duration for g in gaps), default=0.0)
    silences = [g for g in gaps if g.duration >= min_silence - _TIE]
    holds = [g for g in silences if g.duration >= hold_seconds - _TIE]
    overtalk = _overtalk(activity["agent"], activity["customer"], min_overtalk) if two_sided else None
    first = activity["agent"][0].start if activity.get("agent") else None
    rates, unit = speech_rate(transcript) if transcript is not None else (None, None)
    return CallMetrics(
        duration=duration, talk=talk, talk_ratio=ratio, silences=silences, longest_silence=longest,
        holds=holds, overtalk=overtalk, first_agent_words=first, speech_rate=rates,
        speech_rate_unit=unit,
        params={"min_silence": min_silence, "hold_seconds": hold_seconds, "min_overtalk": min_overtalk},
    )


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _utterance(item) -> tuple[str, float, float, str]:
    if isinstance(item, dict):
        return item["speaker"], float(item["start"]), float(item["end"]), item.get("text") or ""
    if isinstance(item, (tuple, list)):
        speaker, start, end, text = item
        return speaker, float(start), float(end), text or ""
    return item.speaker, float(item.start), float(item.end), item.text or ""


def speech_rate(transcript: Iterable) -> tuple[dict[str, float] | None, str | None]:
    """(speaker → units per minute, "words" | "characters"); (None, None) for an empty transcript."""
    units: dict[str, int] = {}
    spans: dict[str, list[Segment]] = {}
    han = other = 0
    for item in transcript:
        speaker, start, end, text = _utterance(item)
        chars = len(_HAN.findall(text))
        words = len(_WORD.findall(_HAN.sub(" ", text)))
        han, other = han + chars, other + words
        units[speaker] = units.get(speaker, 0) + chars + words
        if end > start:
            spans.setdefault(speaker, []).append(Segment(start, end))
    rates = {}
    for speaker, count in units.items():
        minutes = sum(s.duration for s in _union([spans.get(speaker, [])])) / 60
        if minutes > 0:
            rates[speaker] = count / minutes
    if not rates:
        return None, None
    return rates, "characters" if han > other else "words"

