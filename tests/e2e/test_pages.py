"""Every page of every role opens in a real browser on a desktop and on a 375 px phone: no
JavaScript error, labelled controls, no sideways scroll, no serious axe-core violation, and a
screenshot; outreach staff browse the directory.
"""

from __future__ import annotations

import pytest

from accounts.actor import SYSTEM
from briefings.services import generate_partner_briefing
from commonground.extensions import db
from needs.services import claim_need, start_need
from planning.services import run_city_plan
from tests.factories import DOWNTOWN
from tests.pages import PAGES

# Form controls a screen reader could not name (no <label>, no aria-label, no text).
UNLABELLED_CONTROLS = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))
"""


def _city(make):
    """A partner with a member holding a started claim, open needs, a waiting resident's
    report, a city plan and a briefing: enough that every page has rows to show."""
    partner = make.partner(name="Garden District Greeners")
    member = make.user("partner", partner=partner, is_partner_admin=True)
    needs = [
        make.need(
            title=f"Litter {n}",
            latitude=DOWNTOWN[0] + 0.002 * n,
            longitude=DOWNTOWN[1] - 0.001 * n,
        )
        for n in range(12)
    ]
    claimed = needs[-1]
    claim_need(member.actor, claimed.id)
    start_need(member.actor, claimed.id)
    report = make.report()
    plan = run_city_plan(SYSTEM)
    briefing = generate_partner_briefing(SYSTEM, partner.id)
    ids = {
        "need": needs[0].id, "claimed": claimed.id, "partner": partner.id, "plan": plan.id,
        "briefing": briefing.id, "report": report.id,
    }  # fmt: skip
    return partner, member, ids


@pytest.mark.parametrize("role", sorted(PAGES))
@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_every_page_opens_labelled_fitting_and_accessible(make, visitor, role, width):
    """Each page a role reaches opens with one heading and no JavaScript error, every control
    has a name, nothing scrolls sideways on a phone, and axe-core finds no serious or critical
    violation (issue 16: "axe-core reports no serious or critical violation on any page")."""
    _partner, member, ids = _city(make)
    person = member if role == "partner" else None
    if role not in ("partner", "signed out"):
        person = make.user(role)
    db.session.commit()
    tab = visitor(width=width, height=800)
    if person is not None:
        tab.sign_in(person.user.email)
    for template in PAGES[role]:
        path = template.format(**ids)
        answer = tab.page.goto(tab.base_url + path)
        assert answer is not None and answer.status == 200, path
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
        assert tab.serious_accessibility_violations() == [], path
        name = path.strip("/").replace("/", "-") or "home"
        tab.screenshot(f"{role.replace(' ', '-')}-{name}-{'phone' if width == 375 else 'desktop'}")


def test_outreach_finds_a_partner_in_the_directory_and_opens_its_page(make, visitor):
    partner, _member, _ids = _city(make)
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
