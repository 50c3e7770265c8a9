"""Rate-limit values and keys for Flask-Limiter: per client address, per account, per
organisation. Limit strings come from settings (RATELIMIT_LOGIN, RATELIMIT_CLAIM...), so each
installation — and a test that needs more room — sets them explicitly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from commonground.extensions import limiter


def configured(setting: str) -> Callable[[], str]:
    """A limit value read from the app's settings at request time."""

    def value() -> str:
        return current_app.config[setting]

    value.__name__ = f"limit_{setting.lower()}"
    return value


def submitted_account() -> str:
    """The account a sign-in or reset form names (hashed: keys are not a place for emails)."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def submitted_api_key() -> str:
    """The api_key an Open311 form posts (hashed), else the client's address."""
    key = request.form.get("api_key") or ""
    if not key:
        return "address:" + (get_remote_address() or "")
    return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def acting_organisation() -> str:
    """The acting user's organisation (API token or web session); the user or address if none."""
    actor = g.get("actor")
    if actor is not None:
        if actor.partner_id is not None:
            return f"partner:{actor.partner_id}"
        return f"user:{actor.user_id}"
    if current_user.is_authenticated:
        if current_user.partner_id is not None:
            return f"partner:{current_user.partner_id}"
        return f"user:{current_user.id}"
    return "address:" + (get_remote_address() or "")


def per_address(setting: str):
    """Decorator: limit POSTs to a view per client address."""
    return limiter.limit(configured(setting), key_func=get_remote_address, methods=["POST"])


def per_account(setting: str):
    """Decorator: limit POSTs to a view per submitted account (email field)."""
    return limiter.limit(
        configured(setting), key_func=submitted_account, methods=["POST"], scope="account"
    )


def per_api_key(setting: str):
    """Decorator: limit POSTs to a view per api_key (a resident app's, for Open311)."""
    return limiter.limit(
        configured(setting), key_func=submitted_api_key, methods=["POST"], scope="api_key"
    )


def per_organisation(setting: str):
    """Decorator: limit a view per acting organisation (claims, imports)."""
    return limiter.limit(configured(setting), key_func=acting_organisation, scope="organisation")


def per_organisation_shared(setting: str, scope: str):
    """Decorator: one limit per acting organisation, shared by every view given `scope` (a
    claim counts the same from the API and from the task pages)."""
    return limiter.shared_limit(configured(setting), scope=scope, key_func=acting_organisation)
