"""Transcript files a recorder or another tool already made, read into utterances.

Three formats, the ones contact-centre recorders and ASR tools write:

* Vosk result JSON: one result object ``{"result": [{"word", "start", "end", "conf"}…],
  "text": …}``, a JSON list of them, or one result per line (JSON Lines, as streaming
  tools write; pretty-printed results one after another are read too). Vosk knows no
  speakers: a file holds ONE speaker's words (one file per channel); the caller says
  whose (``attach`` reads it from ``--speaker`` or the file name: ``call.agent.json``).
* SRT and WebVTT with speaker labels: WebVTT voices (``<v Agent>``), or a label leading
  the line (``Agent:``, ``坐席：``, ``Speaker 1:``, ``[Customer]``).

Whatever is wrong with a file is a ``TranscriptFileError`` naming the file, the line
(where there is one) and the reason; nothing here touches the database.
"""

from __future__ import annotations

import bisect
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..text import is_cjk
from ..wording import translate
from .words import Utterance, Word, clean_words, group_utterances, is_speech_token, join_words

VOSK_JSON, SRT, WEBVTT = "Vosk result JSON", "SRT file", "WebVTT file"
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".json")
ROLES = ("agent", "customer", "mixed")
# Recorders and subtitle tools round times: a cue this far past the end is still the call's.
END_SLACK = 2.0

AGENT_LABELS = frozenset({
    "agent", "operator", "rep", "representative", "csr", "advisor", "staff",
    "坐席", "客服", "员工", "坐席员", "话务员", "客服代表", "客服人员", "工作人员",
})
CUSTOMER_LABELS = frozenset({"customer", "caller", "client", "客户", "顾客", "用户", "来电人", "来电者"})
_NUMBERED = re.compile(r"^(?:speaker|spk|说话人|发言人|讲话人|角色)\s*[_#-]?\s*(\d{1,3})$")
_PYANNOTE = re.compile(r"^speaker_\d\d$")  # diarisation's SPEAKER_00, SPEAKER_01: counted from 0


class TranscriptFileError(Exception):
    """A transcript file that cannot be attached: which file, which line, and why."""

    def __init__(self, path, line: int | None, reason: str):
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(self.path, line, reason)

    def __str__(self) -> str:
        # "name: " leads in every language: the import report takes it off its Details column.
        if self.line:
            return translate("Errors", "{file}: line {line}: {problem}").format(
                file=self.path.name, line=self.line, problem=self.reason)
        return f"{self.path.name}: {self.reason}"


@dataclass
class ParsedTranscript:
    format: str  # VOSK_JSON, SRT or WEBVTT
    utterances: list[Utterance] = field(default_factory=list)


# --- reading the file --------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with a BOM, or GBK (Chinese Windows tools)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptFileError(path, None, translate("Errors", "cannot be read ({detail})").format(
            detail=exc.strerror or exc)) from None
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TranscriptFileError(path, None, translate(
            "Errors", "not a text file; a transcript is a WebVTT, SRT or Vosk result JSON file"))
    # UTF-16 only with its BOM; GB18030 is a superset of the GBK Chinese Windows tools write.
    encodings = ("utf-16",) if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    text = next((t for t in (_decoded(raw, e) for e in encodings) if t is not None), None)
    if text is None:
        raise TranscriptFileError(path, None, translate(
            "Errors", "the text is neither UTF-8 nor GBK; save it as UTF-8"))
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise TranscriptFileError(path, None, translate("Errors", "the file is empty"))
    return text


def _decoded(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def detect_format(path: Path, text: str) -> str:
    head = text.lstrip()
    suffix = Path(path).suffix.lower()
    if head.startswith("WEBVTT") or suffix == ".vtt":
        return WEBVTT
    if suffix == ".srt":
        return SRT
    if suffix in (".json", ".jsonl") or head[:1] in ("{", "["):
        return VOSK_JSON
    if "-->" in head:
        return SRT
    raise TranscriptFileError(path, None, translate(
        "Errors", "not a transcript file (expected WebVTT, SRT or Vosk result JSON)"))


def parse_transcript_file(
    path: Path,
    *,
    speaker: str | None = None,
    labels: dict[str, str] | None = None,
    duration: float | None = None,
) -> ParsedTranscript:
    """Utterances of a transcript file, in time order.

    ``speaker`` (agent, customer or mixed) is the speaker of every word of a Vosk
    file and of every cue without a label.
    ``labels`` maps a file's own labels to roles ({"Li Na": "agent"}); without it
    Speaker 1 is the agent and Speaker 2 the customer. ``duration`` is the call's
    length: a file with times well past it belongs to another call.
    """
    path = Path(path)
    text = read_text(path)
    fmt = detect_format(path, text)
    if speaker is not None and speaker not in ROLES:
        raise TranscriptFileError(path, None, translate(
            "Errors", "unknown speaker '{speaker}' (use agent or customer)").format(speaker=speaker))
    mapping = {}
    for label, who in (labels or {}).items():
        if who not in ROLES:
            raise TranscriptFileError(path, None, translate(
                "Errors", "label '{label}' mapped to '{who}'; use agent or customer").format(label=label, who=who))
        mapping[_label_key(label)] = who
    if fmt == VOSK_JSON:
        utterances = _vosk(path, text, speaker, duration)
    else:
        cues = _webvtt_cues(path, text, mapping) if fmt == WEBVTT else _srt_cues(path, text, mapping)
        utterances = _cue_utterances(path, cues, speaker, mapping, duration)
    return ParsedTranscript(fmt, utterances)


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _call_length(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def _word_after_the_call(word: str, at: float, duration: float) -> str:
    return translate(
        "Errors", "word '{word}' at {at} is after the end of the call ({length}); is this the transcript "
        "of another call?").format(word=word, at=_clock(at), length=_call_length(duration))


def _cue_after_the_call(at: float, duration: float) -> str:
    return translate(
        "Errors", "cue at {at} is after the end of the call ({length}); is this the transcript of another "
        "call?").format(at=_clock(at), length=_call_length(duration))


# --- Vosk result JSON --------------------------------------------------------------------


_SPACE = re.compile(r"\s*")


def _json_values(path: Path, text: str) -> list[tuple[int, object]]:
    """The file's results with the line each starts on: one object, a list of objects,
    JSON Lines, or pretty-printed objects one after another."""
    decoder, values = json.JSONDecoder(), []
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def value_at(pos: int) -> int:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise TranscriptFileError(path, exc.lineno, translate(
                "Errors", "not valid JSON ({detail}, column {column})").format(
                detail=exc.msg, column=exc.colno)) from None
        except RecursionError:
            raise TranscriptFileError(path, line_at(pos), translate(
                "Errors", "not a Vosk result (JSON nested too deeply)")) from None
        values.append((line_at(pos), value))
        return _SPACE.match(text, end).end()

    pos = _SPACE.match(text).end()
    if text.startswith("[", pos):
        pos = _SPACE.match(text, pos + 1).end()
        if text.startswith("]", pos):
            return []
        while True:
            pos = value_at(pos)
            if text.startswith(",", pos):
                pos = _SPACE.match(text, pos + 1).end()
            elif text.startswith("]", pos):
                pos = _SPACE.match(text, pos + 1).end()
                break
            else:
                raise TranscriptFileError(path, line_at(pos), translate(
                    "Errors", "not valid JSON (expected ',' or ']' in the list)"))
        if pos < len(text):
            raise TranscriptFileError(path, line_at(pos), translate(
                "Errors", "not valid JSON (more text after the list)"))
        return values
    while pos < len(text):
        pos = value_at(pos)
    return values


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _check_words(path: Path, line: int, items: object) -> list:
    if not isinstance(items, list):
        raise TranscriptFileError(path, line, translate("Errors", "'result' is not a list of words"))
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("word"), str):
            raise TranscriptFileError(path, line, translate(
                "Errors", "word {index} of the result is not {shape}").format(
                index=index, shape='{"word", "start", "end"}'))
        start, end = _number(item.get("start")), _number(item.get("end"))
        if start is None or end is None or start < 0:
            raise TranscriptFileError(path, line, translate(
                "Errors", "word {index} ('{word}') has no valid start and end time").format(
                index=index, word=item["word"]))
        if end < start:
            raise TranscriptFileError(path, line, translate(
                "Errors", "word {index} ('{word}') ends ({end} s) before it starts ({start} s)").format(
                index=index, word=item["word"], end=f"{end:g}", start=f"{start:g}"))
    return items


def _vosk(path: Path, text: str, speaker: str | None, duration: float | None) -> list[Utterance]:
    words: list[Word] = []
    for line, result in _json_values(path, text):
        if not isinstance(result, dict):
            raise TranscriptFileError(path, line, translate(
                "Errors", "expected a Vosk result object {shape}").format(shape='{"result": [...], "text": ...}'))
        if "alternatives" in result:
            raise TranscriptFileError(path, line, translate(
                "Errors", "a result with 'alternatives' (max_alternatives was set); only plain results "
                "with word times can be attached"))
        if "result" in result:
            found = clean_words(_check_words(path, line, result["result"]))
        elif "text" in result or "partial" in result:
            if str(result.get("text") or "").strip():
                raise TranscriptFileError(path, line, translate(
                    "Errors", "a result without word times (only 'text'): run Vosk with words on (SetWords(True))"))
            continue  # silence, or a streaming tool's partial result
        else:
            raise TranscriptFileError(path, line, translate(
                "Errors", "not a Vosk result (no 'result' list of words)"))
        for word in found:
            if duration is not None and word.start > duration + END_SLACK:
                raise TranscriptFileError(path, line, _word_after_the_call(word.word, word.start, duration))
        if duration is not None:
            found = [w if w.end <= duration else Word(w.word, w.start, max(w.start, duration), w.conf) for w in found]
        words.extend(found)
    if speaker is None:
        raise TranscriptFileError(path, None, translate(
            "Errors", "a Vosk result has no speaker: name the file <recording>.agent.json or "
            "<recording>.customer.json (or .left/.right), or use --speaker"))
    words.sort(key=lambda w: (w.start, w.end))
    return group_utterances(speaker, words)


# --- SRT and WebVTT ----------------------------------------------------------------------


@dataclass
class _Segment:
    line: int
    label: str | None  # as written in the file
    kind: str | None  # "voice" (<v …>), "colon" (Agent:), "bracket" ([Agent]) or None
    text: str  # without the label
    raw: str = ""  # with it, as written (a "label" that is no speaker is just words)


@dataclass
class _Cue:
    line: int  # of its time line
    start: float
    end: float
    segments: list[_Segment]


_TIME = re.compile(r"^(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)(?:[,.](\d{1,3}))?$")
_ARROW = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # HTML-ish tags, WebVTT timestamps, ASS overrides ({\an8})
_COLON_LABEL = re.compile(r"^\s*(?:[-–—]\s*)?([^\W\d_][^:：]{0,23}?)\s*[:：]\s*(.*)$", re.DOTALL)
_BRACKET_LABEL = re.compile(r"^\s*(?:[-–—]\s*)?[\[【(（]\s*([^\]】)）]{1,24}?)\s*[\]】)）]\s*[:：]?\s*(.*)$", re.DOTALL)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its number."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            current.append((number, line.rstrip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _seconds(path: Path, line: int, stamp: str, expected: str) -> float:
    match = _TIME.match(stamp)
    if not match:
        raise TranscriptFileError(path, line, translate("Errors", "bad timestamp '{stamp}' (expected {expected})"
                                                        ).format(stamp=stamp, expected=expected))
    hours, minutes, seconds, fraction = match.groups()
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def _times(path: Path, line: int, text: str, expected: str) -> tuple[float, float]:
    match = _ARROW.match(text)
    if not match:
        raise TranscriptFileError(path, line, translate(
            "Errors", "bad cue time line '{text}' (expected start --> end)").format(text=text.strip()))
    start = _seconds(path, line, match.group(1), expected)
    end = _seconds(path, line, match.group(2), expected)
    if end < start:
        raise TranscriptFileError(path, line, translate(
            "Errors", "the cue ends ({end}) before it starts ({start})").format(
            end=match.group(2), start=match.group(1)))
    return start, end


def _webvtt_cues(path: Path, text: str, mapping: dict[str, str]) -> list[_Cue]:
    blocks = _blocks(text)
    first = blocks[0][0][1].strip() if blocks else ""
    if not (first.startswith("WEBVTT") and first[6:7] in ("", " ", "\t")):
        raise TranscriptFileError(path, blocks[0][0][0] if blocks else 1, translate(
            "Errors", "a WebVTT file starts with 'WEBVTT'"))
    timed_header = next((number for number, line in blocks[0] if "-->" in line), None)
    if timed_header:
        raise TranscriptFileError(path, timed_header, translate(
            "Errors", "a blank line must separate the WEBVTT header from the cues"))
    # NOTE, STYLE and REGION blocks: comments, CSS and regions, no speech in them.
    cues = [b for b in blocks[1:] if "-->" in b[0][1] or not re.match(r"(NOTE|STYLE|REGION)(\s|$)", b[0][1])]
    return _cues(path, cues, mapping, translate("Errors", "hh:mm:ss.ttt or mm:ss.ttt"),
                 translate("Errors", "a cue time line 'start --> end'"))


def _srt_cues(path: Path, text: str, mapping: dict[str, str]) -> list[_Cue]:
    return _cues(path, _blocks(text), mapping, "hh:mm:ss,mmm",
                 translate("Errors", "a cue number and a time line '00:00:01,000 --> 00:00:02,500'"))


def _cues(path: Path, blocks: list, mapping: dict[str, str], time_format: str, expected: str) -> list[_Cue]:
    cues = []
    for block in blocks:
        # The time line comes first, or after a cue number / identifier (optional in both).
        timed = 0 if "-->" in block[0][1] else 1
        if timed >= len(block) or "-->" not in block[timed][1]:
            raise TranscriptFileError(path, block[0][0], translate("Errors", "expected {expected}").format(
                expected=expected))
        number, line = block[timed]
        start, end = _times(path, number, line, time_format)
        cues.append(_Cue(number, start, end, _segments(block[timed + 1:], mapping)))
    return cues


def _clean(text: str) -> str:
    return html.unescape(_TAG.sub("", text)).strip()


def _segments(lines: list[tuple[int, str]], mapping: dict[str, str]) -> list[_Segment]:
    """A cue's text cut where a speaker label starts (a cue may hold a short exchange)."""
    segments: list[_Segment] = []

    def add_text(number: int, text: str) -> None:
        text = _clean(text)
        if not text:
            return
        found = _BRACKET_LABEL.match(text)
        if found and any(_role_of(found.group(1), mapping, zero_based=z) for z in (False, True)):
            segments.append(_Segment(number, found.group(1).strip(), "bracket", found.group(2).strip(), text))
            return
        found = _COLON_LABEL.match(text)
        if found:
            segments.append(_Segment(number, found.group(1).strip(), "colon", found.group(2).strip(), text))
        elif segments:
            segments[-1].text += "\n" + text
        else:
            segments.append(_Segment(number, None, None, text))

    for number, line in lines:
        pieces = _VOICE.split(line)  # [before, voice, text, voice, text, …]
        add_text(number, pieces[0])
        for index in range(1, len(pieces), 2):
            voice = (pieces[index] or "").strip() or None
            segments.append(_Segment(number, voice, "voice" if voice else None, _clean(pieces[index + 1])))
    return segments


def _label_key(label: str) -> str:
    return " ".join(label.casefold().split())


def _role_of(label: str, mapping: dict[str, str], *, zero_based: bool) -> str | None:
    key = _label_key(label)
    if key in mapping:
        return mapping[key]
    for roles, who in ((AGENT_LABELS, "agent"), (CUSTOMER_LABELS, "customer")):
        if key in roles or key.split(" ")[0] in roles:  # "Agent Sarah", "customer 2"
            return who
        # 坐席1023, 客服 A: a role word with a number or a Latin name after it.
        if any(key.startswith(r) and is_cjk(r[0]) and not is_cjk(key[len(r):len(r) + 1] or "a") for r in roles):
            return who
    numbered = _NUMBERED.match(key)
    if numbered:
        ordinal = int(numbered.group(1)) + (1 if zero_based or _PYANNOTE.match(key) else 0)
        return {1: "agent", 2: "customer"}.get(ordinal)
    return None


def _weight(text: str) -> int:
    """How long a piece of text takes to say, in letters/digits (at least 1)."""
    return max(1, sum(1 for ch in text if unicodedata.category(ch)[0] in "LN"))


def _display_text(text: str) -> str:
    return join_words(text.split())


def _cue_utterances(
    path: Path, cues: list[_Cue], default: str | None, mapping: dict[str, str], duration: float | None
) -> list[Utterance]:
    labels = [_label_key(s.label) for cue in cues for s in cue.segments if s.label]
    zero_based = any((m := _NUMBERED.match(key)) and int(m.group(1)) == 0 for key in labels)
    utterances: list[Utterance] = []
    for cue in cues:
        start, end = cue.start, cue.end
        if duration is not None:
            if start > duration + END_SLACK:
                raise TranscriptFileError(path, cue.line, _cue_after_the_call(start, duration))
            # Subtitle tools keep the last cue on screen a little longer than the call.
            start, end = min(start, duration), min(end, duration)
        spoken: list[tuple[str, str]] = []  # (speaker, text) in the order said
        for segment in cue.segments:
            who = _role_of(segment.label, mapping, zero_based=zero_based) if segment.label else None
            text = segment.text
            if segment.label and who is None:
                if segment.kind == "colon" and (spoken or default):
                    text = segment.raw  # "Note: …" is words, not a speaker
                else:
                    raise TranscriptFileError(path, segment.line, translate(
                        "Errors", "unknown speaker label '{label}' (use Agent/Customer, 坐席/客户 or Speaker 1/2, "
                        "map the label, or use --speaker)").format(label=segment.label))
            if who is None:
                if spoken and segment.kind == "colon":
                    spoken[-1] = (spoken[-1][0], spoken[-1][1] + "\n" + text)
                    continue
                if default is None:
                    raise TranscriptFileError(path, segment.line, translate(
                        "Errors", "no speaker label; start the line with Agent: or Customer:, or use --speaker"))
                who = default
            if _clean(text):
                spoken.append((who, text))
        # Several speakers in one cue: the cue's time is shared in proportion to their text.
        total = sum(_weight(text) for _, text in spoken)
        at = start
        for who, text in spoken:
            span = (end - start) * _weight(text) / total
            utterances.append(_cue_utterance(who, _display_text(text), at, at + span))
            at += span
    if not utterances:
        raise TranscriptFileError(path, None, translate("Errors", "no cues with text in the file"))
    utterances.sort(key=lambda u: (u.start, u.end))
    return utterances


def _tokens(text: str) -> list[str]:
    """Spoken tokens of a line: Latin words at spaces, Chinese/Japanese per character;
    punctuation stays with the token before it (after it at the start of a word)."""
    tokens: list[str] = []
    for chunk in text.split():
        prefix, current, kind = "", "", None
        for ch in chunk:
            if unicodedata.category(ch)[0] not in "LN":
                if current:
                    current += ch
                else:
                    prefix += ch
                continue
            this = "cjk" if is_cjk(ch) else "latin"
            if current and (this == "cjk" or kind == "cjk"):
                tokens.append(current)
                current = ""
            current, prefix, kind = prefix + current + ch, "", this
        if current:
            tokens.append(current)
        elif prefix and tokens:
            tokens[-1] += " " + prefix  # a dash or "&" between words
    return [t for t in tokens if is_speech_token(t)]


def _cue_utterance(speaker: str, text: str, start: float, end: float) -> Utterance:
    """A cue as an utterance. Cues have no word times; so that the transcript pane can
    still light up the word being heard, the words (split at spaces for Latin text,
    per character for Chinese) are spread over the cue in proportion to their length.
    These times are estimates (no conf); the cue's own text and times are kept as given."""
    tokens = _tokens(text)
    total = sum(_weight(t) for t in tokens)
    words, at = [], start
    for token in tokens:
        span = (end - start) * _weight(token) / total
        words.append(Word(token, round(at, 3), round(min(at + span, end), 3)))
        at += span
    return Utterance(speaker, words, given_text=text, given_start=start, given_end=end)
