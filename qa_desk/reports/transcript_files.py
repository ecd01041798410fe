"""A call's transcript, or a clip's excerpt of it, as files people and players read:
TXT, SRT, WebVTT and JSON.

Input is any sequence of utterances in call order: the store's ``UtteranceView`` or
the transcription's ``Utterance`` (both have speaker, start, end, text and words with
word/start/end/conf). Nothing here touches the database, the audio or Qt.

What each format is for, and the choices that follow from it:

* TXT is for reading and pasting into a coaching note: one line per utterance,
  ``[mm:ss] Agent: text`` (``[h:mm:ss]`` when the call passes an hour).
* SRT and WebVTT play along with the audio, so long utterances (a recogniser's
  utterance runs up to 30 s) are cut into cues a viewer can read in time, at word
  boundaries. Speakers are a leading label in SRT (``Agent: …``) and a voice in WebVTT
  (``<v Agent>…``); both are what ``transcription.formats`` reads back. A mono call's
  "mixed" utterances carry no label: nobody knows who spoke.
* JSON is for other tools: the utterances, and every word with its start, end,
  speaker and ``conf`` (Vosk's name for confidence, as the project stores it) in a
  Vosk-style ``result`` list, so a Vosk reader (ours included) takes it back.

An excerpt (a clip) keeps what is said inside the span, with times counted from the
span's start: the clip's own audio starts at 0, and so must its subtitles.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from ..text import is_cjk
from ..transcription.words import Utterance, Word, join_words
from ..wording import translate

TRANSCRIPT_FORMATS = ("txt", "srt", "vtt", "json")
_SUFFIXES = {".txt": "txt", ".srt": "srt", ".vtt": "vtt", ".webvtt": "vtt", ".json": "json"}
# Role labels when the caller gives none; the UI passes its translated ones (坐席/客户).
# Keep them to labels the transcript reader knows if the files are to be read back.
SPEAKER_NAMES = {"agent": "Agent", "customer": "Customer"}
JSON_FORMAT_NAME = "qa-desk transcript"

# Subtitle guidelines allow two lines of ~42 Latin characters on screen for ~7 s;
# a Chinese character is as wide as two Latin ones (two lines of 21 characters).
MAX_CUE_SECONDS = 7.0
MAX_CUE_WIDTH = 84


# --- utterances in, excerpts ---------------------------------------------------------------


def _words_of(utterance) -> list[Word]:
    return [Word(str(w.word), float(w.start), float(w.end), w.conf) for w in (utterance.words or ())]


def _one_paragraph(text: str) -> str:
    """Text on one line: a blank line would end an SRT/WebVTT cue early, and line breaks
    inside an imported cue are layout, not speech (joined as the reader joins words)."""
    return join_words(str(text or "").split())


def _plain(utterances: Iterable) -> list[Utterance]:
    """Any utterance shape as the transcription's Utterance, text and times as given."""
    return [
        Utterance(u.speaker or "mixed", _words_of(u), given_text=_one_paragraph(u.text),
                  given_start=float(u.start), given_end=max(float(u.end), float(u.start)))
        for u in utterances
    ]


def _said_within(start: float, end: float, span_start: float, span_end: float) -> bool:
    """Whether most of a word is heard in the span: its middle lies inside. A word the
    span's edge cuts in half appears in the excerpt only if the clip holds its middle."""
    middle = (start + end) / 2
    return span_start <= middle <= span_end


def transcript_excerpt(utterances: Iterable, start: float, end: float) -> list[Utterance]:
    """What is said in [start, end] of the call, timed from ``start`` (a clip's time 0).

    Words are kept when their middle is inside the span and clipped to its edges; an
    utterance keeps its own text when all its words are kept, else the kept words
    joined. An utterance without word times is kept whole when its middle is inside.
    """
    if end < start:
        raise ValueError(f"the span ends ({end:g} s) before it starts ({start:g} s)")

    def local(t: float) -> float:
        return round(min(max(t, start), end) - start, 3)

    excerpt = []
    for u in _plain(utterances):
        words = u.words
        if words:
            kept = [w for w in words if _said_within(w.start, w.end, start, end)]
            if not kept:
                continue
            if len(kept) == len(words):
                text, first, last = u.text, u.start, u.end
            else:
                text, first, last = join_words([w.word for w in kept]), kept[0].start, max(w.end for w in kept)
        elif _said_within(u.start, u.end, start, end):
            kept, text, first, last = [], u.text, u.start, u.end
        else:
            continue
        excerpt.append(Utterance(
            u.speaker, [Word(w.word, local(w.start), local(w.end), w.conf) for w in kept],
            given_text=text, given_start=local(first), given_end=local(last)))
    return excerpt


# --- time stamps and labels ----------------------------------------------------------------


def _stamp(seconds: float, decimal_mark: str) -> str:
    """hh:mm:ss,mmm (SRT) or hh:mm:ss.mmm (WebVTT)."""
    ms = int(round(max(0.0, seconds) * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{ms:03d}"


def _clock(seconds: float, with_hours: bool) -> str:
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    if with_hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{total // 60:02d}:{total % 60:02d}"


def _speaker_label(speaker: str, names: dict[str, str] | None) -> str | None:
    if speaker == "mixed":
        return None  # a mono call: no one knows who spoke
    return (names or SPEAKER_NAMES).get(speaker) or speaker or None


def _labelled(label: str | None, text: str) -> str:
    if not label:
        return text
    colon = "：" if is_cjk(label[-1]) else ": "  # 坐席：您好 reads as Chinese punctuation should
    return f"{label}{colon}{text}"


# --- cues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    speaker: str
    start: float
    end: float
    text: str


def _width(text: str) -> int:
    return sum(2 if is_cjk(c) else 1 for c in text)


def _cues(utterances: Sequence[Utterance]) -> list[_Cue]:
    """Utterances cut into readable cues at word boundaries. Only an utterance whose text
    is its words joined can be cut (an imported cue's own punctuation would be lost)."""
    cues = []
    for u in utterances:
        text = u.text.replace("-->", "->")  # an arrow in the text would read as a time line
        if not text:
            continue
        words = u.words
        if not words or join_words([w.word for w in words]) != u.text:
            cues.append(_Cue(u.speaker, u.start, u.end, text))
            continue
        chunks: list[list[Word]] = [[]]
        for word in words:
            current = chunks[-1]
            if current and (word.end - current[0].start > MAX_CUE_SECONDS
                            or _width(join_words([w.word for w in current + [word]])) > MAX_CUE_WIDTH):
                chunks.append(current := [])
            current.append(word)
        for index, chunk in enumerate(chunks):
            first = u.start if index == 0 else chunk[0].start
            last = u.end if index == len(chunks) - 1 else max(w.end for w in chunk)
            cue_text = text if len(chunks) == 1 else join_words([w.word for w in chunk]).replace("-->", "->")
            cues.append(_Cue(u.speaker, first, max(first, last), cue_text))
    return cues


# --- the four formats ------------------------------------------------------------------------


def transcript_txt(utterances: Iterable, *, speaker_names: dict[str, str] | None = None,
                   heading: Sequence[str] = ()) -> str:
    """Readable text: ``heading`` lines (call, agent, date… as the caller words them),
    a blank line, then ``[mm:ss] Agent: text`` per utterance."""
    plain = _plain(utterances)
    with_hours = any(u.start >= 3600 for u in plain)
    lines = [str(line) for line in heading]
    if lines:
        lines.append("")
    for u in plain:
        if u.text:
            label = _speaker_label(u.speaker, speaker_names)
            lines.append(f"[{_clock(u.start, with_hours)}] {_labelled(label, u.text)}")
    return "\n".join(lines) + "\n"


def transcript_srt(utterances: Iterable, *, speaker_names: dict[str, str] | None = None) -> str:
    """SubRip subtitles: numbered cues, ``hh:mm:ss,mmm`` times, a speaker label per cue."""
    blocks = []
    for number, cue in enumerate(_cues(_plain(utterances)), 1):
        label = _speaker_label(cue.speaker, speaker_names)
        blocks.append(f"{number}\n{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}\n{_labelled(label, cue.text)}\n")
    return "\n".join(blocks)


def _voice(label: str) -> str:
    return " ".join(label.replace(">", "").split())  # a voice name ends at '>' and at the line's end


def transcript_webvtt(utterances: Iterable, *, speaker_names: dict[str, str] | None = None,
                      note: Sequence[str] = ()) -> str:
    """WebVTT: ``note`` lines as a NOTE block (shown by no player), then one cue per piece
    with the speaker as a voice, ``<v Agent>text``; the text escaped as WebVTT requires."""
    parts = ["WEBVTT\n"]
    note_lines = [" ".join(str(line).replace("-->", "->").split()) for line in note]
    note_lines = [line for line in note_lines if line]
    if note_lines:
        parts.append("NOTE\n" + "\n".join(note_lines) + "\n")
    for cue in _cues(_plain(utterances)):
        label = _speaker_label(cue.speaker, speaker_names)
        text = html.escape(cue.text, quote=False)
        voice = f"<v {_voice(label)}>" if label and _voice(label) else ""
        parts.append(f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}\n{voice}{text}\n")
    return "\n".join(parts)


def _json_value(value):
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)  # tags: a stable order, so two exports compare equal
    raise TypeError(f"{type(value).__name__} is not JSON")


def transcript_json(utterances: Iterable, *, call: dict | None = None, clip: dict | None = None) -> str:
    """JSON for other tools: ``call`` (metadata as the caller gives it: id, file, agent
    or its anonymous label, started_at…), ``clip`` (an excerpt's span in call time),
    ``utterances`` (speaker, start, end, text) and ``result``: every word with start,
    end, conf and speaker in time order, in the shape Vosk writes."""
    plain = _plain(utterances)
    words = []
    for u in plain:
        for w in u.words:
            item = w.as_json()
            item["speaker"] = u.speaker
            words.append(item)
    words.sort(key=lambda item: (item["start"], item["end"]))
    data: dict = {"format": JSON_FORMAT_NAME, "version": 1}
    if call is not None:
        data["call"] = call
    if clip is not None:
        data["clip"] = clip
    data["utterances"] = [
        {"speaker": u.speaker, "start": round(u.start, 3), "end": round(u.end, 3), "text": u.text}
        for u in plain
    ]
    data["result"] = words
    data["text"] = join_words([u.text for u in plain if u.text])
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value) + "\n"


# --- files -----------------------------------------------------------------------------------


def transcript_format(path, format: str | None = None) -> str:
    """The format to write: ``format`` if given, else from the file's suffix."""
    name = (format or _SUFFIXES.get(Path(path).suffix.lower(), "")).lower().lstrip(".")
    name = "vtt" if name == "webvtt" else name
    if name not in TRANSCRIPT_FORMATS:
        wanted = format or Path(path).suffix or translate("Exports", "no suffix")
        raise ValueError(translate("Exports", "{name}: cannot write a transcript as '{format}' (use txt, srt, vtt "
                                              "or json)").format(name=Path(path).name, format=wanted))
    return name


def write_transcript(
    path,
    utterances: Iterable,
    *,
    format: str | None = None,
    span: tuple[float, float] | None = None,
    speaker_names: dict[str, str] | None = None,
    heading: Sequence[str] = (),
    call: dict | None = None,
) -> Path:
    """Write a transcript file (the whole call, or the excerpt of ``span`` in call time)
    and return its path. The file appears complete or not at all (written beside it,
    then renamed), so an export that fails never leaves half a file.

    TXT and SRT get a UTF-8 byte-order mark: older Windows players and editors read
    Chinese without one as GBK. WebVTT and JSON are UTF-8 without it, as their specs ask.
    """
    path = Path(path)
    fmt = transcript_format(path, format)
    if span is not None:
        utterances = transcript_excerpt(utterances, span[0], span[1])
    if fmt == "txt":
        text, bom = transcript_txt(utterances, speaker_names=speaker_names, heading=heading), True
    elif fmt == "srt":
        text, bom = transcript_srt(utterances, speaker_names=speaker_names), True
    elif fmt == "vtt":
        text, bom = transcript_webvtt(utterances, speaker_names=speaker_names, note=heading), False
    else:
        clip = None if span is None else {"start": round(span[0], 3), "end": round(span[1], 3)}
        text, bom = transcript_json(utterances, call=call, clip=clip), False
    write_text_atomically(path, text, bom=bom)
    return path


def write_text_atomically(path: Path, text: str, *, bom: bool = False) -> None:
    """``text`` as UTF-8 at ``path``, via a temporary file in the same folder and a rename."""
    path = Path(path)
    data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
