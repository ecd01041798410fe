"""A call's transcript as the rule matcher reads it: one folded text per speaker.

Each speaker's utterances are folded (``normalize.fold``) and written one per line
after a leading line break, so a phrase never spans two utterances and a hit maps back
to its utterance by line. The searchable text comes from each utterance's stored text
(the recogniser's words already joined); the words themselves are only read for the
few utterances that have a hit, to give the hit its times and the words as said. That
keeps a whole call's matching to a few string operations in C: folding 2,000 hours of
calls word by word in Python would cost more than all the matching.

A Chinese recogniser's text (Han characters only) is already in the normal form and is
used as it is; plain ASCII text takes a shortcut with the same result as ``fold``;
anything else is folded utterance by utterance. A Chinese lane keeps, from the same
numpy pass that told it was Chinese, its UTF-16 units (the phrase automaton's spelling
reads them) and where its line breaks are: a hit finds its utterance by bisection,
without reading any utterance before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import attrgetter, itemgetter
from typing import NamedTuple

import numpy as np

from ..transcription.words import join_words
from ..text import fold, fold_words
from .phrase_index import role_of
from .pinyin_codes import utf16_units

_ASCII_JUNK = re.compile(r"[^a-z0-9\n]+")
_ASCII_EDGES = re.compile(r" *\n *")
_text = attrgetter("text")


class Place(NamedTuple):
    start: float
    end: float
    words: tuple[dict, ...]  # {"word", "start", "end"}
    text: str  # the words as said, joined for display


_word = attrgetter("word")


def _next_break(at: int, length: int) -> int:
    """Where the line break after a line of that length is, the one before it being at ``at``."""
    return at + 1 + length


def _word_texts(words) -> list[str]:
    """The words as said: stored ``Word`` objects, or dicts from the rule tester and tests."""
    if words and isinstance(words[0], dict):
        return [str(w.get("word") or "") for w in words]
    return list(map(_word, words))


_end = itemgetter("end")
_said = itemgetter("word")


def _word_dict(w) -> dict:
    if isinstance(w, dict):
        begin = float(w.get("start") or 0.0)
        return {"word": str(w.get("word") or ""), "start": begin, "end": float(w.get("end") or begin)}
    return {"word": str(w.word or ""), "start": float(w.start), "end": float(w.end)}


def _not_han_table() -> np.ndarray:
    table = np.ones(0x10000, dtype=bool)
    table[0x3400:0x4DC0] = table[0x4E00:0xA000] = table[ord("\n")] = False
    return table


# UTF-16 unit → not a Han character (nor a line break); a character beyond the BMP is
# U+FFFF in ``utf16_units``, so not Han either (the readings stop at U+9FFF).
_NOT_HAN = _not_han_table()


def fold_lines(texts: list[str]) -> tuple[str, list[str], np.ndarray | None]:
    """(a line break + the folded texts joined by line breaks, the folded lines, the
    UTF-16 units of the text when it was pure Chinese, else None): one line per text."""
    try:
        joined = "\n" + "\n".join(texts)
    except TypeError:  # a None among them
        texts = [t or "" for t in texts]
        joined = "\n" + "\n".join(texts)
    if joined.isascii():
        if joined.count("\n") == len(texts):  # no line break inside a text
            # fold() on ASCII: lower case, every run of non-alphanumerics one space,
            # no space at either end of a line.
            text = _ASCII_EDGES.sub("\n", _ASCII_JUNK.sub(" ", joined.lower())).rstrip(" ")
            return text, text[1:].split("\n"), None
    elif joined.count("\n") == len(texts):  # no line break inside a text (str.count is C)
        units = utf16_units(joined)
        # Nothing but Han characters: a Chinese recogniser's text, with nothing to fold.
        # Its units are kept for the syllable spelling the phrase automaton reads; where
        # its lines start is worked out only for a lane with a hit to place.
        if not _NOT_HAN.take(units).any():
            return joined, texts, units
    lines = [fold(t or "") for t in texts]
    return "\n" + "\n".join(lines), lines, None


class Lane:
    """One speaker's utterances and their folded text."""

    __slots__ = ("speaker", "role", "utterances", "units", "_text", "_lines", "_breaks", "_owner")

    def __init__(self, speaker: str, utterances: list):
        self.speaker = speaker
        self.role = role_of(speaker)
        self.utterances = utterances
        self._text: str | None = None
        self.units: np.ndarray | None = None  # UTF-16 units of a pure-Chinese text, once folded
        self._breaks: list[int] | None = None  # where each line's leading line break is in ``text``
        self._owner: dict[int, tuple] = {}

    @property
    def text(self) -> str:
        """A line break + the folded utterances, one a line; folded on first use (a lane no
        rule applies to, such as the customer's with an agent-only rulebook, never is)."""
        if self._text is None:
            self._text, self._lines, self.units = fold_lines(list(map(_text, self.utterances)))
        return self._text

    def utterance_at(self, offset: int) -> int:
        """Index of the utterance an offset of ``text`` falls in: the line breaks before it,
        less the one at the start."""
        return bisect_left(self._line_breaks(), offset) - 1

    def line_at(self, offset: int) -> tuple[int, int]:
        """(index of the utterance an offset of ``text`` falls in, where its line starts)."""
        breaks = self._line_breaks()
        index = bisect_left(breaks, offset) - 1
        return index, breaks[index] + 1

    def _line_breaks(self) -> list[int]:
        """Where the line break before each utterance's line is in ``text``."""
        if self._breaks is None:
            self.text  # noqa: B018 - folds the lines
            if self.units is not None:  # a Chinese lane: its line breaks, found in C
                self._breaks = (self.units == 10).nonzero()[0].tolist()
            else:
                self._breaks = list(accumulate(map(len, self._lines[:-1]), _next_break, initial=0))
        return self._breaks

    def _owners(self, index: int) -> tuple[list[int] | None, list[int] | None]:
        """How the utterance's line maps to its words: (ends, owner). ``ends``: where each
        word ends in the line, when the words spell it character for character (a Chinese
        recogniser's); else ``owner``: per character, the index of its word (-1: none).
        (None, None) when the utterance has no words or its words do not spell its text."""
        found = self._owner.get(index)
        if found is not None:
            return found
        line = self._lines[index]
        words = getattr(self.utterances[index], "words", None) or ()
        texts = _word_texts(words)
        found = (None, None)
        if texts and "".join(texts) == line:
            found = (list(accumulate(map(len, texts))), None)
        elif texts:
            folded, owner = fold_words(texts)
            if folded == line:  # else the stored text and words disagree: place by the utterance only
                found = (None, owner)
        self._owner[index] = found
        return found

    def locate(self, start: int, end: int) -> Place:
        """Times and words of the text between two offsets (within one utterance)."""
        index, line_start = self.line_at(start)
        s = start - line_start
        e = s + (end - start)
        utterance = self.utterances[index]
        ends, owner = self._owners(index)
        if ends is not None:
            first, last = bisect_right(ends, s), min(bisect_right(ends, e - 1), len(ends) - 1)
        else:
            picked = [owner[i] for i in range(s, min(e, len(owner))) if owner[i] >= 0] if owner else []
            first, last = (min(picked), max(picked)) if picked else (0, -1)
        if last < first:
            return Place(float(utterance.start), float(utterance.end), (), self._lines[index][s:e])
        chosen = tuple(map(_word_dict, utterance.words[first:last + 1]))
        return Place(
            chosen[0]["start"], max(map(_end, chosen)), chosen, join_words(list(map(_said, chosen))),
        )

    def talk_seconds(self) -> float:
        return sum(max(0.0, float(u.end) - float(u.start)) for u in self.utterances)


def build_lanes(utterances: list) -> dict[str, Lane]:
    """Speaker → Lane, in the order speakers first speak (utterances in time order)."""
    # A plain loop: every utterance is read once, and its speaker only (filtering the
    # list once per speaker calls a comparison per utterance and speaker).
    by: dict[str, list] = {}
    for utterance in utterances:
        try:
            by[utterance.speaker].append(utterance)
        except KeyError:
            by[utterance.speaker] = [utterance]
    return {who: Lane(who, items) for who, items in by.items()}
