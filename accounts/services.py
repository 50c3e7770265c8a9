"""Use cases for users and API tokens, and turning a signed-in user into an Actor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.actor import Actor
from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.tokens import new_token, token_digest
from commonground.db_types import utcnow
from commonground.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from commonground.extensions import db

# A hash to compare against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12


def actor_for(user: User) -> Actor:
    """The Actor a signed-in user acts as."""
    return Actor(user_id=user.id, role=Role(user.role), partner_id=user.partner_id, label=user.name)


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
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "Password too short.",
            {"password": [f"Use at least {MIN_PASSWORD_LENGTH} characters."]},
        )
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError("A user with that email already exists.")
    user = User(
        email=email,
        name=name,
        role=role.value,
        partner_id=partner_id,
        is_partner_admin=is_partner_admin,
        password_hash=generate_password_hash(password) if password else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def check_password(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (constant work either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def create_api_token(
    actor: Actor, *, name: str, expires_at: datetime | None = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the acting user. Returns the row and the token string (shown once)."""
    if actor.user_id is None:
        raise ValidationError("Only a user can own a token.")
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
    )
    db.session.add(token)
    db.session.commit()
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
        token.revoked_at = now or utcnow()
        db.session.commit()
    return token


def authenticate_token(raw: str, *, now: datetime | None = None) -> tuple[Actor, User]:
    """The actor behind a bearer token, or AuthenticationError (unknown, revoked, expired)."""
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(raw)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationError("The token is not valid.")
    if token.expires_at is not None and token.expires_at <= now:
        raise AuthenticationError("The token has expired.")
    user = token.user
    if not user.is_active:
        raise AuthenticationError("The token's user is deactivated.")
    token.last_used_at = now
    db.session.commit()
    return actor_for(user), user
