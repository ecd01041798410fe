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

from .wording import translate

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


def role_name(role: str) -> str:
    """A role as a person reads it, in their language (the code itself for an unknown one)."""
    names = {"reviewer": translate("Permissions", "reviewer"), "lead": translate("Permissions", "team lead"),
             "trainer": translate("Permissions", "trainer"), "manager": translate("Permissions", "manager"),
             "admin": translate("Permissions", "administrator")}
    return names.get(role, role)


def action_name(action: str) -> str:
    """What an action lets a person do, as the end of "may not …" (the code for an unknown one)."""
    names = {
        "evaluation.score": translate("Permissions", "score calls"),
        "evaluation.acknowledge": translate("Permissions", "acknowledge evaluations"),
        "evaluation.dispute": translate("Permissions", "dispute evaluations"),
        "evaluation.resolve": translate("Permissions", "resolve disputed evaluations"),
        "flag.decide": translate("Permissions", "decide on flags"),
        "form.edit": translate("Permissions", "edit forms"),
        "rulebook.edit": translate("Permissions", "edit rulebooks"),
        "clip.manage": translate("Permissions", "manage clips and playlists"),
        "clip.export": translate("Permissions", "export clips"),
        "scorecard.view": translate("Permissions", "view scorecards"),
        "scorecard.export": translate("Permissions", "export scorecards"),
        "sampling.manage": translate("Permissions", "manage sampling and the review queue"),
        "calibration.manage": translate("Permissions", "manage calibration sessions"),
        "calibration.score": translate("Permissions", "score calibration sessions"),
        "audit.view": translate("Permissions", "view the audit log"),
        "user.manage": translate("Permissions", "manage users"),
    }
    return names.get(action, action)


@dataclass(frozen=True)
class Actor:
    """The person a change is made by: their name (as written on evaluations, flags and the
    audit log) and role. ``user_id`` is None for a local user not (yet) stored."""

    name: str
    role: str
    user_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(translate("Errors", "Unknown role '{role}': use one of {roles}.").format(
                role=self.role, roles=", ".join(ROLES)))
        if not self.name.strip():
            raise ValueError(translate("Errors", "A user needs a name."))


def roles_for(action: str) -> tuple[str, ...]:
    if action not in ACTIONS:
        raise KeyError(f"unknown action '{action}'")
    return ACTIONS[action] + ("admin",)


def can(actor: Actor | None, action: str) -> bool:
    return actor is not None and actor.role in roles_for(action)


def require(actor: Actor | None, action: str) -> Actor:
    """The actor, when their role allows ``action``; PermissionDenied otherwise."""
    if actor is None:
        raise PermissionDenied(translate("Permissions", "Cannot {action}: nobody is signed in. Sign in first.").format(
            action=action_name(action)))
    if not can(actor, action):
        allowed = translate("Permissions", ", ").join(role_name(r) for r in roles_for(action))
        raise PermissionDenied(translate(
            "Permissions", "{name} ({role}) may not {action}: that needs the role: {roles}. Ask an administrator "
            "for that role, or sign in as someone who has it.").format(
            name=actor.name, role=role_name(actor.role), action=action_name(action), roles=allowed))
    return actor


__all__ = ["ACTIONS", "ROLES", "Actor", "PermissionDenied", "action_name", "can", "require", "role_name",
           "roles_for"]
