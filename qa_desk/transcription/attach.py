"""Attaching transcripts that already exist to calls, instead of transcribing them.

Centres whose recorder already transcribes write the result beside the recording:
``call.vtt`` / ``call.srt`` / ``call.json`` with both speakers, or one file per channel
(``call.agent.json`` + ``call.customer.json``, or ``.left`` / ``.right``). The importer
picks these up (``SidecarFinder``); ``qa-desk transcript import`` attaches any file later.

A call's files are read and checked completely before anything is written, and the
transcript is stored in one transaction: a refused file leaves the call as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.calls import get_call
from ..store.database import Database
from ..store.models import Call, Transcript
from ..store.transcripts import replace_transcript
from ..text import is_cjk
from ..wording import translate
from .formats import ROLES, TRANSCRIPT_SUFFIXES, TranscriptFileError, parse_transcript_file
from .words import Utterance, as_rows

__all__ = [
    "ENGINE",
    "CallNotFound",
    "SidecarFinder",
    "TranscriptFileError",
    "attach_transcript_files",
    "calls_with_transcripts",
    "find_transcript_sidecars",
    "guess_language",
    "parse_transcript_files",
    "resolve_speaker",
    "speaker_from_file_name",
]

ENGINE = "imported"  # Transcript.engine of a transcript read from a file
# Whose a file is (--speaker, or the file name): a role, or a channel of the call.
SPEAKER_HINTS = ("agent", "customer", "left", "right")
# One file per speaker: word times (Vosk) beat cue times. Both speakers in one file:
# WebVTT (voices are part of the format) before SRT before JSON.
_PER_SPEAKER_ORDER = (".json", ".vtt", ".srt")
_COMBINED_ORDER = (".vtt", ".srt", ".json")


class CallNotFound(LookupError):
    """No call with this id (deleted, or another database)."""


def guess_language(utterances: list[Utterance]) -> str:
    """'zh' when most of what was said is Chinese, else 'en' (no setting needed).

    A Chinese character is about a syllable; an English word of five letters about
    one and a half: Latin letters count a third each, so an English brand name in a
    Chinese call does not make it English."""
    cjk = other = 0
    for utterance in utterances:
        for ch in utterance.text:
            if ch.isalpha():
                if is_cjk(ch):
                    cjk += 1
                else:
                    other += 1
    return "zh" if cjk > other / 3 else "en"


def speaker_from_file_name(path: Path) -> str | None:
    """'call.agent.json' → 'agent'; 'call.left.srt' → 'left'; 'call.vtt' → None."""
    parts = Path(path).name.casefold().split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in SPEAKER_HINTS else None


def resolve_speaker(path: Path, hint: str | None, channel_map: dict | None) -> str | None:
    """A speaker hint as a role: left and right go through the call's channel map."""
    if hint is None:
        return None
    hint = hint.strip().lower()
    if hint in ROLES:
        return hint
    if hint not in ("left", "right"):
        raise TranscriptFileError(path, None, translate(
            "Errors", "unknown speaker '{speaker}' (use agent, customer, left or right)").format(speaker=hint))
    who = {str(k): str(v) for k, v in (channel_map or {}).items()}.get("0" if hint == "left" else "1")
    if who not in ROLES:
        if hint == "left":
            problem = translate("Errors", "the call has no left channel; name the speaker agent or customer")
        else:
            problem = translate("Errors", "the call has no right channel; name the speaker agent or customer")
        raise TranscriptFileError(path, None, problem)
    return who


def parse_transcript_files(
    files: list[tuple[Path, str | None]],
    *,
    duration: float | None,
    channel_map: dict | None,
    labels: dict[str, str] | None = None,
) -> tuple[list[Utterance], str, str]:
    """All files' utterances, the model name (the formats) and the language.

    Each speaker comes from one file: two files that both have agent lines are
    refused rather than merged into a transcript that says everything twice. On a
    mono call a cue without a label, or a Vosk file without a speaker, is the one
    'mixed' lane.
    """
    if not files:
        raise ValueError("no transcript files given")
    mono = bool(channel_map) and all(str(v) == "mixed" for v in channel_map.values())
    utterances: list[Utterance] = []
    formats: list[str] = []
    owners: dict[str, Path] = {}
    for path, speaker in files:
        path = Path(path)
        hint = speaker or speaker_from_file_name(path) or ("mixed" if mono else None)
        role = resolve_speaker(path, hint, channel_map)
        parsed = parse_transcript_file(path, speaker=role, labels=labels, duration=duration)
        speakers = sorted({u.speaker for u in parsed.utterances})
        for who in speakers:
            if who in owners:
                raise TranscriptFileError(path, None, _lines_twice(who).format(other=owners[who].name))
        owners.update((who, path) for who in speakers)
        if parsed.format not in formats:
            formats.append(parsed.format)
        utterances.extend(parsed.utterances)
    if not utterances:
        first = Path(files[0][0])
        raise TranscriptFileError(first, None, translate("Errors", "no words in the file") if len(files) == 1
                                  else translate("Errors", "no words in any of the files"))
    return utterances, " + ".join(formats), guess_language(utterances)


def _lines_twice(who: str) -> str:
    """The sentence for a speaker found in two files; ``{other}`` is the first file."""
    if who == "agent":
        return translate("Errors", "{other} has the agent's lines too; attach one file per speaker")
    if who == "customer":
        return translate("Errors", "{other} has the customer's lines too; attach one file per speaker")
    return translate("Errors", "{other} has the call's lines too; attach one file per speaker")


def attach_transcript_files(
    db: Database,
    call_id: int,
    files: list[tuple[Path, str | None]],
    *,
    labels: dict[str, str] | None = None,
) -> int:
    """Read the files (one per channel, or one with both speakers) and store them as the
    call's transcript in place of any it had; the new transcript's id.

    ``files`` pairs each file with its speaker (agent, customer, left, right) or None
    (labels in the file, or the file name says). Raises TranscriptFileError for a file
    that cannot be used and CallNotFound; either way nothing is stored.
    """
    with db.session() as session:
        call = get_call(session, call_id)
    if call is None:
        raise CallNotFound(translate("Errors", "call {id} does not exist (deleted?)").format(id=call_id))
    utterances, model_name, language = parse_transcript_files(
        files, duration=call.duration, channel_map=call.channel_map, labels=labels
    )
    with db.session() as session:
        if session.get(Call, call_id) is None:  # deleted while the files were read
            raise CallNotFound(translate("Errors", "call {id} does not exist (deleted?)").format(id=call_id))
        return replace_transcript(
            session, call_id, engine=ENGINE, model_name=model_name, language=language,
            utterances=as_rows(utterances),
        )


def calls_with_transcripts(session: Session, call_ids: list[int]) -> set[int]:
    """Which of these calls already have a transcript."""
    ids, found = list(call_ids), set()
    for start in range(0, len(ids), 500):  # under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        found.update(session.execute(select(Transcript.call_id).where(Transcript.call_id.in_(chunk))).scalars())
    return found


class SidecarFinder:
    """Transcript files beside recordings, each folder listed once: a share holding
    10,000 recordings costs one listing, not a dozen look-ups per recording."""

    def __init__(self) -> None:
        # folder → recording stem (case-folded) → [(file name, speaker hint, suffix)]
        self._folders: dict[Path, dict[str, list[tuple[str, str | None, str]]]] = {}

    def _index(self, folder: Path) -> dict[str, list[tuple[str, str | None, str]]]:
        index = self._folders.get(folder)
        if index is not None:
            return index
        index = {}
        try:
            names = [entry.name for entry in os.scandir(folder) if entry.is_file()]
        except OSError:
            names = []
        for name in names:
            lower = name.casefold()
            suffix = next((s for s in TRANSCRIPT_SUFFIXES if lower.endswith(s)), None)
            if suffix is None or name.startswith("."):
                continue
            stem, role = lower[: -len(suffix)], None
            head, dot, tail = stem.rpartition(".")
            if dot and tail in SPEAKER_HINTS:
                stem, role = head, tail
            index.setdefault(stem, []).append((name, role, suffix))
        self._folders[folder] = index
        return index

    def _entries(self, recording: Path) -> list[tuple[str, str | None, str]]:
        return sorted(self._index(recording.parent).get(recording.stem.casefold(), []), key=lambda e: e[0])

    def candidates(self, recording: Path) -> list[Path]:
        """Every transcript file named after the recording (used or not)."""
        recording = Path(recording)
        return [recording.parent / name for name, _, _ in self._entries(recording)]

    def chosen(self, recording: Path) -> list[tuple[Path, str | None]]:
        """The files to attach: one per speaker when there are such, else the one file
        with both speakers (by format preference)."""
        recording = Path(recording)
        entries = self._entries(recording)
        per_speaker: dict[str, tuple[int, str]] = {}
        for name, role, suffix in entries:
            if role and (role not in per_speaker or _PER_SPEAKER_ORDER.index(suffix) < per_speaker[role][0]):
                per_speaker[role] = (_PER_SPEAKER_ORDER.index(suffix), name)
        if per_speaker:
            return [(recording.parent / name, role) for role, (_, name) in sorted(per_speaker.items())]
        combined = sorted((_COMBINED_ORDER.index(suffix), name) for name, role, suffix in entries)
        return [(recording.parent / combined[0][1], None)] if combined else []


def find_transcript_sidecars(recording: Path) -> list[tuple[Path, str | None]]:
    """The transcript files to attach to a recording, found beside it: ``name.vtt``,
    ``name.srt``, ``name.json`` (both speakers), or ``name.agent.json`` +
    ``name.customer.json`` (also ``.left``/``.right``, and as .vtt/.srt) one per speaker."""
    return SidecarFinder().chosen(Path(recording))
