"""A small contact centre with months of real evaluations, for the scorecard tests.

Made with the store's own functions (install_forms, start_evaluation, save_answers,
submit), so the scorecards are computed from evaluations exactly as a reviewer leaves
them. Deterministic: the same seed gives the same centre.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from qa_desk.permissions import Actor
from qa_desk.scoring.forms import shipped_forms
from qa_desk.scoring.periods import month_of
from qa_desk.store import evaluations as ev_store
from qa_desk.store.calls import add_call, get_or_create_agent
from qa_desk.store.forms import install_forms, stored_form
from qa_desk.store.models import Flag
from qa_desk.store.models import Form as FormRow

# (name, 工号, team, form key, skill, trend per month)
PEOPLE = (
    ("张伟", "1047", "宽带客服一组", "hotline-zh", 0.93, +0.005),
    ("李娜", "1023", "宽带客服一组", "hotline-zh", 0.80, +0.025),
    ("王芳", "1031", "宽带客服一组", "hotline-zh", 0.70, -0.02),
    ("刘洋", "1052", "账单客服二组", "hotline-zh", 0.86, 0.0),
    ("陈静", "1060", "账单客服二组", "hotline-zh", 0.62, +0.03),
    ("赵磊", "1066", "账单客服二组", "hotline-zh", 0.90, -0.01),
    ("Sarah Mitchell", "2011", "Customer Care EN", "contact-centre-en", 0.91, 0.0),
    ("Dave Wilson", "2038", "Customer Care EN", "contact-centre-en", 0.74, +0.02),
    ("Priya Shah", "2050", "Customer Care EN", "contact-centre-en", 0.84, -0.015),
    ("Emma Clarke", "2040", "Retention EN", "contact-centre-en", 0.66, +0.01),
    ("Tom Baker", "2045", "Retention EN", "contact-centre-en", 0.88, +0.01),
)
CATEGORIES = ("forbidden_phrase", "required_greeting", "filler_words", "required_closing", "impolite_address")
LAST_MONTH = date(2026, 11, 1)

REVIEWER = Actor("质检员 周敏", "reviewer")


def _answer(item, q: float, rng: random.Random) -> str:
    if item.critical:
        return item.failing() if rng.random() < 0.02 * (2 - q) else item.passing()
    if item.bonus:
        return "yes" if rng.random() < 0.25 * q else "no"
    if item.answer == "scale":
        scale = item.scale or 1
        return str(max(0, min(scale, round(scale * (q + rng.gauss(0, 0.12))))))
    r = rng.random()
    if item.answer == "yes_partial_no":
        return "yes" if r < q else ("partial" if r < q + (1 - q) * 0.6 else "no")
    return "yes" if r < q else "no"


def _form_ids(session) -> dict[str, int]:
    install_forms(session, shipped_forms())
    rows = session.execute(select(FormRow.key, FormRow.id).order_by(FormRow.version)).all()
    return {key: form_id for key, form_id in rows}  # the newest version of each key wins


def build_centre(db, *, months: int = 6, last: date = LAST_MONTH, seed: int = 7, people=PEOPLE,
                 per_month: tuple[int, int] = (4, 6)) -> None:
    """``months`` months of calls, evaluations, flags and audio metrics up to ``last``'s month.
    In the last month a few agents are behind the quota of 4."""
    rng = random.Random(seed)
    first = month_of(last)
    for _ in range(months - 1):
        first = first.previous()
    with db.session() as session:
        forms = _form_ids(session)
        form_defs = {key: stored_form(session, form_id) for key, form_id in forms.items()}
        agents = [(get_or_create_agent(session, name=n, external_id=x, team=t).id, n, k, skill, trend)
                  for n, x, t, k, skill, trend in people]
    serial = 0
    for month_index in range(months):
        period = first
        for _ in range(month_index):
            period = period.next()
        latest = month_index == months - 1
        with db.session() as session:
            for agent_n, (agent_id, name, form_key, skill, trend) in enumerate(agents):
                count = rng.randint(*per_month)
                if latest and agent_n % 4 == 2:
                    count = rng.randint(1, 3)  # behind the quota this month
                q = min(0.99, max(0.3, skill + trend * month_index))
                for _ in range(count):
                    serial += 1
                    day = period.start + timedelta(days=rng.randrange(period.days))
                    started = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + rng.randrange(9),
                                                                                      minutes=rng.randrange(60))
                    duration = rng.uniform(120, 720)
                    call_id = add_call(session, dict(
                        file_path=f"/rec/{name}_{serial}.wav", file_name=f"{name}_{started:%Y%m%d-%H%M%S}.wav",
                        content_hash=f"{serial:064x}", file_size=1000, audio_format="WAV", codec="PCM_16",
                        duration=duration, sample_rate=8000, channels=2, channel_map={"0": "agent", "1": "customer"},
                        status="reviewed", agent_id=agent_id, started_at=started, scanned_at=started,
                        metrics={"duration": duration, "talk_ratio": rng.uniform(0.8, 1.8),
                                 "silence_total": rng.uniform(0, 40) * (1.3 - q), "hold_total": rng.uniform(0, 30),
                                 "overtalk_total": rng.uniform(0, 15) * (1.2 - q), "interruptions": rng.randint(0, 4)},
                    ))
                    for category in CATEGORIES:
                        if rng.random() < (1 - q) * 0.8:
                            session.add(Flag(call_id=call_id, rule_key=category, rule_title=category, category=category,
                                             severity="major", status="confirmed", fingerprint=f"{serial}-{category}"))
                    form = form_defs[form_key]
                    view = ev_store.start_evaluation(session, call_id, forms[form_key], REVIEWER)
                    edits = {item.key: ev_store.AnswerEdit(_answer(item, q, rng)) for item in form.items()}
                    view = ev_store.save_answers(session, view.id, view.row_version, edits, REVIEWER)
                    ev_store.submit(session, view.id, view.row_version, REVIEWER)
