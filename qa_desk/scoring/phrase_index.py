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
phrase is the phrase with a line break in front.
"""

from __future__ import annotations

import re
from itertools import groupby
from operator import attrgetter
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


def role_of(speaker: str | None) -> str:
    """Which rules a lane gets: the agent's, the customer's, or (a mono "mixed" lane,
    where nobody can tell who spoke) the agent's, since QA evaluates the agent."""
    return speaker if speaker in ("agent", "customer") else "other"


def applies(rule, role: str) -> bool:
    if rule.speaker == "any":
        return True
    return rule.speaker == role or (role == "other" and rule.speaker == "agent")


class _Entry(NamedTuple):
    rule: int
    phrase: str  # as written in the rulebook
    folded: str  # what is compared (without the line-break prefix)
    exception: bool
    length: int  # length of the automaton key
    skip: int  # 1 when the key starts with the utterance's line break
    left: bool  # needs a word boundary before it
    right: bool  # needs a word boundary after it
    sounds: bool  # a same-sounding occurrence counts too ("possible")


class _Automaton(NamedTuple):
    automaton: object  # ahocorasick_rs.AhoCorasick (text) or BytesAhoCorasick (syllables)
    entries: list[tuple[_Entry, ...]]  # per key, in the automaton's pattern order


def _automaton(entries: dict[str, list[_Entry]], sounds: bool) -> _Automaton | None:
    """An automaton of folded keys → entries; ``sounds``: of their syllable spellings."""
    if not entries:
        return None
    spelled: dict[object, list[_Entry]] = {}
    for key, items in entries.items():
        # Same-sounding phrases (两丛, 两从) share one syllable key: keep both entries.
        spelled.setdefault(bytes(pinyin_codes.syllable_bytes(key)) if sounds else key, []).extend(items)
    build = ahocorasick_rs.BytesAhoCorasick if sounds else ahocorasick_rs.AhoCorasick
    # Overlapping matches need the standard match kind; DFA: see the module's note.
    automaton = build(list(spelled), implementation=ahocorasick_rs.Implementation.DFA)
    return _Automaton(automaton, [tuple(items) for items in spelled.values()])


class _RoleIndex:
    """Automata and patterns of the rules that apply to one speaker role."""

    def __init__(self, rules, role: str, folded: dict[str, str]):
        exact: dict[str, list[_Entry]] = {}
        sounds: dict[str, list[_Entry]] = {}
        self.patterns: list[tuple[int, str, re.Pattern]] = []
        for index, rule in enumerate(rules):
            if rule.acoustic or not applies(rule, role):
                continue
            prefix = "\n" if rule.at == "utterance start" else ""
            for phrase, exception in [(p, False) for p in rule.phrases] + [(e, True) for e in rule.exceptions]:
                text = folded.get(phrase)
                if text is None:
                    text = folded[phrase] = fold(phrase)
                head = "" if exception else prefix  # exceptions count wherever they stand
                key = head + text
                entry = _Entry(index, phrase, text, exception, len(key), len(head),
                               not head and not is_cjk(text[0]), not is_cjk(text[-1]),
                               rule.homophones and homophone_ready(text))
                # Chinese keys go into the syllable automaton (an exact occurrence is
                # also a same-sounding one); the rest are matched as written.
                if _HAN_KEY.match(key) and pinyin_codes.OTHER not in pinyin_codes.encode(key):
                    sounds.setdefault(key, []).append(entry)
                else:
                    exact.setdefault(key, []).append(entry)
            for pattern in rule.patterns:
                self.patterns.append((index, pattern, re.compile(pattern, re.MULTILINE)))
        self.exact = _automaton(exact, sounds=False)
        self.sounds = _automaton(sounds, sounds=True)
        self.empty = self.exact is None and self.sounds is None and not self.patterns


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
        self.must_occur = [i for i, r in enumerate(self.rules) if not r.acoustic and r.kind == "must_occur"]
        self.before_hold = [i for i in self.must_occur if self.rules[i].window.anchor == "before hold"]
        self.acoustic = [i for i, r in enumerate(self.rules) if r.acoustic]

    def _role(self, role: str) -> _RoleIndex:
        index = self._roles.get(role)
        if index is None:
            index = self._roles[role] = _RoleIndex(self.rules, role, self._folded)
        return index

    def has_rules(self, role: str) -> bool:
        """Whether any text rule applies to a speaker role (else its text need not be read)."""
        return not self._role(role).empty

    def scan(self, text: str, role: str, codes=None) -> list[Hit]:
        """Rule hits in ``text`` ("\\n" + folded utterances joined by "\\n"), sorted by
        rule and start; exceptions applied, and of the hits of one rule that cover each
        other only the longest (an exact one before a homophone) kept. ``codes``: the
        text's code points, when the caller has them (saves encoding it again)."""
        index = self._role(role)
        hits: list[Hit] = []
        excused: dict[int, list[tuple[int, int, bool]]] = {}
        if index.exact is not None:
            automaton, entries = index.exact
            last = len(text)
            for key, start, end in automaton.find_matches_as_indexes(text, overlapping=True):
                for e in entries[key]:
                    if (e.left and text[start - 1] not in _BOUNDARY) or (
                        e.right and end < last and text[end] not in _BOUNDARY
                    ):
                        continue  # inside a longer English word
                    if e.exception:
                        excused.setdefault(e.rule, []).append((start, end, True))
                    else:
                        hits.append(Hit(e.rule, start + e.skip, end, e.phrase, True))
        if index.sounds is not None:
            automaton, entries = index.sounds
            spelled = pinyin_codes.syllable_bytes(text, codes)
            for key, start, end in automaton.find_matches_as_indexes(spelled, overlapping=True):
                start //= 2  # two bytes a character
                end //= 2
                for e in entries[key]:
                    exact = text[start + e.skip:end] == e.folded
                    if not exact and not e.sounds:
                        continue  # sounds alike, but the rule wants the words themselves
                    if e.exception:
                        excused.setdefault(e.rule, []).append((start, end, exact))
                    else:
                        hits.append(Hit(e.rule, start + e.skip, end, e.phrase, exact))
        for rule, pattern, compiled in index.patterns:
            for match in compiled.finditer(text):
                start, end = match.span()
                if end > start and "\n" not in match.group():
                    hits.append(Hit(rule, start, end, pattern, True))
        if not hits:
            return hits
        return _keep_longest(_excuse(hits, excused) if excused else hits)


def _excuse(hits: list[Hit], excused: dict[int, list[tuple[int, int, bool]]]) -> list[Hit]:
    """Drop hits an exception of their rule covers (不知道 inside 不知道您…); an exception
    that only sounds alike excuses only hits that only sound alike."""
    return [
        h for h in hits
        if h.rule not in excused
        or not any(s <= h.start and h.end <= e and (exact or not h.exact) for s, e, exact in excused[h.rule])
    ]


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Hits (sorted by start, longest first) not inside an earlier, longer one."""
    kept: list[Hit] = []
    reach = -1
    for hit in hits:
        if hit.end > reach:
            kept.append(hit)
            reach = hit.end
    return kept


def _keep_longest(hits: list[Hit]) -> list[Hit]:
    """Of one rule's hits that overlap, say one: the longest (不知道 inside 我不知道
    is one hit), and an exact hit rather than a same-sounding one."""
    hits.sort(key=lambda h: (h.rule, h.start, -h.end))
    # The usual case: no two hits of a rule overlap (checking neighbours is enough: a
    # hit overlapping an earlier one also overlaps the one just before it).
    if all(b.rule != a.rule or b.start >= a.end for a, b in zip(hits, hits[1:])):
        return hits
    if all(h.exact for h in hits):
        out, rule, reach = [], -1, -1
        for hit in hits:
            if hit.rule != rule or hit.end > reach:
                out.append(hit)
                rule, reach = hit.rule, hit.end
        return out
    out = []
    for _, group in groupby(hits, key=attrgetter("rule")):
        group = list(group)
        exact = _outermost([h for h in group if h.exact])
        out += exact
        if len(exact) < len(group):
            out += [
                h for h in _outermost([h for h in group if not h.exact])
                if not any(e.start < h.end and h.start < e.end for e in exact)
            ]
    return out
