"""Every role's refusals and allowed paths, calling the services directly (SQLite and
PostgreSQL): the checks live in the store and report functions, not in the buttons."""

from __future__ import annotations

import pytest
from clip_library import phone_clip, recorded_call
from sqlalchemy import select

from qa_desk.clips import adjust_clip, save_clip
from qa_desk.permissions import ACTIONS, ROLES, Actor, PermissionDenied, can
from qa_desk.reports.clip_export import export_clip
from qa_desk.reports.export import export_scorecards
from qa_desk.scoring.forms import load_form, parse_form, shipped_forms
from qa_desk.scoring.periods import parse_period
from qa_desk.store import evaluations as ev
from qa_desk.store import flags as flag_store
from qa_desk.store import playlists
from qa_desk.store.clips import ClipDetails, delete_clip, update_clip
from qa_desk.store.forms import install_forms, save_form
from qa_desk.store.models import AuditEntry
from qa_desk.store.users import create_user
from store_data import add_test_call
from test_flags_store import forbidden
from test_form_scoring import SHEET
from test_forms_store import V1

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
AS = {role: Actor(f"{role} 甲", role) for role in ROLES}  # one person of each role
ALL = set(ROLES)


def allowed_roles(check) -> set[str]:
    """The roles for which ``check(actor)`` goes through (each in its own transaction,
    rolled back, so one role's change does not change the next one's situation)."""
    passed = set()
    for role, actor in AS.items():
        try:
            check(actor)
        except PermissionDenied:
            continue
        passed.add(role)
    return passed


class Rollback(Exception):
    pass


def in_rolled_back(db, fn):
    def run(actor):
        try:
            with db.session() as s:
                fn(s, actor)
                raise Rollback
        except Rollback:
            pass
    return run


@pytest.fixture
def sheet(db):
    """A call, the hotline form, and one draft of each role's that scores."""
    with db.session() as s:
        call_id, form_id = add_test_call(s), save_form(s, ZH, actor=AS["admin"]).id
        drafts = {role: ev.start_evaluation(s, call_id, form_id, AS[role]).id for role in ("reviewer", "lead", "admin")}
    return db, call_id, form_id, drafts


def _row_version(db, evaluation_id):
    with db.session() as s:
        return ev.get_evaluation(s, evaluation_id).row_version


def test_a_draft_is_read_by_its_author_only(sheet):
    db, _, _, drafts = sheet
    with db.session() as s:
        assert allowed_roles(lambda a: ev.get_evaluation(s, drafts["reviewer"], a)) == {"reviewer"}
        assert allowed_roles(lambda a: ev.history(s, drafts["lead"], a)) == {"lead"}


def test_starting_an_evaluation_is_for_reviewers_leads_and_admins(sheet):
    db, call_id, form_id, _ = sheet
    assert allowed_roles(in_rolled_back(db, lambda s, a: ev.start_evaluation(s, call_id, form_id, a))) == {
        "reviewer", "lead", "admin"}


def test_a_draft_is_edited_and_submitted_only_by_its_reviewer_whatever_the_role(sheet):
    db, _, _, drafts = sheet
    edits = {k: ev.AnswerEdit(v) for k, v in SHEET.items()}
    for owner, evaluation_id in drafts.items():
        version = _row_version(db, evaluation_id)
        save = in_rolled_back(db, lambda s, a: ev.save_answers(s, evaluation_id, version, edits, a))
        assert allowed_roles(save) == {owner}, owner  # a lead or admin does not rewrite a colleague's draft
        submit = in_rolled_back(db, lambda s, a: ev.submit(
            s, evaluation_id, ev.save_answers(s, evaluation_id, version, edits, a).row_version, a))
        assert allowed_roles(submit) == {owner}, owner
        comment = in_rolled_back(db, lambda s, a: ev.add_timed_comment(s, evaluation_id, 1.0, 2.0, "打断", a))
        assert allowed_roles(comment) == {owner}, owner
    with db.session() as s, pytest.raises(PermissionDenied, match="it is reviewer 甲's"):
        ev.save_answers(s, drafts["reviewer"], _row_version(db, drafts["reviewer"]), edits, AS["lead"])


def _submitted(db, drafts) -> int:
    evaluation_id = drafts["reviewer"]
    with db.session() as s:
        view = ev.save_answers(s, evaluation_id, _row_version(db, evaluation_id),
                               {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, AS["reviewer"])
        ev.submit(s, evaluation_id, view.row_version, AS["reviewer"])
    return evaluation_id


def test_acknowledging_and_disputing(sheet):
    db, _, _, drafts = sheet
    evaluation_id = _submitted(db, drafts)
    expected = {"reviewer", "lead", "manager", "admin"}
    assert allowed_roles(in_rolled_back(db, lambda s, a: ev.acknowledge(s, evaluation_id, a))) == expected
    assert allowed_roles(in_rolled_back(db, lambda s, a: ev.dispute(s, evaluation_id, a, "不同意"))) == expected


def test_only_a_lead_or_admin_resolves_a_dispute(sheet):
    db, _, _, drafts = sheet
    evaluation_id = _submitted(db, drafts)
    with db.session() as s:
        version = ev.dispute(s, evaluation_id, AS["reviewer"], "结束语说了").row_version
    resolve = in_rolled_back(db, lambda s, a: ev.resolve(s, evaluation_id, version, a, "听过录音",
                                                         {"standard_closing": ev.AnswerEdit("yes")}))
    assert allowed_roles(resolve) == {"lead", "admin"}
    with db.session() as s, pytest.raises(PermissionDenied, match=r"reviewer 甲 \(reviewer\) may not resolve disputed evaluations"):
        ev.resolve(s, evaluation_id, version, AS["reviewer"], "I agree with myself")
    with db.session() as s:  # nothing of the refused attempts stayed
        assert ev.get_evaluation(s, evaluation_id).status == "disputed"


def test_flags_are_decided_by_reviewers_leads_and_admins(db):
    with db.session() as s:
        call_id = add_test_call(s)
        rulebook_id, _ = flag_store.ensure_rulebook(s, key="zh", name="r", language="zh", content_hash="r" * 64,
                                                    definition={})
        flag_store.save_findings(s, call_id, rulebook_id, [forbidden(1.0)])
        (flag,) = flag_store.flags_for_call(s, call_id)
    expected = {"reviewer", "lead", "admin"}
    for decide in (lambda s, a: flag_store.confirm(s, flag.id, a),
                   lambda s, a: flag_store.dismiss(s, flag.id, a, "客户说的"),
                   lambda s, a: flag_store.add_note(s, flag.id, a, "note"),
                   lambda s, a: flag_store.reopen(s, flag.id, flag_store.confirm(s, flag.id, a) and a)):
        assert allowed_roles(in_rolled_back(db, decide)) == expected


def test_forms_are_saved_by_leads_and_admins_and_the_shipped_forms_installed_by_the_app(db, tmp_path):
    own = tmp_path / "small.yaml"
    own.write_text(V1, encoding="utf-8")
    assert allowed_roles(in_rolled_back(db, lambda s, a: save_form(s, parse_form(V1, "small.yaml"), actor=a))) == {
        "lead", "admin"}
    assert allowed_roles(in_rolled_back(db, lambda s, a: install_forms(s, [own], actor=a))) == {"lead", "admin"}
    with db.session() as s:
        with pytest.raises(PermissionDenied, match="nobody is signed in"):
            install_forms(s, [own])  # a centre's own file is someone's edit
        assert len(install_forms(s, shipped_forms()).stored) == 2  # the app's own forms, on first use


def test_clips_and_playlists_are_managed_by_trainers_and_admins(db, tmp_path):
    call_id = recorded_call(db, tmp_path)
    clip = phone_clip(db, call_id)
    expected = {"trainer", "admin"}
    assert allowed_roles(lambda a: save_clip(db, call_id, 1.0, 3.0, ClipDetails("t"), actor=a)) == expected
    assert allowed_roles(lambda a: adjust_clip(db, clip.id, 1.0, 8.0, actor=a)) == expected
    for change in (lambda s, a: update_clip(s, clip.id, ClipDetails("new title"), actor=a),
                   lambda s, a: delete_clip(s, clip.id, actor=a),
                   lambda s, a: playlists.add_entry(s, playlists.create_playlist(s, "p", actor=a).id, clip.id, actor=a)):
        assert allowed_roles(in_rolled_back(db, change)) == expected
    with db.session() as s, pytest.raises(PermissionDenied):
        playlists.create_playlist(s, "p", by="not a user")


def test_exports(db, tmp_path):
    call_id = recorded_call(db, tmp_path)
    clip = phone_clip(db, call_id)
    period = parse_period("2026-10")
    scorecards = allowed_roles(lambda a: export_scorecards(db, tmp_path / f"{a.role}.xlsx", period, actor=a))
    assert scorecards == {"manager", "lead", "admin"}
    clips = allowed_roles(lambda a: export_clip(db, clip.id, tmp_path / f"clip-{a.role}", actor=a))
    assert clips == {"trainer", "manager", "admin"}
    # A refused export writes nothing; every export that ran is in the log.
    assert not (tmp_path / "reviewer.xlsx").exists() and not (tmp_path / "clip-reviewer").exists()
    with db.session() as s:
        logged = s.execute(select(AuditEntry.user_name).where(AuditEntry.entity == "export")).scalars().all()
    assert sorted(logged) == sorted(AS[r].name for r in [*scorecards, *clips])


def test_user_management_is_for_admins(db):
    assert allowed_roles(in_rolled_back(db, lambda s, a: create_user(s, a, "新人", "reviewer"))) == {"admin"}


def test_the_ui_and_the_services_agree_on_who_may_do_what():
    """``can`` (what the UI greys out) is the same table ``require`` enforces."""
    for action in ACTIONS:
        assert {r for r in ROLES if can(AS[r], action)} == set(ACTIONS[action]) | {"admin"}
    assert not can(None, "evaluation.score")
