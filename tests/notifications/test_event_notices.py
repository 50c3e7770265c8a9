"""Who is told what when something happens: each action, through the API a person uses, then
one delivery pass to a real SMTP server; the right people get the right email, nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import OutboxEmail
from commonground.db_types import utcnow
from commonground.extensions import db
from commonground.transaction import unit_of_work
from needs.models import Need
from needs.services import claim_need, verify_need
from notifications.delivery import deliver_due_emails
from tests.factories import DOWNTOWN
from tests.jobs import run_plan

CITY = "Baton Rouge (demo)"


def test_an_offer_from_the_city_plan_emails_each_member_of_that_partner_and_nobody_else(
    api, make, crew, mailbox
):
    make.need(title="Litter behind the library", latitude=DOWNTOWN[0] + 0.001)
    coordinator = api(crew["coordinator"].token)
    plan = run_plan(coordinator)
    task = next(a for a in plan["assignments"] if a["partner_name"] == "Mid City Cleaners")
    offered = coordinator.post(f"/api/v1/plans/{plan['id']}/assignments/{task['id']}/offer")
    assert offered.status_code == 200

    assert deliver_due_emails() == 2
    assert mailbox.recipients() == sorted([crew["ana"].user.email, crew["ben"].user.email])
    email = mailbox.to(crew["ana"].user.email)[0]
    assert email.subject == f"{CITY}: The city offers you a task: Litter behind the library"
    assert f"http://127.0.0.1:5000/needs/{task['need_id']}" in email.text()
    assert "http://127.0.0.1:5000/tasks/" in email.text()
    assert " CST" in email.text()  # the offer time, in the city's zone
    assert "Litter behind the library" in email.html()
    assert email.message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_verified_completion_tells_the_partner_members_once(api, make, crew, mailbox):
    need = make.completed_need(crew["ana"], title="Bags on Oak Street")
    coordinator = api(crew["coordinator"].token)
    assert (
        coordinator.post(f"/api/v1/needs/{need.id}/verify", json={"note": "Spotless"}).status_code
        == 200
    )
    assert coordinator.post(f"/api/v1/needs/{need.id}/verify", json={}).status_code == 409

    deliver_due_emails()
    assert mailbox.recipients() == sorted([crew["ana"].user.email, crew["ben"].user.email])
    email = mailbox.to(crew["ben"].user.email)[0]
    assert email.subject == f"{CITY}: Your work was verified: Bags on Oak Street"
    assert "Spotless" in email.text()


def test_a_reopened_completion_tells_the_members_the_reason(api, make, crew, mailbox):
    need = make.completed_need(crew["ana"], title="Bags on Elm Street")
    reason = "Bags were left on the kerb"
    reopened = api(crew["coordinator"].token).post(
        f"/api/v1/needs/{need.id}/reopen", json={"reason": reason}
    )
    assert reopened.status_code == 200

    deliver_due_emails()
    assert mailbox.recipients() == sorted([crew["ana"].user.email, crew["ben"].user.email])
    email = mailbox.to(crew["ana"].user.email)[0]
    assert email.subject == f"{CITY}: Your work was reopened: Bags on Elm Street"
    assert reason in email.text() and reason in email.html()


def test_an_automatic_release_tells_every_member_and_nobody_else(app, make, crew, mailbox):
    need = make.need(title="Tyres on Pine Street")
    claim_need(crew["ana"].actor, need.id, now=utcnow() - timedelta(days=10))
    runner = app.test_cli_runner()
    assert "Released 1 stale claim" in runner.invoke(args=["release-stale"]).output

    assert "Sent 2" in runner.invoke(args=["send-mail"]).output
    assert mailbox.recipients() == sorted([crew["ana"].user.email, crew["ben"].user.email])
    email = mailbox.to(crew["ben"].user.email)[0]
    assert email.subject == f"{CITY}: Your claim was released: Tyres on Pine Street"
    assert "released automatically" in email.text()
    assert "not started within 7 days" in email.text()


def test_a_member_releasing_a_claim_tells_the_other_members_not_themselves(
    api, make, crew, mailbox
):
    need = make.need(title="Sofa on Maple Street")
    member = api(crew["ana"].token)
    assert member.post(f"/api/v1/needs/{need.id}/claim").status_code == 201
    released = member.post(f"/api/v1/needs/{need.id}/release", json={"reason": "No truck"})
    assert released.status_code == 200

    deliver_due_emails()
    assert mailbox.recipients() == [crew["ben"].user.email]
    assert "No truck" in mailbox.received[0].text()


def test_an_organisation_declined_is_told_the_reason_and_a_verified_one_is_welcomed(
    api, make, crew, mailbox
):
    declined = make.partner(status="pending", name="Pending Helpers")
    welcomed = make.partner(status="pending", name="Welcome Helpers")
    declined_member = make.user("partner", partner=declined)
    welcomed_member = make.user("partner", partner=welcomed)
    coordinator = api(crew["coordinator"].token)
    reason = "We could not confirm the organisation's address."
    assert (
        coordinator.post(
            f"/api/v1/partners/{declined.id}/status", json={"action": "archive", "reason": reason}
        ).status_code
        == 200
    )
    assert (
        coordinator.post(
            f"/api/v1/partners/{welcomed.id}/status", json={"action": "verify"}
        ).status_code
        == 200
    )
    assert (
        coordinator.post(
            f"/api/v1/partners/{welcomed.id}/status", json={"action": "pause"}
        ).status_code
        == 200
    )

    deliver_due_emails()
    assert mailbox.recipients() == sorted([declined_member.user.email, welcomed_member.user.email])
    (no,) = mailbox.to(declined_member.user.email)
    assert no.subject == f"{CITY}: Pending Helpers was not verified" and reason in no.text()
    (yes,) = mailbox.to(welcomed_member.user.email)
    assert yes.subject == f"{CITY}: Welcome Helpers is verified"


def test_a_notice_is_queued_with_its_change_or_not_at_all(make, crew, mailbox):
    need = make.completed_need(crew["ana"], title="Bags on Ash Street")
    with pytest.raises(RuntimeError), unit_of_work():
        verify_need(crew["coordinator"].actor, need.id)
        raise RuntimeError("the unit fails after the notice was queued")
    assert db.session.get(Need, need.id).status == "completed"
    queued = select(func.count(OutboxEmail.id)).where(OutboxEmail.kind == "completion_reviewed")
    assert db.session.scalar(queued) == 0
    assert deliver_due_emails() == 0 and mailbox.received == []


def test_declining_an_organisation_on_the_review_page_tells_its_members_why(
    make, crew, mailbox, browser
):
    pending = make.partner(status="pending", name="Hopeful Helpers")
    member = make.user("partner", partner=pending)
    reviewer = browser(crew["coordinator"])
    assert 'name="reason"' in reviewer.text("/review/partners")
    reason = "The registration names no contact we could reach."
    declined = reviewer.post(f"/review/partners/{pending.id}/archive", {"reason": reason})
    assert declined.status_code == 302

    deliver_due_emails()
    assert mailbox.recipients() == [member.user.email]
    assert reason in mailbox.received[0].text()
