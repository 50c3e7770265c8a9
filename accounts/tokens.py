"""API token strings: generation and hashing. Pure: must not import Flask, SQLAlchemy or any
feature package.

Tokens are 256 bits of randomness, so a plain SHA-256 digest is enough to store them safely
(no password-style stretching is needed, and look-up by digest stays a single index probe).
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "cg_"  # noqa: S105 - a public prefix, not a secret


def new_token() -> str:
    """A fresh random token string, shown to its owner once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The hex SHA-256 digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
