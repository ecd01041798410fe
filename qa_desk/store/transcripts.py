"""A call's transcript: read for the call view, replaced whole when (re)transcribed.

A call can be transcribed more than once (another engine, a better model); the call
view shows the newest. Words come from the engine as JSON and may be missing or
partly malformed (an older engine, a hand-made transcript): they are normalised
here, so the window never has to guard against a word without a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Transcript, Utterance


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float  # seconds from the start of the call
    end: float
    conf: float | None = None


@dataclass(frozen=True, slots=True)
class UtteranceView:
    speaker: str  # "agent" | "customer" | "mixed" | whatever the engine labelled
    start: float
    end: float
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class TranscriptView:
    id: int
    call_id: int
    engine: str
    model_name: str
    language: str
    created_at: datetime | None
    utterances: tuple[UtteranceView, ...]  # in time order

    def word_count(self) -> int:
        return sum(len(u.words) for u in self.utterances)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no time


def _words(raw: object) -> tuple[Word, ...]:
    """Well-formed words in time order; a word without usable times is dropped."""
    if not isinstance(raw, list):
        return ()
    words = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        text = str(item.get("word") or "").strip()
        w_start, w_end = _number(item.get("start")), _number(item.get("end"))
        if not text or w_start is None:
            continue
        if w_end is None or w_end < w_start:
            w_end = w_start
        words.append(Word(text, w_start, w_end, _number(item.get("conf"))))
    words.sort(key=lambda w: w.start)
    return tuple(words)


def latest_transcript(session: Session, call_id: int) -> TranscriptView | None:
    """The call's newest transcript with its utterances, or None when it has none."""
    transcript = session.execute(
        select(Transcript)
        .where(Transcript.call_id == call_id)
        .order_by(Transcript.created_at.desc(), Transcript.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if transcript is None:
        return None
    rows = session.execute(
        select(Utterance.speaker, Utterance.start, Utterance.end, Utterance.text, Utterance.words)
        .where(Utterance.transcript_id == transcript.id)
        .order_by(Utterance.start, Utterance.id)
    ).all()
    utterances = tuple(
        UtteranceView(
            speaker=speaker or "",
            start=float(start),
            end=max(float(end), float(start)),
            text=text or "",
            words=_words(words),
        )
        for speaker, start, end, text, words in rows
    )
    return TranscriptView(
        id=transcript.id,
        call_id=transcript.call_id,
        engine=transcript.engine,
        model_name=transcript.model_name,
        language=transcript.language,
        created_at=transcript.created_at,
        utterances=utterances,
    )


@dataclass(frozen=True)
class UtteranceRow:
    """One utterance to store: what a transcriber or a transcript file produced."""

    speaker: str
    start: float
    end: float
    text: str
    words: list  # [{"word", "start", "end", "conf"?}, ...]


def replace_transcript(
    session: Session,
    call_id: int,
    *,
    engine: str,
    model_name: str,
    language: str,
    utterances: list[UtteranceRow],
) -> int:
    """Store a complete transcript for a call in place of any it had; the new id.

    Runs inside the caller's transaction: the old transcript stays visible to every
    other reader until the caller commits, then the new one replaces it at once, so a
    failed or cancelled re-transcription never leaves a call with half a transcript
    or none.
    """
    from .models import Call

    old = session.execute(select(Transcript).where(Transcript.call_id == call_id)).scalars().all()
    for transcript in old:
        session.delete(transcript)
    transcript = Transcript(call_id=call_id, engine=engine, model_name=model_name, language=language)
    session.add(transcript)
    session.flush()
    session.add_all(
        Utterance(
            transcript_id=transcript.id,
            speaker=u.speaker,
            start=u.start,
            end=u.end,
            text=u.text,
            words=u.words,
        )
        for u in utterances
    )
    call = session.get(Call, call_id)
    if call is not None:
        call.transcript_status = "done"
    session.flush()
    return transcript.id
