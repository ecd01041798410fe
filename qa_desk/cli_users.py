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
from .wording import choose, translate


def add_users_parser(sub) -> None:
    parser = sub.add_parser(
        "users", help=translate("CLI", "users and roles: list, add, first admin, password, deactivate"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=translate("CLI", "every user with role, password and last sign-in"))
    listing.add_argument("--json", action="store_true", help=translate("CLI", "print the result as JSON"))
    user_name = translate("CLI", "the user's name")
    first = actions.add_parser(
        "first-admin", help=translate("CLI", "the first admin of a new shared database (only while it has none)"))
    first.add_argument("name", help=user_name)
    add = actions.add_parser("add", help=translate("CLI", "a new user (admins only)"))
    add.add_argument("name", help=user_name)
    add.add_argument("--role", choices=ROLES, required=True, help=translate("CLI", "what the user may do"))
    add.add_argument("--no-password", action="store_true",
                     help=translate("CLI", "a local user (SQLite) who does not sign in"))
    password = actions.add_parser(
        "password", help=translate("CLI", "set a user's password (an admin, or the user themself)"))
    password.add_argument("name", help=user_name)
    gone = actions.add_parser(
        "deactivate", help=translate("CLI", "a user who may no longer sign in (their history stays)"))
    gone.add_argument("name", help=user_name)


def _new_password(name: str) -> str:
    given = os.environ.get("QA_DESK_NEW_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ValueError(translate("CLI", "set QA_DESK_NEW_PASSWORD: there is no terminal to ask the new password on"))
    first = getpass.getpass(translate("CLI", "New password for {name}: ").format(name=name))
    if getpass.getpass(translate("CLI", "Again: ")) != first:
        raise ValueError(translate("CLI", "the two passwords differ"))
    return first


def _user_id(session, name: str) -> int:
    from .store.users import list_users

    for user in list_users(session):
        if user.name == name:
            return user.id
    raise LookupError(
        translate("CLI", "there is no user named {name}; 'qa-desk users list' shows them").format(name=name))


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
                    print(translate("CLI", "{name} is the first admin; they can now sign in and add users").format(
                        name=actor.name))
                    return EXIT_OK
                actor = cli_actor(session, args, settings)
                if args.action == "add":
                    password = None if args.no_password else _new_password(args.name)
                    user = store.create_user(session, actor, args.name, args.role, password=password)
                    print(translate("CLI", "Added {name} ({role})").format(name=user.name, role=user.role))
                elif args.action == "password":
                    store.set_password(session, actor, _user_id(session, args.name), _new_password(args.name))
                    print(translate("CLI", "Password set for {name}").format(name=args.name))
                else:
                    store.deactivate_user(session, actor, _user_id(session, args.name))
                    print(translate("CLI", "{name} can no longer sign in").format(name=args.name))
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
    from .cli import _pad

    for u in users:
        state = "" if u.active else translate("CLI", "  (deactivated)")
        seen = f"{u.last_sign_in_at:%Y-%m-%d %H:%M}" if u.last_sign_in_at else translate("CLI", "never")
        kind = translate("CLI", "password") if u.has_password else translate("CLI", "local")
        # The role is the code `users add --role` takes.
        print(f"{_pad(u.name, 20)} {_pad(u.role, 9)} {_pad(kind, 9)} "
              + translate("CLI", "last sign-in {when}").format(when=seen) + state)
    print(choose(len(users), translate("CLI", "1 user"), translate("CLI", "{n} users")).format(n=len(users)))
    return EXIT_OK


__all__ = ["add_users_parser", "run_users"]
