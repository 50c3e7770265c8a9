"""A partner whose week is full sees, on a desktop and a 375 px phone, claim buttons that are
off with the reason and a link to raise capacity; the page stays accessible."""

from __future__ import annotations

import pytest

from commonground.extensions import db
from needs.services import claim_need


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_a_full_week_says_why_claiming_is_off_and_links_to_raise_capacity(make, visitor, width):
    crew = make.partner(
        name="One Slot Crew", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}]
    )
    member = make.user("partner", partner=crew)
    claim_need(member.actor, make.need(title="Taken this week").id)
    waiting = make.need(title="Waits for a slot")
    db.session.commit()
    tab = visitor(width=width, height=800)
    tab.sign_in(member.user.email)
    task = tab.page.locator(f"#task-{waiting.id}")
    assert task.get_by_role("button", name="Claim").is_disabled()
    assert "all taken (1 of 1)" in task.inner_text()
    assert tab.serious_accessibility_violations() == []
    tab.screenshot(f"partner-full-week-{width}")
    task.get_by_role("link", name="Raise our weekly capacity").click()
    tab.page.wait_for_url("**/profile/#capacity")
