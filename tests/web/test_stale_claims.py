"""Stale claims are handled in the app: a coordinator releases one from the need page, or
several at once from the home, with a reason the partner reads in a message; partners see on
their claims when the city may release them."""

from __future__ import annotations

from datetime import timedelta

from accounts.outbox import latest_emails
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.models import Claim, Need
from needs.services import claim_need, start_need
from web.times import city_date

REASON = "Not started in three weeks; another crew is ready."


def _stale(make, member, days: int = 20, **need):
    """A need `member`'s partner claimed `days` ago and never started."""
    found = make.need(**need)
    claim_need(member.actor, found.id, now=utcnow() - timedelta(days=days))
    return found


def _release_messages(address: str) -> list:
    """The notices telling `address` (a partner member) that a claim was released."""
    return [e for e in latest_emails(address) if "Your claim was released" in e.subject]


def _crew(make, name: str = "Slow Crew"):
    partner = make.partner(name=name, contact_email=f"{name.split()[0].lower()}@crew.example")
    return partner, make.user("partner", partner=partner)


def test_a_coordinator_releases_a_stale_claim_from_the_need_page_and_the_partner_is_told(
    make, browser
):
    _, member = _crew(make)
    need = _stale(make, member, title="Fence on 5th")
    coordinator = browser(make.user("coordinator"))
    page = coordinator.text(f"/needs/{need.id}")
    assert "Stale since" in page and "Release the claim and tell Slow Crew" in page
    refused, released = coordinator.blank_then_given(
        f"/needs/{need.id}/release", f"/needs/{need.id}", {"reason": REASON}
    )
    assert "Reason:" in refused and "Stale since" in refused
    assert "Claim released: the need is open again and the partner is told why." in released
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "open"
    claim = db.session.scalar(db.select(Claim).where(Claim.need_id == need.id))
    assert claim.status == "released" and claim.release_reason == REASON
    (email,) = _release_messages(member.user.email)  # the members are told, by the city
    assert email.subject.endswith(": Your claim was released: Fence on 5th")
    assert REASON in email.body and "The city released your organisation's claim" in email.body
    assert REASON in released  # the history says why, too


def test_a_need_that_is_not_claimed_cannot_be_released(make, browser):
    need = make.need()
    coordinator = browser(make.user("coordinator"))
    coordinator.post(f"/needs/{need.id}/release", {"reason": REASON})
    page = coordinator.text(f"/needs/{need.id}")
    assert "This need is open now, so you can&#39;t release it." in page


def test_partners_cannot_release_through_the_coordinators_button(make, browser):
    _, member = _crew(make)
    need = _stale(make, member)
    response = browser(member).post(f"/needs/{need.id}/release", {"reason": REASON})
    assert response.status_code == 403


def test_the_coordinator_home_releases_the_ticked_stale_claims_at_once(make, browser):
    _, slow = _crew(make, "Slow Crew")
    _, late = _crew(make, "Late Crew")
    first, second = _stale(make, slow), _stale(make, late)
    kept = _stale(make, slow, days=25)
    coordinator = browser(make.user("coordinator"))
    home = coordinator.text("/coordinator/")
    stale = home[home.index('id="stale"') : home.index('id="offers"')]
    assert stale.count('name="need"') == 3 and 'action="/coordinator/release-stale"' in stale
    response = coordinator.post(
        "/coordinator/release-stale", {"need": [str(first.id), str(second.id)], "reason": REASON}
    )
    assert response.headers["Location"] == "/coordinator/#stale"
    home = coordinator.text("/coordinator/")
    assert "Released 2 claims: the needs are open again and each partner is told why." in home
    db.session.expire_all()
    statuses = {n: db.session.get(Need, n).status for n in (first.id, second.id, kept.id)}
    assert statuses == {first.id: "open", second.id: "open", kept.id: "claimed"}
    assert len(_release_messages(slow.user.email)) == 1
    assert len(_release_messages(late.user.email)) == 1


def test_releasing_with_nothing_ticked_says_what_to_do(make, browser):
    _, member = _crew(make)
    _stale(make, member)
    coordinator = browser(make.user("coordinator"))
    coordinator.post("/coordinator/release-stale", {"reason": REASON})
    assert "Tick at least one claim to release." in coordinator.text("/coordinator/")


def test_partners_see_when_the_city_releases_each_claim_unless_started(make, browser):
    _, member = _crew(make)
    fresh = make.need(title="Fresh claim")
    claimed = utcnow() - timedelta(days=2)
    claim_need(member.actor, fresh.id, now=claimed)
    started = make.need(title="Started claim")
    claim_need(member.actor, started.id, now=claimed)
    start_need(member.actor, started.id)
    overdue = _stale(make, member, title="Old claim")
    page = browser(member).text("/tasks/claims")

    def notice(need_id: int) -> str:
        item = page[page.index(f'id="claim-{need_id}"') :]
        item = item[: item.index("</li>")]
        return item[item.index('class="notice stale-warning"') :]

    start_by = city_date(claimed + timedelta(days=7), "America/Chicago")
    complete_by = city_date(claimed + timedelta(days=30), "America/Chicago")
    assert f"Released on {start_by} unless started by then" in notice(fresh.id)
    assert f"Released on {complete_by} unless reported done by then" in notice(started.id)
    assert "Overdue: the city may release this claim now unless started" in notice(overdue.id)
