"""Signed values in links people follow without signing in (stop the emails about a report,
switch off one kind of email): the app's SECRET_KEY through itsdangerous, with one salt per
use, so a token made for one use is refused by every other."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def signed(value: Any, salt: str) -> str:
    """`value` (JSON-able) as a URL-safe signed token for the use `salt` names."""
    return _serializer(salt).dumps(value)


def unsigned(token: str, salt: str) -> Any | None:
    """The value a token for the use `salt` holds, or None when it is forged, altered, made for
    another use or not a token at all."""
    try:
        return _serializer(salt).loads(token)
    except BadSignature:
        return None
