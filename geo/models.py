"""ORM models for places: neighbourhoods and the persistent geocoding cache.

ORM only: must not import services, rules or web code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class Neighbourhood(db.Model):
    """A named part of the city with an approximate centre."""

    __tablename__ = "neighbourhood"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class GeocodeCache(db.Model):
    """What a geocoder said about one (normalised) address, so each is looked up once.

    `status` is found, not_found or failed (failed answers are asked again by
    `flask geocode-pending`; not_found ones only when asked to).
    """

    __tablename__ = "geocode_cache"
    __table_args__ = (
        UniqueConstraint("provider", "query_key", name="uq_geocode_cache_provider_query_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    query_key: Mapped[str] = mapped_column(String(300))
    query: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    matched_address: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
