"""ORM models for needs, their claims and their event history. ORM only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class Need(db.Model):
    """A geolocated city need: a lot to mow, dumping to remove, a structure to board up."""

    __tablename__ = "need"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_need_source_external_id"),
        # Covers "open needs of these capabilities near here, by priority" (docs/field-notes.md,
        # "Queries over 100k needs").
        Index("ix_need_search", "status", "capability_code", "latitude", "longitude", "priority"),
        # "Open needs in this box, any capability" (planning.specs.open_need_specs(within=...)).
        Index("ix_need_place", "status", "latitude", "longitude"),
        # The need list, newest first: whole, and by status and capability (needs.queries).
        Index("ix_need_newest", "opened_at", "id"),
        Index("ix_need_status_newest", "status", "capability_code", "opened_at", "id"),
        # The newest change, and the needs changed since (planning.queries.city_version,
        # planning.open_needs).
        Index("ix_need_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_code: Mapped[str] = mapped_column(ForeignKey("capability.code"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # "ok" when coordinates are known; "pending" while waiting for the geocoder.
    location_status: Mapped[str] = mapped_column(String(20), default="ok")
    neighbourhood: Mapped[str | None] = mapped_column(String(80), index=True)
    parcel_id: Mapped[str | None] = mapped_column(String(60))
    zip_code: Mapped[str | None] = mapped_column(String(10))
    # A photo's address given with an Open311 request: shown as a link, never fetched.
    media_url: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    effort_hours: Mapped[float] = mapped_column(Float, default=2.0)
    source: Mapped[str] = mapped_column(String(20), default="coordinator")
    external_id: Mapped[str | None] = mapped_column(String(80))
    # Digest of the source row last imported (intake): an unchanged row changes nothing.
    import_fingerprint: Mapped[str | None] = mapped_column(String(40))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    reporter_phone: Mapped[str | None] = mapped_column(String(40))
    # The reporter asked to hear back by email (stated consent); a one-click unsubscribe clears it.
    reporter_notices: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # A probable duplicate of another open need, awaiting a coordinator's decision.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("need.id"))
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[NeedEvent]] = relationship(
        back_populates="need", order_by="NeedEvent.id", cascade="all, delete-orphan"
    )
    claims: Mapped[list[Claim]] = relationship(
        back_populates="need", order_by="Claim.id", cascade="all, delete-orphan"
    )


class Claim(db.Model):
    """A partner's commitment to act on a need, and its report when done."""

    __tablename__ = "claim"
    __table_args__ = (
        # At most one active claim per need, enforced by the database itself.
        Index(
            "uq_claim_one_active_per_need",
            "need_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_claim_partner_status", "partner_id", "status"),
        # A need's claims, whatever their status (a need's page, the list): issue 14.
        Index("ix_claim_need_id", "need_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    capability_code: Mapped[str] = mapped_column(ForeignKey("capability.code"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # active -> done (completed, awaiting or past verification) | released
    status: Mapped[str] = mapped_column(String(20), default="active")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(Text)
    volunteers: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[float | None] = mapped_column(Float)
    units: Mapped[float | None] = mapped_column(Float)
    unit_kind: Mapped[str | None] = mapped_column(String(40))
    report_notes: Mapped[str | None] = mapped_column(Text)

    need: Mapped[Need] = relationship(back_populates="claims")


class NeedEvent(db.Model):
    """One change in a need's life: who, when, from which status to which, and why."""

    __tablename__ = "need_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str] = mapped_column(String(160), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    need: Mapped[Need] = relationship(back_populates="events")
