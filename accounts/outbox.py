"""Outgoing email. Until a mail transport is configured, messages are kept in the outbox table
and announced in the application log (recipient and subject only: bodies hold one-time links).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from accounts.models import OutboxEmail
from commonground.db_types import utcnow
from commonground.extensions import db
from commonground.text import single_line

log = logging.getLogger(__name__)


def queue_email(to_address: str, subject: str, body: str, *, now: datetime | None = None) -> None:
    """Add a message to the outbox (the caller commits with its own unit of work)."""
    db.session.add(
        OutboxEmail(
            to_address=to_address,
            subject=single_line(subject)[:200],
            body=body,
            created_at=now or utcnow(),
        )
    )
    log.info("email queued for %r: %r", to_address, single_line(subject))


def latest_emails(to_address: str | None = None, limit: int = 20) -> list[OutboxEmail]:
    """The newest outbox messages, optionally to one address (development and tests)."""
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
    if to_address is not None:
        query = query.where(OutboxEmail.to_address == to_address.strip().lower())
    return list(db.session.scalars(query))
