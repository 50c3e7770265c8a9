"""Who is acting on a page: the signed-in user as an `Actor` (`current_actor()`, the one way
pages name the acting user), and sign-in guards.

Guards here only ask "is anyone signed in?"; what that person may do is decided by the
services, which every view calls with `current_actor()`. Must not import `api`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask_login import current_user, login_required

from accounts.actor import Actor
from accounts.services import actor_for
from commonground.errors import AuthenticationError

__all__ = ["current_actor", "json_login_required", "login_required"]


def current_actor() -> Actor:
    """The signed-in user as the Actor services expect."""
    if not current_user.is_authenticated:
        raise AuthenticationError("Sign in first.")
    return actor_for(current_user)


def json_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """For JSON endpoints the pages call: 401 JSON instead of a redirect to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_actor()
        return view(*args, **kwargs)

    return wrapper
