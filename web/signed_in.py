"""The signed-in person as the Actor services expect, for pages behind Flask-Login."""

from __future__ import annotations

from flask_login import current_user

from accounts.actor import Actor
from accounts.services import actor_for


def page_actor() -> Actor:
    """The Actor of the signed-in user (use with `login_required`)."""
    return actor_for(current_user)
