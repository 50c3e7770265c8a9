"""One error shape for the whole JSON API: `{code, status, message, errors}`.

Maps domain exceptions and HTTP errors to responses in one place (outages of the database and
the rate-limit store: `commonground.outages`). Pages get an HTML error page
with the same status; nothing ever shows a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from commonground.errors import DomainError
from commonground.monitoring import current_request_id

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/",)


def wants_json() -> bool:
    """True for API routes, and for clients that ask for JSON explicitly."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_body(status: int, message: str, errors: dict[str, Any] | None = None) -> dict:
    """The JSON body every API error carries; `request_id` joins it to the log lines."""
    return {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "errors": errors or {},
        "request_id": current_request_id(),
    }


def error_response(
    status: int, message: str, errors: dict | None = None, headers: dict | None = None
) -> Response:
    """Render an error as JSON for API callers and as an HTML page for people."""
    if wants_json():
        response = jsonify(error_body(status, message, errors))
    else:
        response = Response(
            render_template(
                "errors/error.html",
                status=status,
                phrase=HTTPStatus(status).phrase,
                message=message,
                request_id=current_request_id(),
            ),
            mimetype="text/html",
        )
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_exception_errors(exc: HTTPException) -> dict:
    """Per-field messages that webargs/flask-smorest attach to 422 errors."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    if isinstance(messages, dict) and len(messages) == 1:
        # webargs nests by location ("json", "query"...): flatten a single location.
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages if isinstance(messages, dict) else {"_schema": messages}


def _http_error(exc: HTTPException):
    """An HTTP error (404, 405, 413, 422, 429...) in the one shape, keeping its headers."""
    status = exc.code or 500
    headers = {}
    response = exc.get_response()
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in response.headers:
            headers[name] = response.headers[name]
    message = exc.description or HTTPStatus(status).phrase
    if status == 422:
        message = "The input is not valid."
    return error_response(status, message, _http_exception_errors(exc), headers)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers for domain errors, HTTP errors and anything unexpected."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.message, exc.errors, headers)

    app.register_error_handler(HTTPException, _http_error)

    @app.errorhandler(SecurityError)
    def _untrusted_host(_exc: SecurityError):
        # Host (or a trusted proxy's X-Forwarded-Host) is not in TRUSTED_HOSTS: no URL can be
        # built for this request, so the answer is plain text, not a page with links.
        return Response("Bad request: this host is not served here.\n", 400, mimetype="text/plain")

    app.register_error_handler(Exception, unexpected_error)


def unexpected_error(exc: Exception):
    """Anything unexpected: logged with its traceback, answered 500 without internals."""
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(InternalServerError.code, "Something went wrong on our side.", {})
