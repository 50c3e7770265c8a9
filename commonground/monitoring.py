"""Request ids and structured logs: every request carries an id, every log line is JSON with it.

- The id is the client's (or the proxy's) `X-Request-ID` when it is a sane token (1 to 64 of
  `[A-Za-z0-9._-]`), else a fresh random one. It is returned in the `X-Request-ID` header, in
  the JSON error body (`request_id`) and in each log line written while the request runs, so a
  user's complaint, the proxy's access log and our lines can be joined.
- The app's logger (`commonground`, the parent of every logger of ours, the security log
  included) writes one JSON object a line to stderr: time, level, logger, request id and the
  message. A message that is itself a JSON object (a security event) is kept as its fields.

The id lives in the WSGI environ, not in `g`: a test (or a CLI command) that holds an
application context would otherwise share one `g`, hence one id, across its requests.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
_ENVIRON_KEY = "commonground.request_id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    """This request's id (taken from X-Request-ID if sane, else made once); None outside one."""
    if not has_request_context():
        return None
    environ = request.environ
    request_id = environ.get(_ENVIRON_KEY)
    if request_id is None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
        environ[_ENVIRON_KEY] = request_id
    return request_id


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (`record.request_id`, None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops it."""
        record.request_id = current_request_id()
        return True


def _as_object(message: str) -> dict[str, Any] | None:
    if not message.startswith("{"):
        return None
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line, ASCII only, so no message can start a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: time, level, logger, request_id, then the message or its fields."""
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        entry.update(_as_object(message) or {"message": message})
        entry.setdefault("request_id", getattr(record, "request_id", None))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_json_logging(app: Flask) -> None:
    """Replace Flask's plain-text handler on the app's logger with one JSON line per record."""
    logger = app.logger
    logger.removeHandler(default_handler)
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return  # another app of this process already installed it (tests make several)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)


def install_request_ids(app: Flask) -> None:
    """Return the request's id in the X-Request-ID header of every response."""

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = current_request_id() or ""
        return response
