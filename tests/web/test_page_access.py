"""Page access beyond the authorization matrix.

Who may open which page (each role reaches its pages and gets 403 on the others, anonymous
people are sent to sign in, a plain member of a partner sees what its admins see) is checked for
every page by tests/security/test_authorization_matrix.py against
tests/security/route_permissions.py. Here: what a table of statuses cannot say.
"""

from __future__ import annotations


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
