"""Bearer-token authentication for the JSON API.

Tokens are read only from the `Authorization: Bearer` header — never from a query string — and
the acting user is kept on `flask.g` for the request.
"""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from accounts.actor import Actor
from accounts.services import authenticate_token
from commonground.errors import AuthenticationError, ValidationError


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


MAX_PAGE = 1_000_000


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose pages are bounded: a huge `page` would overflow the
    database's OFFSET (a 500 found by schemathesis) and is refused as a 422 instead."""

    def paginate(self, pager=None, *, page=None, page_size=None, max_page_size=None):
        outer = super().paginate(pager, page=page, page_size=page_size, max_page_size=max_page_size)

        def decorator(func):
            @wraps(func)
            def bounded(*args, pagination_parameters, **kwargs):
                if pagination_parameters.page > MAX_PAGE:
                    raise ValidationError(
                        "That page does not exist.", {"page": [f"At most {MAX_PAGE}."]}
                    )
                return func(*args, pagination_parameters=pagination_parameters, **kwargs)

            return outer(bounded)

        return decorator


def token_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A flask-smorest blueprint whose every route requires a bearer token."""
    blueprint = ApiBlueprint(name, import_name, **options)
    blueprint.before_request(authenticate_request)
    return blueprint
