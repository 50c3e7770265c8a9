"""Signed unsubscribe links: whoever holds the link may switch that one kind off for that one
person, without signing in (RFC 8058 one-click). Signed with the app's SECRET_KEY
(itsdangerous); the token names the person and the kind, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from commonground.links import public_url
from commonground.signing import signed, unsigned
from notifications.kinds import KINDS

SALT = "commonground.unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    """What a valid unsubscribe token names."""

    user_id: int
    kind: str


def unsubscribe_token(user_id: int, kind: str) -> str:
    """The signed token for switching `kind` off for this person."""
    return signed([user_id, kind], SALT)


def unsubscribe_url(user_id: int, kind: str) -> str:
    """The absolute one-click unsubscribe link (built on PUBLIC_BASE_URL)."""
    return public_url("unsubscribe.page", token=unsubscribe_token(user_id, kind))


def read_unsubscribe_token(token: str) -> Unsubscription | None:
    """What the token names, or None when it is forged, altered or names no known kind."""
    try:
        user_id, kind = unsigned(token, SALT)
    except (ValueError, TypeError):  # not a pair: None, or another shape
        return None
    if not isinstance(user_id, int) or kind not in KINDS:
        return None
    return Unsubscription(user_id, kind)
