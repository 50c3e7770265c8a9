"""Coordinator home (what needs attention), the plans page, and the partner directory."""

from __future__ import annotations

from datetime import timedelta

from commonground.db_types import utcnow
from needs.services import claim_need, complete_need, start_need
from tests.factories import DOWNTOWN


def test_home_shows_awaiting_verification_stale_claims_and_unreachable_needs(make, pages):
    partner = make.partner(name="Helpers")
    member = make.user("partner", partner=partner)
    done = make.need(title="Done, check it")
    claim_need(member.actor, done.id)
    start_need(member.actor, done.id)
    complete_need(member.actor, done.id, {"volunteers": 2})
    old = make.need(title="Claimed long ago")
    claim_need(member.actor, old.id, now=utcnow() - timedelta(days=20))
    make.need(title="Beyond everyone", latitude=DOWNTOWN[0] + 0.8)
    make.need(title="Nobody mows", capability="lot_mowing")
    page = pages(make.user("coordinator")).text("/coordinator/")
    awaiting = page[page.index('id="awaiting"') : page.index('id="stale"')]
    stale = page[page.index('id="stale"') : page.index('id="unreachable"')]
    unreachable = page[page.index('id="unreachable"') : page.index('id="open"')]
    assert "Done, check it" in awaiting and "Helpers" in awaiting
    assert "Claimed long ago" in stale and "not started within" in stale
    assert "Beyond everyone" in unreachable and "Nobody mows" in unreachable
    assert "Done, check it" not in unreachable


def test_home_counts_open_needs_by_neighbourhood_and_capability(make, pages):
    for _ in range(3):
        make.need()
    make.need(capability="lot_mowing")
    page = pages(make.user("coordinator")).text("/coordinator/")
    assert "Open needs by neighbourhood and capability (4)" in page
    assert "capability=litter_cleanup" in page and ">3</a>" in page


def test_plans_say_they_need_the_matching_engine(make, pages):
    page = pages(make.user("coordinator")).text("/plans/")
    assert "matching engine is enabled" in page


def test_need_page_suggestions_are_not_faked(make, pages):
    need = make.need()
    page = pages(make.user("coordinator")).text(f"/needs/{need.id}")
    assert "Who can act here" in page
    assert "Suggestions appear when the matching engine is enabled." in page


def test_directory_filters_by_sector_capability_neighbourhood_and_status(make, pages):
    make.partner(name="Church Crew", sector="faith_based", service_neighbourhoods=["Downtown"])
    make.partner(
        name="Mowers Inc",
        sector="business",
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 2}],
    )
    make.partner(name="Waiting Group", status="pending")
    client = pages(make.user("outreach"))
    assert "Church Crew" in client.text("/partners/?sector=faith_based")
    page = client.text("/partners/?capability=lot_mowing")
    assert "Mowers Inc" in page and "Church Crew" not in page
    page = client.text("/partners/?neighbourhood=Downtown")
    assert "Church Crew" in page and "Mowers Inc" not in page
    page = client.text("/partners/?status=pending")
    assert "Waiting Group" in page and "Church Crew" not in page
    assert "Church Crew" in client.text("/partners/?sector=not-a-sector")


def test_partner_page_shows_contacts_to_outreach_but_not_to_viewers(make, pages):
    partner = make.partner(name="Contact Test")
    outreach_page = pages(make.user("outreach")).text(f"/partners/{partner.id}")
    viewer_page = pages(make.user("viewer")).text(f"/partners/{partner.id}")
    assert "Pat Contact" in outreach_page and "partner-map" in outreach_page
    assert "Pat Contact" not in viewer_page and "city staff only" in viewer_page


def test_partner_page_shows_its_record(make, pages):
    partner = make.partner(name="Recorded")
    member = make.user("partner", partner=partner)
    need = make.need()
    claim_need(member.actor, need.id)
    start_need(member.actor, need.id)
    complete_need(member.actor, need.id, {"volunteers": 3, "hours": 9.0})
    page = pages(make.user("coordinator")).text(f"/partners/{partner.id}")
    assert "<strong>1</strong> tasks completed" in page
    assert "<strong>9</strong> volunteer hours" in page
