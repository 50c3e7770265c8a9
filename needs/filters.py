"""What needs can be filtered by: one plain dataclass shared by the schemas that read filters and
the queries that apply them. Pure: must not import Flask, SQLAlchemy or any feature package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NeedFilters:
    """What a caller may filter needs by. Empty fields do not filter."""

    status: tuple[str, ...] = ()
    capability: tuple[str, ...] = ()
    neighbourhood: str | None = None
    source: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    near: tuple[float, float] | None = None  # lat, lon
    radius_km: float = 5.0
    opened_after: datetime | None = None
    opened_before: datetime | None = None
    q: str | None = None
