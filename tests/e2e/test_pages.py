"""Every main page opens in a real browser without a JavaScript error, on a desktop and on a
375 px phone, and is saved as a screenshot; outreach staff browse the directory.
"""

from __future__ import annotations

import pytest

from commonground.extensions import db
from tests.factories import DOWNTOWN

# Form controls a screen reader could not name (no <label>, no aria-label, no text).
UNLABELLED_CONTROLS = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))
"""
PAGES = {
    "coordinator": ["/coordinator/", "/needs/", "/needs/new", "/partners/", "/plans/"],
    "partner": ["/tasks/", "/tasks/claims", "/tasks/history", "/profile/"],
    "outreach": ["/partners/", "/needs/"],
    "viewer": ["/needs/", "/partners/"],
}


def _city(make):
    partner = make.partner(name="Garden District Greeners")
    for n in range(12):
        make.need(
            title=f"Litter {n}",
            latitude=DOWNTOWN[0] + 0.002 * n,
            longitude=DOWNTOWN[1] - 0.001 * n,
        )
    return partner


@pytest.mark.parametrize("role", sorted(PAGES))
@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_main_pages_open_without_javascript_errors(make, visitor, role, width):
    partner = _city(make)
    person = make.user(role, partner=partner if role == "partner" else None)
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(person.user.email)
    for path in PAGES[role]:
        tab.go(path)
        assert tab.page.locator("h1").count() == 1, path
        if tab.page.locator(".map[data-center]").count():
            tab.page.wait_for_selector(".map[data-ready]", state="attached")
        if tab.page.locator(".map[data-geojson]").count():
            tab.wait_for_markers(".map[data-geojson]")
        unlabelled = tab.page.evaluate(UNLABELLED_CONTROLS)
        assert unlabelled == [], f"{path}: controls without a label: {unlabelled}"
        if width == 375:
            overflow = tab.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways on a phone ({overflow}px)"
        name = path.strip("/").replace("/", "-") or "home"
        tab.screenshot(f"{role}-{name}-{'phone' if width == 375 else 'desktop'}")


def test_outreach_finds_a_partner_in_the_directory_and_opens_its_page(make, visitor):
    partner = _city(make)
    make.partner(name="Scotlandville Youth Corps", sector="school_university")
    outreach = make.user("outreach")
    db.session.commit()
    tab = visitor()
    tab.sign_in(outreach.user.email)
    tab.go("/partners/")
    tab.page.get_by_label("Sector").select_option("nonprofit")
    tab.page.get_by_role("button", name="Show").click()
    assert tab.page.get_by_role("link", name="Scotlandville Youth Corps").count() == 0
    tab.page.get_by_role("link", name=partner.name).click()
    tab.page.wait_for_selector("#partner-map[data-ready]")
    assert "Pat Contact" in tab.page.locator("main").inner_text()
    tab.screenshot("outreach-partner-page")


def test_a_map_marker_opens_its_need(make, visitor):
    need = make.need(title="Only need", latitude=DOWNTOWN[0], longitude=DOWNTOWN[1])
    viewer = make.user("viewer")
    db.session.commit()
    tab = visitor()
    tab.sign_in(viewer.user.email)
    tab.go("/needs/")
    assert tab.wait_for_markers("#needs-map") == 1
    marker = tab.page.locator("#needs-map .leaflet-marker-icon").first
    assert "Only need" in marker.get_attribute("title")
    marker.click()
    tab.page.wait_for_url(f"**/needs/{need.id}")
    assert "Only need" in tab.page.locator("h1").inner_text()
