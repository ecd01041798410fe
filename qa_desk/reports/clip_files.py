"""One clip as the files an export holds: its audio, and its transcript excerpt as TXT
and SRT, anonymised unless the trainer says otherwise.

Time 0 of every file is the first sample of the exported audio: the stored clip
audio, pre-roll included. A trainer plays the WAV and reads the SRT beside it, so the
subtitles must follow the file, not the call or the clip's nominal start.

Anonymising runs the privacy rules on the clip's stored lines, which are whole lines
overlapping the clip: a card number read across the clip's start is still a card
number, and its part inside the clip is masked and beeped. The agent's name becomes a
label ("Agent A") in the transcript and in everything the trainer typed (title, notes,
tags, playlist notes): trainers write "李娜 handles a refund" without thinking of it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from ..audio.clip_audio import ClipAudio, hide_spans, write_clip
from ..clips import clip_sound, excerpt_utterances
from ..privacy import anonymise, anonymise_transcript, find_agent_name
from ..store.clips import ClipView
from ..transcription.words import Utterance, Word
from .transcript_files import transcript_excerpt, write_transcript

# Words a reader sees in the files and the index, English and Simplified Chinese. Each
# export names its language (the window passes its own, `--language` may choose
# another), and Qt's translator only holds the interface's: so the two languages are
# here rather than looked up through ``wording.translate`` (what the scorecard export
# does), and a Chinese index can be written from an English desktop.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "agent_label": "Agent {}", "agent": "Agent", "customer": "Customer",
        "good": "Good example", "needs_improvement": "Needs improvement", "other": "Other",
        "clip_of_call": "Clip of the call of {date}, {start}–{end} in the call",
        "clip_of_call_undated": "Clip {start}–{end} of the call",
        "times_note": "Times are from the start of this clip's audio file.",
        "anonymised": "Anonymised: agent names replaced by labels, card, phone and ID numbers masked "
                      "in the transcripts and hidden in the audio.",
        "notes": "Notes", "entry_notes": "Note for this playlist", "transcript": "Transcript",
        "no_transcript": "No transcript.", "clips": "{} clips", "one_clip": "1 clip",
        "exported": "Exported {date}", "by": "by {}", "made_with": "Exported from QA Desk", "seconds": "{} s",
        "call_title": "Call {}", "started": "Started {}", "selected_clips": "Clips",
        # the workbook's columns and its second sheet
        "sheet_clips": "Clips", "sheet_playlist": "Playlist",
        "number": "No.", "title": "Title", "kind": "Kind", "tags": "Tags", "team": "Team",
        "call_date": "Call date", "start_in_call": "Start in call", "duration": "Duration (s)",
        "hidden": "Numbers hidden", "audio": "Audio file", "txt": "Transcript file", "text": "Transcript text",
        "name": "Name", "author": "Author", "exported_at": "Exported at", "anonymised_short": "Anonymised",
        "clip_count": "Clips", "yes": "yes", "no": "no",
    },
    "zh": {
        "agent_label": "坐席{}", "agent": "坐席", "customer": "客户",
        "good": "优秀示例", "needs_improvement": "待改进", "other": "其他",
        "clip_of_call": "{date} 的通话片段，通话中 {start}–{end}",
        "clip_of_call_undated": "通话片段，通话中 {start}–{end}",
        "times_note": "时间从本片段音频文件的开头算起。",
        "anonymised": "已匿名化：坐席姓名以标签代替，银行卡号、电话号码和证件号在文本中打码，在音频中屏蔽。",
        "notes": "备注", "entry_notes": "本播放列表中的说明", "transcript": "转写文本",
        "no_transcript": "没有转写文本。", "clips": "{} 个片段", "one_clip": "1 个片段",
        "exported": "导出于 {date}", "by": "作者：{}", "made_with": "由 QA Desk 导出", "seconds": "{} 秒",
        "call_title": "通话 {}", "started": "开始于 {}", "selected_clips": "片段",
        "sheet_clips": "片段", "sheet_playlist": "播放列表",
        "number": "序号", "title": "标题", "kind": "类型", "tags": "标签", "team": "团队",
        "call_date": "通话日期", "start_in_call": "通话中开始", "duration": "时长（秒）",
        "hidden": "屏蔽的号码", "audio": "音频文件", "txt": "文本文件", "text": "转写文本",
        "name": "名称", "author": "作者", "exported_at": "导出时间", "anonymised_short": "匿名化",
        "clip_count": "片段数", "yes": "是", "no": "否",
    },
}

_FORBIDDEN = frozenset('<>:"/\\|?*')  # what Windows refuses in a name (and "/" everywhere)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 120  # with "NN-" and ".flac" well under the 255 bytes file systems allow


def words_for(language: str) -> dict[str, str]:
    return WORDS["zh" if str(language).lower().startswith("zh") else "en"]


def safe_file_name(text: str, *, fallback: str = "clip", max_bytes: int = MAX_NAME_BYTES) -> str:
    """``text`` as a file name every system accepts, Chinese and other letters kept:
    no path separators or characters Windows refuses, no control characters, no
    leading or trailing dots and blanks, at most ``max_bytes`` of UTF-8."""
    chars = []
    for char in unicodedata.normalize("NFC", str(text)):
        if char.isspace():
            chars.append(" ")
        elif char in _FORBIDDEN or unicodedata.category(char)[0] == "C":
            chars.append("_")
        else:
            chars.append(char)
    name = " ".join("".join(chars).split()).strip(" .")
    while len(name.encode("utf-8")) > max_bytes:
        name = name[:-1]
    name = name.rstrip(" .")
    if not name:
        return fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def agent_labels(names: Iterable[str | None], template: str = "Agent {}") -> dict[str, str]:
    """Each agent name, in order of first appearance, with its label: A, B, … Z, AA …"""
    labels: dict[str, str] = {}
    for name in names:
        if name and name not in labels:
            number, letters = len(labels), ""
            while True:
                number, rest = divmod(number, 26)
                letters = chr(ord("A") + rest) + letters
                if not number:
                    break
                number -= 1
            labels[name] = template.format(letters)
    return labels


def scrub_names(text: str, labels: dict[str, str]) -> str:
    """``text`` with each agent's name (as people say and shorten it) replaced by its label."""
    for name, label in labels.items():
        if not text:
            break
        line = [Utterance("agent", [Word(text, 0.0, 0.0)], given_text=text)]
        spans = find_agent_name(line, name)
        if spans:
            text = anonymise(line, spans, agent_label=label)[0].text
    return text


def clock(seconds: float) -> str:
    """m:ss.s: a clip is seconds to minutes long, and a reader wants the tenth."""
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


@dataclass(frozen=True)
class PreparedClip:
    """A clip ready to write: its texts as they will appear, its audio with the spans
    hidden, and its excerpt timed from the first sample of that audio."""

    number: int
    clip: ClipView
    title: str
    notes: str
    tags: tuple[str, ...]
    entry_notes: str
    agent: str | None  # the agent's name, or its label when anonymised
    audio: ClipAudio
    excerpt: list[Utterance]
    hidden: int  # numbers hidden in the audio

    @property
    def duration(self) -> float:
        return self.audio.duration


def prepare_clip(db, clip: ClipView, number: int, *, anonymised: bool, hide_with: str = "beep",
                 labels: dict[str, str] | None = None, entry_notes: str = "",
                 hide_names_in_audio: bool = False) -> PreparedClip:
    """Load the clip's audio and lines and apply the privacy option. ``labels`` maps
    every agent name of the export to its label, so notes naming another agent of the
    playlist are scrubbed too. ClipError / ClipAudioError when the audio is unusable."""
    sound = clip_sound(db, clip.id)
    lines: Sequence = excerpt_utterances(clip)
    title, notes, tags, agent, hidden = clip.title, clip.notes, clip.tags, clip.agent_name, 0
    if anonymised:
        labels = dict(labels or {})
        if clip.agent_name and clip.agent_name not in labels:
            labels.update(agent_labels([clip.agent_name], "Agent {}"))
        label = labels.get(clip.agent_name or "", "Agent")
        result = anonymise_transcript(lines, agent_name=clip.agent_name, agent_label=label)
        spans = [(a, b) for a, b in result.audio_spans(names=hide_names_in_audio) if b > sound.start and a < sound.end]
        if spans:
            sound = hide_spans(sound, spans, how=hide_with)
        hidden = len(spans)
        lines = result.utterances
        title, notes = scrub_names(title, labels), scrub_names(notes, labels)
        tags = tuple(scrub_names(tag, labels) for tag in tags)
        entry_notes = scrub_names(entry_notes, labels)
        agent = labels.get(clip.agent_name) if clip.agent_name else None
    excerpt = transcript_excerpt(lines, sound.start, sound.end)
    return PreparedClip(number, clip, title, notes, tags, entry_notes, agent, sound, excerpt, hidden)


def file_stem(prepared: PreparedClip, width: int = 2) -> str:
    """NN-title: numbered as the playlist orders them, so a file browser shows that order."""
    return f"{prepared.number:0{width}d}-{safe_file_name(prepared.title, fallback=f'clip {prepared.clip.id}')}"


def heading(prepared: PreparedClip, words: dict[str, str]) -> list[str]:
    """The TXT file's first lines: what the clip is and where it came from."""
    clip = prepared.clip
    lines = [prepared.title]
    who = " · ".join(x for x in (prepared.agent, clip.team_name) if x)
    if who:
        lines.append(who)
    span = {"start": clock(clip.start), "end": clock(clip.end)}
    if clip.call_started_at:
        lines.append(words["clip_of_call"].format(date=_date(clip.call_started_at), **span))
    else:
        lines.append(words["clip_of_call_undated"].format(**span))
    lines.append(words["times_note"])
    return lines


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def write_clip_files(prepared: PreparedClip, folder: Path, *, audio_format: str = "wav", width: int = 2,
                     words: dict[str, str] | None = None) -> list[Path]:
    """NN-title.<audio>, NN-title.txt and NN-title.srt in ``folder``; the paths written."""
    words = words or WORDS["en"]
    stem = file_stem(prepared, width)
    names = {"agent": words["agent"], "customer": words["customer"]}
    audio = write_clip(prepared.audio, Path(folder) / f"{stem}.{audio_format}", format=audio_format)
    txt = write_transcript(Path(folder) / f"{stem}.txt", prepared.excerpt, format="txt", speaker_names=names,
                           heading=heading(prepared, words))
    srt = write_transcript(Path(folder) / f"{stem}.srt", prepared.excerpt, format="srt", speaker_names=names)
    return [audio, txt, srt]


__all__ = [
    "MAX_NAME_BYTES", "PreparedClip", "WORDS", "agent_labels", "clock", "file_stem", "heading", "prepare_clip",
    "safe_file_name", "scrub_names", "words_for", "write_clip_files",
]
