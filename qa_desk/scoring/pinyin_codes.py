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


def _readings() -> dict[int, str]:
    """pypinyin's character readings (code point → "zhōng,zhòng"). Read from its data
    file where it can be found: importing pypinyin itself also loads its phrase
    dictionary and segmenter (0.4 s) that character-by-character readings do not need."""
    spec = importlib.util.find_spec("pypinyin")
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    data = folder / "pinyin_dict.json" if folder else None
    if data is not None and data.is_file():
        return {int(k): v for k, v in json.loads(data.read_text(encoding="utf-8")).items()}
    from pypinyin.pinyin_dict import pinyin_dict  # an installed layout without the JSON

    return pinyin_dict


def toneless(reading: str) -> str:
    """"zhōng" → "zhong", "lǜ" → "lv": pypinyin's Style.NORMAL (tested to agree with
    lazy_pinyin for every character in the table)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _build() -> np.ndarray:
    """code point → code, for all of Unicode (4.4 MB, built once in ~60 ms)."""
    table = np.full(0x110000, _OTHER, dtype=np.uint32)
    table[ord("\n")] = _BREAK
    plain: dict[str, str] = {}
    for code_point, readings in _readings().items():
        # The folded text keeps only these ranges' characters as they are (fold maps the
        # compatibility ideographs to them); extension B+ is too rare to matter on a call.
        if 0x3400 <= code_point <= 0x9FFF:
            first = readings.split(",", 1)[0]
            syllable = plain.get(first)
            if syllable is None:
                syllable = plain[first] = toneless(first)
            table[code_point] = _FIRST + _syllables.setdefault(syllable, len(_syllables))
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
    global _bytes_table
    if _bytes_table is None:
        code = table() - _OTHER
        _bytes_table = ((0x80 + (code >> 7)) | ((code & 0x7F) << 8)).astype("<u2")  # little-endian
    if codes is None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return memoryview(_bytes_table.take(codes)).cast("B")


def syllable_of(char: str) -> str | None:
    """The toneless syllable a character is compared by (for tests and explanations)."""
    code = int(table()[ord(char)])
    if code < _FIRST:
        return None
    return next(s for s, i in _syllables.items() if i == code - _FIRST)
