"""Domain exceptions: the few ways a use case can refuse, each mapped to one HTTP status.

Services raise these; `commonground.http_errors` turns them into responses in one place.
Must not import Flask or any feature package.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a use case refused, with a human message and optional per-field details."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class AuthenticationError(DomainError):
    """No valid credentials were given."""

    status = 401


class PermissionDeniedError(DomainError):
    """The acting user may not do this."""

    status = 403


class NotFoundError(DomainError):
    """The object does not exist, or the actor may not know that it exists."""

    status = 404


class ConflictError(DomainError):
    """The request clashes with the current state (already claimed, illegal transition)."""

    status = 409


class ValidationError(DomainError):
    """Input is well-formed but breaks a domain rule (unknown capability code, ...)."""

    status = 422
