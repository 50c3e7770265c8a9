"""The coverage gaps page in Chromium, desktop and 375 px phone: its wide table scrolls inside
its own focusable box (no page overflow), states its measure, and axe finds nothing serious."""

from __future__ import annotations

import pytest

from commonground.extensions import db


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_gap_table_fits_its_box_and_scrolls_by_keyboard(make, visitor, width):
    make.partner(name="Litter Crew")
    for capability in ("litter_cleanup", "lot_mowing", "board_up"):
        make.need(capability=capability, neighbourhood="Downtown")
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(coordinator.user.email)
    tab.go("/coverage/gaps")
    assert tab.serious_accessibility_violations() == []
    box = tab.page.get_by_role("region", name="Open needs (one weekly task each)")
    assert box.get_attribute("tabindex") == "0"
    assert (
        tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        <= 1
    )
    assert "nobody reaches" in box.inner_text()
    tab.screenshot(f"coordinator-gaps-{width}")
