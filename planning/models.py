"""ORM models for saved city plans and their assignments. ORM only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db


class Plan(db.Model):
    """One run of the city plan: when, by whom, with what, and its result."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_label: Mapped[str] = mapped_column(String(160), default="")
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    objective: Mapped[float] = mapped_column(Float, default=0.0)

    assignments: Mapped[list[PlanAssignment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAssignment.id"
    )


class PlanAssignment(db.Model):
    """A suggested (need, partner) pair of a plan; a coordinator may offer it to the partner."""

    __tablename__ = "plan_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    distance_km: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    # proposed -> offered -> accepted | declined
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    # Indexed: the newest offer and decision are part of the city's version, read on every
    # suggestion, gap report and home page (planning.queries.city_version), over every plan.
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decision_note: Mapped[str | None] = mapped_column(Text)
    claim_id: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="assignments")
