"""A whole call's transcript as a file (TXT, SRT, WebVTT, JSON), anonymised if asked:
what the call view's "Export transcript" and `qa-desk export transcript` write.

Times are call times (the recording's own). Anonymised, the agent's name becomes a
label in the text and the metadata, numbers a caller reads out are masked, and the
recording's file name and the customer reference are left out of the heading and the
JSON: recorders often name files after the caller's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..durations import format_duration
from ..permissions import Actor
from ..privacy import anonymise_transcript
from ..store import audit
from ..store.calls import get_call
from ..store.transcripts import latest_transcript
from ..wording import translate
from .clip_files import words_for
from .transcript_files import (
    transcript_format, transcript_json, transcript_srt, transcript_txt, transcript_webvtt, write_transcript,
)


class CallTranscriptError(LookupError):
    """No such call, or a call without a transcript; the message says which."""


@dataclass(frozen=True)
class CallTranscript:
    utterances: list
    speaker_names: dict[str, str]
    heading: list[str]
    call: dict  # metadata for the JSON file
    hidden: int  # numbers masked


def call_transcript(db, call_id: int, *, anonymise: bool = False, language: str = "en") -> CallTranscript:
    """The call's newest transcript, ready to write."""
    words = words_for(language)
    with db.session() as session:
        call = get_call(session, call_id)
        if call is None:
            raise CallTranscriptError(translate("Exports", "call {0} does not exist (deleted?)").format(call_id))
        transcript = latest_transcript(session, call_id)
    if transcript is None:
        raise CallTranscriptError(translate(
            "Exports", "call {0} has no transcript yet (transcribe it, or attach a transcript file)").format(call_id))
    utterances, agent, hidden = list(transcript.utterances), call.agent, 0
    if anonymise:
        agent = words["agent_label"].format("A") if call.agent else None
        result = anonymise_transcript(utterances, agent_name=call.agent, agent_label=agent or "")
        utterances = result.utterances
        hidden = sum(1 for s in result.spans if s.kind != "agent_name")
    title = words["call_title"].format(call.id) + ("" if anonymise else f" · {call.file_name}")
    heading = [title]
    who = " · ".join(x for x in (agent, call.team) if x)
    if who:
        heading.append(who)
    when = [words["started"].format(call.started_at.strftime("%Y-%m-%d %H:%M:%S"))] if call.started_at else []
    heading.append(" · ".join(when + [format_duration(call.duration)]))
    meta = {"id": call.id, "agent": agent, "team": call.team,
            "started_at": call.started_at.isoformat(sep=" ") if call.started_at else None,
            "duration": round(call.duration, 3), "language": transcript.language, "anonymised": anonymise}
    if not anonymise:
        meta.update(file_name=call.file_name, agent_id=call.agent_external_id, customer=call.customer_ref)
    names = {"agent": words["agent"], "customer": words["customer"]}
    return CallTranscript(utterances, names, heading, meta, hidden)


def render(transcript: CallTranscript, format: str) -> str:
    """The transcript as text in ``format`` (txt, srt, vtt, json): for printing."""
    fmt = transcript_format("transcript", format)
    if fmt == "txt":
        return transcript_txt(transcript.utterances, speaker_names=transcript.speaker_names,
                              heading=transcript.heading)
    if fmt == "srt":
        return transcript_srt(transcript.utterances, speaker_names=transcript.speaker_names)
    if fmt == "vtt":
        return transcript_webvtt(transcript.utterances, speaker_names=transcript.speaker_names,
                                 note=transcript.heading)
    return transcript_json(transcript.utterances, call=transcript.call)


def export_call_transcript(db, call_id: int, path, *, format: str | None = None, anonymise: bool = False,
                           language: str = "en", actor: Actor | None = None) -> Path:
    """Write the call's transcript to ``path`` (format from ``format`` or the suffix),
    complete or not at all. CallTranscriptError / ValueError (a format) otherwise.

    A transcript carries what the customer said: an export by ``actor`` is in the audit
    log (which call, where to, whether anonymised), written once the file is in place."""
    fmt = transcript_format(path, format)
    transcript = call_transcript(db, call_id, anonymise=anonymise, language=language)
    written = write_transcript(path, transcript.utterances, format=fmt, speaker_names=transcript.speaker_names,
                               heading=transcript.heading, call=transcript.call)
    if actor is not None:
        with db.session() as session:
            audit.record(session, actor, "export.transcript", "export", None, None,
                         {"call": call_id, "path": str(written), "format": fmt, "anonymised": anonymise},
                         f"transcript of call {call_id}{' (anonymised)' if anonymise else ''} → {written.name}")
    return written


__all__ = ["CallTranscript", "CallTranscriptError", "call_transcript", "export_call_transcript", "render"]
