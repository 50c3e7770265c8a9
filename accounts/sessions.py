"""Cookie sessions for people using the web pages (Flask-Login).

Each session carries the user's session generation; bumping it (logout, "log out everywhere",
password change) makes every cookie issued before it worthless, which Flask's signed-cookie
session does not do by itself (FIELD-NOTES trap 5).
"""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user

from accounts.models import User
from commonground.db_types import utcnow
from commonground.extensions import db, login_manager

GENERATION_KEY = "_gen"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if the account is active and the session not revoked."""
    if not user_id.isdigit() or len(user_id) > 10:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if session.get(GENERATION_KEY) != user.session_generation:
        return None
    return user


def start_session(user: User) -> None:
    """Sign a user in with a fresh session (no data carried over from before login)."""
    session.clear()
    login_user(user)
    session[GENERATION_KEY] = user.session_generation
    user.last_login_at = utcnow()
    db.session.commit()


def end_session(user: User | None) -> None:
    """Sign out: the cookie is cleared and, server-side, every earlier cookie stops working."""
    if user is not None and getattr(user, "id", None) is not None:
        user.session_generation += 1
        db.session.commit()
    logout_user()
    session.clear()
