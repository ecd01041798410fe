"""qa-desk users: who may sign in to a shared database, and the first admin of a new one.

Passwords are never arguments (they would sit in the shell's history and the process
list): they come from QA_DESK_NEW_PASSWORD, or are asked for twice on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from .cli_transcripts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, _fail, on_database
from .permissions import ROLES


def add_users_parser(sub) -> None:
    parser = sub.add_parser("users", help="users and roles: list, add, first admin, password, deactivate")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every user with role, password and last sign-in")
    listing.add_argument("--json", action="store_true")
    first = actions.add_parser("first-admin", help="the first admin of a new shared database (only while it has none)")
    first.add_argument("name")
    add = actions.add_parser("add", help="a new user (admins only)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--no-password", action="store_true", help="a local user (SQLite) who does not sign in")
    password = actions.add_parser("password", help="set a user's password (an admin, or the user themself)")
    password.add_argument("name")
    gone = actions.add_parser("deactivate", help="a user who may no longer sign in (their history stays)")
    gone.add_argument("name")


def _new_password(name: str) -> str:
    given = os.environ.get("QA_DESK_NEW_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ValueError("set QA_DESK_NEW_PASSWORD: there is no terminal to ask the new password on")
    first = getpass.getpass(f"New password for {name}: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _user_id(session, name: str) -> int:
    from .store.users import list_users

    for user in list_users(session):
        if user.name == name:
            return user.id
    raise LookupError(f"there is no user named {name}; 'qa-desk users list' shows them")


def run_users(args: argparse.Namespace, url: str, settings) -> int:
    from .cli_user import CliSignInError, cli_actor
    from .permissions import PermissionDenied
    from .store import users as store

    def work(db) -> int:
        try:
            with db.session() as session:
                if args.action == "list":
                    return _list(store.list_users(session), args.json)
                if args.action == "first-admin":
                    actor = store.first_admin(session, args.name, _new_password(args.name))
                    print(f"{actor.name} is the first admin; they can now sign in and add users")
                    return EXIT_OK
                actor = cli_actor(session, args, settings)
                if args.action == "add":
                    password = None if args.no_password else _new_password(args.name)
                    user = store.create_user(session, actor, args.name, args.role, password=password)
                    print(f"Added {user.name} ({user.role})")
                elif args.action == "password":
                    store.set_password(session, actor, _user_id(session, args.name), _new_password(args.name))
                    print(f"Password set for {args.name}")
                else:
                    store.deactivate_user(session, actor, _user_id(session, args.name))
                    print(f"{args.name} can no longer sign in")
                return EXIT_OK
        except (PermissionDenied, CliSignInError) as exc:
            return _fail(str(exc), EXIT_FAILED)
        except (store.UserError, LookupError, ValueError) as exc:
            return _fail(str(exc), EXIT_USAGE)

    return on_database(url, work)


def _list(users, as_json: bool) -> int:
    if as_json:
        print(json.dumps([{"name": u.name, "role": u.role, "active": u.active, "password": u.has_password,
                           "last_sign_in": u.last_sign_in_at.isoformat(sep=" ") if u.last_sign_in_at else None}
                          for u in users], ensure_ascii=False, indent=2))
        return EXIT_OK
    for u in users:
        state = "" if u.active else "  (deactivated)"
        seen = f"{u.last_sign_in_at:%Y-%m-%d %H:%M}" if u.last_sign_in_at else "never"
        print(f"{u.name:<20} {u.role:<9} {'password' if u.has_password else 'local':<9} last sign-in {seen}{state}")
    print(f"{len(users)} user{'' if len(users) == 1 else 's'}")
    return EXIT_OK


__all__ = ["add_users_parser", "run_users"]
