"""Clips on the sample calls for the Clips area's tests and screenshots.

The four sample recordings are imported for real, with their scripted lines stored as
transcripts (as transcription would), and clips are cut from them with the real
``save_clip``: real audio, words and agents, in Chinese and English, as a trainer's
library holds them.
"""

from __future__ import annotations

from sqlalchemy import select
from test_transcript_pane import add_sample_transcript

from qa_desk.permissions import Actor
from qa_desk.clips import save_clip
from qa_desk.samples import load_sample_calls
from qa_desk.store.clips import ClipDetails
from qa_desk.store.models import Call
from qa_desk.store.playlists import add_entry, create_playlist

LI_NA = "Li Na_20261103-091502_13800138000.flac"
ZHANG_WEI = "张伟_20261103-143311_13912345678.wav"
SARAH = "Sarah Mitchell_20261104-101845_2125550147.wav"
DAVE = "Dave Wilson_20261104-162007_2125550198.wav"

# (call, start, end, title, kind, tags, notes, form part)
CLIPS = (
    (LI_NA, 0.6, 6.4, "标准开场白：报工号并主动询问", "good", ("开场白", "opening"),
     "完整的问候语：公司名、工号、主动询问。新员工可以照着说。", ("hotline-zh", "opening_closing", "standard_opening")),
    (LI_NA, 17.2, 21.2, "让客户久等后主动致歉", "good", ("致歉", "hold"), "稍等之后先道歉，再说明查询结果。", None),
    (ZHANG_WEI, 11.8, 19.4, "推诿客户：“不知道，你自己再试试吧”", "needs_improvement", ("禁语", "推诿", "broadband"),
     "两次说“不知道”，没有给出解决办法，也没有转接。", None),
    (SARAH, 0.5, 4.9, "Warm greeting with name and offer to help", "good", ("opening", "greeting"),
     "Company, own name and an open question in one breath.", None),
    (SARAH, 27.9, 35.1, "Closing: offers more help, thanks the caller", "good", ("closing",), "", None),
    (DAVE, 5.0, 6.4, "\"Calm down, calm down\"", "needs_improvement", ("impolite", "de-escalation"),
     "Tells an upset customer to calm down instead of acknowledging the problem.", None),
    (DAVE, 15.8, 18.4, "Refuses to transfer: \"That's not my department\"", "needs_improvement",
     ("transfer", "impolite"), "Should offer a warm transfer to billing.", None),
)

TRAINER = Actor("王芳", "trainer")  # who keeps the training library


def sample_calls(db) -> dict[str, int]:
    """The four sample calls imported, each with its transcript; file name → call id."""
    report = load_sample_calls(db)
    assert report.count("imported") == 4, report
    with db.session() as session:
        ids = {name: call_id for call_id, name in session.execute(select(Call.id, Call.file_name))}
    for name, call_id in ids.items():
        add_sample_transcript(db, call_id, name)
    return ids


def sample_clips(db, calls: dict[str, int], by: Actor = TRAINER) -> list:
    """The library of CLIPS, oldest first (the list shows the newest first)."""
    clips = []
    for name, start, end, title, kind, tags, notes, part in CLIPS:
        form_key, section_key, item_key = part or (None, None, None)
        details = ClipDetails(title, kind, tags, notes, form_key, section_key, item_key)
        clips.append(save_clip(db, calls[name], start, end, details, by=by, pre_roll=0.5, post_roll=0.5))
    return clips


def sample_playlist(db, clips: list, name: str = "新员工培训：开场与结束") -> int:
    with db.session() as session:
        playlist = create_playlist(session, name, "第一周的培训课", actor=TRAINER)
        for clip, notes in ((clips[0], "先听标准开场"), (clips[3], "English version"), (clips[2], "对比：推诿的说法")):
            add_entry(session, playlist.id, clip.id, notes=notes, actor=TRAINER)
        return playlist.id
