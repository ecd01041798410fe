"""Who runs a CLI command that changes something, checked like in the window.

On a local SQLite file it is the file's single local user (settings ``user_name`` and
``user_role``, an admin by default, created at first use — as the window's first run
does). On a shared database each person signs in: ``--user NAME`` (or ``QA_DESK_USER``,
or the settings' name) and the password from ``QA_DESK_PASSWORD`` (scripts) or a
prompt (a terminal).
"""

from __future__ import annotations

import getpass
import os
import sys

from .permissions import Actor, PermissionDenied
from .wording import translate


class CliSignInError(Exception):
    """The command's user could not be signed in; the message says why."""


def _signed_in(session, name: str) -> Actor:
    """``name`` signed in with the password from QA_DESK_PASSWORD, else asked on the terminal."""
    from .store.users import sign_in

    password = os.environ.get("QA_DESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CliSignInError(translate("CLI", "set QA_DESK_PASSWORD: there is no terminal to ask the password on"))
        password = getpass.getpass(translate("CLI", "Password for {name}: ").format(name=name))
    return sign_in(session, name, password)


def cli_actor(session, args, settings) -> Actor:
    from .store.users import SignInError, UserError, local_user

    name = (getattr(args, "user", None) or "").strip()
    try:
        if session.get_bind().dialect.name == "sqlite":
            return local_user(session, name or settings.user(), settings.user_role or "admin")
        name = name or os.environ.get("QA_DESK_USER", "").strip() or settings.user_name.strip()
        if not name:
            raise CliSignInError(translate(
                "CLI", "a shared database needs --user NAME (and QA_DESK_PASSWORD or a password prompt)"))
        return _signed_in(session, name)
    except (SignInError, PermissionDenied, UserError) as exc:
        raise CliSignInError(str(exc)) from None


def named_actor(session, name: str) -> Actor:
    """The user ``name`` acting in a command (sample, queue, calibration ``--as``). On a local
    SQLite file: that stored user (their stored role) or the file's local user. On a shared
    database only after signing in with their password (QA_DESK_PASSWORD or a prompt): a
    name alone must never let anyone act as a lead or an admin."""
    from .store.users import SignInError, UserError, local_user

    try:
        if session.get_bind().dialect.name == "sqlite":
            return local_user(session, name)  # the stored user with their stored role, or the first one
        return _signed_in(session, name)
    except (SignInError, UserError) as exc:
        raise CliSignInError(str(exc)) from None


def add_user_option(parser) -> None:
    parser.add_argument("--user", metavar="NAME", default=None,
                        help=translate("CLI", "who runs the command on a shared database (password: QA_DESK_PASSWORD "
                                       "or a prompt); on a local file, the local user"))


__all__ = ["CliSignInError", "add_user_option", "cli_actor", "named_actor"]
