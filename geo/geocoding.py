"""Geocoding in the application, through the persistent `GeocodeCache`: each address once.

`configured_geocoder()` builds the geocoder the configuration names (GEOCODER, GAZETTEER_PATH,
GEOCODER_USER_AGENT, GEOCODER_MIN_DELAY_SECONDS), once per application. `CachedGeocoder`
answers from the cache when it can and asks the geocoder otherwise, writing what it learnt in
the caller's transaction (it never commits).

Used by intake, Open311 and the map page. Imports Flask (current_app), SQLAlchemy and `geo`;
must not import web code or other feature packages.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from commonground.db_types import utcnow
from commonground.extensions import db
from geo.gazetteer import normalize_address
from geo.geocoders import ConfiguredGeocoder, GeocodeResult, geocode_address, make_geocoder
from geo.models import GeocodeCache

__all__ = ["CachedGeocoder", "cache_key", "configured_geocoder"]

_EXTENSION_KEY = "commonground.geocoder"


def configured_geocoder() -> ConfiguredGeocoder:
    """The application's geocoder, built from its configuration on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    geocoder = app.extensions.get(_EXTENSION_KEY)
    if geocoder is None:
        config = app.config
        name = config.get("GEOCODER", "gazetteer")
        options: dict[str, Any] = dict(config.get("GEOCODER_OPTIONS", {}))
        if name == "gazetteer":
            options.setdefault("path", config["GAZETTEER_PATH"])
        elif config.get("GEOCODER_USER_AGENT"):
            options.setdefault("user_agent", config["GEOCODER_USER_AGENT"])
        geocoder = make_geocoder(
            name, min_delay_seconds=config.get("GEOCODER_MIN_DELAY_SECONDS"), **options
        )
        app.extensions[_EXTENSION_KEY] = geocoder
    return geocoder


def cache_key(address: str) -> str:
    """The cache's key for an address: its normalised form (case, suffixes, units folded)."""
    return normalize_address(address)[:300]


def _from_entry(entry: GeocodeCache) -> GeocodeResult:
    return GeocodeResult(
        status=entry.status,  # type: ignore[arg-type]
        query=entry.query,
        latitude=entry.latitude,
        longitude=entry.longitude,
        matched_address=entry.matched_address,
        error=entry.error,
        retryable=entry.status == "failed",
    )


class CachedGeocoder:
    """Geocode through the cache; counts what it did in `stats`."""

    def __init__(self, geocoder: ConfiguredGeocoder, *, now: datetime | None = None) -> None:
        self.geocoder = geocoder
        self.provider = geocoder.name[:40]
        self.now = now or utcnow()
        self.stats: Counter[str] = Counter()
        self._memo: dict[str, GeocodeCache] = {}

    def _entry(self, key: str) -> GeocodeCache | None:
        if key not in self._memo:
            entry = db.session.scalar(
                select(GeocodeCache).where(
                    GeocodeCache.provider == self.provider, GeocodeCache.query_key == key
                )
            )
            if entry is None:
                return None
            self._memo[key] = entry
        return self._memo[key]

    def lookup(
        self, address: str, *, retry_failed: bool = False, retry_not_found: bool = False
    ) -> GeocodeResult:
        """The location of `address`: from the cache, or from the geocoder (then cached)."""
        key = cache_key(address or "")
        if not key:
            self.stats["not_found"] += 1
            return GeocodeResult(status="not_found", query="", error="empty address")
        entry = self._entry(key)
        if entry is not None and not (
            (entry.status == "failed" and retry_failed)
            or (entry.status == "not_found" and retry_not_found)
        ):
            self.stats["cache_hits"] += 1
            self.stats[entry.status] += 1
            return _from_entry(entry)
        result = geocode_address(self.geocoder, address)
        self.stats["geocoder_calls"] += 1
        self.stats[result.status] += 1
        if entry is None:
            entry = GeocodeCache(
                provider=self.provider, query_key=key, attempts=0, created_at=self.now
            )
            db.session.add(entry)
            self._memo[key] = entry
        entry.query = " ".join(address.split())[:300]
        entry.status = result.status
        entry.latitude, entry.longitude = result.latitude, result.longitude
        entry.matched_address = (result.matched_address or None) and result.matched_address[:300]
        entry.error = result.error
        entry.attempts += 1
        entry.updated_at = self.now
        return result
