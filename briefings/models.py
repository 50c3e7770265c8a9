"""ORM models for the city resources catalogue and stored briefings. ORM only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class CatalogueEntry(db.Model):
    """Something the city offers partners: bags and gloves, a roll-off, a tipping-fee waiver..."""

    __tablename__ = "catalogue_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    who_qualifies: Mapped[str] = mapped_column(Text, default="")
    how_to_request: Mapped[str] = mapped_column(Text, default="")
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    # Capability codes this resource supports; empty means it helps every kind of work.
    capabilities: Mapped[list] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Briefing(db.Model):
    """One generated briefing: for whom, by whom, when, the data it was made from, its HTML."""

    __tablename__ = "briefing"

    id: Mapped[int] = mapped_column(primary_key=True)
    # partner | prospect | neighbourhood
    kind: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_label: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    html: Mapped[str] = mapped_column(Text, default="")
    # Its PDF, made once from the HTML by a job after it was made (read only when served).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
