"""The partner directory's map in Chromium, on a desktop and on a 375 px phone: a marker at each
listed partner's base (the name search narrows the map as it narrows the list), a marker opens
its partner's page, the list comes first on a phone with the map behind its button, and
axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

import pytest

from commonground.extensions import db

WIDTHS = pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])

# Bases in real shapes: spread over the city, two sharing one building downtown.
BASES = {
    "Mid City Menders": (30.4480, -91.1560),
    "Scotlandville Youth Corps": (30.5230, -91.1790),
    "Downtown Shelter Crew": (30.4515, -91.1871),
    "Downtown Soup Volunteers": (30.4515, -91.1871),
    "Garden District Greeners": (30.4420, -91.1650),
}


def _directory(make):
    for name, (lat, lon) in BASES.items():
        make.partner(name=name, base_latitude=lat, base_longitude=lon)
    make.partner(name="Pending Painters", status="pending", sector="business")
    outreach = make.user("outreach")
    db.session.commit()
    return outreach


@WIDTHS
def test_the_directory_maps_the_listed_partners_bases(make, visitor, width):
    outreach = _directory(make)
    tab = visitor(width=width, height=900 if width > 400 else 800)
    tab.sign_in(outreach.user.email)
    tab.go("/partners/")
    page = tab.page
    page.wait_for_selector("#partner-map[data-ready]", state="attached")
    if width == 375:
        toggle = page.get_by_role("button", name="Show the map")
        first_partner = page.get_by_role("link", name="Downtown Shelter Crew")
        assert toggle.bounding_box()["y"] > first_partner.bounding_box()["y"]  # list first
        assert not page.locator("#partner-map").is_visible()
        toggle.click()
        assert page.get_by_role("button", name="Hide the map").get_attribute("aria-expanded") == (
            "true"
        )
        assert (
            tab.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            <= 1
        )
    else:
        assert (
            page.locator("#partner-map-h").bounding_box()["y"]
            < page.get_by_role("link", name="Downtown Shelter Crew").bounding_box()["y"]
        )
    assert page.locator("#partner-map").is_visible()
    assert tab.wait_for_markers("#partner-map") == len(BASES) + 1  # every partner listed
    assert tab.serious_accessibility_violations() == []
    tab.screenshot(f"directory-map-{width}")


def test_the_name_search_narrows_the_map_and_a_marker_opens_the_partner(make, visitor):
    outreach = _directory(make)
    tab = visitor(width=1280)
    tab.sign_in(outreach.user.email)
    tab.go("/partners/")
    tab.page.get_by_label("Name").fill("scotland")
    tab.page.get_by_role("button", name="Show").click()
    tab.page.wait_for_url("**/partners/?name=scotland*")
    assert tab.wait_for_markers("#partner-map") == 1
    marker = tab.page.locator("#partner-map .leaflet-marker-icon").first
    assert "Scotlandville Youth Corps" in marker.get_attribute("title")
    assert "active, Nonprofit" in marker.get_attribute("title")
    marker.click()
    tab.page.wait_for_url("**/partners/*")
    assert tab.page.locator("h1").inner_text() == "Scotlandville Youth Corps"
