"""Choosing a geocoder by configuration, and geocoding one address without raising.

`make_geocoder(name, **options)` builds one of geopy's geocoders ("gazetteer" - our offline
`GazetteerGeocoder` - by default; "nominatim", which needs a `user_agent`; "arcgis"; or any name
`geopy.geocoders.get_geocoder_for_service` knows) and wraps its `geocode` in geopy's
`RateLimiter`. The rate limiter's own per-retry log lines (which hold the full address and a
traceback: docs/field-notes.md, trap 7) are silenced; counting and summarising failures is the
caller's job, once per pass.

`geocode_address(geocoder, address)` turns geopy's outcomes - a Location, None, or one of its
exceptions - into a `GeocodeResult` with a status: `found`, `not_found` or `failed`.

Must not import Flask, SQLAlchemy or any Common Ground package except `geo`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from geopy import exc as geopy_exc
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import ArcGIS, Nominatim, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import GazetteerGeocoder

__all__ = [
    "ConfiguredGeocoder",
    "GeocodeResult",
    "GeocoderConfigError",
    "geocode_address",
    "make_geocoder",
    "rate_limited",
]

GeocodeStatus = Literal["found", "not_found", "failed"]

# Worth another try later (the service was slow, down or rationing us).
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    geopy_exc.GeocoderTimedOut,
    geopy_exc.GeocoderUnavailable,
    geopy_exc.GeocoderQuotaExceeded,  # includes GeocoderRateLimited
    geopy_exc.GeocoderParseError,
)
# A retry cannot cure these: the request itself or our credentials are wrong.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    geopy_exc.GeocoderQueryError,
    geopy_exc.GeocoderAuthenticationFailure,
    geopy_exc.GeocoderInsufficientPrivileges,
    geopy_exc.ConfigurationError,
    geopy_exc.GeocoderNotFound,
)


class GeocoderConfigError(ValueError):
    """The geocoder named in the configuration cannot be built as configured."""


class _RateLimiterLogFilter(logging.Filter):
    """Drop geopy's RateLimiter records (retry warnings with address + traceback, sleeps)."""

    def __init__(self) -> None:
        super().__init__("geopy-rate-limiter-silencer")
        self.suppressed = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.module == "rate_limiter":
            with self._lock:
                self.suppressed += 1
            return False
        return True


_SILENCER = _RateLimiterLogFilter()


def silence_rate_limiter_logs() -> None:
    """Install (once) the filter that keeps geopy's RateLimiter from logging each retry."""
    geopy_logger = logging.getLogger("geopy")
    if _SILENCER not in geopy_logger.filters:
        geopy_logger.addFilter(_SILENCER)


def suppressed_retry_log_records() -> int:
    """How many RateLimiter log records have been swallowed since start-up."""
    return _SILENCER.suppressed


class _RetryableOnlyRateLimiter(RateLimiter):
    """geopy's RateLimiter, retrying only errors a retry can cure (not bad keys or queries)."""

    _retry_exceptions = RETRYABLE_ERRORS


@dataclass(frozen=True)
class ConfiguredGeocoder:
    """A geopy geocoder and its rate-limited `geocode` callable."""

    name: str
    geocoder: Geocoder
    geocode: Callable[..., Any]

    def __call__(self, address: str) -> Any:
        return self.geocode(address, exactly_one=True)


@dataclass(frozen=True)
class GeocodeResult:
    """What came of geocoding one address. `retryable` matters only when `failed`."""

    status: GeocodeStatus
    query: str
    latitude: float | None = None
    longitude: float | None = None
    matched_address: str | None = None
    error: str | None = None
    retryable: bool = False

    @property
    def found(self) -> bool:
        return self.status == "found"


def _build(name: str, options: dict[str, Any]) -> Geocoder:
    if name == "gazetteer":
        if "points" in options:
            return GazetteerGeocoder(options.pop("points"), **options)
        path = options.pop("path", None)
        if not path:
            raise GeocoderConfigError("the gazetteer geocoder needs path= (an address point CSV)")
        if not Path(path).is_file():
            raise GeocoderConfigError(f"gazetteer address point file not found: {path}")
        return GazetteerGeocoder.from_csv(path, **options)
    if name == "nominatim":
        if not options.get("user_agent"):
            raise GeocoderConfigError(
                "nominatim needs user_agent= naming this application (usage policy)"
            )
        return Nominatim(**options)
    if name == "arcgis":
        return ArcGIS(**options)
    try:
        geocoder_class = get_geocoder_for_service(name)
    except geopy_exc.GeocoderNotFound as error:
        raise GeocoderConfigError(f"unknown geocoder {name!r}") from error
    try:
        return geocoder_class(**options)
    except (TypeError, geopy_exc.ConfigurationError) as error:
        raise GeocoderConfigError(f"geocoder {name!r}: {error}") from error


def make_geocoder(
    name: str = "gazetteer",
    *,
    min_delay_seconds: float | None = None,
    max_retries: int = 2,
    error_wait_seconds: float | None = None,
    **options: Any,
) -> ConfiguredGeocoder:
    """Build the geocoder called `name` with `options`, behind a quiet RateLimiter.

    `min_delay_seconds` defaults to 0 for the offline gazetteer and to 1 s (Nominatim's usage
    policy) for network geocoders; `error_wait_seconds` (the pause before a retry) to 0 s and
    2 s. Retries happen only for errors a retry can cure (timeouts, unavailable, quota).
    """
    key = name.strip().lower()
    geocoder = _build(key, dict(options))
    if min_delay_seconds is None:
        min_delay_seconds = 0.0 if key == "gazetteer" else 1.0
    if error_wait_seconds is None:
        error_wait_seconds = 0.0 if key == "gazetteer" else 2.0
    return rate_limited(
        geocoder,
        name=key,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=error_wait_seconds,
    )


def rate_limited(
    geocoder: Geocoder,
    *,
    name: str | None = None,
    min_delay_seconds: float = 0.0,
    max_retries: int = 2,
    error_wait_seconds: float = 0.0,
) -> ConfiguredGeocoder:
    """Wrap `geocoder.geocode` in a RateLimiter whose retry log lines are silenced."""
    silence_rate_limiter_logs()
    limited = _RetryableOnlyRateLimiter(
        geocoder.geocode,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=max(error_wait_seconds, min_delay_seconds),
        swallow_exceptions=False,
    )
    return ConfiguredGeocoder(
        name=name or type(geocoder).__name__.lower(), geocoder=geocoder, geocode=limited
    )


def _first_location(answer: Any) -> Location | None:
    if isinstance(answer, list):
        return answer[0] if answer else None
    return answer


def geocode_address(
    geocoder: ConfiguredGeocoder | Geocoder | Callable[..., Any], address: str | None
) -> GeocodeResult:
    """Geocode one address; never raises for geocoder trouble - the status says what happened."""
    query = " ".join((address or "").split())
    if not query:
        return GeocodeResult(status="not_found", query="", error="empty address")
    call = geocoder.geocode if isinstance(geocoder, ConfiguredGeocoder | Geocoder) else geocoder
    try:
        location = _first_location(call(query, exactly_one=True))
    except RETRYABLE_ERRORS as error:
        return GeocodeResult(status="failed", query=query, error=_describe(error), retryable=True)
    except (geopy_exc.GeopyError, OSError) as error:
        # Bad credentials, refused query, misconfiguration, other service or network trouble.
        retryable = not isinstance(error, PERMANENT_ERRORS)
        return GeocodeResult(
            status="failed", query=query, error=_describe(error), retryable=retryable
        )
    if location is None:
        return GeocodeResult(status="not_found", query=query)
    return GeocodeResult(
        status="found",
        query=query,
        latitude=float(location.latitude),
        longitude=float(location.longitude),
        matched_address=location.address,
    )


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
