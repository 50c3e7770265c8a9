"""Outreach generates each kind of briefing from the page, opens it and its PDF, reopens a
stored one, edits the catalogue, and runs the batch as a job whose progress its page shows."""

from __future__ import annotations

import re

import pytest

from tests.browser import csrf_token
from tests.jobs import finish_job

DOWNTOWN = (30.4515, -91.1871)


@pytest.fixture
def city(make):
    near = make.partner(
        name="Near Cleaners",
        capabilities=[
            {"capability": "litter_cleanup", "tasks_per_week": 2, "volunteer_hours_per_week": 6}
        ],
    )
    make.partner(name="Board Crew", capabilities=[{"capability": "board_up", "tasks_per_week": 1}])
    for i in range(3):
        make.need(latitude=DOWNTOWN[0] + 0.002 * i, longitude=DOWNTOWN[1], neighbourhood="Downtown")
    return {
        "near": near,
        "outreach": make.user("outreach"),
        "coordinator": make.user("coordinator"),
        "member": make.user("partner", partner=near),
    }


def _briefing_id(response) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/briefings/(\d+)$", response.headers["Location"]).group(1))


def test_outreach_generates_a_partner_briefing_opens_it_and_its_pdf(browser, city):
    web = browser(city["outreach"].user.email)
    page = web.get("/briefings/")
    assert page.status_code == 200 and "Near Cleaners" in page.text
    made = web.post(
        "/briefings/partner",
        data={"partner_id": city["near"].id, "csrf_token": csrf_token(page.text)},
    )
    briefing_id = _briefing_id(made)
    details = web.get(f"/briefings/{briefing_id}")
    assert "Near Cleaners" in details.text and city["outreach"].user.name in details.text
    document = web.get(f"/briefings/{briefing_id}/document")
    assert document.status_code == 200
    for heading in (
        "The area's picture",
        "What the city can do",
        "What you can do",
        "Who you could team up with",
        "Your impact so far",
        "Talk to us",
    ):
        assert heading in document.text, heading
    assert document.text.count("<svg") == 4  # bar chart, line chart, map, sign-in QR code
    assert 'style="' not in document.text and "<script" not in document.text
    pdf = web.get(f"/briefings/{briefing_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    listing = web.get("/briefings/")
    assert f"/briefings/{briefing_id}/document" in listing.text


def test_outreach_generates_prospect_and_neighbourhood_briefings_from_the_page(browser, city):
    web = browser(city["outreach"].user.email)
    token = csrf_token(web.get("/briefings/").text)
    prospect = web.post(
        "/briefings/prospect",
        data={
            "csrf_token": token,
            "name": "Hope <Chapel>",
            "sector": "faith_based",
            "neighbourhood": "Downtown",
            "radius_km": "2",
            "capabilities": ["litter_cleanup", "board_up"],
            "tasks_per_week": "1",
            "volunteer_hours_per_week": "4",
        },
    )
    document = web.get(f"/briefings/{_briefing_id(prospect)}/document").text
    assert "Hope &lt;Chapel&gt;" in document and "not registered yet" in document
    hood = web.post(
        "/briefings/neighbourhood",
        data={"csrf_token": token, "neighbourhood": "Downtown", "weekly_tasks": "2"},
    )
    assert "Downtown" in web.get(f"/briefings/{_briefing_id(hood)}/document").text


def test_a_prospect_form_without_capabilities_is_refused_with_a_message(browser, city):
    web = browser(city["outreach"].user.email)
    token = csrf_token(web.get("/briefings/").text)
    response = web.post(
        "/briefings/prospect",
        data={"csrf_token": token, "name": "Xavier Aid", "neighbourhood": "Downtown"},
    )
    assert response.status_code == 422
    assert 'id="capabilities-error"' in response.text and "Please correct" in response.text
    assert 'value="Xavier Aid"' in response.text  # what was typed is kept


def test_a_form_without_its_csrf_token_is_refused(browser, city):
    web = browser(city["outreach"].user.email)
    response = web.post("/briefings/partner", data={"partner_id": city["near"].id}, csrf=False)
    assert response.status_code == 400


def test_partner_members_cannot_open_the_briefings_page(browser, city):
    web = browser(city["member"].user.email)
    assert web.get("/briefings/").status_code == 403


def test_the_pages_ask_people_to_sign_in_first(client, city):
    response = client.get("/briefings/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_batch_runs_as_a_job_whose_progress_the_batch_page_shows(browser, city):
    web = browser(city["coordinator"].user.email)
    assert "Generate 2 briefings" in web.text("/briefings/batch")
    started = web.post("/briefings/batch")
    assert started.status_code == 303 and "/jobs/" in started.headers["Location"]
    waiting = web.text("/briefings/batch")  # the tab was closed and opened again
    assert 'data-status="queued"' in waiting and 'http-equiv="refresh"' in waiting
    assert "Generate 2 briefings" not in waiting  # no second batch while this one runs
    finish_job(web, started)
    done = web.text("/briefings/batch")
    assert 'data-status="succeeded"' in done and "Generated 2 of 2 briefing(s); 0 failed." in done
    assert 'http-equiv="refresh"' not in done
    job_page = web.text(started.headers["Location"])
    assert job_page.count('href="/briefings/') >= 2 and "2 of 2" in job_page


def test_a_coordinator_edits_the_catalogue_from_its_page(browser, city):
    web = browser(city["coordinator"].user.email)
    page = web.get("/catalogue/")
    added = web.post(
        "/catalogue/",
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Tool lending",
            "description": "Mowers on loan.",
            "lead_time_days": "3",
            "capabilities": ["lot_mowing"],
        },
        follow_redirects=True,
    )
    assert "Tool lending" in added.text and "Lot mowing" in added.text
    entry_id = int(re.search(r"/catalogue/(\d+)/edit", added.text).group(1))
    edit = web.get(f"/catalogue/{entry_id}/edit")
    saved = web.post(
        f"/catalogue/{entry_id}/edit",
        data={"csrf_token": csrf_token(edit.text), "title": "Tool library", "lead_time_days": "1"},
        follow_redirects=True,
    )
    assert "Tool library" in saved.text and "(withdrawn)" in saved.text


def test_outreach_reads_the_catalogue_but_cannot_edit_it(browser, city):
    web = browser(city["outreach"].user.email)
    page = web.get("/catalogue/")
    assert page.status_code == 200 and "Add a resource" not in page.text
    response = web.post(
        "/catalogue/", data={"csrf_token": csrf_token(page.text), "title": "Sneaky"}
    )
    assert response.status_code == 403


def _prospect(web, **fields):
    data = {
        "csrf_token": csrf_token(web.get("/briefings/").text),
        "name": "Northside Tenants",
        "sector": "civic_group",
        "address": "",
        "neighbourhood": "",
        "radius_km": "2",
        "capabilities": ["litter_cleanup"],
        "tasks_per_week": "3",
        "volunteer_hours_per_week": "6",
    }
    data.update(fields)
    return web.post("/briefings/prospect", data=data)


def _suggested_km(briefing_id: int) -> list[float]:
    from briefings.models import Briefing
    from commonground.extensions import db

    return [s["distance_km"] for s in db.session.get(Briefing, briefing_id).snapshot["suggestions"]]


def test_a_prospect_is_placed_by_its_typed_address_alone(browser, city):
    web = browser(city["outreach"].user.email)
    # 1000 North St is an address point of the city's (offline) geocoder, 0.4 km from the needs.
    near = _briefing_id(_prospect(web, address="1000 North St"))
    assert _suggested_km(near) and max(_suggested_km(near)) < 1
    # 200 Swan St lies 8 km north: nothing within its 2 km reach.
    far = _briefing_id(_prospect(web, name="Swan St Block Club", address="200 Swan St"))
    assert _suggested_km(far) == []


def test_a_prospect_at_an_unknown_address_is_refused_with_what_was_typed(browser, city):
    web = browser(city["outreach"].user.email)
    response = _prospect(web, address="9 Nowhere Elm", radius_km="4.5")
    assert response.status_code == 422
    page = response.text
    assert 'id="address-error"' in page and "Not found: check the address" in page
    assert 'aria-describedby="p-address-hint address-error"' in page
    assert 'value="9 Nowhere Elm"' in page and 'value="Northside Tenants"' in page
    assert 'value="4.5"' in page and 'value="litter_cleanup" checked' in page
    assert '<option value="civic_group" selected>' in page


def test_an_unknown_address_with_a_neighbourhood_uses_its_centre(browser, city):
    web = browser(city["outreach"].user.email)
    made = _prospect(web, address="9 Nowhere Elm", neighbourhood="Downtown")
    assert _suggested_km(_briefing_id(made))
