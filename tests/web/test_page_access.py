"""Who may open which page: anonymous people are sent to sign in, and each role reaches its
own pages and is refused (403) the others, because the services say so."""

from __future__ import annotations

import pytest

ROLES = ("admin", "coordinator", "outreach", "partner", "viewer")
# path -> roles that get 200; everyone else signed in gets 403.
PAGES = {
    "/coordinator/": {"admin", "coordinator"},
    "/needs/": set(ROLES),
    "/needs/new": {"admin", "coordinator"},
    "/needs/{need}": set(ROLES),
    "/plans/": {"admin", "coordinator", "outreach"},
    "/tasks/": {"partner"},
    "/tasks/near.geojson": {"partner"},
    "/tasks/claims": {"partner"},
    "/tasks/history": {"partner"},
    "/tasks/{need}/complete": {"partner"},
    "/profile/": {"partner"},
    "/partners/": set(ROLES),
    "/partners/{partner}": {"admin", "coordinator", "outreach", "viewer", "partner"},
    "/map/needs.geojson": set(ROLES),
    "/map/export.csv": set(ROLES),
    "/map/export.geojson": set(ROLES),
}


@pytest.fixture
def world(make):
    partner = make.partner()
    need = make.need()
    people = {
        role: make.user(role, partner=partner if role == "partner" else None) for role in ROLES
    }
    return partner, need, people


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_its_pages_and_is_refused_the_others(world, browser, role):
    partner, need, people = world
    client = browser(people[role])
    for template, allowed in PAGES.items():
        path = template.format(need=need.id, partner=partner.id)
        response = client.get(path)
        response.get_data()
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, path, response.status_code)


def test_anonymous_people_are_sent_to_sign_in(world, browser):
    _, need, _ = world
    client = browser()
    for path in ("/coordinator/", "/needs/", f"/needs/{need.id}", "/tasks/", "/profile/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_the_map_data_answers_401_json_when_nobody_is_signed_in(browser):
    response = browser().get("/map/needs.geojson", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_a_partner_member_cannot_open_another_organisations_page(make, browser):
    ours, theirs = make.partner(), make.partner(name="Someone Else Inc")
    member = make.user("partner", partner=ours)
    assert browser(member).get(f"/partners/{theirs.id}").status_code == 404


def test_navigation_shows_only_the_pages_the_role_can_use(make, browser):
    partner = make.partner()
    member_page = browser(make.user("partner", partner=partner)).text("/needs/")
    assert "Tasks near us" in member_page and "Post a need" not in member_page
    coordinator_page = browser(make.user("coordinator")).text("/needs/")
    assert "Post a need" in coordinator_page and "Tasks near us" not in coordinator_page


def test_huge_ids_are_not_found_rather_than_errors(make, browser):
    client = browser(make.user("coordinator"))
    assert client.get("/needs/99999999999").status_code == 404
    assert client.get("/partners/99999999999").status_code == 404
