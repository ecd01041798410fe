"""What must not leave the building in an exported clip: numbers a caller reads out
(card, phone, ID) and the agent's name. Found in a transcript's words, hidden in its
text, and timed so the same stretches can be beeped in the clip's audio.

Recognisers split a number across words and spell it many ways: "一三八 零零一三
八零零零", "幺三八…", "one three eight", "1 3 8", "138-0013-8000". So detection runs on
each speaker's word sequence: digit-ish words in a row (a pause of up to
``MAX_DIGIT_GAP`` and fillers like 嗯/uh between them allowed) form one number, and
the number maps back to the words, the characters inside them and the times it covers.
Spans are found on the whole call, before a clip is cut, so a number read across a
clip's edge is still recognised.

What is not a number to hide: times (3点半), prices (99元, $1,299.00: "," and "."
end a number, a currency or unit next to it makes it an amount), dates (2024-05-01)
and short counts (fewer than ``min_digits`` digits; cards and phones are recognised
by their shape whatever the minimum).

Masking replaces each digit with "*" ("一三八" → "***", "one" → "*"). Cards keep their
last four digits visible (``KEEP_CARD_DIGITS``): payment-card rules allow it and a
reviewer needs them to check the agent read back the right card. The audio of the
whole span is beeped regardless, since word times are too coarse to spare a digit.
The agent's name becomes a label ("Agent A") wherever the transcript says it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from .text import is_cjk
from .transcription.words import Utterance, Word, join_words

CARD, PHONE, RESIDENT_ID, ID_NUMBER, AGENT_NAME = "card", "phone", "resident_id", "id_number", "agent_name"
MIN_DIGITS = 6  # order numbers, account numbers, six-digit verification codes
MAX_DIGIT_GAP = 3.0  # callers pause between digit groups while reading a card
KEEP_CARD_DIGITS = 4
MASK = "*"

_CHINESE_DIGITS = dict(zip("零〇一幺二两三四五六七八九", "0011223456789"))
_SPOKEN_DIGITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                  "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_REPEATS = {"double": 2, "triple": 3}  # "double eight": how UK and Indian callers read numbers
_FILLERS = frozenset({"嗯", "呃", "额", "啊", "哦", "那个", "uh", "um", "er", "erm", "ah", "hmm"})
# Words that are one piece of a number as a whole: "one", "double" (eight), "嗯" between
# digit groups, "叉" (the X of a resident ID, said as a word), "plus" (an international prefix).
_WHOLE_WORDS = {**{word: ("digit", digit) for word, digit in _SPOKEN_DIGITS.items()},
                **{word: ("repeat", str(times)) for word, times in _REPEATS.items()},
                **{word: ("sep", "") for word in _FILLERS},
                "x": ("x", "X"), "叉": ("x", "X"), "艾克斯": ("x", "X"), "plus": ("plus", "+")}
_SEPARATORS = frozenset("-‐‑‒–—()（） ")  # as written: 138-0013-8000, (010) 8765 4321
_UNITS = ("元", "块", "圆", "角", "毛", "分钱", "万", "亿", "千", "百", "岁", "年", "%", "％",
          "dollar", "buck", "yuan", "rmb", "usd", "cent", "percent", "pound", "euro")
_CURRENCY = frozenset("¥￥$€£")
_MOBILE_CN = re.compile(r"(?:00)?(?:86)?1[3-9]\d{9}")
_LANDLINE_CN = re.compile(r"0[1-9]\d{8,10}")  # 0 + 2–3 digit area code + 7–8 digit number
_US_PHONE = re.compile(r"1?[2-9]\d{2}[2-9]\d{6}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class SensitiveSpan:
    """Something to hide: where it is said (first/last word as (utterance, word)
    indices into the transcript given), when (call time) and what kind it is."""

    kind: str  # CARD, PHONE, RESIDENT_ID, ID_NUMBER or AGENT_NAME
    speaker: str
    start: float
    end: float
    first_word: tuple[int, int]
    last_word: tuple[int, int]
    digits: str = ""  # the number as read; "" for a name
    # (utterance, word, char from, char to) of each digit, or of each piece of a name.
    marks: tuple[tuple[int, int, int, int], ...] = ()


def _words_of(utterance) -> list[Word]:
    """The utterance's words; one word holding its whole text when it has none (text
    without word times is still hidden, timed as the whole utterance)."""
    words = [Word(str(w.word), float(w.start), float(w.end), w.conf) for w in (utterance.words or ())]
    return words or [Word(str(utterance.text or ""), float(utterance.start), float(utterance.end))]


# --- numbers -------------------------------------------------------------------------------


@dataclass
class _Piece:
    kind: str  # digit, sep, boundary, repeat, x, plus, other
    value: str
    word: int  # index into the speaker's stream of words
    lo: int = 0  # characters of the word it covers
    hi: int = 0


def _core(text: str) -> tuple[int, int]:
    """The word without punctuation around it ("five," → "five")."""
    lo, hi = 0, len(text)
    while lo < hi and unicodedata.category(text[lo])[0] not in "LN":
        lo += 1
    while hi > lo and unicodedata.category(text[hi - 1])[0] not in "LN":
        hi -= 1
    return lo, hi


def _word_pieces(text: str, index: int) -> list[_Piece]:
    lo, hi = _core(text)
    whole = _WHOLE_WORDS.get(text[lo:hi].casefold())
    if whole:
        return [_Piece(whole[0], whole[1], index, lo, hi)]
    pieces = []
    for at, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char)  # full-width ０-９ are digits too
        if len(normal) == 1 and "0" <= normal <= "9":
            pieces.append(_Piece("digit", normal, index, at, at + 1))
        elif char in _CHINESE_DIGITS:
            pieces.append(_Piece("digit", _CHINESE_DIGITS[char], index, at, at + 1))
        elif normal in _SEPARATORS:
            pieces.append(_Piece("sep", "", index, at, at + 1))
        elif normal == "+":
            pieces.append(_Piece("plus", "+", index, at, at + 1))
        elif normal in ("x", "X"):
            pieces.append(_Piece("x", "X", index, at, at + 1))
        else:
            pieces.append(_Piece("other", normal, index, at, at + 1))
    return pieces


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _resident_id(digits: str) -> bool:
    """A mainland resident ID: 17 digits and the ISO 7064 MOD 11-2 check character."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS))
    return "10X98765432"[total % 11] == digits[17]


def _is_date(digits: str, groups: list[int]) -> bool:
    if len(groups) != 3 or groups[0] != 4 or not all(1 <= g <= 2 for g in groups[1:]):
        return False
    year, month, day = int(digits[:4]), int(digits[4:4 + groups[1]]), int(digits[4 + groups[1]:])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _number_kind(digits: str, groups: list[int], international: bool, amount: bool, min_digits: int) -> str | None:
    count = len(digits)
    if count == 18 and _resident_id(digits):
        return RESIDENT_ID
    if "X" in digits:
        return ID_NUMBER  # a resident ID the recogniser got a digit of wrong: still an ID
    if international and 8 <= count <= 15:
        return PHONE
    if _MOBILE_CN.fullmatch(digits):
        return PHONE
    if 13 <= count <= 19 and (_luhn(digits) or groups == [4, 4, 4, 4]):
        return CARD
    if _LANDLINE_CN.fullmatch(digits) or _US_PHONE.fullmatch(digits):
        return PHONE
    if count >= min_digits and not amount and not _is_date(digits, groups):
        return ID_NUMBER
    return None


def _runs(pieces: list[_Piece]) -> list[tuple[int, int, list[tuple[str, _Piece]], list[int]]]:
    """Digit runs: (first piece, last piece, [(digit, piece)…], digits per group).
    Separators, fillers and word boundaries continue a run; anything else ends it."""
    runs: list = []
    digits: list[tuple[str, _Piece]] = []
    groups: list[int] = []
    first = last = None
    repeat = 1

    def close() -> None:
        nonlocal digits, groups, first, last
        if digits:
            runs.append((first, last, digits, [g for g in groups if g]))
        digits, groups, first, last = [], [], None, None

    for index, piece in enumerate(pieces):
        if piece.kind == "digit":
            if first is None:
                first, groups = index, [0]
            digits.extend([(piece.value, piece)] * repeat)
            groups[-1] += repeat
            last, repeat = index, 1
        elif piece.kind in ("sep", "boundary"):
            if groups and groups[-1]:
                groups.append(0)
        elif piece.kind == "repeat":
            repeat = int(piece.value)
        elif piece.kind == "x" and len(digits) == 17:  # nothing but separators since the 17th digit
            digits.append(("X", piece))
            groups[-1] += 1
            last = index
            close()
        else:
            close()
            repeat = 1
    close()
    return runs


def find_sensitive_numbers(utterances: Sequence, *, min_digits: int = MIN_DIGITS,
                           max_gap: float = MAX_DIGIT_GAP) -> list[SensitiveSpan]:
    """Card, phone, resident ID and other ID-like numbers said in the transcript, in
    call order. ``min_digits`` is the shortest run of digits hidden as an ID number."""
    spans = []
    speakers = sorted({u.speaker for u in utterances}, key=str)
    for speaker in speakers:
        stream = sorted(
            ((u_index, w_index, word) for u_index, u in enumerate(utterances) if u.speaker == speaker
             for w_index, word in enumerate(_words_of(u))),
            key=lambda item: (item[2].start, item[2].end, item[0], item[1]))
        pieces: list[_Piece] = []
        for index, (_, _, word) in enumerate(stream):
            if index:
                close_enough = word.start - stream[index - 1][2].end <= max_gap
                pieces.append(_Piece("boundary" if close_enough else "break", "", index))
            pieces.extend(_word_pieces(word.word, index))
        for first, last, digits, groups in _runs(pieces):
            number = "".join(d for d, _ in digits)
            # What is said right before and after: "+" makes a phone, "$" or "元" an amount.
            before = next((p for p in reversed(pieces[max(0, first - 3):first])
                           if p.kind not in ("sep", "boundary")), None)
            after = next((p for p in pieces[last + 1:last + 4] if p.kind not in ("sep", "boundary")), None)
            following = stream[after.word][2].word[after.lo:].casefold() if after and after.kind == "other" else ""
            international = before is not None and before.kind == "plus"
            amount = (before is not None and before.value in _CURRENCY) or following.startswith(_UNITS)
            kind = _number_kind(number, groups, international, amount, min_digits)
            if kind is None:
                continue
            covered = [stream[p.word] for _, p in digits]
            u_first, w_first, _ = covered[0]
            u_last, w_last, _ = covered[-1]
            spans.append(SensitiveSpan(
                kind, speaker, min(w.start for *_, w in covered), max(w.end for *_, w in covered),
                (u_first, w_first), (u_last, w_last), number,
                tuple((stream[p.word][0], stream[p.word][1], p.lo, p.hi) for _, p in digits)))
    return sorted(spans, key=lambda s: (s.start, s.end))


# --- the agent's name ------------------------------------------------------------------------


def _folded_chars(words: list[Word]) -> tuple[str, list[tuple[int, int] | None]]:
    """The words as one lower-case string for name matching, and per character the
    (word, character) it came from. CJK words join without a space (李 娜 → 李娜)."""
    chars: list[str] = []
    refs: list[tuple[int, int] | None] = []
    for w_index, word in enumerate(words):
        if chars and chars[-1] != " " and not (is_cjk(chars[-1]) and word.word[:1] and is_cjk(word.word[0])):
            chars.append(" ")
            refs.append(None)
        for c_index, char in enumerate(word.word):
            normal = unicodedata.normalize("NFKC", char).casefold()
            if not normal or not all(unicodedata.category(c)[0] in "LN" for c in normal):
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    refs.append(None)
                continue
            chars.extend(normal)
            refs.extend([(w_index, c_index)] * len(normal))
    return "".join(chars), refs


def _name_forms(name: str) -> list[str]:
    """How a name is said: in full; a Latin name's parts (callers hear "this is Sarah");
    a three- or four-character Chinese name's given name (王小明 → 小明), as a two-
    character name's single given name would match ordinary words."""
    folded, _ = _folded_chars([Word(name, 0.0, 0.0)])
    folded = " ".join(folded.split())
    if not folded:
        return []
    forms = {folded}
    if all(is_cjk(c) for c in folded.replace(" ", "")):
        folded = folded.replace(" ", "")
        forms = {folded} | ({folded[-2:]} if len(folded) in (3, 4) else set())
    else:
        forms |= {part for part in folded.split() if len(part) >= 2}
    return sorted(forms, key=len, reverse=True)


def _whole_word(text: str, lo: int, hi: int) -> bool:
    """A Latin name matches whole words only ("Ann" is not in "announce")."""
    def letter(c: str) -> bool:
        return unicodedata.category(c)[0] in "LN" and not is_cjk(c)
    return not (lo > 0 and letter(text[lo - 1])) and not (hi < len(text) and letter(text[hi]))


def find_agent_name(utterances: Sequence, name: str | None) -> list[SensitiveSpan]:
    """Every place the transcript says the agent's name (full, or as people shorten it)."""
    forms = _name_forms(name or "")
    spans = []
    for u_index, utterance in enumerate(utterances):
        words = _words_of(utterance)
        text, refs = _folded_chars(words)
        taken = [False] * len(text)
        for form in forms:
            for match in re.finditer(re.escape(form), text):
                lo, hi = match.span()
                if any(taken[lo:hi]) or (not is_cjk(form[0]) and not _whole_word(text, lo, hi)):
                    continue
                taken[lo:hi] = [True] * (hi - lo)
                marks: dict[int, list[int]] = {}
                for ref in refs[lo:hi]:
                    if ref is not None:
                        marks.setdefault(ref[0], []).append(ref[1])
                first, last = min(marks), max(marks)
                spans.append(SensitiveSpan(
                    AGENT_NAME, utterance.speaker, words[first].start, words[last].end,
                    (u_index, first), (u_index, last), "",
                    tuple((u_index, w, min(cs), max(cs) + 1) for w, cs in sorted(marks.items()))))
    return sorted(spans, key=lambda s: (s.start, s.end))


# --- hiding them -------------------------------------------------------------------------------


def _edits(spans: Iterable[SensitiveSpan], agent_label: str, keep_card_digits: int) -> dict:
    """Per (utterance, word): {(char from, char to): replacement}."""
    edits: dict[tuple[int, int], dict[tuple[int, int], str]] = {}
    for span in spans:
        if span.kind == AGENT_NAME:
            for order, (u, w, lo, hi) in enumerate(span.marks):
                edits.setdefault((u, w), {})[(lo, hi)] = agent_label if order == 0 else ""
            continue
        keep = min(keep_card_digits, len(span.marks)) if span.kind == CARD else 0
        shown = {span.marks[i] for i in range(len(span.marks) - keep, len(span.marks))} if keep else set()
        hidden = [m for m in span.marks if m not in shown]  # a doubled digit shares its word
        for u, w, lo, hi in hidden:
            edits.setdefault((u, w), {})[(lo, hi)] = MASK
    return edits


def _edited(text: str, changes: dict[tuple[int, int], str]) -> str:
    for (lo, hi), replacement in sorted(changes.items(), reverse=True):  # from the end: offsets stay valid
        text = text[:lo] + replacement + text[hi:]
    return text


def anonymise(utterances: Sequence, spans: Iterable[SensitiveSpan], *, agent_label: str = "Agent A",
              keep_card_digits: int = KEEP_CARD_DIGITS) -> list[Utterance]:
    """The utterances with the spans hidden: digits as "*", the agent's name as
    ``agent_label``. Words and times stay (a name spread over two words becomes the label
    in the first); each utterance's own text is edited in place where its words can be
    found in it, so an imported transcript keeps its punctuation."""
    edits = _edits(spans, agent_label, keep_card_digits)
    masked = []
    for u_index, utterance in enumerate(utterances):
        has_words = bool(utterance.words)
        words = _words_of(utterance)
        text = str(utterance.text or "")
        text_changes: dict[tuple[int, int], str] = {}
        cursor, found_all = 0, True
        new_words = []
        for w_index, word in enumerate(words):
            changes = edits.get((u_index, w_index), {})
            at = text.find(word.word, cursor) if has_words else 0
            new_text = _edited(word.word, changes)
            if at < 0:
                found_all = False
            elif new_text.strip() or not changes:
                text_changes.update({(lo + at, hi + at): r for (lo, hi), r in changes.items()})
            else:  # the word is gone (a name's second word): so is the space before it
                lo = at
                while lo > cursor and text[lo - 1].isspace():
                    lo -= 1
                text_changes[(lo, at + len(word.word))] = ""
            if at >= 0:
                cursor = at + len(word.word)
            if new_text.strip():
                new_words.append(Word(new_text, word.start, word.end, word.conf))
        if not has_words:
            new_text_value, new_words = (new_words[0].word if new_words else ""), []
        elif found_all:
            new_text_value = _edited(text, text_changes)
        else:
            new_text_value = join_words([w.word for w in new_words])
        masked.append(Utterance(utterance.speaker, new_words, given_text=new_text_value,
                                given_start=float(utterance.start), given_end=float(utterance.end)))
    return masked


@dataclass(frozen=True)
class Anonymised:
    utterances: list[Utterance]  # to write as the exported transcript
    spans: list[SensitiveSpan]  # what was hidden, in call order

    def audio_spans(self, *, names: bool = False) -> list[tuple[float, float]]:
        """(start, end) call times to beep or silence: the numbers, and the name if asked."""
        return [(s.start, s.end) for s in self.spans if names or s.kind != AGENT_NAME]


def anonymise_transcript(utterances: Sequence, *, agent_name: str | None = None, agent_label: str = "Agent A",
                         min_digits: int = MIN_DIGITS, keep_card_digits: int = KEEP_CARD_DIGITS) -> Anonymised:
    """The export's privacy option in one call: find numbers and the agent's name, hide them."""
    utterances = list(utterances)
    spans = find_sensitive_numbers(utterances, min_digits=min_digits) + find_agent_name(utterances, agent_name)
    spans.sort(key=lambda s: (s.start, s.end))
    return Anonymised(anonymise(utterances, spans, agent_label=agent_label, keep_card_digits=keep_card_digits), spans)
