"""Place look-ups over the database: the neighbourhood a point falls in, the city's bounds.

`nearest_neighbourhood` is the one place a point gets its neighbourhood (posting a need, an
import, the geocoder locating a pending need). Callers that place many points load the centres
once with `neighbourhood_centres()` and pass them in.

Imports SQLAlchemy and `geo`; must not import web code or other feature packages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import select

from commonground.extensions import db
from geo.distance import haversine_km
from geo.models import Neighbourhood

__all__ = [
    "NEIGHBOURHOOD_MAX_KM",
    "Bounds",
    "Centre",
    "add_neighbourhoods",
    "city_bounds",
    "list_neighbourhoods",
    "nearest_neighbourhood",
    "neighbourhood_centres",
    "within",
]

NEIGHBOURHOOD_MAX_KM = 6.0
Centre = tuple[str, float, float]  # (name, latitude, longitude)


def neighbourhood_centres() -> list[Centre]:
    """Every neighbourhood's (name, latitude, longitude), for placing many points."""
    rows = db.session.execute(
        select(Neighbourhood.name, Neighbourhood.latitude, Neighbourhood.longitude)
    )
    return [(name, lat, lon) for name, lat, lon in rows]


def nearest_neighbourhood(
    lat: float,
    lon: float,
    max_km: float = NEIGHBOURHOOD_MAX_KM,
    *,
    centres: Iterable[Centre] | None = None,
) -> str | None:
    """The name of the neighbourhood whose centre is nearest, if one lies within `max_km`.

    `centres` (from `neighbourhood_centres()`) spares a query a call; without it the
    neighbourhoods are read from the database.
    """
    if centres is None:
        centres = neighbourhood_centres()
    best = min(
        ((haversine_km(lat, lon, nlat, nlon), name) for name, nlat, nlon in centres),
        default=None,
    )
    return best[1] if best is not None and best[0] <= max_km else None


Bounds = tuple[float, float, float, float]  # (south, west, north, east) in degrees


def city_bounds(configured: Bounds | None = None) -> Bounds | None:
    """The city's extent: `configured` (CITY_BOUNDS) when given, else the neighbourhood centres'
    box widened by NEIGHBOURHOOD_MAX_KM on each side; None when no neighbourhood is known."""
    if configured is not None:
        return configured
    centres = neighbourhood_centres()
    if not centres:
        return None
    lats = [lat for _name, lat, _lon in centres]
    lons = [lon for _name, _lat, lon in centres]
    margin_lat = NEIGHBOURHOOD_MAX_KM / 111.195
    widest = max(abs(min(lats)), abs(max(lats)))
    margin_lon = margin_lat / max(math.cos(math.radians(widest)), 0.01)
    return (min(lats) - margin_lat, min(lons) - margin_lon,
            max(lats) + margin_lat, max(lons) + margin_lon)  # fmt: skip


def within(bounds: Bounds, lat: float, lon: float) -> bool:
    """Whether the point lies inside (south, west, north, east)."""
    south, west, north, east = bounds
    return south <= lat <= north and west <= lon <= east


def list_neighbourhoods() -> list[Neighbourhood]:
    """Every neighbourhood, by name."""
    return list(db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def add_neighbourhoods(rows: list[tuple[str, float, float]]) -> int:
    """Add neighbourhoods that are not there yet (by name). Returns how many were added."""
    existing = set(db.session.scalars(select(Neighbourhood.name)))
    added = [
        Neighbourhood(name=name, latitude=lat, longitude=lon)
        for name, lat, lon in rows
        if name not in existing
    ]
    db.session.add_all(added)
    db.session.commit()
    return len(added)
