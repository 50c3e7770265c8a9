"""Place look-ups over the database: the neighbourhood a point falls in.

`nearest_neighbourhood` is the one place a point gets its neighbourhood (posting a need, an
import, the geocoder locating a pending need). Callers that place many points load the centres
once with `neighbourhood_centres()` and pass them in.

Imports SQLAlchemy and `geo`; must not import web code or other feature packages.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from commonground.extensions import db
from geo.distance import haversine_km
from geo.models import Neighbourhood

__all__ = [
    "NEIGHBOURHOOD_MAX_KM",
    "Centre",
    "add_neighbourhoods",
    "list_neighbourhoods",
    "nearest_neighbourhood",
    "neighbourhood_centres",
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
