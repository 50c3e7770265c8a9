"""The plan page in Chromium, on a desktop and a 375 px phone: accessible, no sideways scroll,
and offering a partner's tasks lands back on that partner's group."""

from __future__ import annotations

import pytest

from accounts.actor import SYSTEM
from commonground.extensions import db
from planning.services import run_city_plan


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_offering_all_of_a_partners_tasks_stays_on_its_group(make, visitor, width):
    for n in range(3):
        make.partner(name=f"Crew {n}")
    for _ in range(6):
        make.need()
    plan = run_city_plan(SYSTEM)
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(coordinator.user.email)
    tab.go(f"/plans/{plan.id}")
    assert tab.serious_accessibility_violations() == []
    if width == 375:
        assert (
            tab.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            <= 1
        )
    group = tab.page.locator("section.plan-partner").last
    partner_id = group.locator("h2").get_attribute("id")
    group.get_by_role("button", name="Offer all").click()
    tab.page.get_by_text("Offered").first.wait_for()
    assert tab.page.url.endswith(f"#{partner_id}")
    assert "0 not offered yet" in tab.page.locator(f"#{partner_id}").inner_text()
