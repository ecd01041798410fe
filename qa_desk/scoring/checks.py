"""Check a call (or one typed sentence) against a rulebook: the findings a reviewer sees.

``check_call`` scans each speaker's folded transcript once with the rulebook's phrase
index (``phrase_index``), then applies each rule's meaning to its hits: a forbidden
phrase fires where it was said, a required phrase fires when it is missing from its
window, a counted habit fires once, listing every occurrence, when it is said too often.
Acoustic rules read the call's metrics (``acoustic_checks``).

``check_text`` runs the same matching on one sentence, as if the speaker said it at a
given second: the rule tester in Settings and ``qa-desk rules test`` use it to show
which rules a phrase triggers and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from ..text import is_cjk
from ..wording import QT_TRANSLATE_NOOP, choose, translate, word
from .acoustic_checks import acoustic_findings, announced_silences
from .findings import Finding
from .lanes import Lane, Place, build_lanes
from .phrase_index import Hit, applies, role_of

CONFIDENCE_HOMOPHONE = 0.6  # sounds like the phrase: often an ASR error, sometimes another word
MONO_FACTOR = 0.5  # on a mono recording the words may have been the customer's
_HOLD_WINDOWS = ("before hold", "after hold")
_EPS = 1e-6


# What a rule's category calls the phrase, as it reads inside a finding's sentence.
NOUNS = {
    "forbidden_phrase": QT_TRANSLATE_NOOP("Findings", "a forbidden phrase"),
    "required_greeting": QT_TRANSLATE_NOOP("Findings", "the required greeting"),
    "required_closing": QT_TRANSLATE_NOOP("Findings", "the required closing"),
    "hold_courtesy": QT_TRANSLATE_NOOP("Findings", "the hold courtesy"),
    "filler_words": QT_TRANSLATE_NOOP("Findings", "a filler"),
    "impolite_address": QT_TRANSLATE_NOOP("Findings", "an impolite form of address"),
    "rhetorical_question": QT_TRANSLATE_NOOP("Findings", "a rhetorical question"),
    "negative_framing": QT_TRANSLATE_NOOP("Findings", "negative framing"),
}


def _noun(category: str, fallback: str) -> str:
    return word("Findings", NOUNS, category, fallback)


def _who(speaker: str | None) -> str:
    """Who said it, as in "The {who} said …"."""
    if speaker == "agent":
        return translate("Findings", "agent")
    if speaker == "customer":
        return translate("Findings", "customer")
    return translate("Findings", "speaker")


def _quoted(phrases, limit: int = 3) -> str:
    # The list separator is translated on its own: Chinese lists with "、".
    shown = translate("Findings", ", ").join(f"“{p}”" for p in phrases[:limit])
    if len(phrases) > limit:
        return translate("Findings", "{phrases} or a similar phrase").format(phrases=shown)
    return shown


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


@dataclass
class _Context:
    rulebook: object
    lanes: dict[str, Lane]
    hits: dict[int, list[tuple[Lane, list[Hit]]]]  # rule → (lane, its hits of the rule), by lane
    end_anchor: float  # "last N s" counts back from here
    metrics: object | None
    places: dict

    def place(self, lane: Lane, hit: Hit) -> Place:
        key = (lane.speaker, hit.start, hit.end)
        place = self.places.get(key)
        if place is None:
            place = self.places[key] = lane.locate(hit.start, hit.end)
        return place

    def _edge(self, rule) -> float:
        """Where a "first" or "last" window ends or starts, in seconds."""
        window = rule.window
        return window.seconds if window.anchor == "first" else self.end_anchor - window.seconds

    def _in_window(self, first: bool, edge: float, lane: Lane, hit: Hit) -> tuple[bool, Place | None]:
        """Whether a hit is inside a "first" (``first``) or "last" window with that edge:
        told by its utterance's times, or by the words' own times (its place, returned
        too) when the utterance straddles the edge."""
        u = lane.utterances[lane.utterance_at(hit.start)]
        if float(u.end) < edge:
            return first, None
        if float(u.start) >= edge:
            return not first, None
        place = self.place(lane, hit)
        return (place.start < edge if first else place.start >= edge), place

    def said_between(self, index: int, lo: float, hi: float) -> bool:
        """Whether a hit of the rule starts between two times (word times read only for
        an utterance that straddles an edge)."""
        lo, hi = lo - _EPS, hi + _EPS
        for lane, found in self.hits.get(index, ()):
            for hit in found:
                u = lane.utterances[lane.utterance_at(hit.start)]
                begin, end = float(u.start), float(u.end)
                if end < lo or begin > hi:
                    continue  # the phrase starts within its utterance
                if lo <= begin and end <= hi:
                    return True
                if lo <= self.place(lane, hit).start <= hi:
                    return True
        return False

    def occurrences(self, index: int, rule) -> list[tuple[Lane, Hit, Place | None]]:
        """The rule's hits inside its window (places looked up only where the window needs them)."""
        groups = self.hits.get(index, ())
        anchor = rule.window.anchor
        if anchor not in ("first", "last"):
            return [(lane, hit, None) for lane, found in groups for hit in found]
        first, edge = anchor == "first", self._edge(rule)
        out = []
        for lane, found in groups:
            for hit in found:
                inside, place = self._in_window(first, edge, lane, hit)
                if inside:
                    out.append((lane, hit, place))
        return out

    def said_in_window(self, index: int, rule) -> bool:
        """Whether a hit of the rule is inside its window: any one will do, so a "last
        N s" window is looked for from the end, where it is."""
        groups = self.hits.get(index)
        if not groups:
            return False
        anchor = rule.window.anchor
        if anchor not in ("first", "last"):
            return True
        first, edge = anchor == "first", self._edge(rule)
        for lane, found in groups if first else reversed(groups):
            for hit in found if first else reversed(found):
                if self._in_window(first, edge, lane, hit)[0]:
                    return True
        return False


def _as_utterances(utterances) -> list:
    # A list is used as it is (never changed): copying it would touch every utterance.
    items = utterances if isinstance(utterances, list) else list(utterances or ())
    if items and isinstance(items[0], dict):
        items = [SimpleNamespace(**{k: u.get(k) for k in ("speaker", "start", "end", "text", "words")})
                 for u in items]
    return items


def check_call(rulebook, utterances, metrics=None, duration: float = 0.0) -> list[Finding]:
    """Every finding of ``rulebook`` in one call, in time order (whole-call findings last).

    ``utterances``: objects (or dicts) with speaker, start, end, text and words (objects
    or dicts with word, start, end); ``metrics``: the call's ``CallMetrics`` or None.
    Without utterances only the acoustic rules are checked; where a metric is None (mono
    call, no transcript) its rule is skipped.
    """
    utterances = _as_utterances(utterances)
    lanes = build_lanes(utterances) if utterances else {}
    index = rulebook.matcher()
    hits: dict[int, list[tuple[Lane, list[Hit]]]] = {}
    for lane in lanes.values():
        if index.has_rules(lane.role):
            for rule, found in index.hits_by_rule(lane.text, lane.role, lane.units).items():
                hits.setdefault(rule, []).append((lane, found))
    # A speaker's utterances do not overlap, so each lane's last one ends it.
    end_anchor = max((float(lane.utterances[-1].end) for lane in lanes.values()), default=float(duration or 0.0))
    ctx = _Context(rulebook, lanes, hits, end_anchor, metrics, {})
    findings: list[Finding] = []
    rules = rulebook.rules
    for i in sorted(hits.keys() | index.must_occur if lanes else hits.keys()):
        rule = rules[i]
        if rule.kind == "must_not_occur":
            findings += [_hit_finding(rule, lane, hit, place or ctx.place(lane, hit))
                         for lane, hit, place in ctx.occurrences(i, rule)]
        elif rule.kind == "must_occur":
            findings += _must_occur(ctx, i, rule)
        else:
            findings += _too_often(ctx, i, rule)
    if metrics is not None:
        announced: set[int] = set()
        if metrics.silences:  # only a silence can be announced: else no hold phrases to place
            announced = announced_silences(metrics, _before_hold_times(ctx, index.before_hold))
        for i in index.acoustic:
            findings += acoustic_findings(rules[i], metrics, announced)
    order = index.order
    findings.sort(key=lambda f: (f.start is None, f.start or 0.0, order.get(f.rule_key, 0)))
    return findings


def _hit_finding(rule, lane: Lane, hit: Hit, place: Place, reason: str | None = None) -> Finding:
    mono = lane.role == "other" and rule.speaker != "any"
    confidence = 1.0 if hit.exact else CONFIDENCE_HOMOPHONE
    said = place.text or hit.phrase
    if reason is None:
        reason = _said_reason(rule, lane.speaker, said, hit, mono)
    return Finding(
        rule_key=rule.id, rule_title=rule.title, category=rule.category, severity=rule.severity,
        speaker=lane.speaker, start=place.start, end=place.end, matched_text=said, words=place.words,
        kind="exact" if hit.exact and not mono else "possible",
        confidence=confidence * (MONO_FACTOR if mono else 1.0), reason=reason, form_item=rule.form_item,
    )


def _said_reason(rule, speaker: str | None, said: str, hit: Hit, mono: bool) -> str:
    """Why a phrase said in a call fired: one whole sentence per case, for translators."""
    values = {"who": _who(speaker), "said": said, "phrase": hit.phrase, "rule": rule.title,
              "noun": _noun(rule.category, translate("Findings", "a flagged phrase")), "window": rule.window.describe()}
    anywhere = rule.window.anchor == "anywhere"
    if hit.exact and anywhere:
        template = (translate("Findings", "The {who} said “{said}”, {noun} under the rule “{rule}”; "
                                          "on a mono recording it may have been the customer.") if mono else
                    translate("Findings", "The {who} said “{said}”, {noun} under the rule “{rule}”."))
    elif hit.exact:
        template = (translate("Findings", "The {who} said “{said}” {window}, {noun} under the rule “{rule}”; "
                                          "on a mono recording it may have been the customer.") if mono else
                    translate("Findings", "The {who} said “{said}” {window}, {noun} under the rule “{rule}”."))
    elif anywhere:
        template = (translate("Findings", "The {who} said “{said}”, which sounds like “{phrase}”, {noun} under "
                                          "the rule “{rule}” (it may be a recognition error); on a mono "
                                          "recording it may have been the customer.") if mono else
                    translate("Findings", "The {who} said “{said}”, which sounds like “{phrase}”, {noun} under "
                                          "the rule “{rule}” (it may be a recognition error)."))
    else:
        template = (translate("Findings", "The {who} said “{said}” {window}, which sounds like “{phrase}”, {noun} "
                                          "under the rule “{rule}” (it may be a recognition error); on a mono "
                                          "recording it may have been the customer.") if mono else
                    translate("Findings", "The {who} said “{said}” {window}, which sounds like “{phrase}”, {noun} "
                                          "under the rule “{rule}” (it may be a recognition error)."))
    return template.format(**values)


def _missing(rule, start, end, reason: str) -> Finding:
    return Finding(
        rule_key=rule.id, rule_title=rule.title, category=rule.category, severity=rule.severity,
        speaker=None if rule.speaker == "any" else rule.speaker, start=start, end=end,
        matched_text=None, words=(), kind="missing", confidence=1.0, reason=reason, form_item=rule.form_item,
    )


def _holds(rule, metrics):
    if rule.min_hold is None:
        return metrics.holds
    if not metrics.silences:
        return ()
    return [s for s in metrics.silences if s.duration >= rule.min_hold - 1e-6]


def _must_occur(ctx: _Context, index: int, rule) -> list[Finding]:
    around_hold = rule.window.anchor in _HOLD_WINDOWS
    if around_hold:
        holds = _holds(rule, ctx.metrics) if ctx.metrics is not None else ()
        if not holds:
            return []  # no hold (or no audio metrics to know where the holds were)
    elif ctx.said_in_window(index, rule):
        return []  # said where it should be: the usual case, kept quick
    if rule.speaker == "customer" and not any(applies(rule, lane.role) for lane in ctx.lanes.values()):
        return []  # no customer lane (mono call): cannot be told
    phrases = _quoted(list(rule.phrases) or list(rule.patterns))
    if not around_hold:
        window, span = rule.window, (None, None)
        if window.anchor == "first":
            span = (0.0, window.seconds)
        elif window.anchor == "last":
            span = (max(0.0, ctx.end_anchor - window.seconds), ctx.end_anchor)
        return [_missing(rule, *span, _not_said(rule.speaker).format(phrases=phrases, window=window.describe()))]
    out = []
    seconds = rule.window.seconds
    before = rule.window.anchor == "before hold"
    for hold in holds:
        lo, hi = (hold.start - seconds, hold.start) if before else (hold.end, hold.end + seconds)
        if ctx.said_between(index, lo, hi):
            continue
        reason = _not_said_at_hold(rule.speaker, before).format(
            phrases=phrases, seconds=seconds, hold=hold.duration, at=_clock(hold.start))
        out.append(_missing(rule, max(0.0, lo), hi, reason))
    return out


def _not_said(speaker: str) -> str:
    """The sentence for a required phrase missing from its window (a whole one per speaker:
    "nobody said" is no "{who} did not say" in Chinese)."""
    if speaker == "agent":
        return translate("Findings", "The agent did not say {phrases} {window}.")
    if speaker == "customer":
        return translate("Findings", "The customer did not say {phrases} {window}.")
    return translate("Findings", "Nobody said {phrases} {window}.")


def _not_said_at_hold(speaker: str, before: bool) -> str:
    """The sentence for a hold courtesy missing before or after one hold."""
    if speaker == "agent":
        return (translate("Findings", "The agent did not say {phrases} in the {seconds:g} s before the {hold:.0f} s "
                                      "hold at {at}.") if before else
                translate("Findings", "The agent did not say {phrases} in the {seconds:g} s after the {hold:.0f} s "
                                      "hold at {at}."))
    if speaker == "customer":
        return (translate("Findings", "The customer did not say {phrases} in the {seconds:g} s before the "
                                      "{hold:.0f} s hold at {at}.") if before else
                translate("Findings", "The customer did not say {phrases} in the {seconds:g} s after the "
                                      "{hold:.0f} s hold at {at}."))
    return (translate("Findings", "Nobody said {phrases} in the {seconds:g} s before the {hold:.0f} s "
                                  "hold at {at}.") if before else
            translate("Findings", "Nobody said {phrases} in the {seconds:g} s after the {hold:.0f} s "
                                  "hold at {at}."))


def _before_hold_times(ctx: _Context, before_hold: list[int]) -> list[tuple[float, float]]:
    """(time said, window seconds) of every "before hold" courtesy phrase: announced holds."""
    out = []
    for i in before_hold:
        rule = ctx.rulebook.rules[i]
        out += [(ctx.place(lane, hit).start, rule.window.seconds) for lane, hit, _ in ctx.occurrences(i, rule)]
    return out


def _too_often(ctx: _Context, index: int, rule) -> list[Finding]:
    # No speaker said it more often than the whole call did: too few hits in all (the
    # usual case) need no window or talk time.
    said = sum(len(found) for _, found in ctx.hits.get(index, ()))
    too_few = said <= rule.limit if rule.kind == "at_most" else said < (rule.min_count or 1)
    if too_few:
        return []
    by_lane: dict[str, list] = {}
    for lane, hit, place in ctx.occurrences(index, rule):
        by_lane.setdefault(lane.speaker, []).append((lane, hit, place))
    out = []
    for speaker, items in by_lane.items():
        n, lane = len(items), items[0][0]
        said = {"who": _who(speaker), "noun": _noun(rule.category, translate("Findings", "a flagged phrase")),
                "rule": rule.title, "n": n, "limit": rule.limit}
        if rule.kind == "at_most":
            if n <= rule.limit:
                continue
            reason = choose(rule.limit, translate(
                "Findings", "The {who} said {noun} under the rule “{rule}” {n} times (at most {limit:g} is allowed)."
            ), translate(
                "Findings", "The {who} said {noun} under the rule “{rule}” {n} times (at most {limit:g} are allowed)."
            )).format(**said)
        else:
            if n < (rule.min_count or 1):
                continue  # too few to be a habit, whatever the talk time
            talk = (ctx.metrics.talk.get(speaker) if ctx.metrics is not None else None) or lane.talk_seconds()
            minutes = talk / 60
            if minutes <= 0 or n / minutes <= rule.limit:
                continue
            reason = translate("Findings", "The {who} said {noun} under the rule “{rule}” {n} times ({rate:.1f} a "
                                           "minute over {minutes:.1f} min of talk, more than {limit:g} a minute)."
                               ).format(rate=n / minutes, minutes=minutes, **said)
        places = sorted((place or ctx.place(lane_, hit) for lane_, hit, place in items), key=lambda p: p.start)
        shown = " · ".join(p.text for p in places[:20]) + (" · …" if n > 20 else "")
        possible = sum(1 for _, hit, _ in items if not hit.exact)
        out.append(Finding(
            rule_key=rule.id, rule_title=rule.title, category=rule.category, severity=rule.severity,
            speaker=speaker, start=places[0].start, end=places[-1].end, matched_text=shown,
            words=tuple(w for p in places for w in p.words), kind="count",
            confidence=1.0 - (1.0 - CONFIDENCE_HOMOPHONE) * possible / n, reason=reason,
            form_item=rule.form_item, occurrences=tuple((p.start, p.end) for p in places),
        ))
    return out


def _said_words(text: str, at: float) -> list[dict]:
    """A typed sentence as a recogniser would give it: Chinese one character a word."""
    words = []
    for token in text.split():
        pieces = list(token) if all(is_cjk(c) for c in token) else [token]
        words += [{"word": piece, "start": at, "end": at} for piece in pieces]
    return words


def check_text(rulebook, text: str, speaker: str = "agent", at: float = 0.0) -> list[Finding]:
    """Which rules a sentence triggers, as if ``speaker`` said it ``at`` seconds into a call.

    Forbidden phrases fire as in a call; a phrase a rule requires or counts is reported
    too (the reason says what the rule wants), since a sentence alone cannot be missing
    anything or be said too often. "first N s" windows are judged from ``at``; "last N s"
    and hold windows cannot be, and are taken as met.
    """
    said = SimpleNamespace(speaker=speaker, start=at, end=at, text=text, words=_said_words(text, at))
    lane = Lane(speaker, [said])
    index = rulebook.matcher()
    out = []
    for hit in index.scan(lane.text, role_of(speaker), lane.units):
        rule = rulebook.rules[hit.rule]
        if rule.window.anchor == "first" and at >= rule.window.seconds:
            continue
        place = lane.locate(hit.start, hit.end)
        reason = None if rule.kind == "must_not_occur" else _tested_reason(rule, speaker, place.text, hit)
        out.append(_hit_finding(rule, lane, hit, place, reason))
    order = index.order
    return sorted(out, key=lambda f: (f.start or 0.0, order.get(f.rule_key, 0)))


def _tested_reason(rule, speaker: str, said: str, hit: Hit) -> str:
    """What a rule that requires or counts a phrase makes of one typed sentence."""
    values = {"who": _who(speaker), "said": said or hit.phrase, "phrase": hit.phrase, "rule": rule.title,
              "noun": _noun(rule.category, translate("Findings", "a phrase")), "window": rule.window.describe(),
              "limit": rule.limit}
    if rule.kind == "must_occur":
        template = (translate("Findings", "The {who} said “{said}”: it counts as {noun} the rule “{rule}” requires "
                                          "{window}.") if hit.exact else
                    translate("Findings", "The {who} said “{said}”, which sounds like “{phrase}”: it counts as {noun} "
                                          "the rule “{rule}” requires {window}."))
    elif rule.kind == "at_most":
        template = (translate("Findings", "The {who} said “{said}”: it counts towards the rule “{rule}”, which allows "
                                          "at most {limit:g} in a call.") if hit.exact else
                    translate("Findings", "The {who} said “{said}”, which sounds like “{phrase}”: it counts towards "
                                          "the rule “{rule}”, which allows at most {limit:g} in a call."))
    else:
        template = (translate("Findings", "The {who} said “{said}”: it counts towards the rule “{rule}”, which allows "
                                          "{limit:g} a minute of talk.") if hit.exact else
                    translate("Findings", "The {who} said “{said}”, which sounds like “{phrase}”: it counts towards "
                                          "the rule “{rule}”, which allows {limit:g} a minute of talk."))
    return template.format(**values)
