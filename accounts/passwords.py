"""Password hashing and the password policy.

Hashes with werkzeug's scrypt (a maintained memory-hard algorithm). The method comes from the
app's PASSWORD_HASH_METHOD so the test suite can choose a cheaper one; production refuses
anything but scrypt (see commonground.config). Must not import any feature package.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from commonground.errors import ValidationError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def hash_password(password: str) -> str:
    """A salted hash of `password` with the configured method."""
    method = "scrypt"
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash."""
    return check_password_hash(password_hash, password)


def check_password_policy(password: str, *, email: str = "", field: str = "password") -> None:
    """Raise ValidationError unless the password is long enough and not the email address."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("Do not use your email address as your password.")
    if problems:
        raise ValidationError("Password not accepted.", {field: problems})
