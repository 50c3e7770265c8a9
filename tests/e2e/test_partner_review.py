"""Partner review in Chromium, desktop and 375 px phone: accessible, Verify first, Archive asks."""

from __future__ import annotations

import pytest

from commonground.extensions import db


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_coordinator_reviews_and_verifies_a_pending_organisation(make, visitor, width):
    make.partner(name="New Gardeners", status="pending")
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(coordinator.user.email)
    tab.go("/review/partners")
    assert tab.serious_accessibility_violations() == []
    if width == 375:
        assert (
            tab.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            <= 1
        )
    row = tab.page.locator("tr", has_text="New Gardeners")
    buttons = row.get_by_role("button").all_inner_texts()
    assert buttons[0].startswith("Verify") and buttons[-1].startswith("Decline (archive)")
    row.get_by_role("button", name="Verify New Gardeners").click()
    tab.page.get_by_text("New Gardeners is now active.").wait_for()
