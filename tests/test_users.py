"""QA Desk users (SQLite and PostgreSQL): passwords kept only as Argon2id hashes,
signing in, deactivation, the SQLite local user, and user management as admin only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actors import ADMIN
from qa_desk.permissions import Actor, PermissionDenied
from qa_desk.store import users
from qa_desk.store.audit import audit_entries
from qa_desk.store.models import User


def test_a_password_is_stored_only_as_its_argon2id_hash(db):
    with db.session() as s:
        made = users.create_user(s, ADMIN, "王质检", "reviewer", password="correct horse")
    with db.session() as s:
        stored = s.execute(select(User.password_hash).where(User.id == made.id)).scalar_one()
        entries = audit_entries(s, entity="user")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert made.has_password and made.role == "reviewer"
    # The log says a password was set, never what it is or its hash.
    assert entries[0].new == {"name": "王质检", "role": "reviewer", "password": True}
    assert "argon2" not in str(entries[0].new) and entries[0].user_name == ADMIN.name


def test_sign_in_with_the_right_password_only(db):
    with db.session() as s:
        made = users.create_user(s, ADMIN, "李组长", "lead", password="s3cret-pass")
    with db.session() as s:
        actor = users.sign_in(s, "李组长", "s3cret-pass")
    assert (actor.name, actor.role, actor.user_id) == ("李组长", "lead", made.id)
    with db.session() as s:
        assert s.get(User, made.id).last_sign_in_at is not None
    for name, password in (("李组长", "wrong-password"), ("nobody", "s3cret-pass"), ("李组长", "")):
        with db.session() as s, pytest.raises(users.SignInError) as refused:
            users.sign_in(s, name, password)
        # One message for a wrong name and a wrong password: no hint which names exist.
        assert str(refused.value) == "The name or password is wrong: check both and try again."


def test_a_deactivated_user_cannot_sign_in_or_act(db):
    with db.session() as s:
        made = users.create_user(s, ADMIN, "赵经理", "manager", password="manager-pass")
        users.deactivate_user(s, ADMIN, made.id)
    with db.session() as s, pytest.raises(users.SignInError, match="deactivated"):
        users.sign_in(s, "赵经理", "manager-pass")
    with db.session() as s, pytest.raises(PermissionDenied, match="not a QA Desk user"):
        users.acting(s, "赵经理")  # a name is accepted only for an active stored user
    with db.session() as s:
        (change,) = audit_entries(s, action="user.changed")
    assert (change.old, change.new) == ({"active": True}, {"active": False})


def test_only_an_admin_manages_users(db):
    with db.session() as s:
        made = users.create_user(s, ADMIN, "王质检", "reviewer", password="reviewer-pw")
    for role in ("reviewer", "lead", "trainer", "manager"):
        someone = Actor(f"someone {role}", role)
        with db.session() as s:
            with pytest.raises(PermissionDenied, match="may not manage users"):
                users.create_user(s, someone, "new person", "reviewer")
            with pytest.raises(PermissionDenied):
                users.update_user(s, someone, made.id, role="admin")
            with pytest.raises(PermissionDenied):
                users.deactivate_user(s, someone, made.id)
            with pytest.raises(PermissionDenied):
                users.set_password(s, someone, made.id, "taken-over!")
    with db.session() as s:
        assert [(u.name, u.role, u.active) for u in users.list_users(s)] == [("王质检", "reviewer", True)]
        # Everyone changes their own password.
        me = users.sign_in(s, "王质检", "reviewer-pw")
        users.set_password(s, me, made.id, "new-reviewer-pw")
    with db.session() as s:
        assert users.sign_in(s, "王质检", "new-reviewer-pw").name == "王质检"


def test_bad_users_are_refused_clearly(db):
    with db.session() as s:
        with pytest.raises(users.UserError, match="at least 8"):
            users.create_user(s, ADMIN, "short", "reviewer", password="short")
        with pytest.raises(users.UserError, match="Unknown role 'boss'"):
            users.create_user(s, ADMIN, "x", "boss")
        users.create_user(s, ADMIN, "王质检", "reviewer")
        with pytest.raises(users.UserError, match="already a user named 王质检"):
            users.create_user(s, ADMIN, " 王质检 ", "lead")


def test_the_local_user_of_a_sqlite_file(db):
    with db.session() as s:
        if db.backend != "sqlite":
            # A shared database has no password-less local user: everyone signs in.
            with pytest.raises(PermissionDenied, match="sign in"):
                users.local_user(s, "王质检", "admin")
            return
        first = users.local_user(s, "王质检", "admin")
    with db.session() as s:
        again = users.local_user(s, "王质检", "reviewer")  # the stored role wins over a changed setting
        (created,) = audit_entries(s, action="user.created")
    assert (first.role, again.role, again.user_id) == ("admin", "admin", first.user_id)
    assert created.user_name == "王质检"
    with db.session() as s:
        users.create_user(s, first, "李组长", "lead", password="lead-pass")
    with db.session() as s, pytest.raises(PermissionDenied, match="ask an admin"):
        users.local_user(s, "stranger", "admin")  # once people sign in, no one appoints themself


def test_a_name_or_an_actor_as_who_acts(db):
    with db.session() as s:
        made = users.create_user(s, ADMIN, "李组长", "lead")
        assert users.acting(s, "李组长") == Actor("李组长", "lead", made.id)  # the stored role, not a claimed one
        assert users.acting(s, ADMIN) is ADMIN
        with pytest.raises(PermissionDenied, match="cannot act as"):
            users.acting(s, "李组长", ADMIN)


def test_a_new_shared_database_gets_its_first_admin_once(db):
    with db.session() as s:
        assert not users.has_users_who_sign_in(s)
        with pytest.raises(users.UserError, match="at least 8"):
            users.first_admin(s, "李组长", "short")
        admin = users.first_admin(s, "李组长", "a long secret")
        assert (admin.name, admin.role) == ("李组长", "admin")
    with db.session() as s:
        assert users.sign_in(s, "李组长", "a long secret").role == "admin"
        with pytest.raises(PermissionDenied, match="already has users"):
            users.first_admin(s, "someone else", "another secret")
        assert [e.action for e in audit_entries(s)] == ["user.created"]
