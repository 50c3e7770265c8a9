"""Stale claims in Chromium, on a desktop and a 375 px phone: the coordinator ticks and releases
them from the home with a reason; the partner reads when the city may release a claim."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.db_types import utcnow
from commonground.extensions import db
from needs.services import claim_need

WIDTHS = pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])


@WIDTHS
def test_a_coordinator_releases_a_stale_claim_from_the_home(make, visitor, width):
    partner = make.partner(name="Slow Crew")
    member = make.user("partner", partner=partner)
    need = make.need(title="Fence on 5th")
    claim_need(member.actor, need.id, now=utcnow() - timedelta(days=20))
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(coordinator.user.email)
    stale = tab.page.locator("#stale")
    stale.get_by_label(f"Release #{need.id} Fence on 5th").check()
    stale.get_by_label("Why (each partner reads this)").fill("Not started in three weeks.")
    stale.get_by_role("button", name="Release the ticked claims").click()
    tab.page.get_by_text("Released 1 claim").wait_for()
    assert "No stale claims." in stale.inner_text()
    assert tab.serious_accessibility_violations() == []
    tab.go(f"/needs/{need.id}")
    assert "Not started in three weeks." in tab.page.locator(".timeline").inner_text()


@WIDTHS
def test_a_partner_reads_when_the_city_releases_its_claim(make, visitor, width):
    partner = make.partner(name="Slow Crew")
    member = make.user("partner", partner=partner)
    need = make.need(title="Fence on 5th")
    claim_need(member.actor, need.id, now=utcnow() - timedelta(days=2))
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(member.user.email)
    tab.go("/tasks/claims")
    warning = tab.page.locator(f"#claim-{need.id} .stale-warning").inner_text()
    assert warning.startswith("Released on ") and "unless started by then" in warning
    assert tab.serious_accessibility_violations() == []
    tab.screenshot(f"partner-claims-stale-{width}")
