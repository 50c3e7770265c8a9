"""ORM model for the capability taxonomy. ORM only."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from commonground.extensions import db


class Capability(db.Model):
    """One kind of work (lot mowing, board-up...), shared by partners and needs."""

    __tablename__ = "capability"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    default_effort_hours: Mapped[float] = mapped_column(Float, default=2.0)
    # Claims not started / not completed within these many days are stale (None: app default).
    stale_start_days: Mapped[int | None] = mapped_column(Integer)
    stale_complete_days: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Offered to residents on the public report form and shown on public pages; staff-only
    # kinds (e.g. a code-enforcement survey) are not.
    is_public: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
