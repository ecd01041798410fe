"""A believable demo centre in an empty database: `qa-desk demo` and the window's offer.

Teams and agents, months of calls reusing the shipped sample recordings, each with
its transcript, audio metrics and the flags the shipped rulebook finds in it (some
confirmed, some dismissed with a reason), and evaluations on the shipped forms with
plausible trends: so a new user, and the screenshots, see every screen alive.

* It refuses to touch a database that already holds real data (``DemoRefused``):
  any evaluation, clip or playlist, any call that is not one of the sample calls,
  any agent or team "Load sample calls" did not create. A library holding only the
  sample calls is welcome: their agents join the demo's teams.
* Calls, flags and evaluations (and their whole workflow) are written through the
  store's own functions, so every row is what the window itself would write (the
  section scores included); only the sample transcripts go in as plain inserts (see
  ``demo_writer``). The demo then dates each step (reviewed, submitted,
  acknowledged…) a little after its call, as it would have happened.
* A demo call is one of the sample recordings: its length is the recording's (the
  call view plays it), its metrics the sample's speech varied per agent and call.
* It is one transaction: a cancelled or failed run leaves the database exactly as it
  was, never half a centre or half an evaluation.
* The same seed and day build the same centre (the same scores, to the decimal).
"""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .demo_answers import WEAK_SPOTS
from .demo_clips import add_demo_clips
from .demo_people import AgentPlan, leads_for, plan_agents, reviewers_for
from .demo_plan import demo_start, month_slots, plan_calls
from .demo_recordings import SampleSet, SamplesMissing, load_samples
from .demo_writer import CentreWriter
from .jobs import JobContext
from .scoring.forms import shipped_forms
from .scoring.rulebook import default_rulebook_path, load_rulebook
from .store.database import Database, redact
from .store.flags import ensure_rulebook
from .store.forms import install_forms, stored_form
from .store.models import Agent, Call, Clip, Evaluation, Playlist, Team
from .wording import choose, translate

__all__ = [
    "AgentSummary", "DemoError", "DemoRefused", "DemoReport", "MAX_AGENTS", "MAX_MONTHS", "SamplesMissing",
    "build_demo_centre", "check_demo_allowed",
]

FORM_KEYS = {"zh": "hotline-zh", "en": "contact-centre-en"}
MAX_AGENTS, MAX_MONTHS = 2000, 36
BATCH = 200  # calls written between two flushes of the session (and progress reports)


class DemoError(Exception):
    """The demo centre cannot be built; the message says why."""


class DemoRefused(DemoError):
    """The database already holds real data: the demo never mixes with it."""


@dataclass(frozen=True)
class AgentSummary:
    name: str
    external_id: str
    team: str
    trend: str  # steady | improving | declining | new
    behind: bool  # fewer evaluations than the quota in the latest complete month


@dataclass
class DemoReport:
    teams: list[str]
    agents: list[AgentSummary]
    calls: int
    evaluations: dict[str, int]  # status → count
    flags: dict[str, int]  # open / confirmed / dismissed → count
    reviewers: list[str]
    first_day: date
    last_day: date
    months: int
    seed: int
    adopted_sample_agents: list[str] = field(default_factory=list)
    clips: int = 0  # training clips cut from the demo's calls
    playlists: int = 0
    seconds: float = 0.0

    @property
    def evaluation_count(self) -> int:
        return sum(self.evaluations.values())

    @property
    def flag_count(self) -> int:
        return sum(self.flags.values())

    def as_dict(self) -> dict:
        return {
            "teams": self.teams,
            "agents": [vars(a) for a in self.agents],
            "calls": self.calls,
            "evaluations": {"total": self.evaluation_count, **self.evaluations},
            "flags": {"total": self.flag_count, **self.flags},
            "reviewers": self.reviewers,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "months": self.months,
            "seed": self.seed,
            "adopted_sample_agents": self.adopted_sample_agents,
            "clips": self.clips,
            "playlists": self.playlists,
            "seconds": round(self.seconds, 2),
        }


# --- is the database empty enough? ---------------------------------------------------------


def _real_data(session: Session, samples: SampleSet) -> list[str]:
    """What the database holds that is neither empty nor the shipped sample calls."""
    found = []

    def count(query) -> int:
        return session.execute(query).scalar_one()

    evaluations = count(select(func.count(Evaluation.id)))
    if evaluations:
        found.append(choose(evaluations, translate("Errors", "{count} evaluation"),
                            translate("Errors", "{count} evaluations")).format(count=evaluations))
    calls = count(select(func.count(Call.id)).where(Call.content_hash.not_in(sorted(samples.hashes))))
    if calls:
        found.append(choose(calls, translate("Errors", "{count} call other than the sample calls"),
                            translate("Errors", "{count} calls other than the sample calls")).format(count=calls))
    agents = [(name, ext) for name, ext in session.execute(select(Agent.name, Agent.external_id))
              if (name, ext) not in samples.agents]
    if agents:
        found.append(choose(len(agents), translate("Errors", "{count} agent of its own"),
                            translate("Errors", "{count} agents of its own")).format(count=len(agents)))
    teams = [name for name in session.execute(select(Team.name)).scalars() if name not in samples.teams]
    if teams:
        found.append(choose(len(teams), translate("Errors", "{count} team of its own"),
                            translate("Errors", "{count} teams of its own")).format(count=len(teams)))
    clips = count(select(func.count(Clip.id))) + count(select(func.count(Playlist.id)))
    if clips:
        found.append(translate("Errors", "training clips"))
    return found


def check_demo_allowed(db: Database, samples: SampleSet | None = None) -> None:
    """DemoRefused when the database holds real data (see the module's doc)."""
    samples = samples or load_samples()
    with db.session() as session:
        _refuse_if_used(session, db, samples)


def _refuse_if_used(session: Session, db: Database, samples: SampleSet) -> None:
    found = _real_data(session, samples)
    if found:
        raise DemoRefused(translate(
            "Errors", "The database {url} already holds {found}: the demo centre only fills an empty database (or "
            "one holding just the sample calls), so nothing was changed. Build the demo in a new, empty database, "
            "e.g. qa-desk --db sqlite:///qa-desk-demo.sqlite3 demo").format(
            url=redact(db.url), found=translate("Errors", ", ").join(found)))


# --- the build ---------------------------------------------------------------------------------


def _check_arguments(agents: int, months: int) -> None:
    if not 1 <= agents <= MAX_AGENTS:
        raise ValueError(translate("Errors", "The number of agents must be between 1 and {max}, not {count}.").format(
            max=MAX_AGENTS, count=agents))
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(translate("Errors", "The number of months must be between 1 and {max}, not {count}.").format(
            max=MAX_MONTHS, count=months))


def build_demo_centre(db: Database, *, agents: int = 12, months: int = 6, seed: int = 2026,
                      today: date | None = None, ctx: JobContext | None = None) -> DemoReport:
    """Fill an empty database with a demo centre of ``agents`` agents over ``months``
    months before ``today`` (and ``today``'s month so far). DemoRefused when it holds
    real data; Cancelled (nothing written) when ``ctx`` is cancelled."""
    _check_arguments(agents, months)
    began = clock.monotonic()
    ctx = ctx or JobContext()
    today = today or date.today()
    ctx.status(translate("Demo", "Reading the sample recordings…"))
    samples = load_samples()
    rng = random.Random(seed)
    start = demo_start(today, months)
    teams, plans = plan_agents(rng, agents, months, start, today)
    weak = {i: rng.choice(WEAK_SPOTS) for i in range(len(plans))}
    calls = plan_calls(rng, plans, today, months)
    rulebooks = {lang: load_rulebook(default_rulebook_path(lang)) for lang in ("zh", "en")}
    ctx.status(translate("Demo", "Building the demo centre…"))
    try:
        with db.session() as session:
            _refuse_if_used(session, db, samples)
            forms = _forms(session)
            rulebook_ids = {lang: ensure_rulebook(session, key=rb.key, name=rb.name, language=rb.language,
                                                  content_hash=rb.content_hash, definition=rb.definition)[0]
                            for lang, rb in rulebooks.items()}
            agent_ids, adopted = _people(session, teams, plans, start, samples)
            people = {lang: (reviewers_for(lang, sum(p.language == lang for p in plans)),
                             leads_for(lang, sum(t.language == lang for t in teams))) for lang in ("zh", "en")}
            lead_of = _leads(teams, plans, people)
            writer = CentreWriter(session, samples, forms, rulebooks, rulebook_ids, datetime.combine(today, time.min))
            ctx.progress(0, len(calls))
            for index, call in enumerate(calls):
                ctx.check_cancelled()
                if index % BATCH == 0:
                    writer.flush()
                agent = plans[call.agent]
                call_rng = random.Random(seed * 1_000_003 + index)
                writer.add_call(
                    index, agent, agent_ids[call.agent], call, call_rng,
                    reviewer=_reviewer(call_rng, people[agent.language][0], call.agent), lead=lead_of[call.agent],
                    weak_spot=weak[call.agent],
                )
                ctx.progress(index + 1, len(calls))
            ctx.check_cancelled()
            writer.flush()
            ctx.status(translate("Demo", "Cutting training clips…"))
            trainer = lead_of[0] if lead_of else "QA"
            clip_count, playlist_count = add_demo_clips(session, trainer, plans[0].language if plans else "zh")
    except IntegrityError as exc:
        # Another QA Desk wrote to the database at the same time (a second demo, an import).
        detail = str(exc.orig).splitlines()[0]
        raise DemoRefused(translate(
            "Errors", "The database {url} changed while the demo centre was being built, so nothing was written "
            "({detail}). Use a new, empty database.").format(url=redact(db.url), detail=detail)) from exc
    slots = month_slots(today, months)
    return DemoReport(
        teams=[t.name for t in teams],
        agents=[AgentSummary(p.name, p.external_id, p.team, p.trend, p.behind) for p in plans],
        calls=len(calls), evaluations=dict(writer.evaluations), flags=dict(writer.flags),
        clips=clip_count, playlists=playlist_count,
        reviewers=[r for lang in ("zh", "en") for r in people[lang][0] if any(p.language == lang for p in plans)],
        first_day=slots[0].first, last_day=slots[-1].last, months=months, seed=seed,
        adopted_sample_agents=adopted, seconds=clock.monotonic() - began,
    )


def _reviewer(rng: random.Random, reviewers: tuple[str, ...], agent: int) -> str:
    """Each agent has a usual reviewer; now and then another one scores a call."""
    if rng.random() < 0.2:
        return rng.choice(reviewers)
    return reviewers[agent % len(reviewers)]


def _leads(teams, plans: list[AgentPlan], people: dict) -> list[str]:
    """The team lead of each agent (who resolves their disputes): one per team, shared in a large centre."""
    number = {t.name: sum(1 for u in teams[:i] if u.language == t.language) for i, t in enumerate(teams)}
    return [people[p.language][1][number[p.team] % len(people[p.language][1])] for p in plans]


def _forms(session: Session) -> dict[str, tuple[int, object]]:
    """language → (form version id, Form) of the shipped forms, stored if they are not yet."""
    report = install_forms(session, shipped_forms())
    by_key = {version.key: version.id for version in report.stored}
    missing = [key for key in FORM_KEYS.values() if key not in by_key]
    if missing:
        problems = "; ".join(f"{name}: {why}" for name, why in report.failed.items())
        text = choose(len(missing), translate("Errors", "The shipped form {forms} could not be loaded{problems}. "
                                                        "Reinstall QA Desk to restore it."),
                      translate("Errors", "The shipped forms {forms} could not be loaded{problems}. Reinstall QA Desk "
                                          "to restore them."))
        raise DemoError(text.format(forms=", ".join(missing), problems=": " + problems if problems else ""))
    return {lang: (by_key[key], stored_form(session, by_key[key])) for lang, key in FORM_KEYS.items()}


def _people(session: Session, teams, plans: list[AgentPlan], start: date,
            samples: SampleSet) -> tuple[list[int], list[str]]:
    """The teams and agents; the sample calls' agents, when already there, join their demo team."""
    team_rows = {}
    for team in teams:
        row = session.execute(select(Team).where(Team.name == team.name)).scalar_one_or_none()
        if row is None:
            row = Team(name=team.name, created_at=datetime.combine(start - timedelta(days=400), time(9)))
            session.add(row)
        team_rows[team.name] = row
    session.flush()
    existing = {agent.external_id: agent for agent in session.execute(select(Agent)).scalars()}
    ids, adopted = [], []
    for plan in plans:
        agent = existing.get(plan.external_id) if plan.sample else None
        if agent is None:
            agent = Agent(name=plan.name, external_id=plan.external_id)
            session.add(agent)
        else:
            adopted.append(agent.name)
        agent.team_id = team_rows[plan.team].id
        agent.hired_on = datetime.combine(plan.hired_on, time(9))
        agent.active = True
        session.flush()
        ids.append(agent.id)
    # A sample team whose agents all joined the demo's teams is left empty: it goes.
    for name in samples.teams - set(team_rows):
        team = session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
        if team is not None and not session.execute(select(Agent.id).where(Agent.team_id == team.id)).first():
            session.execute(delete(Team).where(Team.id == team.id))
    return ids, adopted

