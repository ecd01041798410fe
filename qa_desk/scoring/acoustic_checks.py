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

from ..wording import choose, translate
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


def _who(speaker: str) -> str:
    return translate("Findings", "customer") if speaker == "customer" else translate("Findings", "agent")


def _talk_ratio(ratio: float, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        template = translate("Findings", "The agent talked {ratio:.2f} times as much as the customer (the rule wants "
                                         "{low:g}–{high:g}).")
    elif low is not None:
        template = translate("Findings", "The agent talked {ratio:.2f} times as much as the customer (the rule wants "
                                         "at least {low:g}).")
    else:
        template = translate("Findings", "The agent talked {ratio:.2f} times as much as the customer (the rule wants "
                                         "at most {high:g}).")
    return template.format(ratio=ratio, low=low, high=high)


def _speech_rate(speaker: str, rate: float, unit: str | None, low: float | None, high: float | None) -> str:
    # One whole sentence per unit and range: "characters a minute" is a unit to a translator.
    words = unit == "words"
    if low is not None and high is not None:
        template = (translate("Findings", "The {who} spoke {rate:.0f} words a minute (the rule wants {low:g}–{high:g} "
                                          "words a minute).") if words else
                    translate("Findings", "The {who} spoke {rate:.0f} characters a minute (the rule wants "
                                          "{low:g}–{high:g} characters a minute)."))
    elif low is not None:
        template = (translate("Findings", "The {who} spoke {rate:.0f} words a minute (the rule wants at least {low:g} "
                                          "words a minute).") if words else
                    translate("Findings", "The {who} spoke {rate:.0f} characters a minute (the rule wants at least "
                                          "{low:g} characters a minute)."))
    else:
        template = (translate("Findings", "The {who} spoke {rate:.0f} words a minute (the rule wants at most {high:g} "
                                          "words a minute).") if words else
                    translate("Findings", "The {who} spoke {rate:.0f} characters a minute (the rule wants at most "
                                          "{high:g} characters a minute)."))
    return template.format(who=_who(speaker), rate=rate, low=low, high=high)


def acoustic_findings(rule, metrics, announced: set[int] = frozenset()) -> list[Finding]:
    """Findings of one acoustic rule on one call's metrics ([] where it cannot be measured)."""
    category = rule.category
    if category == "dead_air":
        return [
            _finding(rule, None, s.start, s.end,
                     translate("Findings", "Nobody spoke for {duration:.1f} s at {at} without a hold being announced "
                                           "(dead air over {limit:g} s).").format(
                         duration=s.duration, at=_clock(s.start), limit=rule.seconds))
            for i, s in enumerate(metrics.silences)
            if s.duration > rule.seconds + _EPS and i not in announced
        ]
    if category == "hold_silence":
        return [
            _finding(rule, None, s.start, s.end,
                     translate("Findings", "The line was silent for {duration:.0f} s at {at}, longer than the "
                                           "{limit:g} s a hold should last.").format(
                         duration=s.duration, at=_clock(s.start), limit=rule.seconds))
            for s in metrics.silences if s.duration > rule.seconds + _EPS
        ]
    if category == "overtalk":
        return _overtalk(rule, metrics)
    if category == "talk_ratio":
        ratio = metrics.talk_ratio
        if ratio is None or not _outside(ratio, rule.min, rule.max):
            return []
        return [_finding(rule, None, None, None, _talk_ratio(ratio, rule.min, rule.max))]
    if category == "speech_rate":
        rates = metrics.speech_rate
        if not rates or (metrics.speech_rate_unit and metrics.speech_rate_unit != rule.unit):
            return []  # no transcript, or a rate in other units than the rule's (words vs characters)
        speakers = [s for s in rates if rule.speaker in ("any", s)]
        return [
            _finding(rule, s, None, None, _speech_rate(s, rates[s], rule.unit, rule.min, rule.max))
            for s in speakers if _outside(rates[s], rule.min, rule.max)
        ]
    if category == "first_words_latency":
        first = metrics.first_agent_words
        if first is None or first <= rule.seconds + _EPS:
            return []
        return [_finding(rule, "agent", 0.0, first,
                         translate("Findings", "The agent's first words came {first:.1f} s into the call (the rule "
                                               "allows {limit:g} s).").format(first=first, limit=rule.seconds))]
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
    return [_finding(
        rule, None if who == "any" else who, events[0].start, events[-1].end,
        translate("Findings", "{what}; {allowed}.").format(what=_talked_over(who, n, total),
                                                          allowed=_allowed(rule.count, rule.seconds)),
        [(o.start, o.end) for o in events],
    )]


def _talked_over(who: str, n: int, total: float) -> str:
    """Who talked over whom, how often and how long: the first half of an overtalk finding."""
    if who == "agent":
        template = choose(n, translate("Findings", "The agent started talking over the customer {n} time ({total:.1f} "
                                                   "s in all)"),
                          translate("Findings", "The agent started talking over the customer {n} times ({total:.1f} "
                                                "s in all)"))
    elif who == "customer":
        template = choose(n, translate("Findings", "The customer started talking over the agent {n} time ({total:.1f} "
                                                   "s in all)"),
                          translate("Findings", "The customer started talking over the agent {n} times ({total:.1f} "
                                                "s in all)"))
    else:
        template = choose(n, translate("Findings", "Both talked at once {n} time ({total:.1f} s in all)"),
                          translate("Findings", "Both talked at once {n} times ({total:.1f} s in all)"))
    return template.format(n=n, total=total)


def _allowed(count: int | None, seconds: float | None) -> str:
    """What an overtalk rule allows: the second half of its finding."""
    if count is not None and seconds is not None:
        template = choose(count, translate("Findings", "the rule allows {count} time and {seconds:g} s in all"),
                          translate("Findings", "the rule allows {count} times and {seconds:g} s in all"))
    elif count is not None:
        template = choose(count, translate("Findings", "the rule allows {count} time"),
                          translate("Findings", "the rule allows {count} times"))
    else:
        template = translate("Findings", "the rule allows {seconds:g} s in all")
    return template.format(count=count, seconds=seconds)
