"""Notification commands for operators: `flask send-mail` (one delivery pass over SMTP) and
`flask send-notices` (the clock-driven notices, once per period). The job queue runs the same
callables on a schedule; these are for running them by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from notifications.delivery import delivery_pass
from notifications.routines import send_scheduled_notices


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the due outbox messages over SMTP once (retries wait for their time)."""
    if not current_app.config["SMTP_HOST"]:
        click.echo("No SMTP_HOST configured: mail stays in the outbox (see `flask outbox`).")
        return
    report = delivery_pass()
    click.echo(f"Sent {report.sent}, to retry {report.retried}, failed {report.failed}.")


@click.command("send-notices")
@with_appcontext
@click.option("--now", type=click.DateTime(), default=None, help="Act as at this UTC time.")
def send_notices_command(now: datetime | None) -> None:
    """Queue the claim warnings and digests due now (each once per person and period)."""
    counts = send_scheduled_notices(now.replace(tzinfo=UTC) if now else None)
    click.echo(", ".join(f"{kind}: {n}" for kind, n in counts.items()))


NOTIFICATION_COMMANDS = [send_mail_command, send_notices_command]
