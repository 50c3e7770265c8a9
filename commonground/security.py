"""HTTP hardening in one place: security headers, the rate limiter, CSRF failures and the
security log lines that the response status alone reveals (denials, rate-limit hits).

Headers go on every response: a Content-Security-Policy without inline script, no framing,
no MIME sniffing, a strict referrer policy, and no caching of signed-in pages or API answers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from accounts.security_log import configure_security_log, security_event
from commonground.extensions import limiter
from commonground.http_errors import error_response

SAFE_LINK_SCHEMES = ("http", "https")


def content_security_policy(tile_url: str) -> str:
    """The CSP for every page: scripts and styles from this site only; map tiles allowed."""
    tiles = urlsplit(tile_url.replace("{s}", "a"))
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.scheme in SAFE_LINK_SCHEMES else ""
    tile_host = tile_origin.replace("://a.", "://*.") if tile_origin else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tile_host}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def safe_url(value: str | None) -> str | None:
    """The link if it is http(s), else None: templates never emit javascript: or data: links."""
    if not value:
        return None
    scheme = urlsplit(value.strip()).scheme.lower()
    return value.strip() if scheme in SAFE_LINK_SCHEMES else None


def _who() -> tuple[int | None, int | None]:
    actor = g.get("actor")
    if actor is not None:
        return actor.user_id, actor.partner_id
    try:
        if current_user.is_authenticated:
            return current_user.id, current_user.partner_id
    except Exception:  # logging must never turn a response into an error
        return None, None
    return None, None


def register_security(app: Flask) -> None:
    """Bind the limiter, the CSRF failure handler, the security headers and the security log."""
    configure_security_log()
    limiter.init_app(app)
    csp = content_security_policy(app.config["MAP_TILE_URL"])
    hsts = app.config["ENV"] == "production"
    app.jinja_env.filters["safe_url"] = safe_url

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError):
        user_id, partner_id = _who()
        security_event(
            "csrf_failure", "denied", user_id=user_id, partner_id=partner_id, reason=exc.description
        )
        g.security_logged = True
        return error_response(400, "The form expired or was not sent by this site; try again.")

    @app.after_request
    def _harden(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        private = request.path.startswith("/api/") or "Cookie" in request.headers
        if private and not request.path.startswith(("/static/", "/api/v1/docs/assets/")):
            headers.setdefault("Cache-Control", "no-store")
        _log_refusal(response.status_code)
        return response


def _log_refusal(status: int) -> None:
    if g.get("security_logged") or status not in (401, 403, 429):
        return
    user_id, partner_id = _who()
    event = "rate_limited" if status == 429 else "access_denied"
    security_event(event, "denied", user_id=user_id, partner_id=partner_id, status=status)
