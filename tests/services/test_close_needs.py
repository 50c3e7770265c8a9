"""Closing many needs at once (`needs.services.close_needs`), as an import closes the needs its
source closed: one winner per need, claims released, one event each, and no commit of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from accounts.actor import SYSTEM
from accounts.outbox import latest_emails
from commonground.errors import PermissionDeniedError, ValidationError
from commonground.extensions import db
from needs.models import Claim, Need, NeedEvent
from needs.services import Closing, claim_need, close_need, close_needs

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def status_of(need_id: int) -> str:
    return db.session.scalar(select(Need.status).where(Need.id == need_id))


def test_open_and_claimed_needs_close_and_their_claims_are_released(make):
    partner = make.partner()
    member = make.user("partner", partner=partner)
    first, second = make.need(now=NOW), make.need(now=NOW)
    claim_need(member.actor, second.id, now=NOW)
    outcome = close_needs(
        SYSTEM,
        "close_at_source",
        [Closing(first.id, "open", "Closed at 311"), Closing(second.id, "claimed", "Fixed")],
        now=NOW,
    )
    assert (outcome.closed, outcome.not_applicable, outcome.changed) == (
        [first.id, second.id], [], []
    )  # fmt: skip
    assert status_of(first.id) == status_of(second.id) == "closed"
    claim = db.session.scalar(select(Claim).where(Claim.need_id == second.id))
    assert (claim.status, claim.release_reason, claim.released_at) == ("released", "Fixed", NOW)
    events = db.session.execute(
        select(NeedEvent.need_id, NeedEvent.from_status, NeedEvent.to_status, NeedEvent.note)
        .where(NeedEvent.action == "close_at_source")
        .order_by(NeedEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        (first.id, "open", "closed", "Closed at 311"),
        (second.id, "claimed", "closed", "Fixed"),
    ]


def _close_a_cancelled_need(make, believed_status: str):
    """Cancel a need, then close it at source believing it `believed_status`: (need, outcome)."""
    need = make.need(now=NOW)
    close_need(SYSTEM, need.id, "cancel", "Private property", now=NOW)
    closing = Closing(need.id, believed_status, "Closed at 311")
    return need, close_needs(SYSTEM, "close_at_source", [closing], now=NOW)


def test_a_need_already_finished_here_is_left_alone(make):
    need, outcome = _close_a_cancelled_need(make, "cancelled")
    assert (outcome.closed, outcome.not_applicable) == ([], [need.id])
    assert status_of(need.id) == "cancelled"


def test_a_need_that_changed_since_it_was_read_is_left_alone_and_named(make):
    # The caller still believes it open: the conditional UPDATE does not move it.
    need, outcome = _close_a_cancelled_need(make, "open")
    assert (outcome.closed, outcome.changed) == ([], [need.id])
    assert status_of(need.id) == "cancelled"
    assert not db.session.scalar(select(NeedEvent.id).where(NeedEvent.action == "close_at_source"))


def test_closing_in_bulk_leaves_the_commit_to_the_caller(make):
    need_ids = [make.need(now=NOW).id for _ in range(3)]
    close_needs(
        SYSTEM, "close_at_source", [Closing(nid, "open", "Closed at 311") for nid in need_ids],
        now=NOW,
    )  # fmt: skip
    db.session.rollback()
    assert [status_of(nid) for nid in need_ids] == ["open"] * 3


def test_closing_in_bulk_checks_the_permission_the_reason_and_the_action(make):
    need = make.need(now=NOW)
    viewer = make.user("viewer")
    with pytest.raises(PermissionDeniedError):
        close_needs(viewer.actor, "close_at_source", [Closing(need.id, "open", "x")], now=NOW)
    with pytest.raises(ValidationError):
        close_needs(SYSTEM, "close_at_source", [Closing(need.id, "open", " ")], now=NOW)
    with pytest.raises(ValidationError):
        close_needs(SYSTEM, "verify", [Closing(need.id, "open", "x")], now=NOW)
    db.session.rollback()
    assert status_of(need.id) == "open"


def test_residents_following_needs_closed_in_bulk_hear_once_each(make):
    """An import closing reports at the source tells their reporters (and the reporter of a
    report merged into one), as closing one need does; needs nobody follows send nothing."""
    from needs.triage import accept_report, merge_report

    followed = make.report(reporter_email="first@home.example")
    accept_report(SYSTEM, followed.id, now=NOW)
    merged = make.report(reporter_email="second@home.example")
    merge_report(SYSTEM, merged.id, followed.id, now=NOW)
    quiet = make.report(reporter_email="quiet@home.example", notify=False)
    accept_report(SYSTEM, quiet.id, now=NOW)
    posted = make.need(now=NOW)
    before = {e.id for e in latest_emails(limit=100)}
    outcome = close_needs(
        SYSTEM,
        "close_at_source",
        [Closing(n.id, "open", "Closed in 311") for n in (followed, quiet, posted)],
        now=NOW,
    )
    assert sorted(outcome.closed) == sorted([followed.id, quiet.id, posted.id])
    sent = [e for e in latest_emails(limit=100) if e.id not in before]
    assert sorted(e.to_address for e in sent) == ["first@home.example", "second@home.example"]
    assert all("The report was closed" in e.subject + e.body for e in sent)
    assert all("Closed in 311" in e.body for e in sent)
