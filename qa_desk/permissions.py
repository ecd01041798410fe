"""Who may do what: roles, the actions they allow, and the check every service makes.

Permissions are enforced where the change is made (the store and service functions
take the acting user and call ``require``), not only by hiding buttons: a script, the
CLI and a second window go through the same checks. The UI asks ``can`` only to grey
out what would be refused anyway.

Roles (a person has one):
- reviewer: scores calls (their own drafts only), decides flags, scores calibration
  sessions they are invited to.
- lead: what a reviewer does, plus resolving disputes, forms and rulebooks, sampling
  rules and the review queue, calibration sessions, the audit log.
- trainer: the training library (clips and playlists) and its exports.
- manager: scorecards and their exports, the audit log.
- admin: everything, including users.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("reviewer", "lead", "trainer", "manager", "admin")

# action → the roles allowed it (admin is allowed everything).
ACTIONS: dict[str, tuple[str, ...]] = {
    "evaluation.score": ("reviewer", "lead"),  # start, save, submit: one's own evaluations only
    "evaluation.acknowledge": ("reviewer", "lead", "manager"),  # for the agent, or the agent's lead
    "evaluation.dispute": ("reviewer", "lead", "manager"),
    "evaluation.resolve": ("lead",),
    "flag.decide": ("reviewer", "lead"),  # confirm, dismiss, reopen, note
    "form.edit": ("lead",),
    "rulebook.edit": ("lead",),
    "clip.manage": ("trainer",),  # save, edit, move, delete clips; playlists
    "clip.export": ("trainer", "manager"),
    "scorecard.view": ("reviewer", "lead", "trainer", "manager"),
    "scorecard.export": ("manager", "lead"),
    "sampling.manage": ("lead",),  # rules, runs, reassigning queued calls
    "calibration.manage": ("lead",),  # start, invite, close sessions
    "calibration.score": ("reviewer", "lead"),  # only in a session one is invited to
    "audit.view": ("lead", "manager"),
    "user.manage": (),
}


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this; the message says who, what and which roles may."""


@dataclass(frozen=True)
class Actor:
    """The person a change is made by: their name (as written on evaluations, flags and the
    audit log) and role. ``user_id`` is None for a local user not (yet) stored."""

    name: str
    role: str
    user_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role '{self.role}'; roles are {', '.join(ROLES)}")
        if not self.name.strip():
            raise ValueError("a user needs a name")


def roles_for(action: str) -> tuple[str, ...]:
    if action not in ACTIONS:
        raise KeyError(f"unknown action '{action}'")
    return ACTIONS[action] + ("admin",)


def can(actor: Actor | None, action: str) -> bool:
    return actor is not None and actor.role in roles_for(action)


def require(actor: Actor | None, action: str) -> Actor:
    """The actor, when their role allows ``action``; PermissionDenied otherwise."""
    if actor is None:
        raise PermissionDenied(f"{action}: nobody is signed in")
    if not can(actor, action):
        allowed = ", ".join(roles_for(action))
        raise PermissionDenied(f"{actor.name} ({actor.role}) may not {action.replace('.', ' ')}; "
                               f"that needs the role {allowed}")
    return actor


__all__ = ["ACTIONS", "ROLES", "Actor", "PermissionDenied", "can", "require", "roles_for"]
