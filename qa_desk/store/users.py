"""QA Desk users: who may sign in, with which role, and how their password is checked.

Decision — QA Desk users with Argon2id password hashes, not database logins:
- a team shares one connection URL (set once per workstation install) and needs no DBA
  to create a PostgreSQL role per person; an admin manages users and roles in the app;
- roles are QA Desk's own (reviewer, lead, trainer, manager, admin), checked by the
  service layer (``qa_desk.permissions``), which database grants could not express
  ("a reviewer edits only their own drafts");
- passwords are hashed with Argon2id (``argon2-cffi``, the reference implementation;
  salt and cost parameters travel inside the hash, so they can be raised later and old
  hashes still verify and get re-hashed at the next sign-in).
The limit: someone holding the database URL's own credentials can bypass the app. Those
credentials therefore belong to the workstation install, not to people; and the audit
log's append-only triggers (migration 0007) still hold for them.

On SQLite (one person's file) a single local user without a password is enough: chosen
at first run (``local_user``). A shared database always asks for a name and password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..permissions import ROLES, Actor, PermissionDenied, require
from ..wording import translate
from . import audit
from .models import User

_hasher = PasswordHasher()  # Argon2id with the library's current (RFC 9106 low-memory) defaults
MIN_PASSWORD = 8


class SignInError(Exception):
    """Signing in failed; the message never says whether the name or the password was wrong."""


class UserError(ValueError):
    """A user cannot be created or changed as asked (empty name, taken name, unknown role…)."""


@dataclass(frozen=True)
class UserView:
    id: int
    name: str
    role: str
    active: bool
    has_password: bool
    team_id: int | None
    created_at: datetime | None
    last_sign_in_at: datetime | None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _view(user: User) -> UserView:
    return UserView(user.id, user.name, user.role, bool(user.active), user.password_hash is not None, user.team_id,
                    user.created_at, user.last_sign_in_at)


def _actor(user: User) -> Actor:
    return Actor(user.name, user.role, user.id)


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(_short_password())
    return _hasher.hash(password)


def _short_password() -> str:
    return translate("Errors", "A password needs at least {count} characters: choose a longer one.").format(
        count=MIN_PASSWORD)


def _no_name() -> str:
    return translate("Errors", "A user needs a name: give one.")


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _by_name(session: Session, name: str) -> User | None:
    return session.execute(select(User).where(User.name == name.strip())).scalar_one_or_none()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(translate("Errors", "Unknown role '{role}': use one of {roles}.").format(
            role=role, roles=", ".join(ROLES)))


def create_user(session: Session, actor: Actor, name: str, role: str, *, password: str | None = None,
                team_id: int | None = None) -> UserView:
    """A new user (admin only, audited). The password is stored only as its Argon2id hash."""
    require(actor, "user.manage")
    name = (name or "").strip()
    if not name:
        raise UserError(_no_name())
    _check_role(role)
    if _by_name(session, name) is not None:
        raise UserError(translate("Errors", "There is already a user named {name}: choose another name.").format(
            name=name))
    user = User(name=name[:200], role=role, active=True, team_id=team_id, created_at=_now(),
                password_hash=hash_password(password) if password is not None else None)
    session.add(user)
    session.flush()
    # Never the hash in the log: only that a password was set.
    audit.record(session, actor, "user.created", "user", user.id, None,
                 {"name": user.name, "role": role, "password": password is not None}, f"{name} ({role})")
    session.flush()
    return _view(user)


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(translate("Errors", "There is no user {id}: reload the list of users.").format(id=user_id))
    return user


def update_user(session: Session, actor: Actor, user_id: int, *, role: str | None = None,
                team_id: int | None = None, active: bool | None = None) -> UserView:
    """Change a user's role, team or active state (admin only, audited old → new)."""
    require(actor, "user.manage")
    user = _load(session, user_id)
    old, new = {}, {}
    if role is not None and role != user.role:
        _check_role(role)
        old["role"], new["role"] = user.role, role
        user.role = role
    if team_id is not None and team_id != user.team_id:
        old["team_id"], new["team_id"] = user.team_id, team_id
        user.team_id = team_id
    if active is not None and active != bool(user.active):
        if not active and user.id == actor.user_id:
            raise UserError(translate("Errors", "You cannot deactivate yourself: another administrator has to."))
        old["active"], new["active"] = bool(user.active), active
        user.active = active
    if new:
        audit.record(session, actor, "user.changed", "user", user.id, old, new,
                     f"{user.name}: " + ", ".join(f"{k} {old[k]} → {new[k]}" for k in new))
    session.flush()
    return _view(user)


def deactivate_user(session: Session, actor: Actor, user_id: int) -> UserView:
    """The user can no longer sign in; their name stays on everything they did."""
    return update_user(session, actor, user_id, active=False)


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> UserView:
    """An admin sets anyone's password; every user may change their own."""
    user = _load(session, user_id)
    if actor.user_id != user.id:
        require(actor, "user.manage")
    user.password_hash = hash_password(password)
    audit.record(session, actor, "user.password_set", "user", user.id, summary=f"{user.name}: password set")
    session.flush()
    return _view(user)


def sign_in(session: Session, name: str, password: str) -> Actor:
    """The signed-in user as an Actor; SignInError (one message for every failure, so it
    does not tell an unknown name from a wrong password) otherwise."""
    user = _by_name(session, name or "")
    wrong = SignInError(translate("Errors", "The name or password is wrong: check both and try again."))
    if user is None:
        _hasher.hash(password or "-")  # spend the same time as a real check: no timing hint either
        raise wrong
    if not verify_password(user.password_hash, password or ""):
        raise wrong
    if not user.active:
        raise SignInError(translate("Errors", "This user has been deactivated: ask an administrator to reactivate "
                                              "it."))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = _now()
    session.flush()
    return _actor(user)


def local_user(session: Session, name: str, role: str = "admin") -> Actor:
    """The single local user of a SQLite file, without a password (first run: created,
    audited as their own act; later: the stored user, whose stored role wins)."""
    if session.get_bind().dialect.name != "sqlite":
        raise PermissionDenied(translate("Errors", "A shared database needs each person to sign in with a name and "
                                                   "password: sign in, or ask an administrator for an account."))
    name = (name or "").strip()
    if not name:
        raise UserError(_no_name())
    _check_role(role)
    user = _by_name(session, name)
    if user is None:
        if session.execute(select(func.count()).select_from(User).where(User.password_hash.is_not(None))).scalar():
            raise PermissionDenied(translate("Errors", "This database has users who sign in: ask an administrator for "
                                                       "an account."))
        user = User(name=name[:200], role=role, active=True, created_at=_now())
        session.add(user)
        session.flush()
        audit.record(session, _actor(user), "user.created", "user", user.id, None, {"name": name, "role": role},
                     f"{name} ({role}), local user")
    if not user.active:
        raise PermissionDenied(translate("Errors", "{name} has been deactivated: ask an administrator to reactivate "
                                                   "the account.").format(name=name))
    user.last_sign_in_at = _now()
    session.flush()
    return _actor(user)


def has_users_who_sign_in(session: Session) -> bool:
    return bool(session.execute(select(func.count()).select_from(User)
                                .where(User.password_hash.is_not(None), User.active.is_(True))).scalar())


def first_admin(session: Session, name: str, password: str) -> Actor:
    """The first admin of a new shared database, who then creates everyone else. Only while
    nobody there can sign in: afterwards an admin adds users (create_user)."""
    if has_users_who_sign_in(session):
        raise PermissionDenied(translate("Errors", "This database already has users: ask an administrator for an "
                                                   "account."))
    if len(password or "") < MIN_PASSWORD:
        raise UserError(_short_password())
    name = (name or "").strip()
    if not name:
        raise UserError(_no_name())
    user = _by_name(session, name)
    if user is None:
        user = User(name=name[:200], role="admin", active=True, created_at=_now())
        session.add(user)
    user.role, user.active, user.password_hash = "admin", True, hash_password(password)
    user.last_sign_in_at = _now()
    session.flush()
    audit.record(session, _actor(user), "user.created", "user", user.id, None,
                 {"name": user.name, "role": "admin", "password": True}, f"{user.name} (admin), the first admin")
    session.flush()
    return _actor(user)


def acting(session: Session, who: Actor | str | None, actor: Actor | None = None) -> Actor:
    """The acting user: ``actor`` (or ``who``) as given when it is an Actor, else a name
    resolved to a stored, active user (their stored role is what is checked). Lets
    callers that still pass a name keep working without letting an unknown name through."""
    if actor is not None and not isinstance(actor, Actor):  # a name given as the actor
        who, actor = (actor if who is None else who), None
    if actor is not None:
        if who is not None and (who.name if isinstance(who, Actor) else who) != actor.name:
            other = who.name if isinstance(who, Actor) else who
            raise PermissionDenied(translate("Errors", "{name} cannot act as {other}: sign in as {other} "
                                                       "instead.").format(name=actor.name, other=other))
        return actor
    if isinstance(who, Actor):
        return who
    user = _by_name(session, who or "") if (who or "").strip() else None
    if user is None or not user.active:
        raise PermissionDenied(translate("Errors", "'{name}' is not a QA Desk user: sign in first.").format(name=who))
    return _actor(user)


def check(session: Session, who: Actor | str | None, action: str) -> Actor:
    """The acting user (an Actor, or a stored user's name) when allowed ``action``;
    PermissionDenied otherwise, also when nobody is given."""
    return require(acting(session, who) if who is not None else None, action)


def list_users(session: Session, *, include_inactive: bool = True) -> list[UserView]:
    query = select(User).order_by(User.name)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return [_view(u) for u in session.execute(query).scalars()]


__all__ = [
    "MIN_PASSWORD", "SignInError", "UserError", "UserView", "acting", "check", "create_user", "deactivate_user",
    "first_admin", "has_users_who_sign_in", "hash_password", "list_users", "local_user", "set_password", "sign_in", "update_user", "verify_password",
]
