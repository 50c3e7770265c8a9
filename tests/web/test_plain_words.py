"""Plain words on pages: sector labels instead of codes, form messages written for people, and
error pages in the site's own words and style."""

from __future__ import annotations

from datetime import timedelta

from commonground.db_types import utcnow
from needs.services import claim_need


def test_the_directory_shows_sector_labels_not_codes(make, browser):
    make.partner(name="St. Mark's", sector="faith_based")
    page = browser(make.user("outreach")).text("/partners/")
    assert "Congregation or faith-based" in page and "faith based" not in page
    assert ">Neighbourhood association</option>" in page


def test_a_blank_required_field_says_please_fill_it_in(make, browser):
    member = make.user("partner", partner=make.partner())
    need = make.need()
    pages = browser(member)
    pages.post(f"/tasks/{need.id}/claim")
    pages.post(f"/tasks/{need.id}/release", {"reason": ""})
    page = pages.text(f"/needs/{need.id}")
    assert "Missing data for required field." not in page


def test_a_coordinator_release_without_a_reason_says_please_fill_in_the_reason(make, browser):
    member = make.user("partner", partner=make.partner())
    need = make.need()
    claim_need(member.actor, need.id, now=utcnow() - timedelta(days=20))
    coordinator = browser(make.user("coordinator"))
    coordinator.post(f"/needs/{need.id}/release", {"reason": ""})
    page = coordinator.text(f"/needs/{need.id}")
    assert "Reason: Please fill in the reason." in page
    assert "Missing data for required field." not in page


def test_a_missing_page_is_in_the_sites_style_and_words(make, browser):
    pages = browser(make.user("viewer"))
    response = pages.get("/needs/999999")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>We can&#39;t find that page</h1>" in page
    assert '<nav aria-label="Main">' in page and 'href="/home">Go to your home</a>' in page


def test_a_page_not_for_this_role_says_so_and_who_is_signed_in(make, browser):
    viewer = make.user("viewer")
    response = browser(viewer).get("/coordinator/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<h1>This page is not open to you</h1>" in page
    assert f"You are signed in as {viewer.user.name} (viewer)." in page


def test_a_lost_claim_race_names_the_winner_and_offers_similar_tasks_nearby(make, browser):
    crew = make.partner(name="Slow Crew")
    member = make.user("partner", partner=crew)
    rival = make.user("partner", partner=make.partner(name="Northside Crew"))
    need = make.need(title="Wanted lot")
    for n in range(4):
        make.need(title=f"Nearby lot {n}")
    make.need(title="Mowing nearby", capability="lot_mowing")
    claim_need(rival.actor, need.id, now=utcnow() - timedelta(minutes=2))
    pages = browser(member)
    response = pages.post(f"/tasks/{need.id}/claim", {"next": "/tasks/"})
    assert response.headers["Location"] == f"/needs/{need.id}#similar-h"
    page = pages.text(f"/needs/{need.id}")
    assert "Northside Crew claimed this 2 minutes ago — here are 3 similar tasks nearby." in page
    similar = page[page.index('id="similar-h"') :]
    similar = similar[: similar.index("</section>")]
    assert similar.count("<li>") == 3 and "Mowing nearby" not in similar
    assert " mi from here" in similar
