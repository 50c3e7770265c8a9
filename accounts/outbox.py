"""Outgoing email: the outbox table is the delivery queue. A message is queued in the caller's
unit of work, so it commits with the change it tells about or not at all; a sender
(`notifications.delivery`) delivers it over SMTP later. Without an SMTP server configured the
messages stay here (`flask outbox`). The log names recipient and subject only: bodies hold
one-time links.
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


def queue_email(
    to_address: str,
    subject: str,
    body: str,
    *,
    now: datetime | None = None,
    html: str | None = None,
    unsubscribe_url: str | None = None,
    kind: str | None = None,
) -> OutboxEmail:
    """Add a message to the outbox (the caller commits with its own unit of work).

    `body` is the plain text; `html` an optional HTML alternative; `unsubscribe_url` the
    signed one-click link sent in the List-Unsubscribe headers; `kind` the notification kind
    (None for account mail such as invitations and password resets, which cannot be switched
    off).
    """
    email = OutboxEmail(
        to_address=to_address,
        subject=single_line(subject)[:200],
        body=body,
        html_body=html,
        unsubscribe_url=unsubscribe_url,
        kind=kind,
        created_at=now or utcnow(),
        status="queued",
        attempts=0,
    )
    db.session.add(email)
    log.info("email queued for %r: %r", to_address, single_line(subject))
    return email


def latest_emails(to_address: str | None = None, limit: int = 20) -> list[OutboxEmail]:
    """The newest outbox messages, optionally to one address (development and tests)."""
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)
    if to_address is not None:
        query = query.where(OutboxEmail.to_address == to_address.strip().lower())
    return list(db.session.scalars(query))
