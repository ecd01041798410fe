"""Find every rule phrase in one speaker's text in one pass, whatever the number of phrases.

Aho-Corasick automata hold every phrase and exception of the rules that apply to a
speaker role, folded to the transcript's normal form: a scan costs time linear in the
transcript, not in the number of phrases (a regex alternation tries every phrase at
every position). Built once per rulebook and role, as ahocorasick_rs DFAs: a transition
is one table lookup whatever the number of phrases, where pyahocorasick's trie compares
each child of a node in turn and slowed to ~16 ns a character on a 1,000-rule Chinese
rulebook (hundreds of distinct first characters); the DFA scans the same text in less
than half the time.

Chinese phrases (Han characters only) are spelled as syllables (``pinyin_codes``): an
exact occurrence always sounds the same, so one pass over a Chinese lane finds both
the phrases as written and their homophones (保正收益 for 保证收益); comparing the
characters tells them apart, and a homophone counts ("possible") only for a rule that
allows it, and only for phrases of 3+ syllables. Everything else (English, digits,
mixed) is matched as written. Chinese phrases match anywhere; a phrase that begins or
ends with a Latin letter or digit must have a word boundary there, so "whatever" is
not found inside "whatsoever".

The text scanned is a speaker's utterances, folded, each on its own line after a
leading line break: a phrase never spans two utterances, and an "utterance start"
phrase is the phrase with a line break in front. A regex pattern whose matches all
start with the same characters (难道.{0,12}吗) runs only on a text where the automata
found those characters in the same pass.
"""

from __future__ import annotations

import re
from functools import partial
from typing import NamedTuple

import ahocorasick_rs

from ..text import is_cjk
from . import pinyin_codes
from ..text import fold
from .rule_schema import homophone_ready

_BOUNDARY = " \n"
_HAN_KEY = re.compile(r"^\n?[\u3400-\u4dbf\u4e00-\u9fff]+$")


class Hit(NamedTuple):
    rule: int  # index in the rulebook's rules
    start: int  # offsets in the scanned text, end exclusive
    end: int
    phrase: str  # the rule's phrase (as written) or pattern that matched
    exact: bool  # False: it only sounds like the phrase


# Hit((rule, start, …)) without the keyword-taking constructor: a call finds a few
# dozen hits, and the generated __new__ would cost as much as the rest of placing one.
_hit = partial(tuple.__new__, Hit)


def role_of(speaker: str | None) -> str:
    """Which rules a lane gets: the agent's, the customer's, or (a mono "mixed" lane,
    where nobody can tell who spoke) the agent's, since QA evaluates the agent."""
    return speaker if speaker in ("agent", "customer") else "other"


def applies(rule, role: str) -> bool:
    if rule.speaker == "any":
        return True
    return rule.speaker == role or (role == "other" and rule.speaker == "agent")


_PHRASE, _EXCEPTION, _PATTERN = 0, 1, 2  # what an automaton key stands for


class _Entry(NamedTuple):
    rule: int  # index in the rulebook's rules (_PATTERN: in the role's patterns)
    phrase: str  # as written in the rulebook
    folded: str  # what is compared (without the line-break prefix)
    kind: int  # _PHRASE, _EXCEPTION, or _PATTERN: the characters a pattern's matches start with
    skip: int  # 1 when the key starts with the utterance's line break
    left: bool  # needs a word boundary before it
    right: bool  # needs a word boundary after it
    sounds: bool  # a same-sounding occurrence counts too ("possible")


class _Automaton(NamedTuple):
    automaton: object  # ahocorasick_rs.AhoCorasick (text) or BytesAhoCorasick (syllables)
    entries: list[tuple[_Entry, ...]]  # per key, in the automaton's pattern order
    spelling: pinyin_codes.Spelling | None  # how the syllable automaton's text is spelled


def _automaton(entries: dict[str, list[_Entry]], sounds: bool) -> _Automaton | None:
    """An automaton of folded keys → entries; ``sounds``: of their syllable spellings."""
    if not entries:
        return None
    spelling = pinyin_codes.Spelling(entries) if sounds else None
    keys = spelling.keys(list(entries)) if sounds else list(entries)
    spelled: dict[object, list[_Entry]] = {}
    for key, items in zip(keys, entries.values()):
        # Same-sounding phrases (两丛, 两从) share one syllable key: keep both entries.
        spelled.setdefault(key, []).extend(items)
    build = ahocorasick_rs.BytesAhoCorasick if sounds else ahocorasick_rs.AhoCorasick
    # Overlapping matches need the standard match kind; DFA: see the module's note.
    automaton = build(list(spelled), implementation=ahocorasick_rs.Implementation.DFA)
    return _Automaton(automaton, [tuple(items) for items in spelled.values()], spelling)


class _RoleIndex:
    """Automata and patterns of the rules that apply to one speaker role."""

    def __init__(self, rules, role: str, folded: dict[str, str]):
        exact: dict[str, list[_Entry]] = {}
        sounds: dict[str, list[_Entry]] = {}
        # (rule, pattern, compiled, the characters its matches start with or "")
        self.patterns: list[tuple[int, str, re.Pattern, str]] = []
        for index, rule in enumerate(rules):
            if rule.acoustic or not applies(rule, role):
                continue
            prefix = "\n" if rule.at == "utterance start" else ""
            # An exception counts wherever it stands, but one of a rule whose hits are all
            # at an utterance's start (no patterns) can only cover a hit there: looked for
            # there only, it is not found (and set aside) all through the call (额度).
            excuse_prefix = "" if rule.patterns else prefix
            for phrase, exception in [(p, False) for p in rule.phrases] + [(e, True) for e in rule.exceptions]:
                text = folded.get(phrase)
                if text is None:
                    text = folded[phrase] = fold(phrase)
                head = excuse_prefix if exception else prefix
                key = head + text
                entry = _Entry(index, phrase, text, _EXCEPTION if exception else _PHRASE,
                               len(head), not head and not is_cjk(text[0]), not is_cjk(text[-1]),
                               rule.homophones and homophone_ready(text))
                _add_key(exact, sounds, key, entry)
            for pattern in rule.patterns:
                # A pattern whose matches all start with the same characters is only run
                # on a text where the automata found them: most calls never say 难道.
                lead = _literal_start(pattern)
                if lead:
                    entry = _Entry(len(self.patterns), pattern, lead, _PATTERN, 0, False, False, False)
                    _add_key(exact, sounds, lead, entry)
                self.patterns.append((index, pattern, re.compile(pattern, re.MULTILINE), lead))
        self.exact = _automaton(exact, sounds=False)
        self.sounds = _automaton(sounds, sounds=True)
        self.empty = self.exact is None and self.sounds is None and not self.patterns


def _add_key(exact: dict, sounds: dict, key: str, entry: _Entry) -> None:
    """Chinese keys go into the syllable automaton (an exact occurrence is also a
    same-sounding one); the rest are matched as written."""
    if _HAN_KEY.match(key) and pinyin_codes.readable(key.lstrip("\n")):
        sounds.setdefault(key, []).append(entry)
    else:
        exact.setdefault(key, []).append(entry)


_META = frozenset(".^$*+?{}[]\\|()")


def _literal_start(pattern: str) -> str:
    """The characters every match of a regex starts with ("" when it cannot tell): its
    leading plain characters, unless an alternative at the top level (a|b) could start
    otherwise; one a quantifier makes optional or repeats (ab?, ab{2}) is left out."""
    depth, escaped, in_class = 0, False, False
    for c in pattern:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            return ""
    n = 0
    while n < len(pattern) and pattern[n] not in _META:
        n += 1
    if n < len(pattern) and pattern[n] in "*?{":
        n -= 1
    return pattern[:n]


class PhraseIndex:
    """A rulebook's phrase matcher; built once per rulebook, used for every call."""

    def __init__(self, rules, language: str):
        self.rules = tuple(rules)
        self.language = language
        self._roles: dict[str, _RoleIndex] = {}
        self._folded: dict[str, str] = {}
        # Which rules need looking at in a call whatever its hits: a call only visits
        # these and the rules that were hit, not all 1,000 rules of a large rulebook.
        self.order = {rule.id: i for i, rule in enumerate(self.rules)}
        self.must_occur = frozenset(
            i for i, r in enumerate(self.rules) if not r.acoustic and r.kind == "must_occur")
        self.before_hold = [i for i in sorted(self.must_occur) if self.rules[i].window.anchor == "before hold"]
        self.acoustic = [i for i, r in enumerate(self.rules) if r.acoustic]

    def _role(self, role: str) -> _RoleIndex:
        index = self._roles.get(role)
        if index is None:
            index = self._roles[role] = _RoleIndex(self.rules, role, self._folded)
        return index

    def has_rules(self, role: str) -> bool:
        """Whether any text rule applies to a speaker role (else its text need not be read)."""
        return not self._role(role).empty

    def scan(self, text: str, role: str, units=None) -> list[Hit]:
        """Rule hits in ``text`` ("\\n" + folded utterances joined by "\\n"), sorted by
        rule and start (see ``hits_by_rule``)."""
        found = self.hits_by_rule(text, role, units)
        return [hit for rule in sorted(found) for hit in found[rule]]

    def hits_by_rule(self, text: str, role: str, units=None) -> dict[int, list[Hit]]:
        """Rule → its hits in ``text``, by start (see ``_keep_longest``); exceptions
        applied, and of the hits of one rule that cover each other only the longest (an
        exact one before a homophone) kept. A rule without hits is not there: a call
        looks only at the rules it hit. ``units``: the text's UTF-16 units, when the
        caller has them (saves encoding it again)."""
        index = self._role(role)
        found: dict[int, list[Hit]] = {}
        excused: dict[int, list[tuple[int, int, bool]]] = {}
        triggered: set[int] = set()  # patterns whose first characters were found
        # The loops below run for every match in a call: entries are unpacked as the
        # plain tuples they are.
        if index.exact is not None:
            automaton, entries, _ = index.exact
            last = len(text)
            for key, start, end in automaton.find_matches_as_indexes(text, overlapping=True):
                for rule, phrase, _folded, kind, skip, left, right, _sounds in entries[key]:
                    if (left and text[start - 1] not in _BOUNDARY) or (
                        right and end < last and text[end] not in _BOUNDARY
                    ):
                        continue  # inside a longer English word
                    if kind == _PHRASE:
                        found.setdefault(rule, []).append(_hit((rule, start + skip, end, phrase, True)))
                    elif kind == _EXCEPTION:
                        excused.setdefault(rule, []).append((start + skip, end, True))
                    else:
                        triggered.add(rule)
        if index.sounds is not None:
            automaton, entries, spelling = index.sounds
            width = spelling.width
            for key, start, end in automaton.find_matches_as_indexes(spelling.spell(text, units), overlapping=True):
                if width != 1:
                    start //= width
                    end //= width
                for rule, phrase, folded, kind, skip, _left, _right, sounds in entries[key]:
                    at = start + skip
                    exact = text[at:end] == folded
                    if not exact and not sounds:
                        continue  # sounds alike, but the rule wants the words themselves
                    if kind != _PHRASE:
                        if kind == _EXCEPTION:
                            excused.setdefault(rule, []).append((at, end, exact))
                        else:
                            triggered.add(rule)
                    elif (hits := found.get(rule)) is None:
                        found[rule] = [_hit((rule, at, end, phrase, exact))]
                    else:
                        hits.append(_hit((rule, at, end, phrase, exact)))
        for number, (rule, pattern, compiled, lead) in enumerate(index.patterns):
            if lead and number not in triggered:
                continue  # its matches' first characters are nowhere in the text
            for match in compiled.finditer(text):
                start, end = match.span()
                if end > start and "\n" not in match.group():
                    found.setdefault(rule, []).append(Hit(rule, start, end, pattern, True))
        for rule, spans in excused.items():
            hits = found.get(rule)
            if hits is not None:
                hits = found[rule] = _excuse(hits, spans)
                if not hits:
                    del found[rule]
        for rule, hits in found.items():
            if len(hits) > 1:
                found[rule] = _keep_longest(hits)
        return found


def _excuse(hits: list[Hit], excused: list[tuple[int, int, bool]]) -> list[Hit]:
    """Drop a rule's hits that an exception of the rule covers (不知道 inside 不知道您…);
    an exception that only sounds alike excuses only hits that only sound alike."""
    return [h for h in hits if not any(s <= h.start and h.end <= e and (exact or not h.exact)
                                       for s, e, exact in excused)]


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Hits (sorted by start, longest first) not inside an earlier, longer one."""
    kept: list[Hit] = []
    reach = -1
    for hit in hits:
        if hit.end > reach:
            kept.append(hit)
            reach = hit.end
    return kept


def _by_span(hit: Hit) -> tuple[int, int]:
    return hit.start, -hit.end


def _keep_longest(hits: list[Hit]) -> list[Hit]:
    """Of one rule's hits that overlap, say one: the longest (不知道 inside 我不知道
    is one hit), and an exact hit rather than a same-sounding one. Exact hits come
    first, each kind by start."""
    # The usual case: no two hits overlap, and the automaton found them in order.
    reach = 0
    for hit in hits:
        if hit.start < reach:
            break
        reach = hit.end
    else:
        return hits
    hits.sort(key=_by_span)
    # No two hits overlap after all (checking neighbours is enough: a hit overlapping
    # an earlier one also overlaps the one just before it).
    if all(b.start >= a.end for a, b in zip(hits, hits[1:])):
        return hits
    exact = _outermost([h for h in hits if h.exact])
    if len(exact) == len(hits):
        return exact
    return exact + [
        h for h in _outermost([h for h in hits if not h.exact])
        if not any(e.start < h.end and h.start < e.end for e in exact)
    ]
