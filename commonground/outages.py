"""When a service the app depends on is down: answered plainly, logged once, recovered from.

- The database unavailable (refused, dropped or timed-out connections): 503 with Retry-After in
  the one error shape, one warning line per request (no traceback), and nothing to restart:
  the pool pings connections before use, so requests succeed again once the database is back.
  A writer that lost a lock or serialization race is a 409 the caller can retry
  (docs/field-notes.md, trap 9).
- The rate-limit store (Redis) unreachable: the limited request (sign-in, password reset,
  registration, claims, API imports, residents' reports and their look-ups, Open311 posts) is
  refused with 503 and Retry-After — it fails closed, with one warning line — rather than
  falling back to counters per worker in silence.
- `/healthz` (the process answers; touches nothing) and `/readyz` (the database and the
  rate-limit store answer) for load balancers and orchestrators.

Error pages here are built without templates: rendering one would load the signed-in user,
that is, ask the database again.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from limits.errors import StorageError
from markupsafe import escape
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from commonground.extensions import db, limiter
from commonground.http_errors import error_body, error_response, unexpected_error, wants_json

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

DATABASE_DOWN = "The database is unavailable just now; try again shortly."
LIMITS_DOWN = (
    "This action is paused: its rate-limit store is unreachable (it fails closed). "
    "Try again shortly."
)
# Words of the drivers' messages that mean "no usable connection", not "bad statement".
_CONNECTION_WORDS = (
    "connect",
    "connection",
    "server closed",
    "terminating",
    "shutting down",
    "starting up",
    "unable to open database",
    "timeout",
    "timed out",
    "disk i/o",
    "no route to host",
    "name or service not known",
)
_RACE_WORDS = ("locked", "lock timeout", "serializ", "deadlock")


def _reason(exc: BaseException) -> str:
    """The first line of the driver's message (no parameters, no traceback)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def is_lost_race(exc: DBAPIError) -> bool:
    """A lock timeout, serialization failure or deadlock: someone else changed the row."""
    return any(word in str(exc.orig).lower() for word in _RACE_WORDS)


def is_database_unavailable(exc: BaseException) -> bool:
    """True when the error means there is no usable database connection."""
    if isinstance(exc, PoolTimeoutError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        return any(word in str(exc.orig).lower() for word in _CONNECTION_WORDS)
    return False


def unavailable(message: str) -> Response:
    """503 with Retry-After: the error shape for API callers, a page without templates else."""
    retry_after = str(current_app.config["RETRY_AFTER_SECONDS"])
    if wants_json():
        response = jsonify(error_body(503, message))
    else:
        response = Response(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Service Unavailable</title></head><body>"
            f"<h1>503 — Service Unavailable</h1><p>{escape(message)}</p></body></html>",
            mimetype="text/html",
        )
    response.status_code = 503
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def _forget_transaction() -> None:
    """Drop the session's transaction; its connection may be gone, so this must not raise."""
    try:
        db.session.rollback()
    except Exception:  # the connection is already broken; nothing to undo
        db.session.close()


def _database_error(exc: DBAPIError | PoolTimeoutError):
    """409 for a lost race, 503 for an outage, else the generic 500."""
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated and is_lost_race(exc):
        _forget_transaction()
        return error_response(409, "The record is busy; try again.")
    if not is_database_unavailable(exc):
        return unexpected_error(exc)  # not an outage: logged with its traceback, a 500
    _forget_transaction()
    log.warning(
        "database unavailable: %s %s answered 503 (%s)", request.method, request.path, _reason(exc)
    )
    return unavailable(DATABASE_DOWN)


def _rate_limit_store_error(exc: Exception):
    """The limited request is refused (fail closed), told in one line."""
    log.warning(
        "rate-limit store unreachable: %s %s refused with 503, failing closed (%s)",
        request.method,
        request.path,
        _reason(exc),
    )
    return unavailable(LIMITS_DOWN)


def register_outage_handlers(app: Flask) -> None:
    """Install the 503 handlers and the health endpoints."""
    for database_error in (OperationalError, InterfaceError, DBAPIError, PoolTimeoutError):
        app.register_error_handler(database_error, _database_error)
    for store_error in (RedisError, StorageError):
        app.register_error_handler(store_error, _rate_limit_store_error)
    limiter.exempt(bp)
    app.register_blueprint(bp)


def _database_ready() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # any failure means "not ready"; logged below
        _forget_transaction()
        log.warning("readiness: database unavailable (%s)", _reason(exc))
        return "unavailable"
    return "ok"


def _rate_limit_store_ready() -> str:
    try:
        if limiter.storage.check():
            return "ok"
        reason = "no answer"
    except Exception as exc:  # any failure means "not ready"; logged below
        reason = _reason(exc)
    log.warning("readiness: rate-limit store unreachable (%s)", reason)
    return "unavailable"


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. Checks nothing else, so it never restarts a healthy app."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when the database and the rate-limit store answer, else 503."""
    checks = {"database": _database_ready(), "rate_limit_storage": _rate_limit_store_ready()}
    ready = all(value == "ok" for value in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response
