"""The job record: one row per piece of long work, so pages and the API can show where it
stands and what it produced, whichever worker runs it. ORM only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commonground.db_types import UTCDateTime, utcnow
from commonground.extensions import db

JOB_STATUSES = ("queued", "running", "succeeded", "failed")
"""queued -> running -> succeeded | failed; running -> queued again on a retry or a lost worker."""


class Job(db.Model):
    """A unit of long work: its kind and parameters, who started it, its progress and outcome.

    A worker holds a running job by its lease (`lease_token` until `lease_expires_at`), renewed
    by a heartbeat while the work goes on; a job whose lease ran out lost its worker and is put
    back in the queue by the `requeue-orphans` routine.
    """

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_lease", "status", "lease_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    result_ref: Mapped[str | None] = mapped_column(String(80))
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    started_by_label: Mapped[str] = mapped_column(String(160), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
