"""A real SMTP server on 127.0.0.1 that the application delivers to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from notifications.delivery import deliver_due_emails
from tests.mail import Mailbox, SmtpServer

SMTP_SETTINGS = ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "MAIL_FROM")


@pytest.fixture
def mailbox(app: Flask, app_context: None) -> Iterator[Mailbox]:
    """The app sends to a local SMTP server for this test; the mailbox holds what arrived."""
    saved = {key: app.config[key] for key in SMTP_SETTINGS}
    with SmtpServer() as server:
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=server.port,
            SMTP_SECURITY="none",
            SMTP_USERNAME="",
            MAIL_FROM="Baton Rouge Common Ground <noreply@city.example>",
        )
        try:
            yield server.mailbox
        finally:
            app.config.update(saved)


@pytest.fixture
def crew(make, mailbox):
    """A litter partner with two members, another partner's member, a coordinator; an empty
    mailbox."""
    partner = make.partner_doing("litter_cleanup", 5, name="Mid City Cleaners")
    other = make.partner_doing("litter_cleanup", 5, name="Other Cleaners")
    people = {
        "partner": partner,
        "ana": make.user("partner", partner=partner),
        "ben": make.user("partner", partner=partner),
        "outsider": make.user("partner", partner=other),
        "coordinator": make.user("coordinator"),
    }
    deliver_due_emails()
    mailbox.received.clear()
    return people
