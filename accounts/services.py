"""Use cases for users and API tokens, and turning a signed-in user into an Actor.

Each writes in one unit of work (`commonground.transaction`); security events are logged once
it is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from accounts.actor import Actor
from accounts.models import ApiToken, OneTimeToken, User
from accounts.outbox import queue_email
from accounts.passwords import check_password_policy, hash_password, verify_password
from accounts.roles import Role
from accounts.security_log import security_event, token_uses
from accounts.tokens import new_token, token_digest
from accounts.web_sessions import revoke_user_sessions
from commonground.db_types import utcnow
from commonground.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from commonground.extensions import db
from commonground.transaction import unit_of_work

# A hash to compare against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = hash_password("not-a-real-password")
EMAIL_TAKEN = "A user with that email already exists."


def actor_for(user: User) -> Actor:
    """The Actor a signed-in user acts as."""
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        partner_id=user.partner_id,
        label=user.name,
        is_partner_admin=bool(user.is_partner_admin),
    )


def create_user(
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    partner_id: int | None = None,
    is_partner_admin: bool = False,
) -> User:
    """Create a user (admins). Partner members must belong to a partner; staff must not."""
    actor.require("user.manage")
    return _insert_user(
        email=email,
        name=name,
        role=role,
        password=password,
        partner_id=partner_id,
        is_partner_admin=is_partner_admin,
    )


def _insert_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    partner_id: int | None,
    is_partner_admin: bool,
) -> User:
    role = Role(role)
    if (role is Role.PARTNER) != (partner_id is not None):
        raise ValidationError(
            "Partner members belong to exactly one partner; other roles to none.",
            {"partner_id": ["Required for partner members, not allowed otherwise."]},
        )
    email = email.strip().lower()
    if password is not None:
        check_password_policy(password, email=email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError(EMAIL_TAKEN)
    user = User(
        email=email,
        name=name,
        role=role.value,
        partner_id=partner_id,
        is_partner_admin=is_partner_admin,
        password_hash=hash_password(password) if password else None,
    )
    with unit_of_work(EMAIL_TAKEN):
        db.session.add(user)
    return user


def check_password(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (constant work either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


TOKEN_SCOPES: dict[str, frozenset[str]] = {
    "report": frozenset({"report.submit", "capability.read"}),
}
"""Limited keys: scope name -> the only permissions such a key carries."""


def create_api_token(
    actor: Actor,
    *,
    name: str,
    expires_at: datetime | None = None,
    now: datetime | None = None,
    scope: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the acting user. Returns the row and the token string (shown once).

    `scope="report"` makes an app key for a resident app: it may only create reports."""
    if actor.user_id is None:
        raise ValidationError("Only a user can own a token.")
    if scope is not None and scope not in TOKEN_SCOPES:
        raise ValidationError(f"Unknown token scope {scope!r}.", {"scope": ["Unknown."]})
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise ValidationError("Expiry must be in the future.", {"expires_at": ["In the past."]})
    raw = new_token()
    token = ApiToken(
        user_id=actor.user_id,
        name=name,
        token_hash=token_digest(raw),
        prefix=raw[:10],
        expires_at=expires_at,
        created_at=now,
        scope=scope,
    )
    with unit_of_work():
        db.session.add(token)
    return token, raw


def list_api_tokens(actor: Actor) -> list[ApiToken]:
    """The acting user's own tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(actor: Actor, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of the acting user's own tokens (admins may revoke anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.can("user.manage")):
        raise NotFoundError("No such token.")
    if token.revoked_at is None:
        with unit_of_work():
            token.revoked_at = now or utcnow()
    return token


def revoke_user_tokens(user_id: int, *, now: datetime | None = None) -> int:
    """Revoke every live API token of a user (log out everywhere, password change or reset).

    Added to the session; the caller commits. Returns how many tokens were revoked.
    """
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return result.rowcount or 0


LAST_USED_EVERY = timedelta(seconds=60)
"""A token's `last_used_at` is written when it is at least this old: a write a minute per
token in use, not one per request."""


TOKEN_AND_USER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)
"""A token and its user, by the token's digest: built once, so that every request behind a
token reuses this statement and its compiled form instead of building and keying a new one."""


def authenticate_token(raw: str, *, now: datetime | None = None) -> tuple[Actor, User]:
    """The actor behind a bearer token, or AuthenticationError (unknown, revoked, expired).

    The token and its user are read in one query on every call, nothing kept between requests:
    a token revoked (one token, log out everywhere, a password change or reset) or a user
    deactivated is refused by the very next request, in every worker process. `last_used_at` is
    written at most once a minute per token, not on every request.
    """
    now = now or utcnow()
    row = db.session.execute(TOKEN_AND_USER, {"digest": token_digest(raw)}).first()
    token, user = row if row is not None else (None, None)
    problem = None
    if token is None or token.revoked_at is not None:
        problem = "The token is not valid."
    elif token.expires_at is not None and token.expires_at <= now:
        problem = "The token has expired."
    elif not user.is_active:
        problem = "The token's user is deactivated."
    if problem:
        security_event(
            "token_use",
            "failure",
            token_id=token.id if token else None,
            user_id=token.user_id if token else None,
            reason=problem,
        )
        raise AuthenticationError(problem)
    actor = actor_for(user)
    if token.scope is not None:
        actor = replace(actor, scope=TOKEN_SCOPES[token.scope])
    window = timedelta(minutes=current_app.config["TOKEN_USE_LOG_MINUTES"])
    not_logged = token_uses.admit(token.token_hash, now, window)
    if not_logged is not None:  # the first use per token and window, not every request
        security_event(
            "token_use",
            "success",
            user_id=user.id,
            partner_id=user.partner_id,
            token_id=token.id,
            uses_not_logged=not_logged,
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        with unit_of_work():
            token.last_used_at = now
    return actor, user


# --- passwords: change, reset by email, invitations -----------------------------------------

RESET = "reset"
INVITATION = "invitation"


def change_password(
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    keep_session_key: str | None = None,
    now: datetime | None = None,
) -> None:
    """Change the acting user's own password; every other session of theirs is signed out and
    every API token revoked (a password change usually answers a suspected compromise)."""
    now = now or utcnow()
    user = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.password_hash:
        raise AuthenticationError("Sign in first.")
    if not verify_password(user.password_hash, current_password):
        raise ValidationError(
            "Current password is wrong.", {"current_password": ["Not your current password."]}
        )
    check_password_policy(new_password, email=user.email, field="new_password")
    with unit_of_work():
        user.password_hash = hash_password(new_password)
        revoke_user_tokens(user.id, now=now)
        revoke_user_sessions(user.id, now=now, keep_key=keep_session_key)
    security_event("password_change", "success", user_id=user.id, partner_id=user.partner_id)


def issue_one_time_token(user: User, purpose: str, lifetime: timedelta, now: datetime) -> str:
    """A new single-use token for `user` (earlier unused ones of that purpose stop working).

    Added to the session; the caller commits.
    """
    db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    raw = new_token()
    db.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_digest(raw),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return raw


def request_password_reset(
    email: str, *, link_for: Callable[[str], str], lifetime: timedelta, now: datetime | None = None
) -> None:
    """Mail a reset link to an active account with this email; silent for unknown emails.

    `link_for(token)` builds the absolute link (the web layer knows the URL).
    """
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        security_event("password_reset_request", "unknown_account", email=email)
        return
    minutes = int(lifetime.total_seconds() // 60)
    with unit_of_work():
        raw = issue_one_time_token(user, RESET, lifetime, now)
        queue_email(
            user.email,
            "Reset your Common Ground password",
            f"Someone asked to reset the password of this account.\n\n"
            f"Choose a new password here within {minutes} minutes (the link works once):\n"
            f"{link_for(raw)}\n\nIf it was not you, ignore this message.",
            now=now,
        )
    security_event("password_reset_request", "sent", user_id=user.id)


def one_time_token_user(raw: str, *, now: datetime | None = None) -> User | None:
    """The user a usable (unused, unexpired) one-time token belongs to, or None."""
    now = now or utcnow()
    row = db.session.scalar(
        select(OneTimeToken).where(OneTimeToken.token_hash == token_digest(raw))
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def set_password_with_token(raw: str, new_password: str, *, now: datetime | None = None) -> User:
    """Use a reset or invitation token once: set the password, sign out every session and
    revoke every API token."""
    now = now or utcnow()
    user = one_time_token_user(raw, now=now)
    if user is None:
        security_event("password_reset", "failure", reason="invalid or expired token")
        raise ValidationError(
            "This link is not valid any more.", {"token": ["Expired, used or unknown."]}
        )
    check_password_policy(new_password, email=user.email)
    with unit_of_work():
        claimed = db.session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.token_hash == token_digest(raw), OneTimeToken.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:  # used meanwhile: one winner, like a claim
            raise ValidationError("This link is not valid any more.", {"token": ["Already used."]})
        user.password_hash = hash_password(new_password)
        revoke_user_tokens(user.id, now=now)
        revoke_user_sessions(user.id, now=now)
    security_event("password_reset", "success", user_id=user.id, partner_id=user.partner_id)
    return user
