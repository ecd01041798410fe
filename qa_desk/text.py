"""What was said, as text: which scripts are written without spaces, and the one
normal form for what was said and for what a rulebook or a search looks for.

The lowest layer of the domain (the store's search index, the transcription's word
joining and the rule matcher all use it), so it imports nothing of QA Desk.

Both sides of every comparison go through ``fold``: NFKC (full-width letters and
digits become half-width, compatibility ideographs become the ordinary ones), case
folded, punctuation and symbols gone. Chinese and Japanese are compared without
spaces (a recogniser puts one between every word: 不 知道 must still match 不知道),
other scripts by whole words separated by single spaces.

``fold_words`` does the same for a transcript's words and remembers, for every
character of the folded text, which word it came from: a match found in the text maps
straight back to word times and speaker.
"""

from __future__ import annotations

import re
import unicodedata


def is_cjk(char: str) -> bool:
    """Han ideographs, kana, hangul and CJK punctuation: scripts written without spaces
    between words (hangul does use spaces, but its ASR words are whole eojeol and
    joined with a space below because they are not single characters)."""
    code = ord(char)
    return (
        0x3000 <= code <= 0x303F  # CJK symbols and punctuation
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FA1F
    )


def _keep(char: str) -> bool:
    """Letters, digits and marks stay; punctuation, symbols and separators go."""
    return unicodedata.category(char)[0] in "LMN"


def _fold_token(token: str) -> str:
    """One word or run of text: NFKC, case folded, only letters/digits/marks, spaces
    where punctuation stood (so 'good-bye' is two words, as a reader would say)."""
    text = unicodedata.normalize("NFKC", token).casefold()
    out: list[str] = []
    for c in text:
        if not _keep(c):
            out.append(" ")
            continue
        # A script change is a word boundary: "VIP账户" reads as the words VIP + 账户,
        # the same as the recogniser's "VIP 账户".
        if out and out[-1] != " " and is_cjk(out[-1]) != is_cjk(c):
            out.append(" ")
        out.append(c)
    return "".join(out)


def _joins_without_space(left: str, right: str) -> bool:
    return bool(left) and bool(right) and is_cjk(left) and is_cjk(right)


# Han characters of the unified and extension A blocks: each is its own normal form
# (no compatibility mapping, no case; a test checks every one), and none takes a space.
_HAN_ONLY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")


def fold(text: str) -> str:
    """The normal form of free text (a rule's phrase, a search, a typed sentence)."""
    if _HAN_ONLY.fullmatch(text):
        return text  # a Chinese phrase: thousands of them in a large rulebook
    out: list[str] = []
    for piece in _fold_token(text).split():
        if out and not _joins_without_space(out[-1][-1], piece[0]):
            out.append(" ")
        out.append(piece)
    return "".join(out)


def fold_words(words: list[str]) -> tuple[str, list[int]]:
    """Folded text of a word sequence and, per character, the index of its word
    (-1 for the spaces between words)."""
    chars: list[str] = []
    owner: list[int] = []
    for index, word in enumerate(words):
        for piece in _fold_token(word).split():
            if chars and not _joins_without_space(chars[-1], piece[0]):
                chars.append(" ")
                owner.append(-1)
            chars.extend(piece)
            owner.extend([index] * len(piece))
    return "".join(chars), owner
