"""Acoustic rules: what the audio says about a call, from its ``CallMetrics``.

Dead air, long holds, the agent talking over the customer, a lopsided talk ratio, a
pace too fast or too slow, a slow first word. Each rule compares one metric with its
thresholds; a metric that could not be measured (None: a mono recording has no
overtalk or talk ratio, a call without a transcript has no speech rate) skips its
rule silently rather than guessing.

Dead air and a hold look the same in the audio; the transcript tells them apart: a
silence the agent announced ("请您稍等", "please hold" just before it) is a hold,
checked by the hold rules, and not dead air.
"""

from __future__ import annotations

from .findings import Finding

_EPS = 1e-6


def _finding(rule, speaker, start, end, reason, occurrences=()) -> Finding:
    return Finding(
        rule_key=rule.id, rule_title=rule.title, category=rule.category, severity=rule.severity,
        speaker=speaker, start=start, end=end, matched_text=None, words=(), kind="acoustic",
        confidence=1.0, reason=reason, form_item=rule.form_item, occurrences=tuple(occurrences),
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def announced_silences(metrics, said: list[tuple[float, float]]) -> set[int]:
    """Indexes of ``metrics.silences`` that a hold phrase announced: (time said, window
    seconds) pairs of "before hold" courtesy phrases said within the window before it."""
    out = set()
    for i, silence in enumerate(metrics.silences):
        if any(silence.start - seconds - _EPS <= t <= silence.start + _EPS for t, seconds in said):
            out.add(i)
    return out


def _outside(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low - _EPS) or (high is not None and value > high + _EPS)


def _range(low: float | None, high: float | None, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"{low:g}–{high:g}{unit}"
    return f"at least {low:g}{unit}" if low is not None else f"at most {high:g}{unit}"


def acoustic_findings(rule, metrics, announced: set[int] = frozenset()) -> list[Finding]:
    """Findings of one acoustic rule on one call's metrics ([] where it cannot be measured)."""
    category = rule.category
    if category == "dead_air":
        return [
            _finding(rule, None, s.start, s.end,
                     f"Nobody spoke for {s.duration:.1f} s at {_clock(s.start)} without a hold being announced "
                     f"(dead air over {rule.seconds:g} s).")
            for i, s in enumerate(metrics.silences)
            if s.duration > rule.seconds + _EPS and i not in announced
        ]
    if category == "hold_silence":
        return [
            _finding(rule, None, s.start, s.end,
                     f"The line was silent for {s.duration:.0f} s at {_clock(s.start)}, longer than the "
                     f"{rule.seconds:g} s a hold should last.")
            for s in metrics.silences if s.duration > rule.seconds + _EPS
        ]
    if category == "overtalk":
        return _overtalk(rule, metrics)
    if category == "talk_ratio":
        ratio = metrics.talk_ratio
        if ratio is None or not _outside(ratio, rule.min, rule.max):
            return []
        return [_finding(rule, None, None, None,
                         f"The agent talked {ratio:.2f} times as much as the customer "
                         f"(the rule wants {_range(rule.min, rule.max)}).")]
    if category == "speech_rate":
        rates = metrics.speech_rate
        if not rates or (metrics.speech_rate_unit and metrics.speech_rate_unit != rule.unit):
            return []  # no transcript, or a rate in other units than the rule's (words vs characters)
        speakers = [s for s in rates if rule.speaker in ("any", s)]
        return [
            _finding(rule, s, None, None,
                     f"The {s} spoke {rates[s]:.0f} {rule.unit} a minute "
                     f"(the rule wants {_range(rule.min, rule.max, f' {rule.unit} a minute')}).")
            for s in speakers if _outside(rates[s], rule.min, rule.max)
        ]
    if category == "first_words_latency":
        first = metrics.first_agent_words
        if first is None or first <= rule.seconds + _EPS:
            return []
        return [_finding(rule, "agent", 0.0, first,
                         f"The agent's first words came {first:.1f} s into the call "
                         f"(the rule allows {rule.seconds:g} s).")]
    return []


def _overtalk(rule, metrics) -> list[Finding]:
    if not metrics.overtalk:
        return []  # none; or mono (None): in one channel, overlaps cannot be heard apart
    # started_by "agent": the agent began speaking while the customer was talking.
    who = rule.speaker
    events = [o for o in metrics.overtalk if who == "any" or o.started_by == who]
    total = sum(o.duration for o in events)
    n = len(events)
    too_many = rule.count is not None and n > rule.count
    too_long = rule.seconds is not None and total > rule.seconds + _EPS
    if not events or not (too_many or too_long):
        return []
    limits = [f"{rule.count} time{'s' if rule.count != 1 else ''}" if rule.count is not None else None,
              f"{rule.seconds:g} s in all" if rule.seconds is not None else None]
    subject = {"agent": "The agent started talking over the customer",
               "customer": "The customer started talking over the agent"}.get(who, "Both talked at once")
    return [_finding(
        rule, None if who == "any" else who, events[0].start, events[-1].end,
        f"{subject} {n} time{'s' if n != 1 else ''} ({total:.1f} s in all); the rule allows "
        f"{' and '.join(x for x in limits if x)}.",
        [(o.start, o.end) for o in events],
    )]
