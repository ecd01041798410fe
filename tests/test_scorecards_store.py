"""Scorecards from the database (SQLite and PostgreSQL): every figure against a hand calculation.

The centre (November 2026, previous period October):

  Billing CN  张伟   Oct: E0 77.4725 · Nov: E1 77.4725 (acknowledged), E2 53.3708 (accuracy zeroed by a
                     critical item, response all N/A), E3 50 (form v2), a draft (not counted);
                     Dec 1 00:00: E5 (not November)
              李娜   Nov: E4 77.4725 (auto-failed, disputed, resolved to a pass), E6 0 (auto-failed)
              赵强   inactive; Oct: E8 54.3956
              钱七   inactive; one November call, no evaluation
  Care EN     Tom    Nov: E7 100 (the English form)
  (no team)   王芳   active, no calls
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from qa_desk.audio.metrics import compute_metrics
from qa_desk.audio.vad import Segment
from qa_desk.scoring.findings import Finding
from qa_desk.scoring.forms import Form, load_form, shipped_forms
from qa_desk.scoring.periods import month_of, parse_period
from qa_desk.store import evaluations as ev
from qa_desk.store import flags as flag_store
from qa_desk.store import scorecards as sc
from qa_desk.store.calls import add_call, get_or_create_agent, save_metrics
from qa_desk.store.forms import install_forms, save_form
from qa_desk.store.models import Agent, CalibrationSession, Evaluation, Flag

from store_data import call_row
from actors import ADMIN, lead, reviewer
from test_form_scoring import SHEET

NOV, OCT, DEC = parse_period("2026-11"), parse_period("2026-10"), parse_period("2026-12")
ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
EN = next(load_form(p) for p in shipped_forms() if p.stem == "contact-centre-en")
OPENING = {**ZH.definition["sections"][1], "title": "开场与结束（新）"}
EMPATHY = {"key": "empathy", "title": "同理心", "points": 4, "weight": None, "bonus_cap": 0, "items": [
    {"key": "shows_empathy", "question": "表达同理心", "guidance": None, "answer": "yes_no", "points": 4, "na": False,
     "bonus": False, "critical": None, "rules": []}]}
ZH_V2 = Form.from_definition({**ZH.definition, "name": "电话客服质检表（2027）", "total": 8,
                              "sections": [OPENING, EMPATHY]})
E2_SHEET = {**SHEET, "correct_information": "no", "answered_quickly": "na", "hold_announced_thanked": "na",
            "response_time": "na"}
EN_SHEET = {**{i.key: i.passing() for i in EN.items()}, "went_extra_mile": "no"}
# The percentages the evaluations store (hand-checked in test_form_scoring: 70.5 / 91 …).
P_SHEET, P_E2, P_E3, P_E8 = 77.4725, 53.3708, 50.0, 54.3956
approx = pytest.approx


def _evaluate(s, call_id: int, form_id: int, answers: dict, *, submit: bool = True):
    view = ev.start_evaluation(s, call_id, form_id, reviewer("王质检"))
    view = ev.save_answers(s, view.id, view.row_version, {k: ev.AnswerEdit(v) for k, v in answers.items()}, reviewer("王质检"))
    return ev.submit(s, view.id, view.row_version, reviewer("王质检")) if submit else view


def _finding(rule: str, category: str, said: str, start: float) -> Finding:
    return Finding(rule_key=rule, rule_title=rule, category=category, severity="major", speaker="agent", start=start,
                   end=start + 1, matched_text=said, words=(), kind="exact", confidence=1.0, reason="", form_item=None)


def _scan(s, rulebook_id: int, call_id: int, findings: list[Finding]) -> dict[str, int]:
    flag_store.save_findings(s, call_id, rulebook_id, findings)
    return {f.matched_text: f.id for f in flag_store.flags_for_call(s, call_id)}


def _metrics(activity: dict, duration: float) -> dict:
    return compute_metrics({k: [Segment(a, b) for a, b in v] for k, v in activity.items()}, duration).as_dict()


# talk ratio 2.0, dead air 8 + 10 s, overtalk 2 s started by the customer
M1 = _metrics({"agent": [(0, 10), (20, 30)], "customer": [(8, 12), (40, 46)]}, 120)
# talk ratio 0.5, one 35 s silence (a hold), the agent cuts in for 5 s
M2 = _metrics({"agent": [(5, 15)], "customer": [(0, 10), (50, 60)]}, 240)
# mono: no talk ratio, no overtalk; 4 s of dead air
M3 = _metrics({"mixed": [(0, 10), (14, 20)]}, 600)


def build_centre(db) -> dict[str, int]:
    ids: dict[str, int] = {}
    with db.session() as s:
        forms = {(v.key, v.version): v.id for v in install_forms(s, shipped_forms()).stored}
        v1, en, v2 = forms[("hotline-zh", 1)], forms[("contact-centre-en", 1)], save_form(s, ZH_V2, actor=ADMIN).id
        agent = {name: get_or_create_agent(s, name=name, external_id=ext, team=team).id for name, ext, team in (
            ("张伟", "1047", "Billing CN"), ("李娜", "1048", "Billing CN"), ("赵强", "1049", "Billing CN"),
            ("钱七", "1050", "Billing CN"), ("Tom", "2001", "Care EN"), ("王芳", "3001", None))}
        s.execute(update(Agent).where(Agent.name.in_(["赵强", "钱七"])).values(active=False))
        ids.update(agent)

        def call(name: str, who: str, started: datetime | None, **extra) -> int:
            row = {**call_row(f"{name}.wav"), "agent_id": agent[who], "started_at": started, **extra}
            ids[name] = add_call(s, row)
            return ids[name]

        # Started in October, imported in November: an October call.
        _evaluate(s, call("z0", "张伟", datetime(2026, 10, 15, 9), imported_at=datetime(2026, 11, 1)), v1, SHEET)
        e1 = _evaluate(s, call("z1", "张伟", datetime(2026, 11, 3, 9, 30), duration=120.0), v1, SHEET)
        ev.acknowledge(s, e1.id, reviewer("张伟"))
        # Scored in a calibration session: it measures the reviewer and must count nowhere.
        calibration = CalibrationSession(name="November", form_id=v1, created_by="组长")
        s.add(calibration)
        s.flush()
        scored = _evaluate(s, ids["z1"], v1, {**SHEET, "standard_opening": "no", "correct_information": "no"})
        s.execute(update(Evaluation).where(Evaluation.id == scored.id).values(calibration_session_id=calibration.id))
        _evaluate(s, call("z2", "张伟", datetime(2026, 11, 10, 14), duration=240.0), v1, E2_SHEET)
        _evaluate(s, call("z3", "张伟", datetime(2026, 11, 17, 10), duration=600.0), v2,
                  {"standard_opening": "yes", "standard_closing": "yes", "shows_empathy": "no"})
        # No start time: filed under its import date.
        _evaluate(s, call("z4", "张伟", None, imported_at=datetime(2026, 11, 20, 8)), v1, SHEET, submit=False)
        _evaluate(s, call("z5", "张伟", datetime(2026, 12, 1, 0, 0)), v1, E2_SHEET)
        e4 = _evaluate(s, call("l1", "李娜", datetime(2026, 11, 5, 11)), v1, {**SHEET, "privacy_protected": "no"})
        e4 = ev.dispute(s, e4.id, reviewer("李娜"), "客户已通过验证")
        ev.resolve(s, e4.id, e4.row_version, lead("组长"), "复核录音：已验证", {"privacy_protected": ev.AnswerEdit("yes")})
        _evaluate(s, call("l2", "李娜", datetime(2026, 11, 6, 11)), v1, {**SHEET, "privacy_protected": "no"})
        _evaluate(s, call("t1", "Tom", datetime(2026, 11, 4, 16)), en, EN_SHEET)
        _evaluate(s, call("zq0", "赵强", datetime(2026, 10, 20, 9)), v1, {**SHEET, "correct_information": "no"})
        call("q1", "钱七", datetime(2026, 11, 8, 9))

        for name, metrics in (("z1", M1), ("z2", M2), ("z3", M3), ("l1", None)):
            save_metrics(s, ids[name], metrics)  # l1: JSON null, as a reset leaves it
        rulebook, _ = flag_store.ensure_rulebook(s, key="zh-CN", name="规范", language="zh-CN",
                                                 content_hash="r" * 64, definition={})
        z1 = _scan(s, rulebook, ids["z1"], [_finding("zh-forbidden-01", "forbidden_phrase", said, t)
                                             for said, t in (("不知道", 10), ("不归我管", 20), ("你自己查", 30))])
        for flag_id in z1.values():
            flag_store.confirm(s, flag_id, reviewer("王质检"))
        s.execute(update(Flag).where(Flag.id == z1["你自己查"]).values(stale=True))  # no scan finds it any more
        z2 = _scan(s, rulebook, ids["z2"], [_finding("zh-forbidden-01", "forbidden_phrase", "不清楚", 5),
                                            _finding("zh-rhetorical-01", "rhetorical_question", "难道", 9)])
        flag_store.dismiss(s, z2["不清楚"], reviewer("王质检"), "客户说的")
        flag_store.confirm(s, z2["难道"], reviewer("王质检"))
        _scan(s, rulebook, ids["z3"], [_finding("zh-forbidden-01", "forbidden_phrase", "没办法", 3)])  # left open
    return ids


@pytest.fixture
def centre(db):
    return db, build_centre(db)


def _rows(card) -> dict[str, sc.ScorecardRow]:
    return {row.name: row for row in card.rows}


def test_the_metric_summaries_the_scorecard_averages():
    assert (M1["talk_ratio"], M1["silence_total"], M1["hold_total"], M1["overtalk_total"], M1["interruptions"]) == (
        2.0, 18.0, 0.0, 2.0, 0)
    assert (M2["talk_ratio"], M2["silence_total"], M2["hold_total"], M2["overtalk_total"], M2["interruptions"]) == (
        0.5, 35.0, 35.0, 5.0, 1)
    assert (M3["talk_ratio"], M3["silence_total"], M3["overtalk_total"], M3["interruptions"]) == (None, 4.0, None, None)


def test_agent_rows_combine_form_versions_by_percentage(centre):
    db, ids = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
    assert [(r.team, r.name) for r in card.rows] == [
        ("Billing CN", "张伟"), ("Billing CN", "李娜"), ("Billing CN", "钱七"), ("Care EN", "Tom"), (None, "王芳")]
    zhang = _rows(card)["张伟"].current
    # By percentage: (77.4725 + 53.3708 + 50) / 3, not by points ((70.5 + 47.5 + 4) / (91 + 89 + 8) = 64.9).
    assert (zhang.evaluations, zhang.percent) == (3, approx((P_SHEET + P_E2 + P_E3) / 3, abs=1e-6))
    assert (zhang.critical_failures, zhang.auto_failed) == (1, 0)
    li = _rows(card)["李娜"].current
    assert (li.evaluations, li.percent, li.critical_failures, li.auto_failed) == (2, approx(P_SHEET / 2), 1, 1)
    assert _rows(card)["Tom"].current.percent == approx(100.0)
    assert _rows(card)["钱七"].current == sc.Figures(calls=1)  # listed: inactive, but with a call this month
    assert "赵强" not in _rows(card)  # inactive and no call this month
    assert _rows(card)["王芳"].current == sc.Figures()


def test_sections_combine_only_the_same_key_and_skip_na(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
    assert list(card.section_titles.items())[:4] == [
        ("opening_closing", "开场与结束（新）"), ("empathy", "同理心"), ("response", "接听与等待"),
        ("service_language", ZH.sections[2].title)]
    assert {"opening", "discovery", "communication", "closing"} <= set(card.section_titles)
    sections = _rows(card)["张伟"].current.sections
    assert list(sections)[:3] == ["opening_closing", "empathy", "response"]
    figure = {k: (f.percent, f.evaluations, f.failed) for k, f in sections.items()}
    assert figure["opening_closing"] == (approx(200 / 3, abs=1e-6), 3, 0)  # 50, 50 (v1) and 100 (v2)
    assert figure["empathy"] == (0.0, 1, 0)
    assert figure["response"] == (100.0, 1, 0)  # E2's response was all N/A: out of the mean
    assert figure["accuracy"] == (42.0, 2, 1)  # 84 and 0 (zeroed by a critical item)
    assert sections["opening_closing"].title == "开场与结束（新）"
    centre_sections = card.centre.current.sections
    # "resolution" on both forms is one section: 60 on four Chinese sheets, 100 on the English one.
    assert (centre_sections["resolution"].percent, centre_sections["resolution"].evaluations) == (68.0, 5)
    assert centre_sections["compliance"].percent == approx(87.5)  # a failed fail_all item: the section keeps 50


def test_form_versions_and_the_note(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
        only_zh = sc.scorecard(s, NOV, form_key="hotline-zh")
    assert [(v.key, v.version, v.evaluations) for v in card.form_versions] == [
        ("contact-centre-en", 1, 1), ("hotline-zh", 1, 4), ("hotline-zh", 2, 1)]
    assert "3 form versions" in card.notes[0] and "电话客服质检表（2027） v2" in card.notes[0]
    assert [(v.version, v.evaluations) for v in only_zh.form_versions] == [(1, 4), (2, 1)]
    tom = _rows(only_zh)["Tom"].current
    assert (tom.evaluations, tom.percent, tom.calls) == (0, None, 1)  # the form filter keeps his call
    assert only_zh.centre.current.evaluations == 5
    assert "discovery" not in only_zh.section_titles


def test_quota_and_who_is_behind(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
        two = sc.scorecard(s, NOV, quota_per_month=2)
        quarter = sc.scorecard(s, parse_period("2026-Q4"), quota_per_month=2)
    assert {r.name: (r.quota, r.behind) for r in card.rows} == {
        "张伟": (4, 1), "李娜": (4, 2), "钱七": (4, 4), "Tom": (4, 3), "王芳": (4, 4)}
    assert [r.name for r in two.behind_quota()] == ["钱七", "Tom", "王芳"]
    zhang = _rows(quarter)["张伟"]
    assert (zhang.quota, zhang.current.evaluations, zhang.behind) == (6, 5, 1)  # Oct + Nov + Dec
    assert "赵强" in _rows(quarter)


def test_inactive_agents_on_request(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV, include_inactive=True)
    zhao = _rows(card)["赵强"]
    assert (zhao.team, zhao.current.evaluations, zhao.previous.evaluations, zhao.previous.percent) == (
        "Billing CN", 0, 1, P_E8)
    assert card.centre.agents == 6


def test_change_against_the_previous_period(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
        teams = sc.scorecard(s, NOV, level="team")
    assert (card.previous_period, card.period) == (OCT, NOV)
    zhang = _rows(card)["张伟"]
    assert (zhang.previous.evaluations, zhang.previous.percent) == (1, P_SHEET)
    assert zhang.change == approx((P_SHEET + P_E2 + P_E3) / 3 - P_SHEET, abs=1e-6)
    assert _rows(card)["Tom"].change is None
    # 赵强 left: not a row, but October's team and centre figures were his too.
    billing = _rows(teams)["Billing CN"]
    assert (billing.previous.evaluations, billing.previous.percent) == (2, approx((P_SHEET + P_E8) / 2))
    assert card.centre.previous.percent == approx((P_SHEET + P_E8) / 2)


def test_team_rows_team_filter_and_the_centre(centre):
    db, _ = centre
    with db.session() as s:
        teams = sc.scorecard(s, NOV, level="team")
        billing = sc.scorecard(s, NOV, team="Billing CN")
        nobody = sc.scorecard(s, NOV, team="No such team")
    assert [(r.name, r.id is None, r.agents) for r in teams.rows] == [
        ("Billing CN", False, 3), ("Care EN", False, 1), ("No team", True, 1)]
    bill = _rows(teams)["Billing CN"].current
    five = P_SHEET + P_E2 + P_E3 + P_SHEET + 0.0
    assert (bill.evaluations, bill.percent, bill.critical_failures, bill.calls) == (5, approx(five / 5), 2, 7)
    assert (teams.centre.level, teams.centre.agents, teams.centre.current.evaluations) == ("centre", 5, 6)
    assert teams.centre.current.percent == approx((five + 100) / 6)
    assert [r.name for r in billing.rows] == ["张伟", "李娜", "钱七"]
    assert (billing.centre.current.evaluations, billing.centre.current.percent) == (5, approx(five / 5))
    assert billing.centre.agents == 3 and billing.team == "Billing CN"
    assert nobody.rows == () and nobody.centre.current == sc.Figures()


def test_calls_metrics_and_flags_per_call(centre):
    db, _ = centre
    with db.session() as s:
        card = sc.scorecard(s, NOV)
    zhang = _rows(card)["张伟"].current
    assert (zhang.calls, zhang.scanned_calls) == (4, 3)  # z1–z4 (z4 by import date); z5 is December's
    # Confirmed and not stale, per scanned call: 2 of 3 forbidden (one dismissed, one open, one stale).
    assert zhang.flags_per_call == {"forbidden_phrase": approx(2 / 3), "rhetorical_question": approx(1 / 3)}
    m = zhang.metrics
    assert m.calls == 3  # z4 has none
    assert (m.talk_ratio, m.overtalk, m.interruptions) == (1.25, 3.5, 0.5)  # mono z3 has none of these
    assert (m.dead_air, m.hold, m.handle_time) == (approx(19.0), approx(35 / 3), approx(320.0))
    li = _rows(card)["李娜"].current
    assert (li.metrics.calls, li.metrics.talk_ratio, li.flags_per_call) == (0, None, {})  # null metrics, no scans
    assert card.centre.current.metrics == m
    assert card.centre.current.flags_per_call == zhang.flags_per_call


def test_trends_points_and_distribution(centre):
    db, ids = centre
    with db.session() as s:
        by_month = sc.figures_by_period(s, [OCT, NOV, DEC], agent_id=ids["张伟"])
        team_id = next(t.id for t in sc.teams(s) if t.name == "Billing CN")
        team_trend = sc.figures_by_period(s, [OCT, NOV], team_id=team_id, form_key="hotline-zh")
        centre_trend = sc.figures_by_period(s, [NOV])
        overlapping = sc.figures_by_period(s, [parse_period("2026-Q4"), NOV], agent_id=ids["张伟"])
        points = sc.score_points(s, NOV, agent_id=ids["张伟"])
        distribution = sc.score_distribution(s, NOV)
        billing = sc.score_distribution(s, NOV, team="Billing CN", bucket=25)
        assert [t.name for t in sc.teams(s)] == ["Billing CN", "Care EN"]
        assert sc.form_keys(s) == [("contact-centre-en", "Contact centre call evaluation"),
                                   ("hotline-zh", "电话客服质检表（2027）")]
        card = sc.scorecard(s, NOV)
    assert [(f.evaluations, f.percent) for f in by_month] == [(1, P_SHEET), (3, approx((P_SHEET + P_E2 + P_E3) / 3)),
                                                               (1, P_E2)]
    assert by_month[1] == _rows(card)["张伟"].current
    assert [(f.evaluations, f.calls) for f in team_trend] == [(2, 2), (5, 7)]
    assert centre_trend == [card.centre.current]
    assert [f.evaluations for f in overlapping] == [5, 3]
    assert [(p.percent, p.at, p.form_key, p.auto_failed) for p in points] == [
        (P_SHEET, datetime(2026, 11, 3, 9, 30), "hotline-zh", False),
        (P_E2, datetime(2026, 11, 10, 14), "hotline-zh", False), (P_E3, datetime(2026, 11, 17, 10), "hotline-zh", False)]
    assert distribution == {0: 1, 10: 0, 20: 0, 30: 0, 40: 0, 50: 2, 60: 0, 70: 2, 80: 0, 90: 0, 100: 1}
    assert billing == {0: 1, 25: 0, 50: 2, 75: 2, 100: 0}


def test_export_rows_stream_in_batches(centre):
    db, ids = centre
    with db.session() as s:
        evaluations = list(sc.evaluation_rows(s, NOV, batch=2))
        answers = list(sc.answer_rows(s, NOV, batch=7))
        flags = list(sc.flag_rows(s, NOV, batch=2))
        counts = sc.count_rows(s, NOV)
        billing_zh = sc.count_rows(s, NOV, team="Billing CN", form_key="hotline-zh")
    assert [dict(zip(sc.EVALUATION_COLUMNS, r))["call_id"] for r in evaluations] == [
        ids[n] for n in ("z1", "t1", "l1", "l2", "z2", "z3")]
    first = dict(zip(sc.EVALUATION_COLUMNS, evaluations[0]))
    assert (first["call_date"], first["agent"], first["team"], first["reviewer"], first["form"], first["form_version"],
            first["status"], first["score"], first["max_score"], first["percent"], first["critical_failures"],
            first["auto_failed"]) == (datetime(2026, 11, 3, 9, 30), "张伟", "Billing CN", "王质检", "hotline-zh", 1,
                                      "acknowledged", 70.5, 91.0, P_SHEET, 0, False)
    assert dict(zip(sc.EVALUATION_COLUMNS, evaluations[3]))["auto_failed"] is True
    assert len(answers) == counts["answers"] == 24 * 4 + len(EN_SHEET) + 3
    rows = [dict(zip(sc.ANSWER_COLUMNS, r)) for r in answers]
    first_items = [r["item"] for r in rows if r["evaluation_id"] == first["evaluation_id"]]
    assert first_items == [i.key for i in ZH.items()]  # the form's order
    v2 = [(r["section"], r["item"], r["value"], r["points"]) for r in rows if r["call_id"] == ids["z3"]]
    assert v2 == [("opening_closing", "standard_opening", "yes", 2.0),
                  ("opening_closing", "standard_closing", "yes", 2.0), ("empathy", "shows_empathy", "no", 0.0)]
    partial = next(r for r in rows if r["call_id"] == ids["z1"] and r["item"] == "courtesy_words")
    assert (partial["section"], partial["points"], partial["changed_from_suggestion"]) == (
        "service_language", 1.5, False)
    assert [dict(zip(sc.FLAG_COLUMNS, r))["matched_text"] for r in flags] == ["不知道", "不归我管", "不清楚", "难道", "没办法"]
    assert dict(zip(sc.FLAG_COLUMNS, flags[3]))["status"] == "confirmed"
    assert counts == {"evaluations": 6, "answers": len(answers), "flags": 5}
    assert billing_zh == {"evaluations": 5, "answers": 24 * 4 + 3, "flags": 5}


def test_an_empty_database_and_a_week(db):
    with db.session() as s:
        card = sc.scorecard(s, month_of(datetime(2026, 11, 1)), level="team")
        assert (card.rows, card.centre.current, card.notes, card.section_titles) == ((), sc.Figures(), [], {})
        assert sc.score_distribution(s, NOV)[100] == 0
        assert list(sc.evaluation_rows(s, NOV)) == [] and sc.count_rows(s, NOV)["flags"] == 0
        with pytest.raises(ValueError):
            sc.scorecard(s, NOV, level="centre")
    build_centre(db)
    with db.session() as s:
        card_week = sc.scorecard(s, parse_period("2026-W45"))  # Nov 2–8
    zhang = _rows(card_week)["张伟"]
    assert (zhang.quota, zhang.current.evaluations, zhang.previous.evaluations) == (1, 1, 0)
