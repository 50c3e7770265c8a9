"""ORM model for stored photos. ORM only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db

PHOTO_ROLES = ("report", "before", "after")
"""A resident's photo of the problem; a partner's photos before and after the work."""


class Photo(db.Model):
    """One photo of a need, as stored: the cleaned full-size image and its thumbnail."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(10), default="report")
    # Keys in the photo storage (media.storage), never paths or names a person gave.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    thumb_key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
