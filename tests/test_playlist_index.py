"""The playlist index: a self-contained HTML page (escaped, relative percent-encoded
audio links, Chinese readable) and its XLSX twin (formula-safe text, relative links);
and the page opened in headless Chromium when one is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from clip_library import phone_clip, playlist_of, recorded_call
from clip_library import TRAINER

from qa_desk.reports.clip_export import export_playlist
from qa_desk.reports.playlist_index import ExportIndex, IndexEntry, IndexLine, index_html, write_index_html
from qa_desk.reports.playlist_workbook import index_workbook, write_index_xlsx

SCREENSHOT = Path(__file__).resolve().parent.parent / "screenshots" / "playlist_index.png"


def entry(number: int = 1, **changes) -> IndexEntry:
    values = dict(
        number=number, title="投诉处理 <示范>", kind="good", tags=("退款", "a&b"), notes="第一行\n第二行",
        entry_notes="先听这一段", agent="坐席A", team="Billing CN", call_started_at=datetime(2026, 11, 3, 9, 30),
        start_in_call=12.5, end_in_call=30.0, duration=18.0, audio_file="01-投诉处理 #1 100%.wav",
        txt_file="01-投诉处理 #1 100%.txt", srt_file="01-投诉处理 #1 100%.srt", hidden=1,
        lines=(IndexLine(0.5, 2.0, "坐席", "您好，请问有什么可以帮您？"), IndexLine(2.5, 4.0, "客户", "我的卡号是****")),
    )
    values.update(changes)
    return IndexEntry(**values)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_the_page_is_self_contained_escaped_and_links_the_files_beside_it():
    index = ExportIndex("培训 & Coaching <1>", "备注：<script>alert(1)</script>", "王芳", datetime(2026, 11, 5, 14, 0),
                        True, "zh", (entry(1), entry(2, kind="needs_improvement", title="Second", tags=())))
    page = index_html(index)
    tags = tags_of(page)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">") and '<meta charset="utf-8">' in page
    assert not {"script", "link", "img", "iframe", "object"} & {t for t, _ in tags}
    assert "<script>" not in page and "&lt;script&gt;" in page and "投诉处理 &lt;示范&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:|//)", page) and "url(" not in page
    audio = [attrs for tag, attrs in tags if tag == "audio"]
    assert len(audio) == 2 and all("controls" in a for a in audio)
    assert unquote(audio[0]["src"]) == "01-投诉处理 #1 100%.wav"
    assert audio[0]["src"].startswith("01-%E6%8A%95") and "%23" in audio[0]["src"]  # '#' would end the path
    assert "0:00.5" in page and "您好，请问有什么可以帮您？" in page and "我的卡号是****" in page
    assert "优秀示例" in page and "待改进" in page and "先听这一段" in page and "已匿名化" in page
    assert "Noto Sans CJK SC" in page and "Microsoft YaHei" in page


def test_an_english_page_says_it_in_english():
    page = index_html(ExportIndex("Week 1", language="en", anonymised=False,
                                  entries=(entry(title="Greeting", lines=(), tags=(), notes="", entry_notes=""),)))
    assert '<html lang="en">' in page and "Good example" in page and "No transcript." in page
    assert "Anonymised" not in page and "1 clip ·" in page


def test_the_workbook_keeps_formulas_as_text_and_links_relatively(tmp_path):
    index = ExportIndex("=SUM(A1)", "", "王芳", datetime(2026, 11, 5, 14, 0), True, "zh",
                        (entry(1, title="=HYPERLINK(\"http://evil\")", notes="+1 call me", tags=("@home",)),))
    path = write_index_xlsx(tmp_path / "index.xlsx", index)
    import openpyxl

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["片段", "播放列表"]
    sheet = book["片段"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["序号", "标题", "类型", "标签"]
    row = [c.value for c in sheet[2]]
    assert row[1] == "'=HYPERLINK(\"http://evil\")" and row[3] == "'@home" and row[10] == "'+1 call me"
    assert all(c.data_type != "f" for c in sheet[2])
    assert row[6] == datetime(2026, 11, 3, 9, 30) and row[8] == 18.0
    assert sheet.cell(2, 13).hyperlink.target == "01-投诉处理 #1 100%.wav"
    assert row[14] == "[0:00.5] 坐席：您好，请问有什么可以帮您？\n[0:02.5] 客户：我的卡号是****"
    about = {r[0]: r[1] for r in book["播放列表"].iter_rows(values_only=True)}
    assert about["名称"] == "'=SUM(A1)" and about["匿名化"] == "是" and about["片段数"] == 1
    assert index_workbook(index).properties.creator == "QA Desk"


def test_the_html_file_is_utf8_without_a_byte_order_mark(tmp_path):
    path = write_index_html(tmp_path / "index.html", ExportIndex("中文", entries=(entry(),)))
    data = path.read_bytes()
    assert data.startswith(b"<!DOCTYPE html>") and "中文".encode() in data
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no Chromium installed to open the page in")
def test_the_exported_index_opens_in_headless_chromium(sqlite_db, tmp_path):
    db = sqlite_db
    zh, en = recorded_call(db, tmp_path), recorded_call(db, tmp_path, english=True)
    first = phone_clip(db, zh, title="李娜 核对客户手机号", tags=("隐私", "号码核对"),
                       notes="李娜 让客户慢慢读号码，并复述确认。\nGood pace.")
    second = phone_clip(db, en, title="Sarah confirms the callback number", kind="needs_improvement",
                        tags=("English", "callback"), notes="Sarah Lee did not read the number back.")
    playlist = playlist_of(db, [(first.id, "先听这一段：注意语速。"), (second.id, "Compare: no read-back.")])
    report = export_playlist(db, playlist, tmp_path / "新员工培训", language="zh", actor=TRAINER)
    folder = report.target
    page = (folder / "index.html").read_text(encoding="utf-8")
    for _, attrs in (t for t in tags_of(page) if t[0] == "audio"):
        assert (folder / unquote(attrs["src"])).is_file()  # every player finds its file
    shot = tmp_path / "index.png"
    home = tmp_path / "chromium-home"  # its own profile: nothing of the user's is touched
    result = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={home}",
         f"--screenshot={shot}", "--window-size=1200,1600", (folder / "index.html").as_uri()],
        capture_output=True, timeout=120, env={**os.environ, "HOME": str(home)},
    )
    assert shot.is_file() and shot.stat().st_size > 10_000, result.stderr.decode(errors="replace")[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if SCREENSHOT.parent.is_dir():
        shutil.copyfile(shot, SCREENSHOT)
