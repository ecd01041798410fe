"""Who the window acts as, and greying out what their role may not do.

The store checks every change against the acting user's role; the window only mirrors
those checks so people are not offered buttons that would be refused. The acting user
is the window's signed-in user (``services.user``): the local user of a SQLite file, or
the person signed in to a shared database. None means nobody is signed in (a sign-in
cancelled after switching database): then nothing is offered and the store refuses
everything. There is deliberately no fallback to the name in the settings: on a shared
database that name proves nothing, and typing a lead's name there must not make
anyone a lead.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..permissions import Actor, can


def signed_in(services) -> Actor | None:
    user = getattr(services, "user", None)
    return user if isinstance(user, Actor) else None


def permitted(services, action: str) -> bool:
    return can(signed_in(services), action)


def gate(widget: QWidget, usable: bool, allowed: bool, refusal: str, tip: str = "") -> None:
    """Enable ``widget`` when it is ``usable`` (something is selected, …) and the role is
    ``allowed``; a refused role sees why in the tooltip, others see ``tip``."""
    widget.setEnabled(usable and allowed)
    widget.setToolTip(tip if allowed else refusal)


__all__ = ["gate", "permitted", "signed_in"]
