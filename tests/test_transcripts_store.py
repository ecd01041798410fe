"""Reading the newest transcript of a call, words normalised for the call view."""

from __future__ import annotations

from datetime import datetime

from qa_desk.store.calls import add_call
from qa_desk.store.models import Transcript, Utterance
from qa_desk.store.transcripts import Word, latest_transcript


def _call(session, name: str = "a.wav") -> int:
    return add_call(
        session,
        dict(
            file_path=f"/rec/{name}", file_name=name, content_hash=name.ljust(64, "0"), file_size=1,
            audio_format="WAV", codec="PCM_16", duration=30.0, sample_rate=8000, channels=2,
            channel_map={"0": "agent", "1": "customer"}, status="transcribed",
        ),
    )


def test_no_transcript_is_none(db):
    with db.session() as session:
        call_id = _call(session)
        assert latest_transcript(session, call_id) is None


def test_newest_transcript_with_utterances_in_time_order(db):
    with db.session() as session:
        call_id = _call(session)
        other = _call(session, "b.wav")
        old = Transcript(call_id=call_id, engine="vosk", model_name="small-cn", language="zh-CN",
                         created_at=datetime(2026, 11, 3, 9, 0))
        old.utterances = [Utterance(speaker="agent", start=0.0, end=1.0, text="旧的", words=[])]
        new = Transcript(call_id=call_id, engine="vosk", model_name="cn-0.22", language="zh-CN",
                         created_at=datetime(2026, 11, 4, 9, 0))
        new.utterances = [
            Utterance(speaker="customer", start=7.5, end=10.0, text="我这个月的话费", words=[
                {"word": "话费", "start": 8.6, "end": 9.0, "conf": 0.8},
                {"word": "我", "start": 7.5, "end": 7.7, "conf": 1.0},
            ]),
            Utterance(speaker="agent", start=0.6, end=6.5, text="您好 欢迎致电", words=[
                {"word": "您好", "start": 0.6, "end": 1.1, "conf": 0.97},
                {"word": "欢迎", "start": "1.2", "end": 1.6},  # a time written as text still counts
                {"word": "", "start": 1.6, "end": 1.7},  # engines emit empty tokens
                {"word": "致电", "start": None, "end": 2.0},  # no start: cannot be placed
                {"word": "呃", "start": 2.5, "end": 2.1},  # end before start: a point in time
                "garbage",
            ]),
        ]
        unrelated = Transcript(call_id=other, engine="vosk", model_name="x", language="en",
                               created_at=datetime(2027, 1, 1))
        session.add_all([old, new, unrelated])
        session.flush()

        view = latest_transcript(session, call_id)
        assert view is not None
        assert (view.id, view.model_name, view.language) == (new.id, "cn-0.22", "zh-CN")
        assert [u.speaker for u in view.utterances] == ["agent", "customer"]
        agent, customer = view.utterances
        assert agent.words == (
            Word("您好", 0.6, 1.1, 0.97),
            Word("欢迎", 1.2, 1.6, None),
            Word("呃", 2.5, 2.5, None),
        )
        assert [w.word for w in customer.words] == ["我", "话费"]  # sorted by time
        assert view.word_count() == 5
        assert latest_transcript(session, other).utterances == ()


def test_utterance_without_words(db):
    with db.session() as session:
        call_id = _call(session)
        transcript = Transcript(call_id=call_id, engine="manual", model_name="-", language="en")
        transcript.utterances = [Utterance(speaker="mixed", start=1.0, end=2.0, text="Hello", words=None)]
        session.add(transcript)
        session.flush()
        (utterance,) = latest_transcript(session, call_id).utterances
        assert (utterance.text, utterance.words) == ("Hello", ())
