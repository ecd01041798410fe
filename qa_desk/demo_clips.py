"""The demo centre's training library: a few clips cut from its calls and one playlist.

So that the Clips area, like the scorecards, has something to show on the first day.
Each sample recording gives one clip: the newest moment a reviewer confirmed the agent
said something wrong (a needs-improvement example) or, for a recording where that never
happened, the agent's opening line (a good example). Written in the demo's own transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clips import covered_lines, cut_span_audio, plan_span
from .permissions import Actor
from .store.clips import ClipDetails, ClipView, add_clip
from .store.models import Call, Flag
from .store.playlists import add_entry, create_playlist
from .store.transcripts import latest_transcript

ROLL = 0.5  # seconds of context either side, as a trainer would keep
WORDS = {
    "zh": {"opening": "标准开场白", "opening_tag": "开场白", "playlist": "新员工培训 · 开场与服务用语",
           "playlist_notes": "先听好的开场，再听需要改进的说法。", "good_note": "问候、报工号、主动询问，一气呵成。",
           "bad_note": "质检已确认：{0}。"},
    "en": {"opening": "Greeting with name and offer to help", "opening_tag": "opening",
           "playlist": "New hires · openings and wording", "playlist_notes": "Good openings first, then what to avoid.",
           "good_note": "Greeting, name and an offer to help in one breath.", "bad_note": "Confirmed by QA: {0}."},
}


def _recordings(session: Session) -> list[tuple[str, float]]:
    return sorted(session.execute(select(Call.file_path, Call.duration).distinct()).all())


def _said_wrong(session: Session, path: str):
    """The newest confirmed flag on something the agent said (a phrase, not a missing one)
    among the calls made from this recording: (call id, start, end, title, category)."""
    return session.execute(
        select(Flag.call_id, Flag.start, Flag.end, Flag.rule_title, Flag.category)
        .join(Call, Call.id == Flag.call_id)
        .where(Call.file_path == path, Flag.status == "confirmed", Flag.speaker == "agent",
               Flag.matched_text.is_not(None), Flag.start.is_not(None), Flag.end.is_not(None))
        .order_by(Call.started_at.desc(), Flag.start).limit(1)
    ).first()


def _newest_call(session: Session, path: str) -> int:
    return session.execute(select(Call.id).where(Call.file_path == path)
                           .order_by(Call.started_at.desc(), Call.id.desc()).limit(1)).scalar_one()


def _clip(session: Session, path: str, duration: float, trainer: str) -> ClipView | None:
    """A recording with a confirmed wrong phrase gives that moment; one without gives its opening."""
    flagged = _said_wrong(session, path)
    call_id = flagged[0] if flagged else _newest_call(session, path)
    transcript = latest_transcript(session, call_id)
    if transcript is None:
        return None
    words = WORDS["zh" if transcript.language.startswith("zh") else "en"]
    utterances = transcript.utterances
    if flagged is not None:
        _, start, end, title, category = flagged
        # The whole sentence the phrase was said in: a trainer plays the moment, not one word.
        line = next((u for u in utterances if u.speaker == "agent" and u.start <= start < u.end), None)
        if line is not None:
            start, end = line.start, max(end, line.end)
        details = ClipDetails(title or category, "needs_improvement", (category,), words["bad_note"].format(title))
    else:
        opening = next((u for u in utterances if u.speaker == "agent"), None)
        if opening is None:
            return None
        start, end = opening.start, opening.end
        details = ClipDetails(words["opening"], "good", (words["opening_tag"],), words["good_note"],
                              section_key="opening")
    span = plan_span(duration, utterances, start, end, pre_roll=ROLL, post_roll=ROLL)
    audio = cut_span_audio(path, span)
    return add_clip(session, call_id, span.start, span.end, details, audio=audio,
                    excerpt=covered_lines(utterances, span.audio_start, span.audio_end), actor=Actor(trainer, "trainer"))


def add_demo_clips(session: Session, trainer: str, language: str = "zh") -> tuple[int, int]:
    """Clips from the demo's calls and a playlist of them, good examples first; (clips, playlists)."""
    clips = [c for c in (_clip(session, path, duration, trainer) for path, duration in _recordings(session)) if c]
    if not clips:
        return 0, 0
    words = WORDS[language]
    actor = Actor(trainer, "trainer")
    playlist = create_playlist(session, words["playlist"], words["playlist_notes"], actor=actor)
    for clip in sorted(clips, key=lambda c: (c.kind != "good", c.id)):
        add_entry(session, playlist.id, clip.id, actor=actor)
    return len(clips), 1


__all__ = ["add_demo_clips"]
