"""Analysing a stored call: metrics computed once, kept with their version, reused; the demo calls."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from test_vad import layout, write

from qa_desk.audio.analysis import CallNotFound, RecordingError, analyse_call
from qa_desk.audio.metrics import METRICS_VERSION, Overtalk, compute_metrics
from qa_desk.audio.vad import Segment, channel_activity
from qa_desk.jobs import Cancelled, JobContext
from qa_desk.paths import resources_dir
from qa_desk.store import calls as store
from qa_desk.store.models import Transcript, Utterance

STEREO = {"0": "agent", "1": "customer"}
# Agent 0.5-3.0, customer 3.5-6.0; agent answers from 5.0 over the customer's last
# second; customer cuts in at 9.5; a 24.5 s hold; agent comes back at 35.
LAYOUT = [[(0.5, 3.0), (5.0, 10.0), (35.0, 38.0)], [(3.5, 6.0), (9.5, 10.5)]]


@pytest.fixture
def recording(tmp_path):
    return write(tmp_path / "rec" / "Li Na_20261103-091502_13800138000.wav", layout(40.0, LAYOUT))


def add_call(db, path, *, channel_map=STEREO, channels=2, agent="Li Na", team="Billing CN", n=1) -> int:
    with db.session() as session:
        who = store.get_or_create_agent(session, name=agent, external_id="1023", team=team) if agent else None
        row = dict(
            file_path=str(path), file_name=path.name, content_hash=f"{n:064x}", file_size=1000,
            audio_format="WAV", codec="PCM_16", decoder="soundfile", duration=40.0, sample_rate=8000,
            channels=channels, channel_map=channel_map, status="imported", agent_id=who.id if who else None,
            started_at=datetime(2026, 11, 3, 9, 15, 2), direction="inbound", queue="billing-cn",
            customer_ref="13800138000",
        )
        return store.add_call(session, row)


def stored(db, call_id):
    with db.session() as session:
        return store.get_call(session, call_id).metrics


def test_analysis_measures_the_call_and_stores_it(db, recording):
    call_id = add_call(db, recording)
    m = analyse_call(db, call_id)
    assert m.talk["agent"] == pytest.approx(10.5, abs=0.05) and m.talk["customer"] == pytest.approx(3.5, abs=0.05)
    assert m.overtalk == [Overtalk(5.0, 6.0, "agent"), Overtalk(9.5, 10.0, "customer")]
    assert m.holds == [Segment(10.5, 35.0)] and m.first_agent_words == 0.5
    saved = stored(db, call_id)
    assert saved["version"] == METRICS_VERSION and saved["transcript_id"] is None
    assert saved["overtalk"][0] == {"start": 5.0, "end": 6.0, "started_by": "agent"}
    assert saved["params"] == {"min_silence": 3.0, "hold_seconds": 20.0, "min_overtalk": 0.3}


def test_stored_metrics_are_reused_until_asked_to_recompute(db, recording):
    call_id = add_call(db, recording)
    first = analyse_call(db, call_id)
    recording.unlink()  # proves the second answer does not read the recording
    assert analyse_call(db, call_id).as_dict() == first.as_dict()
    with pytest.raises(RecordingError) as err:
        analyse_call(db, call_id, recompute=True)
    assert recording.name in str(err.value) and "missing" in str(err.value)
    assert stored(db, call_id)["version"] == METRICS_VERSION  # what was stored is kept


def test_metrics_from_an_older_algorithm_are_recomputed(db, recording):
    call_id = add_call(db, recording)
    with db.session() as session:
        store.save_metrics(session, call_id, {"version": METRICS_VERSION - 1, "talk": {"agent": 1.0}})
    assert analyse_call(db, call_id).holds == [Segment(10.5, 35.0)]
    assert stored(db, call_id)["version"] == METRICS_VERSION


def test_damaged_stored_metrics_are_recomputed(db, recording):
    call_id = add_call(db, recording)
    analyse_call(db, call_id)
    with db.session() as session:
        store.save_metrics(session, call_id, {**stored(db, call_id), "talk": "a lot"})
    assert analyse_call(db, call_id).talk["agent"] == pytest.approx(10.5, abs=0.05)


def test_other_thresholds_recompute_and_are_remembered(db, recording):
    call_id = add_call(db, recording)
    analyse_call(db, call_id)
    m = analyse_call(db, call_id, hold_seconds=60.0, min_overtalk=0.6)
    assert m.holds == [] and m.silences == [Segment(10.5, 35.0)] and m.overtalk == [Overtalk(5.0, 6.0, "agent")]
    assert stored(db, call_id)["params"]["hold_seconds"] == 60.0


def test_a_new_transcript_brings_the_speech_rate(db, recording):
    call_id = add_call(db, recording)
    assert analyse_call(db, call_id).speech_rate is None
    with db.session() as session:
        transcript = Transcript(call_id=call_id, engine="vosk", model_name="small-cn", language="zh-CN")
        transcript.utterances = [
            Utterance(speaker="agent", start=0.5, end=3.0, text="您好，请问有什么可以帮您？"),  # 11 characters
            Utterance(speaker="customer", start=3.5, end=6.0, text="我的宽带上不了网了。"),  # 9 characters
        ]
        session.add(transcript)
    m = analyse_call(db, call_id)
    assert m.speech_rate_unit == "characters"
    assert m.speech_rate == {"agent": pytest.approx(11 / 2.5 * 60), "customer": pytest.approx(9 / 2.5 * 60)}
    assert stored(db, call_id)["transcript_id"] is not None


def test_an_unreadable_recording_is_named_and_nothing_is_stored(db, tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_text("This is a meeting note, not a recording.\n" * 20, encoding="utf-8")
    call_id = add_call(db, broken)
    with pytest.raises(RecordingError) as err:
        analyse_call(db, call_id)
    assert "broken.wav" in str(err.value) and err.value.path == broken
    assert stored(db, call_id) is None


def test_unknown_call(db):
    with pytest.raises(CallNotFound):
        analyse_call(db, 4242)


def test_cancelled_analysis_stores_nothing(db, recording):
    call_id = add_call(db, recording)
    ctx = JobContext()
    ctx.cancel()
    with pytest.raises(Cancelled):
        analyse_call(db, call_id, ctx=ctx)
    assert stored(db, call_id) is None


def test_metrics_from_a_newer_qa_desk_are_left_alone(db, recording):
    call_id = add_call(db, recording)
    newer = {"version": METRICS_VERSION + 1, "something": "better"}
    with db.session() as session:
        store.save_metrics(session, call_id, newer)
    assert analyse_call(db, call_id).holds == [Segment(10.5, 35.0)]
    assert stored(db, call_id) == newer


def test_mono_call(db, tmp_path):
    mono = write(tmp_path / "mono.wav", layout(40.0, [[(0.5, 3.0), (5.0, 10.0), (35.0, 38.0)]]))
    call_id = add_call(db, mono, channel_map={"0": "mixed"}, channels=1)
    m = analyse_call(db, call_id)
    assert m.overtalk is None and m.talk_ratio is None and m.holds == [Segment(10.0, 35.0)]


def test_get_call_has_what_the_call_view_header_needs(db, recording):
    call_id = add_call(db, recording)
    with db.session() as session:
        detail = store.get_call(session, call_id)
        assert store.get_call(session, 999) is None
    assert (detail.agent, detail.agent_external_id, detail.team) == ("Li Na", "1023", "Billing CN")
    assert detail.file_name == recording.name and detail.channel_map == STEREO and detail.metrics is None
    assert detail.started_at == datetime(2026, 11, 3, 9, 15, 2) and detail.sample_rate == 8000
    assert json.loads(json.dumps(detail.as_dict()))["started_at"] == "2026-11-03 09:15:02"


def test_save_metrics_on_a_deleted_call(db):
    with db.session() as session, pytest.raises(LookupError):
        store.save_metrics(session, 999, {"version": 1})


def test_calls_are_found_by_id_path_or_file_name(db, recording, tmp_path):
    first = add_call(db, recording)
    twin = write(tmp_path / "other" / recording.name, layout(2.0, [[(0.5, 1.5)], []]))
    second = add_call(db, twin, n=2)
    with db.session() as session:
        assert store.call_ids_matching(session, str(first)) == [first]
        assert store.call_ids_matching(session, str(twin)) == [second]
        assert store.call_ids_matching(session, recording.name) == [first, second]
        assert store.call_ids_matching(session, recording.name.upper()) == [first, second]
        assert store.call_ids_matching(session, "nothing.wav") == []


# --- the demo calls against their script ---------------------------------------------------

SCRIPT = json.loads((resources_dir() / "samples" / "transcripts.json").read_text(encoding="utf-8"))["calls"]


@pytest.mark.parametrize("call", SCRIPT, ids=[c["file"][:12] for c in SCRIPT])
def test_demo_calls_match_the_scripted_overlaps_and_hold(call):
    activity = channel_activity(resources_dir() / "samples" / call["file"], STEREO)
    m = compute_metrics(activity, call["duration"])
    lines = call["segments"]
    # Scripted overlaps: who cut in, and when (the script's ends include the TTS's
    # silent tail, so the heard overlap may end up to 0.2 s earlier).
    assert [o.started_by for o in m.overtalk] == [o["interrupter"] for o in call["overlaps"]]
    for found, scripted in zip(m.overtalk, call["overlaps"]):
        assert found.start == pytest.approx(scripted["start"], abs=0.05)
        assert scripted["end"] - 0.2 <= found.end <= scripted["end"] + 0.05
    # The scripted 4 s hold is dead air (a hold under the 20 s default; a hold at 4 s).
    assert [(s.start, s.end) for s in m.silences] == [
        pytest.approx((h["start"], h["end"]), abs=0.05) for h in call["holds"]
    ]
    assert m.holds == []
    held = compute_metrics(activity, call["duration"], hold_seconds=4.0).holds
    assert len(held) == len(call["holds"])
    first_agent_line = min(s["start"] for s in lines if s["speaker"] == "agent")
    assert m.first_agent_words == pytest.approx(first_agent_line, abs=0.03)
    for who in ("agent", "customer"):
        scripted = sum(s["end"] - s["start"] for s in lines if s["speaker"] == who)
        assert 0.9 * scripted <= m.talk[who] <= 1.01 * scripted
