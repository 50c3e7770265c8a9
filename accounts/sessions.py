"""Cookie sessions for people using the web pages (Flask-Login), backed by a server registry.

The signed cookie carries the user id and a random session key; the key must name a live row
in the session registry (accounts.web_sessions). Signing out revokes that row, so a cookie
captured before logout is worthless afterwards — which Flask's signed-cookie session does not
do by itself (docs/field-notes.md, trap 5). "Log out everywhere" revokes every row of the user.
Idle and absolute timeouts come from SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS; the clock
is the app's CLOCK setting (tests move it instead of sleeping).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from accounts.models import User
from accounts.services import revoke_user_tokens
from accounts.web_sessions import (
    find_live_session,
    open_web_session,
    revoke_user_sessions,
    revoke_web_session,
)
from commonground.extensions import db, login_manager
from commonground.transaction import unit_of_work

SESSION_KEY = "_sid"


def clock() -> datetime:
    """The app's notion of now (the CLOCK setting, UTC)."""
    return current_app.config["CLOCK"]()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if the account is active and the session live in the registry."""
    key = session.get(SESSION_KEY)
    if not user_id.isdigit() or len(user_id) > 10 or not isinstance(key, str):
        return None
    config = current_app.config
    row = find_live_session(
        key,
        now=clock(),
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )
    if row is None or row.user_id != int(user_id):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def current_session_key() -> str | None:
    """The registry key of this browser's session, if signed in."""
    key = session.get(SESSION_KEY)
    return key if isinstance(key, str) else None


def start_session(user: User) -> None:
    """Sign a user in with a new session id (nothing carried over from before login)."""
    session.clear()
    now = clock()
    with unit_of_work():
        key = open_web_session(user.id, now=now)
        user.last_login_at = now
    login_user(user)
    session[SESSION_KEY] = key


def end_session() -> None:
    """Sign out this browser: its registry row is revoked and the cookie cleared."""
    key = current_session_key()
    if key is not None:
        revoke_web_session(key, now=clock())
    logout_user()
    session.clear()


def end_all_sessions() -> int:
    """Sign the current user out of every browser (this one included) and revoke every API
    token of theirs: "everywhere" includes scripts. Returns how many sessions ended."""
    count = 0
    if current_user.is_authenticated:
        with unit_of_work():
            user = db.session.get(User, current_user.id)
            user.session_generation += 1
            revoke_user_tokens(user.id, now=clock())
            count = revoke_user_sessions(user.id, now=clock())
    logout_user()
    session.clear()
    return count
