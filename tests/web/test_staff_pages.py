"""Coordinator home (what needs attention), the plans page, and the partner directory."""

from __future__ import annotations

import re
from datetime import timedelta

from commonground.db_types import utcnow
from needs.services import claim_need
from tests.factories import DOWNTOWN
from tests.jobs import finish_job


def test_home_shows_awaiting_verification_stale_claims_and_unreachable_needs(make, browser):
    partner = make.partner(name="Helpers")
    member = make.user("partner", partner=partner)
    make.completed_need(member, {"volunteers": 2}, title="Done, check it")
    old = make.need(title="Claimed long ago")
    claim_need(member.actor, old.id, now=utcnow() - timedelta(days=20))
    make.need(title="Beyond everyone", latitude=DOWNTOWN[0] + 0.8)
    make.need(title="Nobody mows", capability="lot_mowing")
    page = browser(make.user("coordinator")).text("/coordinator/")
    awaiting = page[page.index('id="awaiting"') : page.index('id="stale"')]
    stale = page[page.index('id="stale"') : page.index('id="unreachable"')]
    unreachable = page[page.index('id="unreachable"') : page.index('id="open"')]
    assert "Done, check it" in awaiting and "Helpers" in awaiting
    assert "Claimed long ago" in stale and "not started within" in stale
    assert "Beyond everyone" in unreachable and "Nobody mows" in unreachable
    assert "Done, check it" not in unreachable


def test_home_lists_needs_reachable_only_by_partners_who_are_full(make, browser):
    partner = make.partner(
        name="Full Crew", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}]
    )
    member = make.user("partner", partner=partner)
    claim_need(member.actor, make.need(title="Taken this week").id)
    make.need(title="Waits for next week")
    page = browser(make.user("coordinator")).text("/coordinator/")
    full = page[page.index('id="full-h"') : page.index('id="open"')]
    assert "Waits for next week" in full


def test_home_shows_where_the_city_plan_leaves_needs_unmet(make, browser):
    make.partner(
        name="One Slot", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}]
    )
    for _ in range(3):
        make.need(neighbourhood="Downtown")
    page = browser(make.user("coordinator")).text("/coordinator/")
    section = page[page.index('id="shortfall-h"') : page.index('id="open"')]
    assert "Where the city plan leaves needs unmet" in section and "Computed now" in section
    row = re.search(r"<td>Downtown</td><td>Litter cleanup</td>(.*?)</tr>", section, re.S)
    assert row and re.findall(r"<td>(\d+)</td>", row.group(1)) == ["3", "1", "2"]


def test_home_counts_open_needs_by_neighbourhood_and_capability(make, browser):
    for _ in range(3):
        make.need()
    make.need(capability="lot_mowing")
    page = browser(make.user("coordinator")).text("/coordinator/")
    assert "Open needs by neighbourhood and capability (4)" in page
    assert "capability=litter_cleanup" in page and ">3</a>" in page


def test_need_page_shows_who_can_act_here_with_reasons(make, browser):
    partner = make.partner(name="Closest Crew")
    make.partner(name="Mowers Only", capabilities=[{"capability": "lot_mowing"}])
    need = make.need()
    page = browser(make.user("coordinator")).text(f"/needs/{need.id}")
    section = page[page.index('id="suggestions-h"') : page.index('id="history-h"')]
    assert "Closest Crew" in section and "Mowers Only" not in section
    assert f'href="/partners/{partner.id}"' in section and 'class="reasons rated"' in section
    # a coordinator's words, the city's units; only real reasons are ticked (class positive)
    assert '<li class="positive">their base is 0.1 mi away</li>' in section
    assert '<li class="positive">3 of 3 weekly slots left this week</li>' in section
    assert '<li class="neutral">no track record yet</li>' in section
    assert "match score" in section and "of 100" in section and "out of 100" in section
    assert "No city plan" not in section and "Chosen by the latest plan" not in section


def _crew(make, name, slots, latitude=DOWNTOWN[0]):
    return make.partner(
        name=name,
        base_latitude=latitude,
        service_radius_km=3,
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": slots}],
    )


def _section(page):
    return page[page.index('id="suggestions-h"') : page.index('id="history-h"')]


def _suggestion(section, partner):
    start = section.index(f'id="suggestion-{partner.id}"')
    end = section.find("<li value=", start)
    return section[start : end if end > 0 else None]


def test_need_page_shows_the_planned_partner_and_why_a_nearer_one_was_not_chosen(make, browser):
    near = _crew(make, "Near Crew", 1)
    far = _crew(make, "Far Crew", 5, latitude=DOWNTOWN[0] + 0.02)
    lots = [make.need(title=f"Lot {i}", latitude=DOWNTOWN[0] + 0.002 * i) for i in range(2)]
    coordinator = browser(make.user("coordinator"))
    finish_job(coordinator, coordinator.post("/plans/run"))
    pages_by_lot = {n.id: _section(coordinator.text(f"/needs/{n.id}")) for n in lots}
    far_lots = [
        i for i, sec in pages_by_lot.items() if "Chosen by the latest plan" in _suggestion(sec, far)
    ]
    assert len(far_lots) == 1  # Near Crew's one weekly slot went to the other lot
    section = pages_by_lot[far_lots[0]]
    assert section.index(f'id="suggestion-{near.id}"') < section.index(f'id="suggestion-{far.id}"')
    assert (
        "latest city plan (#" in section and "chose <strong>Far Crew</strong> (number 2" in section
    )
    near_row = _suggestion(section, near)
    assert "Chosen by the latest plan" not in near_row
    assert (
        "not chosen by the latest plan: their only free slot this week is taken by another "
        "planned task" in near_row
    )
    assert 'class="planned"' in _suggestion(section, far)


def test_need_page_says_which_tie_break_decided(make, browser):
    one_slot = _crew(make, "One Slot", 1)
    roomy = _crew(make, "Roomy", 5)  # same point, both new: the same score
    need = make.need()
    section = _section(browser(make.user("coordinator")).text(f"/needs/{need.id}"))
    assert section.index("Roomy") < section.index("One Slot")
    assert "same score as the next; more free slots this week (5 vs 1)" in _suggestion(
        section, roomy
    )
    assert "same score" not in _suggestion(section, one_slot)


def test_need_page_says_when_the_planned_partner_is_no_longer_listed(make, browser):
    crew = _crew(make, "Busy Crew", 1)
    other = _crew(make, "Other Crew", 5, latitude=DOWNTOWN[0] + 0.02)
    member = make.user("partner", partner=crew)
    need = make.need(title="Planned lot")
    coordinator = browser(make.user("coordinator"))
    finish_job(coordinator, coordinator.post("/plans/run"))
    assert "Chosen by the latest plan" in _suggestion(
        _section(coordinator.text(f"/needs/{need.id}")), crew
    )
    claim_need(member.actor, make.need(title="Claimed instead").id)  # its one slot is used
    section = _section(coordinator.text(f"/needs/{need.id}"))
    assert "chose Busy Crew, who is not listed: they have no slot left this week now" in section
    assert f'id="suggestion-{crew.id}"' not in section
    assert "Chosen by the latest plan" not in _suggestion(section, other)


def test_need_page_says_when_nobody_can_act(make, browser):
    need = make.need(capability="lot_mowing")
    page = browser(make.user("coordinator")).text(f"/needs/{need.id}")
    assert "No active partner with this capability" in page


def test_partner_members_see_no_suggestions_section(make, browser):
    partner = make.partner()
    need = make.need()
    page = browser(make.user("partner", partner=partner)).text(f"/needs/{need.id}")
    assert "Who can act here" not in page


def _crew_lot_and_coordinator(make, client, crew: str, lot: str):
    """A partner named `crew` with one member, an open need titled `lot` it can do, and a
    coordinator's client: (coordinator's client, the member)."""
    member = make.user("partner", partner=make.partner(name=crew))
    make.need(title=lot)
    return client(make.user("coordinator")), member


def _offer_the_first_assignment(coordinator, plan_path: str) -> None:
    """Offer the first assignment on a plan's page to its partner, as the page's button does."""
    assignment = re.search(r'name="assignment" value="(\d+)"', coordinator.text(plan_path))
    coordinator.post(f"{plan_path}/offer", {"assignment": assignment.group(1)})


def _offers(tasks_page: str) -> str:
    """The offers section of a partner's tasks page."""
    return tasks_page[tasks_page.index('id="offers-h"') : tasks_page.index('id="capacity-h"')]


def test_a_coordinator_runs_a_plan_offers_a_task_and_the_partner_accepts_it(make, browser):
    coordinator, member = _crew_lot_and_coordinator(make, browser, "Planned Crew", "Planned lot")
    assert "No plan has been run yet." in coordinator.text("/plans/")
    plan_path = finish_job(coordinator, coordinator.post("/plans/run"))
    plan_page = coordinator.text(plan_path)
    assert "Planned Crew" in plan_page and "Planned lot" in plan_page
    _offer_the_first_assignment(coordinator, plan_path)
    assert "Offered 1 task." in coordinator.text(plan_path)
    crew = browser(member)
    offers = _offers(crew.text("/tasks/"))
    assert "Planned lot" in offers
    accept = re.search(r'action="(/tasks/offers/\d+/\d+/accept)"', offers).group(1)
    crew.post(accept)
    assert "Accepted" in crew.text("/tasks/")
    assert "Planned lot" in crew.text("/tasks/claims")
    assert "Accepted" in coordinator.text(plan_path)


def test_a_partner_declines_an_offer_with_a_note(make, browser):
    coordinator, member = _crew_lot_and_coordinator(make, browser, "Busy Crew", "Declined lot")
    plan_path = finish_job(coordinator, coordinator.post("/plans/run"))
    _offer_the_first_assignment(coordinator, plan_path)
    crew = browser(member)
    decline = re.search(r'action="(/tasks/offers/\d+/\d+/decline)"', crew.text("/tasks/"))
    crew.post(decline.group(1), {"note": "No volunteers this week"})
    assert "Declined" in crew.text("/tasks/")
    assert "Declined" in coordinator.text(plan_path)


def test_outreach_reads_plans_but_cannot_run_them(make, browser):
    outreach = browser(make.user("outreach"))
    assert "Run the city plan" not in outreach.text("/plans/")
    assert outreach.post("/plans/run").status_code == 403


def test_directory_filters_by_sector_capability_neighbourhood_and_status(make, browser):
    make.partner(name="Church Crew", sector="faith_based", service_neighbourhoods=["Downtown"])
    make.partner(
        name="Mowers Inc",
        sector="business",
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 2}],
    )
    make.partner(name="Waiting Group", status="pending")
    client = browser(make.user("outreach"))
    assert "Church Crew" in client.text("/partners/?sector=faith_based")
    page = client.text("/partners/?capability=lot_mowing")
    assert "Mowers Inc" in page and "Church Crew" not in page
    page = client.text("/partners/?neighbourhood=Downtown")
    assert "Church Crew" in page and "Mowers Inc" not in page
    page = client.text("/partners/?status=pending")
    assert "Waiting Group" in page and "Church Crew" not in page
    assert "Church Crew" in client.text("/partners/?sector=not-a-sector")


def test_partner_page_shows_contacts_to_outreach_but_not_to_viewers(make, browser):
    partner = make.partner(name="Contact Test")
    outreach_page = browser(make.user("outreach")).text(f"/partners/{partner.id}")
    viewer_page = browser(make.user("viewer")).text(f"/partners/{partner.id}")
    assert "Pat Contact" in outreach_page and "partner-map" in outreach_page
    assert "Pat Contact" not in viewer_page and "city staff only" in viewer_page


def test_partner_page_shows_its_record(make, browser):
    partner = make.partner(name="Recorded")
    member = make.user("partner", partner=partner)
    make.completed_need(member, {"volunteers": 3, "hours": 9.0})
    page = browser(make.user("coordinator")).text(f"/partners/{partner.id}")
    assert "<strong>1</strong> task completed" in page
    assert "<strong>9</strong> volunteer hours" in page


def test_the_plan_page_says_the_plan_is_proven_best_and_what_moved_since_the_last(make, pages):
    make.partner(name="Steady Crew")
    make.need(title="Steady lot")
    coordinator = pages(make.user("coordinator"))
    first = finish_job(coordinator, coordinator.post("/plans/run"))
    page = coordinator.text(first)
    assert "Proven best plan" in page
    assert "Against plan" not in page  # the first plan has no baseline
    second = finish_job(coordinator, coordinator.post("/plans/run"))
    page = coordinator.text(second)
    first_id = first.rstrip("/").rsplit("/", 1)[-1]
    assert f"Against plan #{first_id}: 1 of 1 standing tasks kept with the same partner" in page
    assert "0 moved to another partner" in page
    listing = coordinator.text("/plans/")
    assert "Proven best" in listing and "0 of 1" in listing


def test_plan_reasons_are_written_for_whoever_reads_them(make, pages):
    coordinator, member = _crew_lot_and_coordinator(make, pages, "Voice Crew", "Voiced lot")
    plan_path = finish_job(coordinator, coordinator.post("/plans/run"))
    plan_page = coordinator.text(plan_path)
    assert "their base is" in plan_page and "from your base" not in plan_page
    _offer_the_first_assignment(coordinator, plan_path)
    offers = _offers(pages(member).text("/tasks/"))
    assert "from your base" in offers and "their base is" not in offers
