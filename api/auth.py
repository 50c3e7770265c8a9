"""Bearer-token authentication for the JSON API.

Tokens are read only from the `Authorization: Bearer` header — never from a query string — and
the acting user is kept on `flask.g` for the request. Must not import `web`.
"""

from __future__ import annotations

from flask import g, request

from accounts.actor import Actor
from accounts.services import authenticate_token
from commonground.errors import AuthenticationError


def authenticate_request() -> None:
    """before_request hook: resolve the bearer token into `g.actor`, or refuse with 401."""
    if request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationError("Send an API token as 'Authorization: Bearer <token>'.")
    g.actor, g.user = authenticate_token(raw.strip())


def current_actor() -> Actor:
    """The actor of the current API request."""
    return g.actor
