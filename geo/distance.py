"""Great-circle distances, and how a page shows one. Pure: no Flask, no SQLAlchemy."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.32
KM_PER_MILE = 1.609344


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in kilometres between two points on a spherical Earth."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a box that contains the circle."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    dlon = radius_km / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def display_distance(km: float, units: str) -> str:
    """A distance for a page in the city's units ("mi" or "km"), one decimal: "1.3 mi".

    The same text as `matching.explain.format_distance` (the engine imports no project package,
    so it has its own copy; a test keeps the two equal)."""
    if units == "mi":
        return f"{km / KM_PER_MILE:.1f} mi"
    if units == "km":
        return f"{km:.1f} km"
    raise ValueError(f"units must be 'mi' or 'km', not {units!r}")
