"""ORM model for saved import profiles: how to read one source's files, stored by name.

A profile's `options` are the JSON form of `intake.profiles` (columns, fixed values, the point
column, categories, date format, time zone, duplicate radius...). ORM only: must not import
services, rules or web code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class ImportProfile(db.Model):
    """A named, reusable way of importing one source's files."""

    __tablename__ = "import_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
