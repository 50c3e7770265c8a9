"""ORM models for partners and their capabilities. ORM only: rules live in services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class Partner(db.Model):
    """An organisation of any sector that can act on city needs."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    sector: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    base_address: Mapped[str | None] = mapped_column(String(300))
    base_latitude: Mapped[float] = mapped_column(Float)
    base_longitude: Mapped[float] = mapped_column(Float)
    service_radius_km: Mapped[float] = mapped_column(Float, default=5.0)
    service_neighbourhoods: Mapped[list] = mapped_column(JSON, default=list)
    service_area_geojson: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # The organisation agreed to be named on residents' public status pages ("a partner is on
    # it" otherwise).
    show_name_publicly: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    capabilities: Mapped[list[PartnerCapability]] = relationship(
        back_populates="partner",
        cascade="all, delete-orphan",
        order_by="PartnerCapability.capability_code",
    )


class PartnerCapability(db.Model):
    """One capability of a partner, with its weekly capacity and equipment."""

    __tablename__ = "partner_capability"
    __table_args__ = (UniqueConstraint("partner_id", "capability_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    capability_code: Mapped[str] = mapped_column(ForeignKey("capability.code"), index=True)
    tasks_per_week: Mapped[int] = mapped_column(Integer, default=1)
    volunteer_hours_per_week: Mapped[float] = mapped_column(Float, default=0.0)
    equipment: Mapped[str] = mapped_column(Text, default="")

    partner: Mapped[Partner] = relationship(back_populates="capabilities")
