"""The server-side registry of signed-in browsers: open, find while live, revoke.

The cookie holds a random key; the database holds its SHA-256 digest, when it was opened and
last seen, and whether it was revoked. A session is live while it is not revoked, has been
used within the idle timeout and is younger than the absolute timeout. Pure use of the
database: no Flask here (the Flask glue is accounts.sessions).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from accounts.models import WebSession
from accounts.tokens import token_digest
from commonground.extensions import db
from commonground.transaction import unit_of_work

# last_seen_at is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)


def open_web_session(user_id: int, *, now: datetime) -> str:
    """Register a new session for the user and return its key (for the cookie only)."""
    key = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(
            WebSession(
                user_id=user_id, key_hash=token_digest(key), created_at=now, last_seen_at=now
            )
        )
    return key


def find_live_session(
    key: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> WebSession | None:
    """The live session with this key, touched; None if unknown, revoked or timed out."""
    row = db.session.scalar(select(WebSession).where(WebSession.key_hash == token_digest(key)))
    if row is None or row.revoked_at is not None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        with unit_of_work():
            row.revoked_at = now
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with unit_of_work():
            row.last_seen_at = now
    return row


def revoke_web_session(key: str, *, now: datetime) -> None:
    """Revoke the session with this key (sign out here)."""
    with unit_of_work():
        db.session.execute(
            update(WebSession)
            .where(WebSession.key_hash == token_digest(key), WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_user_sessions(user_id: int, *, now: datetime, keep_key: str | None = None) -> int:
    """Revoke every live session of a user (sign out everywhere), except `keep_key`'s."""
    statement = update(WebSession).where(
        WebSession.user_id == user_id, WebSession.revoked_at.is_(None)
    )
    if keep_key is not None:
        statement = statement.where(WebSession.key_hash != token_digest(keep_key))
    with unit_of_work():
        result = db.session.execute(statement.values(revoked_at=now))
    return result.rowcount or 0


def count_live_sessions(user_id: int) -> int:
    """How many sessions of the user are not revoked (timeouts are checked on use)."""
    return len(
        db.session.scalars(
            select(WebSession.id).where(
                WebSession.user_id == user_id, WebSession.revoked_at.is_(None)
            )
        ).all()
    )
