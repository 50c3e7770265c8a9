"""Request metrics in the Prometheus text format at `/metrics` (prometheus-client).

- `commonground_http_requests_total` and `commonground_http_request_duration_seconds` (a
  histogram), by method, endpoint and status. The endpoint is the URL rule
  (`/api/v1/needs/<id:need_id>`), never the raw path, and unknown methods count as `OTHER`,
  so the number of series stays bounded whatever clients send; a path no rule matches is
  `<unmatched>`.
- The standard process, platform and garbage-collector metrics of this process.

Access: with `METRICS_TOKEN` set, only `Authorization: Bearer <METRICS_TOKEN>` (else 401);
unset, only a direct request from this host: a loopback address and no `X-Forwarded-For`
(so nothing relayed by a proxy on the same host), else 403.

Several gunicorn workers: with `PROMETHEUS_MULTIPROC_DIR` set (an empty directory, emptied
at every start) before the process starts, prometheus-client keeps the counters in files there
and a scrape of any worker reports the sum of all workers. Process metrics are then not
reported (they would be one worker's).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from commonground.extensions import limiter
from commonground.http_errors import error_response

bp = Blueprint("metrics", __name__)

LABELS = ("method", "endpoint", "status")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
_STARTED = "commonground.metrics_started"
_EXTENSION = "commonground.metrics"


class RequestMetrics:
    """The request counter and latency histogram of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "commonground_http_requests",
            "HTTP requests answered, by method, URL rule and status.",
            LABELS,
            registry=self.registry,
        )
        self.latency = Histogram(
            "commonground_http_request_duration_seconds",
            "Time from the first before-request hook to the response, by method, rule, status.",
            LABELS,
            registry=self.registry,
        )
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)

    def observe(self, method: str, endpoint: str, status: int, seconds: float | None) -> None:
        """Count one answered request (and its duration when it is known)."""
        labels = (method if method in METHODS else "OTHER", endpoint, str(status))
        self.requests.labels(*labels).inc()
        if seconds is not None:
            self.latency.labels(*labels).observe(seconds)

    def exposition(self) -> bytes:
        """The text exposition: this process's registry, or every worker's files if multiproc."""
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)


def install_metrics(app: Flask) -> None:
    """Time and count every request; serve `/metrics`. Call before other before-request hooks."""
    metrics = RequestMetrics()
    app.extensions[_EXTENSION] = metrics

    @app.before_request
    def _start_clock() -> None:
        request.environ.setdefault(_STARTED, time.perf_counter())

    @app.after_request
    def _count(response: Response) -> Response:
        started = request.environ.get(_STARTED)
        rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        elapsed = time.perf_counter() - started if started is not None else None
        metrics.observe(request.method, rule, response.status_code, elapsed)
        return response

    limiter.exempt(bp)
    app.register_blueprint(bp)


def _direct_from_this_host() -> bool:
    if "X-Forwarded-For" in request.headers or not request.remote_addr:
        return False
    try:
        return ipaddress.ip_address(request.remote_addr).is_loopback
    except ValueError:
        return False


def _refusal() -> Response | None:
    """None when the caller may read the metrics, else the 401 or 403 to answer."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            offered.strip().encode(), token.encode()
        ):
            return None
        return error_response(
            401, "A metrics token is required.", headers={"WWW-Authenticate": "Bearer"}
        )
    if _direct_from_this_host():
        return None
    return error_response(403, "Metrics are served only to this host.")


@bp.get("/metrics")
def metrics_page() -> Response:
    """The Prometheus text exposition, for the scraper only (see the module docstring)."""
    refusal = _refusal()
    if refusal is not None:
        return refusal
    body = current_app.extensions[_EXTENSION].exposition()
    return Response(
        body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    )
