"""Words and utterances as QA Desk keeps them, whatever produced them.

An engine (Vosk) or an imported file (Vosk JSON, SRT, WebVTT) gives words with times;
this module cleans them and groups them into utterances, the unit the transcript pane
shows and the rulebook matches against.

Two facts about ASR output shape it:

* Engines emit tokens that are not words: ``[unk]``/``<unk>``, noise markers, bare
  punctuation, and model-specific tokens (the small Korean model emits ``[5]`` and
  ``-``). They carry no speech and would pollute search and rule matching.
* Chinese models emit space-separated words ("您好 请问 有 什么 可以 帮 您"). The
  words keep their own times; the stored utterance text joins CJK words without
  spaces, so a forbidden phrase spanning two ASR words still matches the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..store.transcripts import UtteranceRow

# Pause (seconds) between two words of one speaker that starts a new utterance.
# Conversational turns on a telephone have gaps of 0.3–1.2 s; 0.8 s keeps a
# sentence with a breath in it together and splits the speaker's separate turns.
UTTERANCE_PAUSE = 0.8
# A single speaker's monologue is still cut into readable pieces.
MAX_UTTERANCE_SECONDS = 30.0

_BRACKETED = re.compile(r"^[\[<(（【].*[\]>)）】]$")


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds from the start of the call
    end: float
    conf: float | None = None

    def as_json(self) -> dict:
        item = {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}
        if self.conf is not None:
            item["conf"] = round(self.conf, 4)
        return item


@dataclass
class Utterance:
    speaker: str  # "agent" | "customer" | "mixed"
    words: list[Word] = field(default_factory=list)
    # Text as given by a file that has no word times (SRT/WebVTT cues); else joined words.
    given_text: str | None = None
    given_start: float | None = None
    given_end: float | None = None

    @property
    def start(self) -> float:
        if self.given_start is not None:
            return self.given_start
        return self.words[0].start if self.words else 0.0

    @property
    def end(self) -> float:
        if self.given_end is not None:
            return self.given_end
        return max((w.end for w in self.words), default=self.start)

    @property
    def text(self) -> str:
        if self.given_text is not None:
            return self.given_text
        return join_words([w.word for w in self.words])


# The same ranges as is_cjk, for whole tokens at once (a flag's words, a transcript line).
_UNSPACED = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0002fa1f]+"
)


def _unspaced(token: str) -> bool:
    return _UNSPACED.fullmatch(token) is not None


def join_words(tokens: list[str]) -> str:
    """Join ASR tokens into display text: no space between two Chinese/Japanese tokens
    (their script has none), one space wherever a Latin or Korean token is involved."""
    joined = "".join(tokens)
    if _unspaced(joined) and all(tokens):  # a Chinese recogniser's words: the usual case
        return joined
    out: list[str] = []
    previous = ""
    for token in tokens:
        if out and not (_unspaced(previous) and _unspaced(token)):
            out.append(" ")
        out.append(token)
        previous = token
    return "".join(out)


def is_speech_token(token: str) -> bool:
    """False for tokens that carry no words: [unk], <unk>, [noise], [5], -, …"""
    token = token.strip()
    if not token:
        return False
    if _BRACKETED.match(token):
        return False
    # Bare punctuation or symbols ("-", "…", "，"): no letter, digit or ideograph.
    return any(unicodedata.category(c)[0] in "LN" for c in token)


def clean_word(raw: dict) -> Word | None:
    """A Word from one engine result item ({"word","start","end","conf"}), or None
    when it is a non-word or has no usable time."""
    token = str(raw.get("word") or "").strip()
    if not is_speech_token(token):
        return None
    try:
        start = float(raw["start"])
        end = float(raw.get("end", start))
    except (KeyError, TypeError, ValueError):
        return None
    if start != start or start < 0:  # NaN or negative
        return None
    if end != end or end < start:
        end = start
    conf = raw.get("conf")
    try:
        conf = None if conf is None else float(conf)
    except (TypeError, ValueError):
        conf = None
    return Word(token, start, end, conf)


def clean_words(items: list) -> list[Word]:
    """Speech words of a Vosk result's "result" list, in time order."""
    words = [w for w in (clean_word(i) for i in items if isinstance(i, dict)) if w]
    words.sort(key=lambda w: (w.start, w.end))
    return words


def group_utterances(
    speaker: str,
    words: list[Word],
    *,
    pause: float = UTTERANCE_PAUSE,
    max_seconds: float = MAX_UTTERANCE_SECONDS,
) -> list[Utterance]:
    """One speaker's words (time order) cut into utterances at pauses."""
    utterances: list[Utterance] = []
    current: list[Word] = []
    for word in words:
        if current and (
            word.start - current[-1].end >= pause or word.end - current[0].start > max_seconds
        ):
            utterances.append(Utterance(speaker, current))
            current = []
        current.append(word)
    if current:
        utterances.append(Utterance(speaker, current))
    return utterances


def in_call_order(utterances: list[Utterance]) -> list[Utterance]:
    """Both speakers' utterances interleaved by start time (agent first on a tie)."""
    order = {"agent": 0, "customer": 1}
    return sorted(utterances, key=lambda u: (u.start, order.get(u.speaker, 2), u.end))


def as_rows(utterances: list[Utterance]) -> list[UtteranceRow]:
    """The utterances in call order, as the store keeps them."""
    return [
        UtteranceRow(u.speaker, u.start, u.end, u.text, [w.as_json() for w in u.words])
        for u in in_call_order(utterances)
    ]
