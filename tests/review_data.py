"""A small contact centre for the sampling and review-queue tests, built with the real store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from qa_desk.permissions import Actor
from qa_desk.scoring.findings import Finding
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.store import evaluations as ev
from qa_desk.store import flags as flag_store
from qa_desk.store.calls import get_or_create_agent, save_metrics
from qa_desk.store.forms import save_form

from store_data import add_test_call
from test_form_scoring import SHEET  # a complete hotline sheet, worked out by hand there

LEAD = Actor("林组长", "lead")
ADMIN = Actor("admin", "admin")
REVIEWER = Actor("王质检", "reviewer")
ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")

# agent → (external id, team, queue, hired on)
AGENTS = {
    "张伟": ("1047", "Billing CN", "billing", datetime(2020, 3, 1)),
    "李娜": ("1048", "Billing CN", "billing", datetime(2021, 6, 1)),
    "陈新": ("1049", "Tech CN", "tech", datetime(2026, 10, 20)),  # a new hire
}


def centre(db, calls_per_agent: int = 6) -> dict[str, list[int]]:
    """Each agent's November calls: one a day, durations 100 s, 200 s, …; some dead air;
    the second call of each agent has two critical flags, the third one a minor flag."""
    out: dict[str, list[int]] = {}
    with db.session() as s:
        rulebook_id, _ = flag_store.ensure_rulebook(s, key="zh-CN", name="规范", language="zh-CN",
                                                    content_hash="r" * 64, definition={})
        for a, (name, (ext, team, queue, hired)) in enumerate(AGENTS.items()):
            agent = get_or_create_agent(s, name=name, external_id=ext, team=team)
            agent.hired_on = hired
            ids = []
            for n in range(calls_per_agent):
                call_id = add_test_call(s, f"{ext}-{n}.wav", agent_id=agent.id, queue=queue,
                                        duration=100.0 * (n + 1), started_at=datetime(2026, 11, 2 + n + a, 9, 30))
                save_metrics(s, call_id, {"silence_total": float(10 * ((n * 7) % 5))})
                if n in (1, 2):
                    severity = "critical" if n == 1 else "minor"
                    _flag(s, call_id, rulebook_id, severity, 2 if n == 1 else 1)
                ids.append(call_id)
            out[name] = ids
        # An October call, outside November, and a call with no agent: never picked.
        add_test_call(s, "oct.wav", agent_id=agent.id, started_at=datetime(2026, 10, 30, 9))
        add_test_call(s, "nobody.wav", started_at=datetime(2026, 11, 10, 9))
    return out


def _flag(session, call_id: int, rulebook_id: int, severity: str, count: int) -> None:
    base = Finding(rule_key="zh-forbidden-01", rule_title="推诿搪塞", category="forbidden_phrase", severity=severity,
                   speaker="agent", start=31.0, end=31.8, matched_text="不知道", words=(), kind="exact",
                   confidence=1.0, reason="禁用语", form_item="no_forbidden_phrases")
    findings = [replace(base, start=31.0 + 10 * i, end=31.8 + 10 * i) for i in range(count)]
    flag_store.save_findings(session, call_id, rulebook_id, findings)


def _form_id(session) -> int:
    return save_form(session, ZH, actor=LEAD).id


def submit_evaluation(db, call_id: int, reviewer: str) -> int:
    """A full evaluation of ``call_id`` by ``reviewer``, submitted, through the evaluation store."""
    who = Actor(reviewer, "reviewer")
    with db.session() as s:
        view = ev.start_evaluation(s, call_id, _form_id(s), who)
        edits = {k: ev.AnswerEdit(v) for k, v in SHEET.items()}
        view = ev.save_answers(s, view.id, view.row_version, edits, who)
        return ev.submit(s, view.id, view.row_version, who).id


def start_draft(db, call_id: int, reviewer: str) -> int:
    with db.session() as s:
        return ev.start_evaluation(s, call_id, _form_id(s), Actor(reviewer, "reviewer")).id
