"""When the demo centre's calls happen and which of them are evaluated: a plan made
before anything is written, from the seed alone.

The demo covers the ``months`` complete calendar months before today's month and
today's month so far (scorecards read calendar months). Calls fall on working days
(Monday to Saturday) in working hours, never on or after today and never before the
agent was hired. Each agent gets 4-8 evaluations a month; a few agents fall behind the
quota in the latest complete month; an agent's first and the current month are
pro-rated by the days they cover. A few calls more than are evaluated are not scored
at all, as in any centre.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .demo_people import AgentPlan

# When calls come in: the morning and early-afternoon peaks of a service line.
_HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
_HOUR_WEIGHTS = (4, 9, 10, 9, 5, 7, 9, 8, 7, 5, 3, 2)


@dataclass(frozen=True)
class MonthSlot:
    first: date
    last: date  # included
    index: int  # 0 for the oldest month
    complete: bool  # False: today's month so far


@dataclass(frozen=True)
class CallPlan:
    agent: int  # index into the agents' plans
    started_at: datetime
    evaluated: bool
    months_in: float  # months since the start of the demo (or the agent's hiring), for their skill


def month_slots(today: date, months: int) -> list[MonthSlot]:
    """The ``months`` complete months before today's month, then today's month up to yesterday."""
    slots = []
    year, month = today.year, today.month
    for back in range(months, 0, -1):
        y, m = divmod(month - 1 - back, 12)
        y, m = year + y, m + 1
        slots.append(MonthSlot(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), months - back, True))
    if today.day > 1:
        slots.append(MonthSlot(today.replace(day=1), today - timedelta(days=1), months, False))
    return slots


def demo_start(today: date, months: int) -> date:
    return month_slots(today, months)[0].first


def _working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() != 6:  # the line is open Monday to Saturday
            days.append(day)
        day += timedelta(days=1)
    return days


def _evaluations(rng: random.Random, agent: AgentPlan, slot: MonthSlot, latest_complete: int) -> int:
    if slot.complete and slot.index == latest_complete and agent.behind:
        return rng.randint(1, 3)
    return rng.randint(4, 8)


def plan_calls(rng: random.Random, agents: list[AgentPlan], today: date, months: int) -> list[CallPlan]:
    """Every call of the demo, oldest first."""
    slots = month_slots(today, months)
    start = slots[0].first
    latest_complete = max((s.index for s in slots if s.complete), default=-1)
    plans: list[CallPlan] = []
    for number, agent in enumerate(agents):
        for slot in slots:
            whole = _working_days(slot.first, slot.last if slot.complete else
                                  date(slot.first.year, slot.first.month,
                                       calendar.monthrange(slot.first.year, slot.first.month)[1]))
            days = [d for d in whole if d >= agent.hired_on and d <= slot.last]
            evaluations = _evaluations(rng, agent, slot, latest_complete)
            if not days:
                continue
            if len(days) < len(whole):  # the agent's first month, or today's month so far
                evaluations = round(evaluations * len(days) / len(whole))
            calls = evaluations + round(evaluations * rng.uniform(0.2, 0.5))
            if len(days) < len(whole) and calls == 0 and rng.random() < len(days) / len(whole):
                calls = 1
            scored = [True] * evaluations + [False] * (calls - evaluations)
            rng.shuffle(scored)
            for evaluated in scored:
                day = rng.choice(days)
                at = datetime.combine(day, time(rng.choices(_HOURS, _HOUR_WEIGHTS)[0], rng.randrange(60),
                                                rng.randrange(60)))
                since = agent.hired_on if agent.trend == "new" else start
                plans.append(CallPlan(number, at, evaluated, max(0.0, (day - since).days / 30.44)))
    plans.sort(key=lambda p: (p.started_at, p.agent))
    return plans
