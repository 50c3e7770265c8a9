"""The plan page for people: grouped by partner with counts, nothing ticked beforehand, an
"offer all" per partner, the order explained, and back to the same group after offering."""

from __future__ import annotations

import re

from accounts.actor import SYSTEM
from planning.services import run_city_plan


def _plan(make):
    crew = make.partner(name="Plan Crew")
    for _ in range(2):
        make.need()
    return crew, run_city_plan(SYSTEM)


def test_the_plan_page_groups_by_partner_ticks_nothing_and_explains_the_order(make, browser):
    crew, plan = _plan(make)
    page = browser(make.user("coordinator")).text(f"/plans/{plan.id}")
    assert "Plan Crew</a> (2 tasks, 2 not offered yet)" in page
    assert 'name="assignment"' in page and not re.search(r'name="assignment"[^>]* checked', page)
    assert "so a nearby priority-5 task can rank above a distant priority-1 task" in page
    assert f'action="/plans/{plan.id}/partners/{crew.id}/offer"' in page


def test_offering_ticked_tasks_comes_back_to_the_same_partner_group_open(make, browser):
    crew, plan = _plan(make)
    coordinator = browser(make.user("coordinator"))
    path = f"/plans/{plan.id}"
    first = re.search(r'name="assignment" value="(\d+)"', coordinator.text(path)).group(1)
    back = f"{path}?open={crew.id}#partner-{crew.id}"
    response = coordinator.post(f"{path}/offer", {"assignment": first, "next": back})
    assert response.headers["Location"] == back
    page = coordinator.text(f"{path}?open={crew.id}")
    assert "Offered 1 task." in page and "(2 tasks, 1 not offered yet)" in page
    assert '<details class="fold" open>' in page


def test_offer_all_for_a_partner_lands_on_its_group(make, browser):
    crew, plan = _plan(make)
    coordinator = browser(make.user("coordinator"))
    path = f"/plans/{plan.id}"
    response = coordinator.post(
        f"{path}/partners/{crew.id}/offer", {"next": f"{path}#partner-{crew.id}"}
    )
    assert response.headers["Location"] == f"{path}#partner-{crew.id}"
    assert "(2 tasks, 0 not offered yet)" in coordinator.text(path)


def test_a_foreign_next_page_after_offering_goes_to_the_plan_top(make, browser):
    _, plan = _plan(make)
    coordinator = browser(make.user("coordinator"))
    response = coordinator.post(f"/plans/{plan.id}/offer", {"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/plans/{plan.id}"
