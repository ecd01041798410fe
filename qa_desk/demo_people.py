"""The people of the demo centre: teams, agents (with how they perform over time) and
the QA reviewers and team leads who score them. Plain data drawn from a seeded
``random.Random``: the same seed always gives the same centre.

Every agent has a *skill* (the chance a reviewer finds an item done right) that moves
month by month along the agent's *trend*: most agents are steady, some improve after
coaching, one declines, and agents hired during the demo's months ramp up from a low
start. Skill decides which sample recording an agent's calls reuse (the well-handled
one or the poor one) and how the reviewers answer the form's items.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

TRENDS = ("steady", "improving", "declining", "new")

# The agents of the shipped sample calls (resources/samples/metadata.csv) are the first
# agents of their line: their recordings are the ones every demo call reuses, and a
# library that already holds the sample calls then finds them at home in the demo.
# (name, 工号, language, trend, skill at the start)
SAMPLE_AGENTS = (
    ("Li Na", "1023", "zh", "steady", 0.9),
    ("张伟", "1047", "zh", "declining", 0.8),
    ("Sarah Mitchell", "2011", "en", "steady", 0.92),
    ("Dave Wilson", "2038", "en", "improving", 0.55),
)

_ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_ZH_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "霞", "平", "刚", "桂英", "婷", "雪", "琳", "晨", "浩", "宇", "欣怡", "子涵", "梓萱", "雨桐", "思远", "佳琪",
    "建华", "文博", "晓东", "海燕", "丹", "鹏", "倩", "颖", "慧", "晶", "玲", "斌", "辉", "宁", "悦", "蕾", "昊",
    "俊杰", "嘉怡", "一鸣", "诗涵", "梦琪", "振宇", "志强", "美玲", "春梅",
)
_EN_FIRST = (
    "Emma", "Olivia", "Ava", "Sophia", "Mia", "Amelia", "Grace", "Chloe", "Ella", "Lucy", "Hannah", "Zoe", "Priya",
    "Aisha", "Maria", "Rachel", "Laura", "Megan", "James", "Oliver", "Jack", "Harry", "Noah", "Liam", "Ethan",
    "Lucas", "Daniel", "Samuel", "Ryan", "Tom", "Ben", "Marcus", "Kevin", "Raj", "Carlos", "Sean", "Owen", "Adam",
)
_EN_LAST = (
    "Clarke", "Baker", "Shah", "Turner", "Hughes", "Patel", "Wright", "Walker", "Robinson", "Thompson", "Evans",
    "Roberts", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Cooper", "King", "Lee", "Ward",
    "Morgan", "Bennett", "Gray", "Price", "Foster", "Murphy", "Bell", "Russell", "Ortiz", "Nguyen", "Kim", "Reed",
    "Kelly", "Fisher", "Brooks", "Hayes", "Reyes", "Sullivan", "Powell", "Jenkins", "Perry", "Long", "Ross",
)
_ZH_TEAM_NUMBERS = "一二三四五六七八九十"

# QA reviewers and team leads: a handful per line, more for a large centre.
ZH_REVIEWERS = ("陈静", "刘洋", "赵敏", "孙晓东", "何丽", "郭振宇", "林佳琪", "罗文博", "梁雪", "宋晨", "韩颖", "唐一鸣")
EN_REVIEWERS = ("Emma Clarke", "James Porter", "Hannah Reed", "Marcus Bell", "Laura Hayes", "Owen Price",
                "Grace Turner", "Ryan Kelly", "Zoe Morgan", "Adam Ward")
ZH_LEADS = ("周建国", "吴海燕", "郑志强", "冯春梅")
EN_LEADS = ("Olivia Grant", "Samuel Foster", "Rachel Brooks")

TEAM_SIZE = 12  # agents per team, about: a team lead's span in a contact centre


@dataclass(frozen=True)
class TeamPlan:
    name: str
    language: str  # zh | en


@dataclass(frozen=True)
class AgentPlan:
    name: str
    external_id: str  # 工号
    team: str
    language: str  # zh | en: which recordings, form and rulebook the agent's calls get
    trend: str  # one of TRENDS
    skill: float  # at the start of the demo's months (or of the agent's first month)
    slope: float  # skill change per month
    hired_on: date
    talk_style: float  # > 1: talks more than usual (the talk ratio rises), < 1: less
    interrupts: float  # chance a call has the agent cutting the customer off
    behind: bool  # scored less than the quota in the latest complete month
    sample: bool = False  # one of the sample calls' agents

    def skill_at(self, months_in: float) -> float:
        """Skill ``months_in`` months after the start of the demo (or of the agent's hiring)."""
        return min(0.97, max(0.25, self.skill + self.slope * months_in))


def _team_count(agents: int) -> int:
    return max(1, math.ceil(agents / TEAM_SIZE))


def plan_teams(zh_agents: int, en_agents: int) -> list[TeamPlan]:
    """Mandarin after-sales teams (two at least once there are enough agents) and English line teams."""
    zh = _team_count(zh_agents) if zh_agents else 0
    if zh_agents >= 6:
        zh = max(zh, 2)
    teams = [TeamPlan(_zh_team_name(i), "zh") for i in range(zh)]
    en = _team_count(en_agents) if en_agents else 0
    teams += [TeamPlan("Customer Care EN" if i == 0 else f"Customer Care EN {i + 1}", "en") for i in range(en)]
    return teams


def _zh_team_name(i: int) -> str:
    n = i + 1
    if n >= 100:
        return f"售后服务{n}组"
    if n <= 10:
        number = _ZH_TEAM_NUMBERS[n - 1]
    elif n < 20:
        number = "十" + _ZH_TEAM_NUMBERS[n - 11]
    else:
        tens, ones = divmod(n, 10)
        number = _ZH_TEAM_NUMBERS[tens - 1] + "十" + (_ZH_TEAM_NUMBERS[ones - 1] if ones else "")
    return f"售后服务{number}组"


def _unique_names(rng: random.Random, count: int, make, taken: set[str]) -> list[str]:
    names: list[str] = []
    attempts = 0
    while len(names) < count:
        name = make()
        attempts += 1
        if attempts > 50 * count + 1000:  # a huge centre: names repeat in real life too, told apart by 工号
            name = f"{name}{len(names) + 1}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _zh_name(rng: random.Random) -> str:
    return rng.choice(_ZH_SURNAMES) + rng.choice(_ZH_GIVEN)


def _en_name(rng: random.Random) -> str:
    return f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}"


def _trends(rng: random.Random, fixed: list[str], count: int) -> list[str]:
    """Trends for a line of ``count`` agents, the first ones ``fixed``: about a fifth
    improving, one in twelve new, one declining (a few in a large centre)."""
    trends = list(fixed) + ["steady"] * (count - len(fixed))
    slots = list(range(len(fixed), count))
    rng.shuffle(slots)
    wanted = {
        "improving": max(1, round(count * 0.2)) if count >= 3 else 0,
        "new": max(1, round(count / 12)) if count >= 4 else 0,
        "declining": max(1, round(count / 40)) if count >= 5 else 0,
    }
    for kind, n in wanted.items():
        for _ in range(n - fixed.count(kind)):
            if slots:
                trends[slots.pop()] = kind
    return trends


def plan_agents(rng: random.Random, agents: int, months: int, start: date,
                today: date) -> tuple[list[TeamPlan], list[AgentPlan]]:
    """``agents`` agents, two thirds on the Mandarin line, in teams of about twelve."""
    en_count = agents // 3
    zh_count = agents - en_count
    teams = plan_teams(zh_count, en_count)
    # Agents are not named like the reviewers and leads who score them.
    taken = {name for name, *_ in SAMPLE_AGENTS} | set(ZH_REVIEWERS + EN_REVIEWERS + ZH_LEADS + EN_LEADS)
    plans: list[AgentPlan] = []
    for language, count, make, id_base in (("zh", zh_count, _zh_name, 1001), ("en", en_count, _en_name, 2001)):
        samples = [s for s in SAMPLE_AGENTS if s[2] == language][:count]
        names = [s[0] for s in samples] + _unique_names(rng, count - len(samples), lambda: make(rng), taken)
        sample_ids = {s[1] for s in SAMPLE_AGENTS}
        ids = [s[1] for s in samples]
        # 工号: Mandarin line 1001…, English line 2001… (five digits in a centre too big for that).
        number = id_base if zh_count < 950 else id_base * 10
        while len(ids) < count:
            if str(number) not in sample_ids:
                ids.append(str(number))
            number += 1
        trends = _trends(rng, [s[3] for s in samples], count)
        line_teams = [t.name for t in teams if t.language == language]
        for i, (name, external_id, trend) in enumerate(zip(names, ids, trends)):
            sample = i < len(samples)
            plans.append(_agent(rng, name, external_id, line_teams[i * len(line_teams) // count], language, trend,
                                samples[i][4] if sample else None, months, start, today, sample))
    _mark_behind(rng, plans)
    return teams, plans


def _agent(rng: random.Random, name: str, external_id: str, team: str, language: str, trend: str,
           skill: float | None, months: int, start: date, today: date, sample: bool) -> AgentPlan:
    if trend == "new":
        # Hired during the demo's months (in its second half when there are several).
        latest = max(start, today - timedelta(days=45))
        earliest = start + (latest - start) / 2 if months > 2 else start
        hired = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        base, slope = rng.uniform(0.4, 0.5), rng.uniform(0.1, 0.14)
    else:
        hired = start - timedelta(days=rng.randint(120, 6 * 365))
        if trend == "improving":
            base, slope = rng.uniform(0.5, 0.62), rng.uniform(0.05, 0.07)
        elif trend == "declining":
            base, slope = rng.uniform(0.82, 0.9), -rng.uniform(0.05, 0.07)
        else:
            base, slope = rng.uniform(0.68, 0.93), rng.uniform(-0.005, 0.012)
    if months <= 2 and trend in ("improving", "declining"):
        slope *= 2  # a short demo still shows the change within its months
    return AgentPlan(
        name=name, external_id=external_id, team=team, language=language, trend=trend,
        skill=skill if skill is not None else base, slope=slope if skill is None or trend != "steady" else 0.003,
        hired_on=hired, talk_style=rng.uniform(0.85, 1.15), interrupts=rng.choice((0.02, 0.05, 0.1, 0.3)),
        behind=False, sample=sample,
    )


def _mark_behind(rng: random.Random, plans: list[AgentPlan]) -> None:
    """A few agents (about one in six, at least one) scored less than the quota last month."""
    if not plans:
        return
    chosen = rng.sample(range(len(plans)), max(1, round(len(plans) / 6)))
    for i in chosen:
        plans[i] = replace(plans[i], behind=True)


def reviewers_for(language: str, agents: int) -> tuple[str, ...]:
    """The line's QA reviewers: about one for every fifteen agents, two at least."""
    pool = ZH_REVIEWERS if language == "zh" else EN_REVIEWERS
    return pool[: max(2, min(len(pool), math.ceil(agents / 15)))]


def leads_for(language: str, teams: int) -> tuple[str, ...]:
    pool = ZH_LEADS if language == "zh" else EN_LEADS
    return pool[: max(1, min(len(pool), teams))]
