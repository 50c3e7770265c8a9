"""The security log: one JSON line per security event on the "commonground.security" logger.

Events: login (success/failure), logout, access denial, CSRF failure, rate-limit hit, API token
use, password and session changes. Each line holds the time, event, outcome, user,
organisation, method, route, client address and request id. Lines are JSON with every
non-ASCII and control character escaped, so user text (an email typed at login, a path)
cannot start a line of its own. Secrets (passwords, tokens, session keys) are never passed here.

Every event is one line, except a token's successful uses: an API client makes many requests,
so `token_uses` lets through the first use of each token, then the first after each
TOKEN_USE_LOG_MINUTES, in this process; that line counts the uses not logged in between
(`uses_not_logged`). Refused tokens are still one line each.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request

from commonground.db_types import utcnow
from commonground.monitoring import current_request_id

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
            request_id=current_request_id(),
        )
    record.update({key: _clip(value) for key, value in details.items()})
    log.info(json.dumps(record, ensure_ascii=True, default=str, sort_keys=False))
    return record


def configure_security_log(level: int = logging.INFO) -> None:
    """Make sure security events are emitted.

    They reach stderr through the app's logger, `commonground`, one JSON line each
    (`commonground.monitoring`), and any handler the host adds to the root logger.
    """
    log.setLevel(level)


class TokenUseSampler:
    """Which successful token uses to log: a token's first, then one per window, with a count.

    Per process and in memory: at most MAX_TRACKED tokens are remembered. When a new token
    finds it full, the tokens whose window has passed are forgotten (all of them, if none
    has); a forgotten token is simply logged again at its next use.
    """

    MAX_TRACKED = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[datetime, int]] = {}  # key -> (last line, uses since)

    def admit(self, key: str, now: datetime, window: timedelta) -> int | None:
        """The number of uses not logged since the last line if this use is logged, else None."""
        with self._lock:
            logged_at, skipped = self._seen.get(key, (None, 0))
            if logged_at is not None and now - logged_at < window:
                self._seen[key] = (logged_at, skipped + 1)
                return None
            if key not in self._seen and len(self._seen) >= self.MAX_TRACKED:
                self._forget(now, window)
            self._seen[key] = (now, 0)
            return skipped

    def _forget(self, now: datetime, window: timedelta) -> None:
        live = {k: v for k, v in self._seen.items() if now - v[0] < window}
        self._seen = live if len(live) < self.MAX_TRACKED else {}


token_uses = TokenUseSampler()
"""The process's sampler of successful token uses (see the module docstring)."""
