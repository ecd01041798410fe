"""The demo centre on SQLite and PostgreSQL: what it builds, that it refuses real data,
that it is reproducible, and that its figures tell the stories a demo should."""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_desk.demo import DemoRefused, build_demo_centre
from qa_desk.demo_recordings import demo_hash, load_samples
from qa_desk.jobs import Cancelled, JobContext
from qa_desk.samples import load_sample_calls
from qa_desk.scoring.scorecards import COUNTED_STATUSES, DEFAULT_QUOTA
from qa_desk.store.database import Database
from qa_desk.store.models import (
    Agent, Answer, AuditEntry, Call, Evaluation, EvaluationEvent, EvaluationSection, Flag, FlagEvent, Form, Team,
    Transcript, Utterance,
)
from qa_desk.store.transcripts import latest_transcript

from store_data import add_test_call


TODAY = date(2026, 11, 18)  # mid-month: this month's latest evaluations are still drafts


def _counts(db) -> dict[str, int]:
    with db.session() as s:
        return {model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Team, Agent, Call, Transcript, Utterance, Flag, FlagEvent, Evaluation, Answer, Form)}


def _percents(db) -> list[tuple[datetime, str, float | None, str]]:
    with db.session() as s:
        return s.execute(
            select(Call.started_at, Agent.name, Evaluation.percent, Evaluation.status)
            .join(Call, Call.id == Evaluation.call_id).join(Agent, Agent.id == Call.agent_id)
            .order_by(Call.started_at, Evaluation.id)
        ).all()


def _monthly(rows) -> dict[str, dict[str, list[float]]]:
    """agent → month → percentages of the counted evaluations."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for started, agent, percent, status in rows:
        if status in COUNTED_STATUSES:
            out[agent][f"{started:%Y-%m}"].append(percent)
    return out


@pytest.fixture(scope="module")
def centres(tmp_path_factory):
    """backend → (database, report) of the demo centres built so far in this module."""
    built: dict[str, tuple] = {}
    yield built
    for database, _report, drop in built.values():
        database.close()
        drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built(request, centres, tmp_path_factory):
    """The default demo centre (12 agents, 6 months), built once per database for the
    tests that read it. (Cached in ``centres`` rather than a module-scoped parametrized
    fixture: test workers may run these tests in any order, and such a fixture is torn
    down and built again, 20 s each time, whenever the order switches database.)"""
    if request.param not in centres:
        drop = lambda: None  # noqa: E731
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'qa-desk.sqlite3'}"
        else:
            server = request.getfixturevalue("postgres_server")
            name = f"qa_demo_{uuid.uuid4().hex[:12]}"
            url = server.create_database(name, template=request.getfixturevalue("postgres_template"))
            drop = lambda: server.drop_database(name)  # noqa: E731
        database = Database.open(url)
        centres[request.param] = (database, build_demo_centre(database, today=TODAY), drop)
    database, report, _drop = centres[request.param]
    return database, report


def test_the_demo_holds_what_it_reports(built):
    db, centre = built
    report = centre
    with db.session() as s:
        assert sorted(s.execute(select(Team.name)).scalars()) == sorted(report.teams)
        assert {"售后服务一组", "售后服务二组", "Customer Care EN"} == set(report.teams)
        agents = s.execute(select(Agent.name, Agent.external_id, Agent.hired_on)).all()
        assert sorted((a.name, a.external_id) for a in agents) == \
            sorted((a.name, a.external_id) for a in report.agents)
        assert len({a.external_id for a in agents}) == 12
        assert any(a.hired_on.date() > date(2026, 7, 1) for a in agents)  # new agents
        assert s.execute(select(func.count(Call.id))).scalar_one() == report.calls > 400
        statuses = Counter(dict(s.execute(select(Evaluation.status, func.count()).group_by(Evaluation.status)).all()))
        assert statuses == Counter(report.evaluations)
        flags = Counter(dict(s.execute(select(Flag.status, func.count()).group_by(Flag.status)).all()))
        assert flags == Counter(report.flags)
        # Every step of the workflow is there, and every evaluation has its section scores.
        assert {"draft", "submitted", "acknowledged", "resolved"} <= set(statuses)
        assert statuses["disputed"] + statuses["resolved"] >= 2
        assert s.execute(select(func.count(func.distinct(EvaluationSection.evaluation_id)))).scalar_one() \
            == sum(statuses.values())
        assert s.execute(select(func.count()).where(Evaluation.auto_failed.is_(True))).scalar_one() >= 1
        assert s.execute(select(func.count()).where(Answer.value == "na")).scalar_one() > 50
        assert len(set(s.execute(select(Evaluation.reviewer_name)).scalars())) >= 4
        # Flags confirmed and dismissed by the reviewers, each with who and when (and why).
        assert flags["confirmed"] > 100 and flags["dismissed"] > 20 and flags["open"] > 0
        dismissed = s.execute(select(Flag).where(Flag.status == "dismissed").limit(20)).scalars().all()
        assert all(f.dismiss_reason and f.decided_by and f.decided_at < datetime(2026, 11, 18) for f in dismissed)
        assert s.execute(select(func.count(FlagEvent.id))).scalar_one() == flags["confirmed"] + flags["dismissed"]
        # The stories are told in past time: nothing happens today or later, steps follow their call.
        assert s.execute(select(func.max(Call.started_at))).scalar_one() < datetime(2026, 11, 18)
        assert s.execute(select(func.min(Call.started_at))).scalar_one() >= datetime(2026, 5, 1)
        late = s.execute(
            select(func.count()).select_from(EvaluationEvent).join(Evaluation).join(Call)
            .where((EvaluationEvent.at < Call.started_at) | (EvaluationEvent.at >= datetime(2026, 11, 18)))
        ).scalar_one()
        assert late == 0
        # The audit log tells the same past: each evaluation step and flag decision is
        # dated as the evaluation's own history has it, not when the demo was built.
        events = {(e.evaluation_id, e.action, e.at) for e in s.execute(select(EvaluationEvent)).scalars()}
        logged = s.execute(select(AuditEntry).where(AuditEntry.entity.in_(("evaluation", "flag")))).scalars().all()
        assert len(logged) > 1000
        assert all(datetime(2026, 5, 1) <= e.at < datetime(2026, 11, 18) for e in logged)
        steps = [e for e in logged if e.entity == "evaluation"]
        assert all((e.entity_id, e.action.split(".", 1)[1], e.at) in events for e in steps)
        assert report.first_day == date(2026, 5, 1) and report.last_day == date(2026, 11, 17)


def test_demo_calls_reuse_the_sample_recordings(built):
    db, centre = built
    samples = load_samples()
    by_path = {str(r.path): r for r in samples.recordings}
    with db.session() as s:
        calls = s.execute(select(Call).order_by(Call.id)).scalars().all()
        first = calls[0]
        transcript = latest_transcript(s, first.id)
        first_agent = s.get(Agent, first.agent_id).name
    hashes = [c.content_hash for c in calls]
    assert len(set(hashes)) == len(hashes) and not set(hashes) & samples.hashes
    assert hashes[0] == demo_hash(by_path[first.file_path], 0)
    for call in calls:
        sample = by_path[call.file_path]  # every call plays a sample recording
        assert Path(call.file_path).is_file() and call.duration == sample.duration
        assert call.metrics["duration"] == round(sample.duration, 3) and call.scanned_at is not None
    assert first.file_name.startswith(f"{first_agent}_{first.started_at:%Y%m%d-%H%M%S}_")
    # The sample's transcript, as "Load sample calls" attaches it, and the metrics the audio analysis would keep.
    assert transcript.engine == "imported" and [u.text for u in transcript.utterances] == \
        [u.text for u in by_path[first.file_path].utterances]
    assert first.metrics["transcript_id"] == transcript.id
    # Agents differ in how they talk: the talk ratio is not the same number on every call.
    assert len({round(c.metrics["talk_ratio"], 2) for c in calls}) > 50


def test_trends_and_quota_tell_a_story(built):
    db, centre = built
    monthly = _monthly(_percents(db))
    first, last = "2026-05", "2026-10"  # the oldest and the latest complete month
    trends = {a.name: a.trend for a in centre.agents}
    assert Counter(trends.values())["improving"] >= 2 and "declining" in trends.values()
    for agent, trend in trends.items():
        months = monthly[agent]
        if trend == "improving":
            assert statistics.mean(months[last]) > statistics.mean(months[first]) + 5, agent
        elif trend == "declining":
            assert statistics.mean(months[last]) < statistics.mean(months[first]) - 5, agent
    new = [a for a, t in trends.items() if t == "new"]
    assert new and first not in monthly[new[0]]  # hired during the demo
    earliest = [statistics.mean(monthly[a][min(monthly[a])]) for a in new]
    latest = [statistics.mean(monthly[a][max(monthly[a])]) for a in new]
    assert statistics.mean(latest) > statistics.mean(earliest)
    # Differences between agents: the best and the worst are far apart in the latest month.
    means = [statistics.mean(m[last]) for m in monthly.values() if m.get(last)]
    assert max(means) - min(means) > 20
    # A few agents are behind the quota in the latest complete month, most are not.
    behind = {a for a in trends if len(monthly[a].get(last, [])) < DEFAULT_QUOTA}
    planned = {a.name for a in centre.agents if a.behind}
    assert planned <= behind and 1 <= len(behind) <= 4


def test_the_same_seed_builds_the_same_centre(db, tmp_path):
    build_demo_centre(db, agents=3, months=1, today=TODAY)
    again = Database.open(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    other = Database.open(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        build_demo_centre(again, agents=3, months=1, today=TODAY)
        assert len(_percents(db)) > 20
        assert _percents(again) == _percents(db)  # to the decimal, on SQLite as on PostgreSQL
        build_demo_centre(other, agents=3, months=1, today=TODAY, seed=7)
        assert _percents(other) != _percents(db)
    finally:
        again.close()
        other.close()


def test_a_second_demo_is_refused_and_changes_nothing(db):
    build_demo_centre(db, agents=2, months=1, today=TODAY)
    before = _counts(db)
    with pytest.raises(DemoRefused) as refused:
        build_demo_centre(db, agents=2, months=1, today=TODAY)
    message = str(refused.value)
    assert "evaluations" in message and "calls other than the sample calls" in message
    assert "empty database" in message and "nothing was changed" in message
    assert _counts(db) == before


@pytest.mark.parametrize("real", ["call", "agent", "team"])
def test_real_data_is_never_touched(db, real):
    with db.session() as s:
        if real == "call":
            add_test_call(s, "real.wav")
        elif real == "agent":
            s.add(Agent(name="王芳", external_id="9001"))
        else:
            s.add(Team(name="投诉组"))
    before = _counts(db)
    with pytest.raises(DemoRefused, match=f"1 {real}"):
        build_demo_centre(db, agents=2, months=1, today=TODAY)
    assert _counts(db) == before


def test_a_library_of_just_the_sample_calls_gets_the_demo(db):
    report = load_sample_calls(db)
    assert report.count("imported") == 4
    built = build_demo_centre(db, agents=6, months=2, today=TODAY)
    assert sorted(built.adopted_sample_agents) == sorted(["Li Na", "张伟", "Sarah Mitchell", "Dave Wilson"])
    samples = load_samples()
    with db.session() as s:
        # The sample calls stay as they were; their agents moved to the demo's teams, and
        # the sample's own teams that were left empty are gone.
        assert s.execute(select(func.count()).where(Call.content_hash.in_(samples.hashes))).scalar_one() == 4
        assert sorted(s.execute(select(Team.name)).scalars()) == sorted(built.teams)
        assert s.execute(select(func.count(Agent.id))).scalar_one() == 6
        li_na = s.execute(select(Agent).where(Agent.external_id == "1023")).scalar_one()
        assert li_na.team.name == "售后服务一组"


def test_loading_the_sample_calls_after_the_demo_adds_them_to_its_agents(db):
    built = build_demo_centre(db, agents=6, months=1, today=TODAY)  # the four sample agents among them
    report = load_sample_calls(db)
    assert report.count("imported") == 4
    with db.session() as s:
        assert s.execute(select(func.count(Agent.id))).scalar_one() == 6
        assert sorted(s.execute(select(Team.name)).scalars()) == sorted(built.teams)


def test_a_cancelled_build_writes_nothing(db):
    before = _counts(db)
    ctx = JobContext(on_progress=lambda done, total: ctx.cancel() if done >= 100 else None, min_interval=0)
    with pytest.raises(Cancelled):
        build_demo_centre(db, agents=8, months=3, today=TODAY, ctx=ctx)
    assert _counts(db) == before


def test_a_failed_build_writes_nothing(db, monkeypatch):
    from qa_desk import demo_writer

    calls = []
    real = demo_writer.CentreWriter._evaluate

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 30:
            raise RuntimeError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(demo_writer.CentreWriter, "_evaluate", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo_centre(db, agents=4, months=2, today=TODAY)
    assert _counts(db) == {key: 0 for key in _counts(db)}


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="agents"):
        build_demo_centre(None, agents=0)
    with pytest.raises(ValueError, match="months"):
        build_demo_centre(None, months=37)


def test_the_demo_has_training_clips_and_a_playlist(built):
    from qa_desk.clips import clip_sound
    from qa_desk.store.clips import find_clips
    from qa_desk.store.models import Flag
    from qa_desk.store.playlists import get_playlist, list_playlists

    db, report = built
    with db.session() as s:
        clips = find_clips(s)
        [summary] = list_playlists(s)
        playlist = get_playlist(s, summary.id)
        assert (report.clips, report.playlists) == (len(clips), 1) == (4, 1)  # one per sample recording
        assert [e.clip.kind for e in playlist.entries] == ["good", "good", "needs_improvement", "needs_improvement"]
        for clip in clips:
            assert clip.excerpt and clip.duration > 1.0 and clip.agent_name
            if clip.kind == "needs_improvement":  # the moment a reviewer confirmed, the whole sentence
                flag = s.query(Flag).filter(Flag.call_id == clip.call_id, Flag.status == "confirmed",
                                            Flag.category == clip.tags[0]).first()
                assert clip.start <= flag.start and flag.end <= clip.end
    assert all(len(clip_sound(db, c.id).samples) > 8000 for c in clips)  # their own audio, a second or more
