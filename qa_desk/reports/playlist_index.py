"""The index of an exported playlist: one HTML page a trainer opens in any browser.

The page must work where it lands: on a shared drive, in an unzipped e-mail
attachment, on a training-room laptop with no network. So it is self-contained
(inline CSS, no fonts, scripts or images from anywhere), and each clip's player
points at the audio file beside it by a relative, percent-encoded link. Everything a
trainer or an agent typed is HTML-escaped; the page is UTF-8 and names a CJK font
stack so Chinese reads well on Windows, macOS and Linux alike.

The page's own words, and its ``<html lang>``, follow ``ExportIndex.language`` (en or
zh, "en" unless the caller says): the window passes its language, the CLI its
``--language`` (see ``clip_files.WORDS`` for why not the interface's translator).

The XLSX twin of the index is ``playlist_workbook``; both read an ``ExportIndex``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from ..text import is_cjk
from .clip_files import PreparedClip, clock, words_for
from .transcript_files import SPEAKER_NAMES, write_text_atomically


@dataclass(frozen=True)
class IndexLine:
    start: float  # seconds from the start of the clip's audio file
    end: float
    speaker: str  # the label shown (坐席, Customer …), "" when nobody knows who spoke
    text: str


@dataclass(frozen=True)
class IndexEntry:
    number: int
    title: str
    kind: str  # good, needs_improvement, other
    tags: tuple[str, ...]
    notes: str
    entry_notes: str
    agent: str | None
    team: str | None
    call_started_at: datetime | None
    start_in_call: float  # the clip's own start and end in the call (without the roll)
    end_in_call: float
    duration: float  # of the exported audio
    audio_file: str  # names of the files beside the index
    txt_file: str
    srt_file: str
    hidden: int
    lines: tuple[IndexLine, ...] = ()

    @property
    def text(self) -> str:
        def who(label: str) -> str:
            return "" if not label else label + ("：" if is_cjk(label[-1]) else ": ")

        return "\n".join(f"[{clock(line.start)}] {who(line.speaker)}{line.text}" for line in self.lines)


@dataclass(frozen=True)
class ExportIndex:
    title: str
    notes: str = ""
    author: str | None = None
    exported_at: datetime = field(default_factory=datetime.now)
    anonymised: bool = True
    language: str = "en"
    entries: tuple[IndexEntry, ...] = ()

    @property
    def duration(self) -> float:
        return sum(e.duration for e in self.entries)


def index_entry(prepared: PreparedClip, files: list[Path], language: str = "en") -> IndexEntry:
    """What the index shows of a written clip (``files``: its audio, TXT and SRT)."""
    words = words_for(language)
    names = {"agent": words["agent"], "customer": words["customer"]}
    def label(speaker: str) -> str:
        return "" if speaker == "mixed" else names.get(speaker, SPEAKER_NAMES.get(speaker, speaker))

    lines = tuple(IndexLine(u.start, u.end, label(u.speaker), u.text) for u in prepared.excerpt if u.text)
    clip = prepared.clip
    audio, txt, srt = (Path(f).name for f in files)
    return IndexEntry(prepared.number, prepared.title, clip.kind, prepared.tags, prepared.notes, prepared.entry_notes,
                      prepared.agent, clip.team_name, clip.call_started_at, clip.start, clip.end, prepared.duration,
                      audio, txt, srt, prepared.hidden, lines)


# --- the page ---------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6775; --line: #d8dee6; --accent: #2f6db5; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: var(--ink); line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", sans-serif; }
header, main, footer { max-width: 960px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 0 0 6px; }
h3 { font-size: 0.95em; margin: 14px 0 4px; color: var(--muted); }
.meta, .facts { color: var(--muted); margin: 0 0 8px; }
.privacy { background: #eef5ec; border: 1px solid #bcd9b4; border-radius: 6px; padding: 6px 10px;
  font-size: 0.92em; }
.notes { white-space: pre-wrap; margin: 0; }
.clip { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 18px 0; }
.number { display: inline-block; min-width: 2.2em; color: var(--accent); font-variant-numeric: tabular-nums; }
.kind { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 0.85em; color: #fff;
  background: #6b7785; }
.kind-good { background: #2e8b57; }
.kind-needs_improvement { background: #c0392b; }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; margin: 0 4px 4px 0;
  font-size: 0.85em; background: #f7f9fb; }
audio { width: 100%; margin: 8px 0 4px; }
.files a { color: var(--accent); margin-right: 12px; font-size: 0.9em; }
.entry-notes { border-left: 3px solid var(--accent); padding-left: 10px; }
table.transcript { border-collapse: collapse; width: 100%; font-size: 0.95em; }
table.transcript td { padding: 3px 6px; vertical-align: top; border-top: 1px solid #eef1f5; }
td.time { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; width: 4.5em; }
td.who { font-weight: 600; white-space: nowrap; width: 1%; }
.none { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 0.85em; padding-bottom: 28px; }
"""


def _e(text) -> str:
    return html.escape(str(text or ""), quote=True)


def _href(name: str) -> str:
    """A relative link to a file beside the page: percent-encoded UTF-8 (spaces, #, ?, %
    and Chinese all survive), then escaped for the attribute."""
    return _e(quote(name, safe=""))


def _page_language(index: ExportIndex) -> str:
    """zh-CN when the page is Chinese: browsers pick a Chinese glyph style for Han
    characters by the page's language, and Japanese forms otherwise look wrong."""
    if index.language.lower().startswith("zh"):
        return "zh-CN"
    sample = index.title + "".join(e.title + e.notes + "".join(l.text for l in e.lines) for e in index.entries)
    return "zh-CN" if any(is_cjk(c) for c in sample) else "en"


def _entry_html(entry: IndexEntry, words: dict[str, str]) -> str:
    facts = [f'<span class="kind kind-{_e(entry.kind)}">{_e(words.get(entry.kind, entry.kind))}</span>']
    facts += [_e(x) for x in (entry.agent, entry.team) if x]
    span = {"start": clock(entry.start_in_call), "end": clock(entry.end_in_call)}
    if entry.call_started_at:
        date = entry.call_started_at.strftime("%Y-%m-%d %H:%M")
        facts.append(_e(words["clip_of_call"].format(date=date, **span)))
    else:
        facts.append(_e(words["clip_of_call_undated"].format(**span)))
    facts.append(_e(words["seconds"].format(f"{entry.duration:.1f}")))
    parts = [
        f'<article class="clip" id="clip-{entry.number}">',
        f'<h2><span class="number">{entry.number:02d}</span> {_e(entry.title)}</h2>',
        f'<p class="facts">{" · ".join(facts)}</p>',
    ]
    if entry.tags:
        parts.append('<p class="tags">' + "".join(f'<span class="tag">{_e(t)}</span>' for t in entry.tags) + "</p>")
    parts.append(f'<audio controls preload="metadata" src="{_href(entry.audio_file)}"></audio>')
    suffix = entry.audio_file.rsplit(".", 1)[-1].upper()
    parts.append(f'<p class="files"><a href="{_href(entry.audio_file)}">{_e(suffix)}</a>'
                 f'<a href="{_href(entry.txt_file)}">TXT</a><a href="{_href(entry.srt_file)}">SRT</a></p>')
    if entry.notes:
        parts.append(f'<h3>{_e(words["notes"])}</h3><p class="notes">{_e(entry.notes)}</p>')
    if entry.entry_notes:
        parts.append(f'<h3>{_e(words["entry_notes"])}</h3><p class="notes entry-notes">{_e(entry.entry_notes)}</p>')
    parts.append(f'<h3>{_e(words["transcript"])} <small>({_e(words["times_note"])})</small></h3>')
    if entry.lines:
        rows = "".join(f'<tr><td class="time">{clock(line.start)}</td><td class="who">{_e(line.speaker)}</td>'
                       f"<td>{_e(line.text)}</td></tr>" for line in entry.lines)
        parts.append(f'<table class="transcript">{rows}</table>')
    else:
        parts.append(f'<p class="none">{_e(words["no_transcript"])}</p>')
    parts.append("</article>")
    return "\n".join(parts)


def index_html(index: ExportIndex) -> str:
    """The whole page as a string."""
    words = words_for(index.language)
    count = words["one_clip"] if len(index.entries) == 1 else words["clips"].format(len(index.entries))
    meta = [count, clock(index.duration), words["exported"].format(date=index.exported_at.strftime("%Y-%m-%d %H:%M"))]
    if index.author:
        meta.append(words["by"].format(index.author))
    head = [f'<h1>{_e(index.title)}</h1>', f'<p class="meta">{_e(" · ".join(meta))}</p>']
    if index.anonymised:
        head.append(f'<p class="privacy">{_e(words["anonymised"])}</p>')
    if index.notes:
        head.append(f'<p class="notes">{_e(index.notes)}</p>')
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{_page_language(index)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="QA Desk">',
        f"<title>{_e(index.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>", *head, "</header>",
        "<main>", *(_entry_html(e, words) for e in index.entries), "</main>",
        f"<footer>{_e(words['made_with'])}</footer>",
        "</body>",
        "</html>",
        "",
    ])


def write_index_html(path, index: ExportIndex) -> Path:
    """The page as UTF-8 (no byte-order mark: the meta tag says it), written atomically."""
    path = Path(path)
    write_text_atomically(path, index_html(index))
    return path


__all__ = ["ExportIndex", "IndexEntry", "IndexLine", "index_entry", "index_html", "write_index_html"]
