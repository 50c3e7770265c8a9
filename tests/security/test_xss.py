"""Free text comes back escaped on every page of this branch that shows it; template syntax in
user text stays literal (no server-side template injection)."""

from __future__ import annotations

import pytest
from markupsafe import escape

from accounts.actor import SYSTEM
from accounts.services import create_user
from tests.jobs import finish_job

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} {{ config.SECRET_KEY }} {% print 1 %}",
]


def _assert_escaped(html: str, payload: str) -> None:
    if "<" in payload:
        assert payload not in html
    assert str(escape(payload)) in html
    assert "test-secret-key-not-for-production" not in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_and_token_names_are_escaped_on_account_and_members_pages(make, browser, payload):
    partner = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}])
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    create_user(
        SYSTEM,
        email="colleague@x.example",
        name=payload,
        role="partner",
        partner_id=partner.id,
        password="correct horse battery staple",
    )
    web = browser()
    web.login(admin.user.email)
    created = web.post("/account/tokens", {"name": payload, "expires_in_days": "7"})
    _assert_escaped(created.get_data(as_text=True), payload)
    _assert_escaped(web.get("/account").get_data(as_text=True), payload)
    _assert_escaped(web.get("/organisation/members").get_data(as_text=True), payload)
    themselves = browser()
    themselves.login("colleague@x.example")
    _assert_escaped(themselves.get("/").get_data(as_text=True), payload)  # name in the header


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_registered_organisations_text_is_escaped_on_the_review_page(make, browser, payload):
    web = browser()
    response = web.post(
        "/register",
        {
            "name": "Org " + payload,
            "sector": "nonprofit",
            "description": payload,
            "website": "https://org.example/?q=" + payload.replace(" ", "+"),
            "base_latitude": "30.45",
            "base_longitude": "-91.17",
            "service_radius_km": "3",
            "member_name": payload,
            "email": "org@org.example",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    assert response.status_code == 302
    coordinator = make.user("coordinator")
    staff = browser()
    staff.login(coordinator.user.email)
    html = staff.get("/review/partners").get_data(as_text=True)
    _assert_escaped(html, "Org " + payload)
    _assert_escaped(html, payload)
    assert "{{7*7}}" in html or "<" in payload
    assert ">49<" not in html


def test_template_syntax_in_user_text_stays_literal(make, browser):
    partner = make.partner()
    admin = make.user("partner", partner=partner, is_partner_admin=True)
    create_user(
        SYSTEM, email="curly@x.example", name="{{7*7}}", role="partner", partner_id=partner.id
    )
    web = browser()
    web.login(admin.user.email)
    html = web.get("/organisation/members").get_data(as_text=True)
    assert "{{7*7}}" in html
    assert "<td>49" not in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_free_text_in_rankings_and_their_reasons_is_escaped(make, browser, payload):
    """Partner names, need titles and neighbourhood names reach 'who can act here' and
    'tasks near us' through the ranking's reasons, tie-breaks and plan notes."""
    from tests.factories import DOWNTOWN

    listed = make.partner(
        name="Crew " + payload,
        service_radius_km=0.5,
        service_neighbourhoods=[payload],
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}],
    )
    make.partner(  # the same point and area, more slots: a tie the page explains
        name="Twin " + payload, service_radius_km=0.5, service_neighbourhoods=[payload]
    )
    member = make.user("partner", partner=listed)
    need = make.need(
        title="Lot " + payload, latitude=DOWNTOWN[0] + 0.03, neighbourhood=payload
    )  # beyond the radius, in the listed neighbourhood
    coordinator = make.user("coordinator")
    staff = browser()
    staff.login(coordinator.user.email)
    finish_job(staff, staff.post("/plans/run"))
    html = staff.get(f"/needs/{need.id}").get_data(as_text=True)
    section = html[html.index('id="suggestions-h"') : html.index('id="history-h"')]
    _assert_escaped(section, "Crew " + payload)
    _assert_escaped(section, f"in their neighbourhood list ({payload})")
    _assert_escaped(section, "Twin " + payload)
    assert "same score as the next; more free slots this week (3 vs 1)" in section
    assert "latest city plan (#" in section
    crew = browser()
    crew.login(member.user.email)
    tasks = crew.get("/tasks/").get_data(as_text=True)
    _assert_escaped(tasks, "Lot " + payload)
    _assert_escaped(tasks, f"in your neighbourhood list ({payload})")
