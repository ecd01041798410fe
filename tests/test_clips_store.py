"""The clips library's store: a clip keeps its audio, words and names whatever happens to
its call; search, tags and playlists — on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from qa_desk.store.clips import (
    ClipAudioData,
    ClipDetails,
    ClipError,
    add_clip,
    clip_audio,
    delete_clip,
    find_clips,
    get_clip,
    move_clip,
    tag_counts,
    update_clip,
)
from qa_desk.store.calls import add_call
from qa_desk.permissions import Actor
from qa_desk.store.models import Call
from qa_desk.store.playlists import (
    add_entry,
    create_playlist,
    delete_playlist,
    get_playlist,
    list_playlists,
    remove_entry,
    reorder,
    set_entry_notes,
)
from tests.store_data import agent_calls, call_row

TRAINER = Actor("王芳", "trainer")  # who keeps the training library

EXCERPT = [
    {"speaker": "agent", "start": 12.0, "end": 14.5, "text": "不 知道 您 说 的 是 哪 笔",
     "words": [{"word": "不", "start": 12.0, "end": 12.2}]},
    {"speaker": "customer", "start": 15.0, "end": 16.0, "text": "我要投诉", "words": []},
]
AUDIO = ClipAudioData(b"fLaC-bytes", "flac", 8000, 2, 11.5)


def _clip(db, call_id, title="不知道 — 该怎么说", **details):
    with db.session() as s:
        return add_clip(s, call_id, 12.0, 16.0, ClipDetails(title, **details), audio=AUDIO, excerpt=EXCERPT,
                        actor=TRAINER)


def test_a_clip_keeps_its_span_words_names_and_audio(db):
    call_id = agent_calls(db, 1)[0]
    clip = _clip(db, call_id, kind="needs_improvement", tags=(" 话术 ", "话术", "Empathy"), notes=" 第二句 ")
    assert (clip.call_id, clip.start, clip.end, clip.duration) == (call_id, 12.0, 16.0, 4.0)
    assert (clip.agent_name, clip.team_name, clip.author) == ("张伟", "Billing CN", "王芳")
    assert clip.tags == ("话术", "Empathy") and clip.notes == "第二句"
    assert clip.excerpt_text.splitlines()[1] == "我要投诉"
    with db.session() as s:
        assert clip_audio(s, clip.id) == AUDIO


def test_deleting_the_call_unlinks_the_clip_and_a_reimport_links_it_again(db):
    call_id = agent_calls(db, 1)[0]
    clip = _clip(db, call_id)
    with db.session() as s:
        row = s.get(Call, call_id)
        digest, name = row.content_hash, row.file_name
        s.execute(delete(Call).where(Call.id == call_id))
    with db.session() as s:
        kept = get_clip(s, clip.id)
        assert kept.call_id is None and kept.agent_name == "张伟" and kept.excerpt == EXCERPT
        assert clip_audio(s, clip.id).data == AUDIO.data
    with db.session() as s:
        again = add_call(s, call_row(name))  # the same recording: the same content hash
        assert s.get(Call, again).content_hash == digest
    with db.session() as s:
        assert get_clip(s, clip.id).call_id == again


def test_bad_clips_are_refused_with_the_reason(db):
    call_id = agent_calls(db, 1)[0]
    with db.session() as s:
        with pytest.raises(ClipError, match="needs a title"):
            add_clip(s, call_id, 1, 2, ClipDetails("  "), audio=None, excerpt=[], actor=TRAINER)
        with pytest.raises(ClipError, match="kind 'great'"):
            add_clip(s, call_id, 1, 2, ClipDetails("t", kind="great"), audio=None, excerpt=[], actor=TRAINER)
        with pytest.raises(ClipError, match="end after it starts"):
            add_clip(s, call_id, 5, 5, ClipDetails("t"), audio=None, excerpt=[], actor=TRAINER)
        with pytest.raises(ClipError, match="after the call's end"):
            add_clip(s, call_id, 400, 410, ClipDetails("t"), audio=None, excerpt=[], actor=TRAINER)
        with pytest.raises(ClipError, match="no call 999"):
            add_clip(s, 999, 1, 2, ClipDetails("t"), audio=None, excerpt=[], actor=TRAINER)


def test_edit_move_and_delete(db):
    call_id = agent_calls(db, 1)[0]
    clip = _clip(db, call_id)
    with db.session() as s:
        edited = update_clip(s, clip.id, ClipDetails("Perfect greeting", "good", ("opening",), "", "hotline-zh",
                                                     "opening", "greeting"), actor=TRAINER)
        assert (edited.title, edited.kind, edited.section_key, edited.item_key) == (
            "Perfect greeting", "good", "opening", "greeting")
        moved = move_clip(s, clip.id, 11.0, 17.5, audio=None, excerpt=EXCERPT[:1], actor=TRAINER)
        assert (moved.start, moved.end, len(moved.excerpt)) == (11.0, 17.5, 1)
        assert clip_audio(s, clip.id) is None
        delete_clip(s, clip.id, actor=TRAINER)
        with pytest.raises(ClipError, match="does not exist"):
            get_clip(s, clip.id)


def test_search_by_transcript_title_tags_and_filters(db):
    first, second = agent_calls(db, 2)
    a = _clip(db, first, "Hold done right", kind="good", tags=("hold", "Courtesy"), notes="thanks for waiting")
    b = _clip(db, second, "不知道", kind="needs_improvement", tags=("话术",), section_key="courtesy")
    with db.session() as s:
        ids = lambda **kw: [c.id for c in find_clips(s, **kw)]  # noqa: E731
        assert ids(text="投诉") == [b.id, a.id]  # the customer's words, in both excerpts
        assert ids(text="不知道您") == [b.id, a.id]  # the recogniser's spaces do not matter
        assert ids(text="HOLD done") == [a.id]
        assert ids(text="100%") == []  # LIKE wildcards are searched for, not obeyed
        assert ids(tags=("courtesy",)) == [a.id]
        assert ids(tags=("hold", "话术")) == []
        assert ids(kind="needs_improvement") == [b.id]
        assert ids(agent="张伟") == [b.id, a.id] and ids(agent="李娜") == []
        assert ids(team="Billing CN", section_key="courtesy") == [b.id]
        assert ids(since=date(2026, 11, 4)) == [b.id]
        assert ids(until=date(2026, 11, 3)) == [a.id]
        assert ids(limit=1) == [b.id]
        assert tag_counts(s) == [("Courtesy", 1), ("hold", 1), ("话术", 1)]


def test_playlists_keep_order_and_notes(db):
    calls = agent_calls(db, 3)
    clips = [_clip(db, c, f"clip {n}") for n, c in enumerate(calls)]
    with db.session() as s:
        playlist = create_playlist(s, " New hires  week 1 ", "Monday", actor=TRAINER)
        assert playlist.name == "New hires week 1"
        for clip in clips:
            playlist = add_entry(s, playlist.id, clip.id, actor=TRAINER)
        playlist = add_entry(s, playlist.id, clips[2].id, notes="again, after the talk", position=0, actor=TRAINER)
        assert [e.clip.title for e in playlist.entries] == ["clip 2", "clip 0", "clip 1", "clip 2"]
        assert [e.position for e in playlist.entries] == [0, 1, 2, 3]
        ids = [e.id for e in playlist.entries]
        playlist = reorder(s, playlist.id, [ids[1], ids[2], ids[3], ids[0]], actor=TRAINER)
        assert [e.clip.title for e in playlist.entries] == ["clip 0", "clip 1", "clip 2", "clip 2"]
        with pytest.raises(ClipError, match="exactly once"):
            reorder(s, playlist.id, ids[:3], actor=TRAINER)
        playlist = set_entry_notes(s, ids[2], " listen for the pause ", actor=TRAINER)
        assert playlist.entries[1].notes == "listen for the pause"
        playlist = remove_entry(s, ids[0], actor=TRAINER)
        assert [e.position for e in playlist.entries] == [0, 1, 2]
        assert playlist.duration == pytest.approx(12.0)
        [summary] = list_playlists(s)
        assert (summary.name, summary.clips, summary.duration) == ("New hires week 1", 3, pytest.approx(12.0))
    with db.session() as s:
        delete_clip(s, clips[2].id, actor=TRAINER)  # a deleted clip leaves the playlists it was in
        assert [e.clip.title for e in get_playlist(s, playlist.id).entries] == ["clip 0", "clip 1"]
        delete_playlist(s, playlist.id, actor=TRAINER)
        assert list_playlists(s) == []
        assert get_clip(s, clips[0].id).title == "clip 0"  # clips outlive their playlists
