"""Chinese text as a string of syllables, for homophone-tolerant matching.

A Chinese recogniser writes a word it heard with the wrong characters when they sound
the same (保证收益 → 保正收益). Comparing toneless pinyin catches that. To keep the
comparison linear and in C, every Han character is mapped to one private-use
character standing for its toneless syllable (bao, zheng, …): the coded text has one
code per character of the folded text (positions line up with the exact pass), and an
Aho-Corasick automaton of the phrases' codes finds the homophones in one pass.

Readings are pypinyin's (its per-character data, toneless: the same as ``lazy_pinyin``
of the single character; a test checks every character). One reading per character: a polyphonic character (行 xing/hang) reads the
same in the phrase and in the transcript, so an exact occurrence always matches too.

What the automaton scans is a ``Spelling``: the syllables of one rulebook's phrases
(a 1,000-rule Mandarin rulebook uses ~200 of the ~400) numbered in one byte each, and
every other character one "other" byte. Half the bytes of a two-byte spelling, and an
automaton with half the states, more of whose table stays in the processor's cache:
a DFA's speed depends on that (the 1-byte spelling halved its share of a call). A
rulebook whose phrases use more syllables than a byte can number is spelled in two
bytes a character (``syllable_bytes``).
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import numpy as np

_OTHER = 0xE000  # any character that is not a Han character with a reading
OTHER = chr(_OTHER)
_BREAK = 0xE001  # the line break between utterances (kept: "utterance start" phrases)
_FIRST = 0xE002  # syllables from here, in the private-use area (fewer than 500 of them)

_table: np.ndarray | None = None
_syllables: dict[str, int] = {}


def _readings():
    """pypinyin's character readings, (code point, "zhōng,zhòng") pairs. Read from its
    data file where it can be found: importing pypinyin itself also loads its phrase
    dictionary and segmenter (0.4 s) that character-by-character readings do not need."""
    spec = importlib.util.find_spec("pypinyin")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    data = folder / "pinyin_dict.json" if folder else None
    if data is not None and data.is_file():
        return ((int(k), v) for k, v in json.loads(data.read_text(encoding="utf-8")).items())
    from pypinyin.pinyin_dict import pinyin_dict  # an installed layout without the JSON

    return pinyin_dict.items()


def toneless(reading: str) -> str:
    """"zhōng" → "zhong", "lǜ" → "lv": pypinyin's Style.NORMAL (tested to agree with
    lazy_pinyin for every character in the table)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _build() -> np.ndarray:
    """code point → code, for all of Unicode (4.4 MB, built once in ~25 ms: it is part
    of building a rulebook's phrase index)."""
    table = np.full(0x110000, _OTHER, dtype=np.uint32)
    table[ord("\n")] = _BREAK
    codes: dict[str, int] = {}  # first reading, with its tone → code
    points, values = [], []
    for code_point, readings in _readings():
        # The folded text keeps only these ranges' characters as they are (fold maps the
        # compatibility ideographs to them); extension B+ is too rare to matter on a call.
        if 0x3400 <= code_point <= 0x9FFF:
            first = readings.split(",", 1)[0]
            code = codes.get(first)
            if code is None:
                code = codes[first] = _FIRST + _syllables.setdefault(toneless(first), len(_syllables))
            points.append(code_point)
            values.append(code)
    table[np.array(points, dtype=np.int64)] = values  # one assignment, not 27,000
    return table


def table() -> np.ndarray:
    global _table
    if _table is None:
        _table = _build()
    return _table


def encode(text: str, codes: np.ndarray | None = None) -> str:
    """One private-use character per character of ``text``: its syllable, or a marker.
    ``codes``: the text's code points (uint32) when the caller has them already."""
    if not text:
        return ""
    if codes is None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return table()[codes].tobytes().decode("utf-32-le")


_bytes_table: np.ndarray | None = None


def syllable_bytes(text: str, codes: np.ndarray | None = None) -> memoryview:
    """``text`` spelled as two bytes a character, for a bytes automaton: the first byte
    0x80 + code // 128, the second code % 128 (code: the character's code above
    ``OTHER``). A first byte is never below 0x80 and a second never above 0x7F, so a
    phrase's spelling can only be found at a character's first byte, and a match's
    offsets halve to character offsets."""
    if codes is None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return memoryview(syllable_table().take(codes)).cast("B")


def syllable_table() -> np.ndarray:
    """Code point → its two-byte spelling (little-endian uint16)."""
    global _bytes_table
    if _bytes_table is None:
        code = table() - _OTHER
        _bytes_table = ((0x80 + (code >> 7)) | ((code & 0x7F) << 8)).astype("<u2")
    return _bytes_table


def utf16_units(text: str) -> np.ndarray:
    """``text`` as UTF-16 code units (uint16), one per character: a fast copy of a
    Chinese string (CPython keeps it two bytes a character). A character beyond the
    BMP (no Han character of the table, which stops at U+9FFF) becomes U+FFFF, which
    reads as "other", so offsets stay those of the string."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) != len(text):  # a surrogate pair: two units for one character
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        units = np.minimum(codes, 0xFFFF).astype(np.uint16)
    return units


class Spelling:
    """The syllable spelling of one set of Chinese phrase keys (see the module's note):
    ``width`` bytes a character, one byte when the keys use at most 254 syllables."""

    def __init__(self, keys):
        codes = table()
        used = sorted({int(codes[ord(c)]) for key in keys for c in key} - {_OTHER})
        if len(used) < 255:
            # 0: any character the keys do not spell (no key contains it); from 1: the
            # line break and the keys' syllables.
            lookup = np.zeros(int(codes.max()) + 1 - _OTHER, dtype=np.uint8)
            lookup[np.array(used, dtype=np.int64) - _OTHER] = np.arange(1, len(used) + 1)
            self.width = 1
            # Indexed by UTF-16 unit: 64K entries, where all of Unicode would be 1.1M.
            self._table = lookup[codes[:0x10000] - _OTHER]
        else:
            self.width = 2
            self._table = syllable_table()[:0x10000]

    def spell(self, text: str, units: np.ndarray | None = None) -> np.ndarray:
        """``text`` spelled for the automaton (uint8; its bytes, in the two-byte case);
        ``units``: its UTF-16 units (``utf16_units``) when the caller has them."""
        spelled = self._table.take(utf16_units(text) if units is None else units)
        return spelled if self.width == 1 else spelled.view(np.uint8)

    def keys(self, keys: list[str]) -> list[bytes]:
        """The spelling of each key (all of them spelled in one pass: a key has no
        character spelled as "other", so that spelling can separate them)."""
        separator = self.spell(OTHER).tobytes()
        return self.spell(OTHER.join(keys)).tobytes().split(separator)


def readable(text: str) -> bool:
    """Whether every character of ``text`` is a Han character with a reading."""
    global _readable
    if _readable is None:
        _readable = frozenset(map(chr, np.flatnonzero(table() >= _FIRST).tolist()))
    return all(map(_readable.__contains__, text))


_readable: frozenset[str] | None = None


def syllable_of(char: str) -> str | None:
    """The toneless syllable a character is compared by (for tests and explanations)."""
    code = int(table()[ord(char)])
    if code < _FIRST:
        return None
    return next(s for s, i in _syllables.items() if i == code - _FIRST)
