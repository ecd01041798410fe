"""Recorded calls with transcripts in which a caller reads out a phone number, saved as
clips and a playlist: what the clip-export tests and the CLI tests start from.

The Chinese call (10 s, 8 kHz stereo, agent 李娜):
  agent     0.5–2.5  您好 我 是 李娜 请问 有 什么 可以 帮 您
  customer  3.0–4.5  我的 手机 号 是
  customer  5.0–7.4  一三八 零零一三 八零零零        ← a mobile number, split over three words
  agent     8.0–9.5  好的 谢谢 您
The English call (10 s, agent Sarah Lee) reads "one three eight …" at 5.0–7.4 the same way.
"""

from __future__ import annotations

from datetime import datetime

from recordings import write_call

from qa_desk.permissions import Actor
from qa_desk.clips import save_clip
from qa_desk.store.calls import add_call, get_or_create_agent
from qa_desk.store.clips import ClipDetails
from qa_desk.store.playlists import add_entry, create_playlist
from qa_desk.store.transcripts import UtteranceRow, replace_transcript
from qa_desk.transcription.words import join_words
from store_data import call_row

PHONE_START, PHONE_END = 5.0, 7.4  # call time of the number's first and last word
ZH_AGENT, EN_AGENT = "李娜", "Sarah Lee"

TRAINER = Actor("王芳", "trainer")  # who keeps the training library


def _line(speaker, words):
    return UtteranceRow(speaker, words[0][1], words[-1][2], join_words([w for w, _, _ in words]),
                        [{"word": w, "start": a, "end": b, "conf": 0.9} for w, a, b in words])


def _spread(text: str, start: float, end: float) -> list[tuple[str, float, float]]:
    tokens = text.split()
    step = (end - start) / len(tokens)
    return [(t, round(start + i * step, 3), round(start + (i + 0.8) * step, 3)) for i, t in enumerate(tokens)]


CHINESE = [
    ("agent", _spread("您好 我 是 李娜 请问 有 什么 可以 帮 您", 0.5, 2.5)),
    ("customer", _spread("我的 手机 号 是", 3.0, 4.5)),
    ("customer", [("一三八", 5.0, 5.6), ("零零一三", 5.7, 6.5), ("八零零零", 6.6, 7.4)]),
    ("agent", _spread("好的 谢谢 您", 8.0, 9.5)),
]
ENGLISH = [
    ("agent", _spread("hello this is Sarah how can I help", 0.5, 2.5)),
    ("customer", _spread("my phone number is", 3.0, 4.5)),
    ("customer", _spread("one three eight zero zero one three eight zero zero zero", PHONE_START, PHONE_END)),
    ("agent", _spread("thank you", 8.0, 9.5)),
]


def recorded_call(db, tmp_path, *, english: bool = False, seconds: float = 10.0) -> int:
    """A real 16-bit stereo recording with its transcript and agent; the call id."""
    name = "en.wav" if english else "zh.wav"
    path = write_call(tmp_path / "recordings" / name, seconds, subtype="PCM_16", seed=2 if english else 1)
    lines = ENGLISH if english else CHINESE
    with db.session() as s:
        agent = get_or_create_agent(s, name=EN_AGENT if english else ZH_AGENT, external_id="2" if english else "1",
                                    team="Billing EN" if english else "Billing CN")
        call_id = add_call(s, call_row(name, file_path=str(path), duration=seconds, agent_id=agent.id,
                                       started_at=datetime(2026, 11, 3, 9, 30)))
        replace_transcript(s, call_id, engine="test", model_name="t", language="en" if english else "zh",
                           utterances=[_line(speaker, words) for speaker, words in lines])
    return call_id


def phone_clip(db, call_id: int, *, start: float = 1.0, title: str = "李娜 asks for the phone number",
               pre_roll: float = 0.5, **details):
    """From the greeting (snapped to 是 at 0.9 s) to 9.4 s with a 0.5 s pre-roll: the audio file
    starts at 0.4 s of the call, so the number is at 4.6–7.0 s of the file."""
    info = ClipDetails(title, details.pop("kind", "good"), details.pop("tags", ("privacy", "号码")),
                       details.pop("notes", "李娜 reads the number back.\nGood pace."))
    return save_clip(db, call_id, start, 9.5, info, actor=TRAINER, pre_roll=pre_roll, **details)


def playlist_of(db, clips_and_notes, name: str = "新员工培训 · Week 1", notes: str = "Session 1: 号码与隐私") -> int:
    with db.session() as s:
        playlist = create_playlist(s, name, notes, actor=TRAINER)
        for clip_id, entry_notes in clips_and_notes:
            add_entry(s, playlist.id, clip_id, notes=entry_notes, actor=TRAINER)
        return playlist.id
