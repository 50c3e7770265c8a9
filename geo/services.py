"""Place look-ups over the database: the neighbourhood a point falls in."""

from __future__ import annotations

from sqlalchemy import select

from commonground.extensions import db
from geo.distance import haversine_km
from geo.models import Neighbourhood


def nearest_neighbourhood(lat: float, lon: float, max_km: float = 6.0) -> str | None:
    """The name of the neighbourhood whose centre is nearest, if one lies within `max_km`."""
    rows = db.session.execute(
        select(Neighbourhood.name, Neighbourhood.latitude, Neighbourhood.longitude)
    )
    best = min(
        ((haversine_km(lat, lon, nlat, nlon), name) for name, nlat, nlon in rows),
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
