"""How text is spelled for the phrase automata: as written or as syllables, and bucketed.

pyahocorasick finds a node's child by comparing the next character with each child in
turn, so every character of the transcript costs about a third of a nanosecond per
distinct first character of the phrases (at the root, where the scan spends most of
its time). An English rulebook starts its phrases with a few dozen letters; a large
Chinese one with hundreds of characters, and the scan slows to ~100 ns a character.

Bucketing fixes that: every character is written as two symbols, a bucket (its code
modulo B) and then the character. The root then has at most B children, each bucket
node about F/B, so a character costs ~2·√F comparisons instead of F. Offsets in the
bucketed text are simply twice the character offsets. Small phrase sets (F ≤ 40) are
matched as written: bucketing would only add work there.

The syllable spelling (``pinyin_codes``) is for homophones; it is bucketed the same way.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import pinyin_codes

_BUCKET = 0xF0000  # supplementary private use: never in folded text, nor a syllable code
PLAIN_MAX_FIRST = 40


class Coding(NamedTuple):
    sounds: bool  # spell each character by its syllable (homophones)
    buckets: int  # 1: one symbol a character; B > 1: bucket symbol + symbol

    @property
    def width(self) -> int:
        return 1 if self.buckets == 1 else 2


def buckets_for(first_symbols: int) -> int:
    """B for F distinct first symbols: ~√(F/2) balances the root's B and a bucket's F/B."""
    if first_symbols <= PLAIN_MAX_FIRST:
        return 1
    return max(2, min(64, round(math.sqrt(first_symbols / 2))))


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


_PAIRS: dict[Coding, np.ndarray] = {}
HAN_END = 0xA000  # pure-Chinese text (see lanes.fold_lines) has only code points below this


def _pairs(coding: Coding) -> np.ndarray:
    """code point (< HAN_END) → its two symbols as one little-endian uint64: a bucketed
    spelling of a Chinese text in one gather instead of five array operations."""
    table = _PAIRS.get(coding)
    if table is None:
        points = np.arange(HAN_END, dtype=np.uint64)
        symbols = pinyin_codes.table()[:HAN_END].astype(np.uint64) if coding.sounds else points
        table = _PAIRS[coding] = (_BUCKET + symbols % coding.buckets) | (symbols << np.uint64(32))
    return table


def encode(text: str, coding: Coding, codes: np.ndarray | None = None, han: bool = False) -> str:
    """``text`` spelled for an automaton of this coding. ``codes``: its code points, if
    known; ``han``: they are all below HAN_END (a pure-Chinese lane)."""
    if not coding.sounds and coding.buckets == 1:
        return text
    if not text:
        return ""
    if codes is None:
        codes = code_points(text)
    if han and coding.buckets > 1:
        return _pairs(coding).take(codes).tobytes().decode("utf-32-le")
    symbols = pinyin_codes.table().take(codes) if coding.sounds else codes
    if coding.buckets == 1:
        return symbols.tobytes().decode("utf-32-le")
    out = np.empty(2 * len(symbols), dtype=np.uint32)
    out[0::2] = symbols % coding.buckets
    out[0::2] += _BUCKET
    out[1::2] = symbols
    return out.tobytes().decode("utf-32-le")


def first_symbol(key: str, sounds: bool) -> str:
    return pinyin_codes.encode(key[0]) if sounds else key[0]
