"""The security log: one JSON line per security event on the "commonground.security" logger.

Events: login (success/failure), logout, access denial, CSRF failure, rate-limit hit, API token
use, password and session changes. Each line holds the time, event, outcome, user,
organisation, method, route and client address. Lines are JSON with every non-ASCII and
control character escaped, so user text (an email typed at login, a path) cannot start a line
of its own. Secrets (passwords, tokens, session keys) are never passed here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import has_request_context, request

from commonground.db_types import utcnow

LOGGER_NAME = "commonground.security"
log = logging.getLogger(LOGGER_NAME)

MAX_DETAIL_LENGTH = 200


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_LENGTH:
        return value[:MAX_DETAIL_LENGTH] + "…"
    return value


def security_event(
    event: str,
    outcome: str,
    *,
    user_id: int | None = None,
    partner_id: int | None = None,
    **details: Any,
) -> dict[str, Any]:
    """Write one security event line and return it as a dict."""
    record: dict[str, Any] = {
        "time": utcnow().isoformat(timespec="milliseconds"),
        "event": event,
        "outcome": outcome,
        "user_id": user_id,
        "partner_id": partner_id,
    }
    if has_request_context():
        rule = request.url_rule.rule if request.url_rule is not None else None
        record.update(
            method=request.method,
            route=rule or request.path,
            ip=request.remote_addr,
        )
    record.update({key: _clip(value) for key, value in details.items()})
    log.info(json.dumps(record, ensure_ascii=True, default=str, sort_keys=False))
    return record


def configure_security_log(level: int = logging.INFO) -> None:
    """Make sure security events are emitted (to stderr unless the host configures handlers)."""
    log.setLevel(level)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
