"""Briefing documents read on a screen, in Chromium on a desktop and on a 375 px phone: the
handout fits the screen (nothing scrolls sideways), its QR code and sign-up address are shown,
and axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

import pytest

from briefings.services import generate_neighbourhood_briefing, generate_partner_briefing
from commonground.extensions import db
from tests.factories import DOWNTOWN

WIDTHS = pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])


@WIDTHS
def test_a_handout_reads_well_on_a_screen_of_any_width(make, visitor, width):
    crew = make.partner(name="Northside Crew")
    member = make.user("partner", partner=crew)
    for n in range(4):
        make.need(
            title=f"Help with yard at house {n}",
            capability="property_maintenance_help",
            neighbourhood="Downtown",
            latitude=DOWNTOWN[0] + 0.002 * n,
        )
    make.completed_need(member, {"volunteers": 3, "hours": 6.5}, neighbourhood="Downtown")
    outreach = make.user("outreach")
    made = [
        generate_partner_briefing(outreach.actor, crew.id),
        generate_neighbourhood_briefing(outreach.actor, "Downtown"),
    ]
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(outreach.user.email)
    for briefing in made:
        tab.go(f"/briefings/{briefing.id}/document")
        page = tab.page
        assert page.locator("svg.qr").is_visible()
        assert "http://127.0.0.1:5000/" in page.locator(".join-url").inner_text()
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className"
            " + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
        )
        assert sideways <= 1, (briefing.kind, sideways, wide)
        assert tab.serious_accessibility_violations() == [], briefing.kind
        tab.screenshot(f"handout-{briefing.kind}-{width}")
