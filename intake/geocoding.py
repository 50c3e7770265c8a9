"""Moved: the application's geocoder and the geocode cache live in `geo.geocoding`.

Kept only so `web/map.py` (owned elsewhere) goes on importing `configured_geocoder` from here;
delete this module once it imports from `geo.geocoding`. Nothing in intake/ uses it.

Must not import anything but `geo.geocoding`.
"""

from __future__ import annotations

from geo.geocoding import CachedGeocoder, cache_key, configured_geocoder

__all__ = ["CachedGeocoder", "cache_key", "configured_geocoder"]
