"""The plan page for people: grouped by partner with counts, nothing ticked beforehand, an
"offer all" per partner, the order explained, and back to the same group after offering."""

from __future__ import annotations

import re

from accounts.actor import SYSTEM
from planning.services import GROUPS_PER_PAGE, TASKS_SHOWN, run_city_plan


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


def test_the_unassigned_count_links_to_a_list_of_as_many_needs(make, browser):
    make.partner(
        name="One Slot", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}]
    )
    for n in range(3):
        make.need(title=f"Lot {n}")
    make.need(title="Nobody mows", capability="lot_mowing")
    plan = run_city_plan(SYSTEM)
    coordinator = browser(make.user("coordinator"))
    page = coordinator.text(f"/plans/{plan.id}")
    assert f'<a href="/plans/{plan.id}/unassigned">3 left unassigned</a>' in page
    listed = coordinator.text(f"/plans/{plan.id}/unassigned")
    assert "3 open needs have no task in" in listed
    assert len(re.findall(r'<tr><td><a href="/needs/\d+">', listed)) == 3
    assert "Nobody mows" in listed


def test_the_plan_page_filters_partners_by_name_capability_and_waiting_tasks(make, browser):
    make.partner(name="Litter Crew")
    make.partner(name="Mow Crew", capabilities=[{"capability": "lot_mowing", "tasks_per_week": 2}])
    make.need()
    make.need(capability="lot_mowing")
    plan = run_city_plan(SYSTEM)
    coordinator = browser(make.user("coordinator"))
    path = f"/plans/{plan.id}"

    def shown(query: str) -> list[str]:
        page = coordinator.text(f"{path}?{query}")
        return re.findall(r'class="plan-partner">\s*<h2[^>]*><a [^>]*>([^<]+)</a>', page)

    assert sorted(shown("")) == ["Litter Crew", "Mow Crew"]
    assert shown("partner=mow") == ["Mow Crew"]
    assert shown("capability=litter_cleanup") == ["Litter Crew"]
    mow = re.search(r'/partners/(\d+)/offer"', coordinator.text(f"{path}?partner=mow"))
    coordinator.post(f"{path}/partners/{mow.group(1)}/offer")
    assert shown("waiting=1") == ["Litter Crew"]


def _groups(page: str) -> list[str]:
    return re.findall(r'class="plan-partner">\s*<h2[^>]*><a [^>]*>([^<]+)</a>', page)


def test_a_long_plan_shows_its_partners_a_page_at_a_time_and_opens_one_on_its_page(make, browser):
    # 30 one-slot crews at one base point (a ZIP centre), 30 needs: one task each.
    crews = [
        make.partner(
            name=f"Crew {n:02d}",
            capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}],
        )
        for n in range(30)
    ]
    for _ in range(30):
        make.need()
    plan = run_city_plan(SYSTEM)
    coordinator = browser(make.user("coordinator"))
    path = f"/plans/{plan.id}"
    first = coordinator.text(path)
    assert _groups(first) == [f"Crew {n:02d}" for n in range(GROUPS_PER_PAGE)]
    assert f"Partners 1 to {GROUPS_PER_PAGE} of 30 shown." in first
    assert f'href="{path}?page=2" rel="next"' in first
    second = coordinator.text(f"{path}?page=2")
    assert _groups(second) == [f"Crew {n:02d}" for n in range(GROUPS_PER_PAGE, 30)]
    opened = coordinator.text(f"{path}?open={crews[27].id}")
    assert "Crew 27" in _groups(opened) and "Page 2 of 2" in opened
    assert re.search(rf'id="partner-{crews[27].id}".*?<details class="fold" open>', opened, re.S)
    assert _groups(coordinator.text(f"{path}?page=99")) == _groups(second)
    assert _groups(coordinator.text(f"{path}?partner=crew 0")) == [
        f"Crew {n:02d}" for n in range(10)
    ]


def test_a_partner_with_many_tasks_lists_its_best_and_all_when_opened(make, browser):
    crew = make.partner(
        name="Big Crew", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 20}]
    )
    for n in range(TASKS_SHOWN + 2):
        make.need(title=f"Lot {n}", priority=1 + n % 5)
    plan = run_city_plan(SYSTEM)
    coordinator = browser(make.user("coordinator"))
    path = f"/plans/{plan.id}"
    page = coordinator.text(path)
    total = TASKS_SHOWN + 2
    assert f"Big Crew</a> ({total} tasks, {total} not offered yet)" in page
    assert len(re.findall(r'name="assignment"', page)) == TASKS_SHOWN
    assert f'href="{path}?open={crew.id}#partner-{crew.id}">List all {total} tasks' in page
    scores = [int(s) for s in re.findall(r"match score (\d+) of 100", page)]
    assert scores == sorted(scores, reverse=True)
    opened = coordinator.text(f"{path}?open={crew.id}")
    assert len(re.findall(r'name="assignment"', opened)) == total
    assert "List all" not in opened
