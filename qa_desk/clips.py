"""Making and re-cutting clips: a span of a call becomes a clip with its own audio and words.

The trainer's span (a waveform selection, a flag's start and end, a range of
transcript lines) is snapped to word boundaries when the call has a transcript, so a
clip never starts or ends in the middle of a word, then widened by an optional short
pre/post-roll (a breath of context). The audio is cut from the recording and kept as
FLAC in the database with the transcript lines the clip's audio covers; from then on
the clip needs neither the recording nor the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from .audio.clip_audio import ClipAudio, ClipAudioError, clip_bounds, cut_clip, decode_flac, encode_flac, snap_to_words
from .audio.decode import DecodeError
from .permissions import Actor
from .store import clips as store
from .store.calls import get_call
from .store.clips import ClipAudioData, ClipDetails, ClipError, ClipView
from .store.database import Database
from .store.users import check
from .store.transcripts import UtteranceView, Word, latest_transcript
from .wording import translate

MAX_ROLL = 5.0  # seconds: a pre/post-roll is a breath of context, not another clip
MAX_CLIP = 15 * 60.0  # a teaching moment, not a whole call


@dataclass(frozen=True)
class ClipSpan:
    """Where a clip would start and end (call seconds) and what its audio covers."""

    start: float
    end: float
    audio_start: float  # start minus the pre-roll, clamped to the call
    audio_end: float


def _words(utterances) -> list[Word]:
    return [w for u in utterances for w in u.words]


def plan_span(duration: float, utterances, start: float, end: float, *, snap: bool = True,
              pre_roll: float = 0.0, post_roll: float = 0.0) -> ClipSpan:
    """The clip a span makes: snapped to the words it touches (when there are words and
    ``snap``), clamped to the call, with the rolls around it for the audio."""
    if not 0 <= pre_roll <= MAX_ROLL or not 0 <= post_roll <= MAX_ROLL:
        raise ClipError(translate("Errors", "pre- and post-roll are between 0 and {max} seconds").format(
            max=f"{MAX_ROLL:g}"))
    start, end = sorted((start, end))
    words = _words(utterances) if snap else []
    start, end = snap_to_words(start, end, words, duration=duration) if words else clip_bounds(start, end, duration)
    if end - start <= 0:
        raise ClipError(translate(
            "Errors", "a clip needs a span of the call, not {start}-{end} s; select a stretch of the call").format(
            start=f"{start:.2f}", end=f"{end:.2f}"))
    if end - start > MAX_CLIP:
        raise ClipError(translate(
            "Errors", "a clip is at most {max} minutes; this span is {length}. Select a shorter span").format(
            max=f"{MAX_CLIP / 60:g}", length=f"{(end - start) / 60:.1f}"))
    audio_start, audio_end = clip_bounds(start, end, duration, pre_roll=pre_roll, post_roll=post_roll)
    return ClipSpan(start, end, audio_start, audio_end)


def _line(u: UtteranceView) -> dict:
    return {
        "speaker": u.speaker, "start": u.start, "end": u.end, "text": u.text,
        "words": [{"word": w.word, "start": w.start, "end": w.end, "conf": w.conf} for w in u.words],
    }


def covered_lines(utterances, start: float, end: float) -> list[dict]:
    """The transcript lines that overlap the clip's audio, whole (exports trim them to the span)."""
    return [_line(u) for u in utterances if u.end > start and u.start < end]


def excerpt_utterances(clip: ClipView) -> list[UtteranceView]:
    """A clip's stored lines back in the store's transcript shape (for exports and display)."""
    return [
        UtteranceView(line["speaker"], float(line["start"]), float(line["end"]), line.get("text", ""),
                      tuple(Word(w["word"], float(w["start"]), float(w["end"]), w.get("conf"))
                            for w in line.get("words", ())))
        for line in clip.excerpt
    ]


def cut_span_audio(file_path: str, span: ClipSpan) -> ClipAudioData:
    """The span's audio (with its rolls) from the recording, as the FLAC copy a clip keeps."""
    try:
        audio = cut_clip(file_path, span.audio_start, span.audio_end)
    except (DecodeError, ClipAudioError, OSError) as exc:
        raise ClipError(translate("Errors", "the recording cannot be read to cut the clip: {problem}").format(
            problem=exc)) from None
    return ClipAudioData(encode_flac(audio), "flac", audio.sample_rate, audio.channels, audio.start)


def _call_and_lines(db: Database, call_id: int):
    with db.session() as session:
        call = get_call(session, call_id)
        if call is None:
            raise ClipError(translate("Errors", "call {id} does not exist (deleted?)").format(id=call_id))
        transcript = latest_transcript(session, call_id)
    return call, (transcript.utterances if transcript else ())


def save_clip(db: Database, call_id: int, start: float, end: float, details: ClipDetails, *,
              by: Actor | str | None = None, actor: Actor | None = None, snap: bool = True, pre_roll: float = 0.0,
              post_roll: float = 0.0) -> ClipView:
    """Cut the span from the call's recording and keep it as a clip."""
    with db.session() as session:  # refused before the recording is decoded
        actor = check(session, actor or by, "clip.manage")
    call, utterances = _call_and_lines(db, call_id)
    span = plan_span(call.duration, utterances, start, end, snap=snap, pre_roll=pre_roll, post_roll=post_roll)
    audio = cut_span_audio(call.file_path, span)  # outside the transaction: decoding can take a moment
    with db.session() as session:
        return store.add_clip(session, call_id, span.start, span.end, details, audio=audio,
                              excerpt=covered_lines(utterances, span.audio_start, span.audio_end), actor=actor)


def adjust_clip(db: Database, clip_id: int, start: float, end: float, *, snap: bool = True,
                pre_roll: float = 0.0, post_roll: float = 0.0, actor: Actor | str | None = None) -> ClipView:
    """New start and end for a clip (its handles were dragged): cut again from the call."""
    with db.session() as session:
        actor = check(session, actor, "clip.manage")
    with db.session() as session:
        clip = store.get_clip(session, clip_id)
    if clip.call_id is None:
        raise ClipError(translate(
            "Errors", "clip {id}: its call was deleted, so it can no longer be moved or widened "
            "(re-import the recording to move it again)").format(id=clip_id))
    call, utterances = _call_and_lines(db, clip.call_id)
    span = plan_span(call.duration, utterances, start, end, snap=snap, pre_roll=pre_roll, post_roll=post_roll)
    audio = cut_span_audio(call.file_path, span)
    with db.session() as session:
        return store.move_clip(session, clip_id, span.start, span.end, audio=audio,
                               excerpt=covered_lines(utterances, span.audio_start, span.audio_end), actor=actor)


def clip_sound(db: Database, clip_id: int) -> ClipAudio:
    """The clip's own audio (call times), for playing and exporting."""
    with db.session() as session:
        stored = store.clip_audio(session, clip_id)
    if stored is None:
        raise ClipError(translate(
            "Errors", "clip {id} has no audio of its own; save it again from its call").format(id=clip_id))
    return decode_flac(stored.data, stored.offset)


__all__ = [
    "ClipSpan", "MAX_CLIP", "MAX_ROLL", "adjust_clip", "clip_sound", "covered_lines", "cut_span_audio",
    "excerpt_utterances",
    "plan_span", "save_clip",
]
