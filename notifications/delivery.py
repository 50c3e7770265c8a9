"""Delivering the outbox over SMTP: due messages are claimed, sent once, and retried or failed.

One pass (`deliver_due_emails`) repeatedly claims a batch of due messages inside a unit of
work — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two senders never claim the same
row; SQLite's transactions already begin IMMEDIATE (one writer) — marks them `sending` with a
lease and an attempt counted, then sends each over one SMTP connection and records the outcome
in its own unit of work:

- accepted: `sent` (a sent message is never claimed again);
- a 4xx answer, a refused or dropped connection, a timeout: `queued` again, due after a backoff
  (MAIL_RETRY_SECONDS doubled per attempt, at most 6 hours), or `failed` after
  MAIL_MAX_ATTEMPTS attempts;
- a 5xx answer: `failed` (permanent).

A sender that dies between the server's acceptance and the `sent` mark leaves the row leased;
after MAIL_LEASE_SECONDS another pass sends it again (SMTP offers nothing stronger). The same
Message-ID goes out each time, so a receiving system can tell the copies apart.

Without SMTP_HOST (development) nothing is sent and mail stays in the outbox (`flask outbox`).
The log names the message id, recipient, subject and outcome; never a body or a link.

Imports `commonground` and `accounts` only.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from accounts.models import OutboxEmail
from commonground.db_types import utcnow
from commonground.extensions import db
from commonground.text import single_line
from commonground.transaction import unit_of_work

log = logging.getLogger(__name__)

BATCH_SIZE = 100
"""How many messages one claim takes."""

MAX_BACKOFF = timedelta(hours=6)
"""The longest wait before retrying a transient failure."""


class TransientFailure(Exception):
    """The message may go through later (4xx, connection trouble)."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


class ConnectionFailure(TransientFailure):
    """No SMTP session could be opened: nothing in this pass can be sent."""


@dataclass
class PassReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_due_emails(now: datetime | None = None) -> int:
    """Send every due outbox message once over SMTP; how many were sent (see the module doc)."""
    return delivery_pass(now).sent


def delivery_pass(now: datetime | None = None) -> PassReport:
    """One delivery pass, with the count of each outcome."""
    report = PassReport()
    config = current_app.config
    if not config["SMTP_HOST"]:
        return report
    now = now or utcnow()
    transport = SmtpTransport(config)
    try:
        while batch := claim_due(now):
            for position, claimed in enumerate(batch):
                try:
                    _deliver_one(transport, claimed, now, report)
                except ConnectionFailure as exc:
                    for left in batch[position:]:
                        _record_transient(left.id, str(exc), now, report)
                    return report
    finally:
        transport.close()
    return report


@dataclass(frozen=True)
class Claimed:
    """A message leased to this sender, ready to go."""

    id: int
    to_address: str
    subject: str
    message: EmailMessage


def claim_due(now: datetime, limit: int = BATCH_SIZE) -> list[Claimed]:
    """Lease up to `limit` due messages to this sender and count an attempt; the messages."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    sender = current_app.config["MAIL_FROM"]
    due = or_(
        and_(
            OutboxEmail.status == "queued",
            or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now),
        ),
        and_(OutboxEmail.status == "sending", OutboxEmail.lease_until < now),
    )
    with unit_of_work():
        rows = list(
            db.session.scalars(
                select(OutboxEmail)
                .where(due)
                .order_by(OutboxEmail.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = "sending"
            row.lease_until = now + lease
            row.attempts += 1
        # Built inside the unit: no transaction (on SQLite, the write lock) stays open while
        # the SMTP server answers.
        return [Claimed(r.id, r.to_address, r.subject, build_message(r, sender)) for r in rows]


def _deliver_one(
    transport: SmtpTransport, claimed: Claimed, now: datetime, report: PassReport
) -> None:
    email_id, to_address, subject = claimed.id, claimed.to_address, claimed.subject
    try:
        transport.send(claimed.message, to_address)
    except PermanentFailure as exc:
        _finish(email_id, "failed", str(exc), now)
        report.failed += 1
        log.warning("email %s to %r %r: failed permanently (%s)", email_id, to_address, subject,
                    exc)  # fmt: skip
        return
    except ConnectionFailure:
        raise
    except TransientFailure as exc:
        _record_transient(email_id, str(exc), now, report)
        return
    _finish(email_id, "sent", None, now)
    report.sent += 1
    log.info("email %s to %r %r: sent", email_id, to_address, subject)


def _finish(email_id: int, status: str, error: str | None, now: datetime) -> None:
    with unit_of_work():
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == "sending")
            .values(
                status=status,
                sent_at=now if status == "sent" else None,
                lease_until=None,
                last_error=single_line(error)[:300] if error else None,
            )
            .execution_options(synchronize_session=False)
        )


def _record_transient(email_id: int, error: str, now: datetime, report: PassReport) -> None:
    """Put a message back in the queue after a backoff, or fail it after the last attempt."""
    config = current_app.config
    with unit_of_work():
        email = db.session.get(OutboxEmail, email_id, populate_existing=True)
        if email is None or email.status != "sending":
            return
        attempts, to_address, subject = email.attempts, email.to_address, email.subject
        if attempts >= config["MAIL_MAX_ATTEMPTS"]:
            email.status = "failed"
            email.lease_until = None
            email.last_error = single_line(f"gave up after {attempts} attempts: {error}")[:300]
        else:
            wait = min(
                timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)),
                MAX_BACKOFF,
            )
            email.status = "queued"
            email.next_attempt_at = now + wait
            email.lease_until = None
            email.last_error = single_line(error)[:300]
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        report.failed += 1
        log.warning("email %s to %r %r: failed after %s attempts (%s)", email_id, to_address,
                    subject, attempts, error)  # fmt: skip
    else:
        report.retried += 1
        log.info("email %s to %r %r: will retry after %s (%s)", email_id, to_address, subject,
                 wait, error)  # fmt: skip


def build_message(email: OutboxEmail, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: text, optional HTML alternative, unsubscribe headers.

    The Message-ID is derived from the row, so a retransmission carries the same one.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox.{email.id}.{int(email.created_at.timestamp())}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


class SmtpTransport:
    """One SMTP session per pass, opened on first use and reopened after it drops.

    Every failure becomes `TransientFailure`, `ConnectionFailure` or `PermanentFailure`.
    """

    def __init__(self, config: Any) -> None:
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.security = config["SMTP_SECURITY"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.timeout = config["SMTP_TIMEOUT_SECONDS"]
        self.session: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                session: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                session = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    session.starttls(context=context)
            if self.username:
                session.login(self.username, self.password)
        except smtplib.SMTPResponseException as exc:
            # e.g. 535 bad credentials: nothing can go through until an operator acts, which
            # says nothing about any one message; they wait (and retry) instead of failing.
            raise ConnectionFailure(f"SMTP session refused: {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionFailure(f"cannot reach the SMTP server: {type(exc).__name__}") from exc
        return session

    def send(self, message: EmailMessage, to_address: str) -> None:
        """Send one message to one recipient, or raise what kind of failure it was."""
        if self.session is None:
            self.session = self._open()
        try:
            self.session.send_message(message, to_addrs=[to_address])
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise _by_code(code, "recipient refused") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, "message refused") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise TransientFailure(f"connection lost: {type(exc).__name__}") from exc
        except smtplib.SMTPException as exc:
            raise TransientFailure(type(exc).__name__) from exc

    def close(self) -> None:
        """End the session, quietly if it is already gone."""
        if self.session is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.session.quit()
            self.session = None


def _by_code(code: int, what: str) -> TransientFailure | PermanentFailure:
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {what}")
    return TransientFailure(f"{code} {what}")
