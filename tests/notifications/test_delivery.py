"""Delivering the outbox to a real SMTP server: once, retried after a transient failure,
failed for good after a permanent one, kept in the outbox when no server is configured."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import OutboxEmail
from accounts.outbox import queue_email
from commonground.db_types import utcnow
from commonground.extensions import db
from commonground.transaction import unit_of_work
from notifications.delivery import deliver_due_emails
from tests.mail import free_port


def _queue(count: int = 1, body: str = "", **extra) -> list[int]:
    with unit_of_work() as session:
        emails = [
            queue_email(f"person{n}@test.example", f"Hello {n}", body or f"Body {n}", **extra)
            for n in range(count)
        ]
        session.flush()
        # Read inside the unit: reading an expired row after it would open a transaction
        # (on SQLite, the write lock) that this test thread then keeps.
        return [e.id for e in emails]


def _row(email_id: int) -> OutboxEmail:
    return db.session.get(OutboxEmail, email_id, populate_existing=True)


def test_queue_email_as_other_branches_call_it_is_delivered_as_plain_text(mailbox):
    (email_id,) = _queue()
    assert deliver_due_emails() == 1
    (received,) = mailbox.received
    assert received.recipients == ["person0@test.example"]
    assert received.subject == "Hello 0" and received.text().strip() == "Body 0"
    assert received.message["From"] == "Baton Rouge Common Ground <noreply@city.example>"
    assert "List-Unsubscribe" not in received.message  # account mail cannot be switched off
    assert _row(email_id).status == "sent"


def test_a_sent_message_is_never_sent_again(mailbox):
    _queue(3)
    assert deliver_due_emails() == 3
    assert deliver_due_emails() == 0
    assert deliver_due_emails(utcnow() + timedelta(days=1)) == 0
    assert len(mailbox.received) == 3


def test_a_451_is_retried_after_a_backoff_and_then_delivered_exactly_once(mailbox):
    mailbox.answers.append("451 4.3.0 Try again later")
    (email_id,) = _queue()
    now = utcnow()
    assert deliver_due_emails(now) == 0
    row = _row(email_id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert "451" in row.last_error

    assert deliver_due_emails(now + timedelta(seconds=30)) == 0  # not due yet
    assert deliver_due_emails(now + timedelta(seconds=61)) == 1
    assert deliver_due_emails(now + timedelta(hours=1)) == 0
    assert len(mailbox.received) == 1
    row = _row(email_id)
    assert (row.status, row.attempts) == ("sent", 2)


def test_backoff_doubles_and_the_last_attempt_fails_the_message(app, mailbox):
    mailbox.answers.extend(["421 4.7.0 Busy"] * 3)
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        (email_id,) = _queue()
        now = utcnow()
        deliver_due_emails(now)
        deliver_due_emails(now + timedelta(seconds=60))
        assert _row(email_id).next_attempt_at == now + timedelta(seconds=60 + 120)
        deliver_due_emails(now + timedelta(seconds=180))
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    row = _row(email_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert deliver_due_emails(now + timedelta(days=1)) == 0
    assert mailbox.received == []


@pytest.mark.parametrize("refusal", ["rcpt", "data"])
def test_a_550_fails_the_message_for_good_and_the_others_still_go(mailbox, refusal):
    if refusal == "rcpt":
        mailbox.refused.add("person0@test.example")
    else:
        mailbox.answers.append("550 5.7.1 Message rejected")
    refused, accepted = _queue(2)
    assert deliver_due_emails() == 1
    assert _row(refused).status == "failed" and "550" in _row(refused).last_error
    assert _row(accepted).status == "sent"
    assert deliver_due_emails(utcnow() + timedelta(days=1)) == 0
    assert mailbox.recipients() == ["person1@test.example"]


def test_no_server_listening_keeps_every_message_for_a_retry(app, mailbox):
    app.config["SMTP_PORT"] = free_port()  # nobody listens there
    ids = _queue(3)
    now = utcnow()
    assert deliver_due_emails(now) == 0
    assert {(_row(i).status, _row(i).attempts) for i in ids} == {("queued", 1)}
    assert all(_row(i).next_attempt_at == now + timedelta(seconds=60) for i in ids)


def test_without_an_smtp_host_mail_stays_in_the_outbox_and_flask_outbox_lists_it(app, app_context):
    assert app.config["SMTP_HOST"] == ""
    (email_id,) = _queue()
    runner = app.test_cli_runner()
    assert "mail stays in the outbox" in runner.invoke(args=["send-mail"]).output
    assert _row(email_id).status == "queued"
    listed = runner.invoke(args=["outbox"]).output
    assert "to person0@test.example [queued]" in listed and "Subject: Hello 0" in listed


def test_a_message_leased_by_a_sender_that_died_is_sent_after_the_lease(mailbox):
    from notifications.delivery import claim_due

    now = utcnow()
    (email_id,) = _queue()
    assert [c.id for c in claim_due(now)] == [email_id]  # a sender claims it, then dies
    assert deliver_due_emails(now + timedelta(seconds=10)) == 0  # still leased
    assert deliver_due_emails(now + timedelta(seconds=301)) == 1
    assert len(mailbox.received) == 1


def test_two_senders_at_once_deliver_each_message_exactly_once(app, mailbox):
    _queue(250)  # three batches: the senders take turns
    counts: list[int] = []

    def sender() -> None:
        with app.app_context():
            counts.append(deliver_due_emails())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 250
    assert len(mailbox.received) == 250
    assert len({r.message["Message-ID"] for r in mailbox.received}) == 250
    statuses = set(db.session.scalars(select(OutboxEmail.status)))
    assert statuses == {"sent"}


def test_the_log_names_recipient_subject_and_outcome_never_the_body_or_link(mailbox, caplog):
    caplog.set_level("INFO", logger="notifications.delivery")
    caplog.set_level("INFO", logger="accounts.outbox")
    _queue(body="Your link: https://x.example/reset/SECRET-TOKEN-123",
           unsubscribe_url="https://x.example/unsubscribe/SIGNED-456")  # fmt: skip
    deliver_due_emails()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "person0@test.example" in logged and "Hello 0" in logged and ": sent" in logged
    assert "SECRET-TOKEN-123" not in logged and "SIGNED-456" not in logged
