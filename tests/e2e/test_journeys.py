"""A need's whole life in a real browser, one journey per role: the coordinator posts it and
sees its pin, a partner member finds it in "tasks near us", claims, starts and completes it with
a report, and the coordinator verifies it and reads every step in its history.
"""

from __future__ import annotations

import re

from commonground.extensions import db
from needs.services import claim_need
from tests.factories import DOWNTOWN

LOT = (DOWNTOWN[0] + 0.004, DOWNTOWN[1] - 0.003)


def _people(make):
    partner = make.partner(
        name="Mid City Cleanup Crew",
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 3}],
    )
    coordinator = make.user("coordinator")
    member = make.user("partner", partner=partner)
    db.session.commit()
    return coordinator, member, partner


def test_coordinator_posts_a_need_at_an_address_and_sees_its_pin(make, visitor):
    coordinator, _, _ = _people(make)
    tab = visitor()
    tab.sign_in(coordinator.user.email)
    page = tab.page
    tab.go("/needs/new")
    page.wait_for_selector("#pick-map[data-ready]")
    tab.screenshot("coordinator-post-need-empty")
    page.get_by_label("Title").fill("Litter along the bus stop")
    page.get_by_label("Capability needed").select_option("litter_cleanup")
    # An address point of the city's geocoder (the offline gazetteer), typed as people do.
    page.get_by_label("Address").fill("1000 North Street")
    page.get_by_role("button", name="Find the address on the map").click()
    status = page.locator("#pick-map + .map-status")
    status.filter(has_text=re.compile("Found")).wait_for()
    page.wait_for_selector("#pick-map .pick-marker")
    assert page.locator("#latitude").input_value() == "30.450746"
    page.get_by_label("Priority (1 most urgent)").select_option("2")
    tab.screenshot("coordinator-post-need-filled")
    page.get_by_role("button", name="Post the need").click()

    page.get_by_text(re.compile(r"Need #\d+ posted: Litter along the bus stop")).wait_for()
    assert page.locator("h1").inner_text().endswith("Litter along the bus stop")
    assert tab.wait_for_markers("#need-map") == 1
    assert page.locator("#need-map .need-marker").count() == 1
    tab.screenshot("coordinator-need-page")

    tab.go("/needs/")
    assert tab.wait_for_markers("#needs-map") >= 1
    assert page.get_by_role("link", name=re.compile("Litter along the bus stop")).count() == 1
    tab.screenshot("coordinator-needs-map")


def test_partner_member_claims_starts_and_completes_a_task_near_them(make, visitor):
    _, member, partner = _people(make)
    need = make.need(title="Bags of litter behind the library", latitude=LOT[0], longitude=LOT[1])
    far = make.need(title="Litter far away", latitude=DOWNTOWN[0] + 0.5, longitude=DOWNTOWN[1])
    db.session.commit()
    tab = visitor()
    tab.sign_in(member.user.email)
    page = tab.page
    tab.go("/tasks/")
    assert tab.wait_for_markers("#tasks-map") == 1
    task = page.locator(f"#task-{need.id}")
    assert (
        page.get_by_role("heading", name=re.compile("ranked by the matching engine")).count() == 1
    )
    assert task.locator(".reasons li").count() >= 1
    assert (
        task.get_by_role("link", name=re.compile("Bags of litter behind the library")).count() == 1
    )
    assert page.locator(f"#task-{far.id}").count() == 0
    tab.screenshot("partner-tasks-near-us")

    task.get_by_role("button", name=re.compile("Claim")).click()
    page.get_by_text("Claimed.").wait_for()
    tab.screenshot("partner-our-claims")
    page.locator(f"#claim-{need.id}").get_by_role("button", name=re.compile("Start work")).click()
    page.get_by_text("Work started.").wait_for()
    page.locator(f"#claim-{need.id}").get_by_role("link", name=re.compile("Report it done")).click()
    page.get_by_label("Volunteers").fill("6")
    page.get_by_label("Volunteer hours").fill("12")
    page.get_by_label("Units").fill("18")
    page.get_by_label(re.compile("Unit kind")).fill("bags")
    page.get_by_label("Notes").fill("Cleared the whole lot.")
    tab.screenshot("partner-completion-report")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text("Reported done. The city will verify it.").wait_for()
    assert page.get_by_text("waiting for the city to verify").count() == 1

    tab.go("/tasks/history")
    assert "18 bags" in page.locator(".summary").inner_text()
    assert "12 volunteer hours" in page.locator(".summary").inner_text()
    tab.screenshot("partner-impact")
    tab.go("/profile/")
    page.wait_for_selector("#area-map[data-ready]")
    assert page.get_by_role("checkbox", name="Litter cleanup").is_checked()
    tab.screenshot("partner-profile")
    assert partner.name in page.locator("h1").inner_text()


def test_partner_member_is_told_when_someone_else_claimed_first(make, visitor):
    _, member, _ = _people(make)
    rival_partner = make.partner(name="Rival Volunteers")
    rival = make.user("partner", partner=rival_partner)
    need = make.need(title="Contested lot", latitude=LOT[0], longitude=LOT[1])
    db.session.commit()
    tab = visitor()
    tab.sign_in(member.user.email)
    tab.go("/tasks/")
    claim_need(rival.actor, need.id)  # the rival is faster, between our page load and our click
    db.session.commit()
    tab.page.locator(f"#task-{need.id}").get_by_role("button", name=re.compile("Claim")).click()
    alert = tab.page.get_by_role("alert")
    alert.wait_for()
    assert "Rival Volunteers claimed this just now" in alert.inner_text()
    assert tab.page.get_by_role("heading", name="Similar tasks nearby").is_visible()
    assert tab.serious_accessibility_violations() == []


def test_coordinator_verifies_a_completion_and_the_history_shows_every_step(make, visitor):
    coordinator, member, partner = _people(make)
    make.completed_need(
        member,
        {"volunteers": 4, "hours": 8.0, "notes": "All clear."},
        title="Litter on Government Street",
        latitude=LOT[0],
        longitude=LOT[1],
    )
    db.session.commit()
    tab = visitor()
    tab.sign_in(coordinator.user.email)
    page = tab.page
    tab.go("/coordinator/")
    awaiting = page.locator("#awaiting")
    assert awaiting.get_by_role("link", name=re.compile("Litter on Government Street")).count() == 1
    tab.screenshot("coordinator-home")
    awaiting.get_by_role("link", name=re.compile("Litter on Government Street")).click()
    page.get_by_label("Note (optional)").fill("Checked on site.")
    page.get_by_role("button", name="Verify the completion").click()
    page.get_by_text("Completion verified.").wait_for()
    assert "Verified" in page.locator(".need-status").inner_text()
    steps = page.locator(".timeline .event-action").all_inner_texts()
    assert steps == ["Post", "Claim", "Start", "Complete", "Verify"]
    history = page.locator(".timeline").inner_text()
    assert partner.name in history and "Checked on site." in history
    tab.screenshot("coordinator-verified-need")


def test_the_whole_journey_across_three_people(make, visitor):
    coordinator, member, _ = _people(make)
    city = visitor()
    city.sign_in(coordinator.user.email)
    city.go("/needs/new")
    city.page.get_by_label("Title").fill("Dumped tyres at the corner")
    city.page.get_by_label("Capability needed").select_option("litter_cleanup")
    # The address alone (no pin): looked up when the need is posted.
    city.page.get_by_label("Address").fill("1000 North St")
    city.page.get_by_role("button", name="Post the need").click()
    city.page.get_by_text("posted").wait_for()
    need_path = city.page.url.removeprefix(city.base_url)

    crew = visitor()
    crew.sign_in(member.user.email)
    crew.go("/tasks/")
    crew.page.get_by_role("button", name=re.compile("Claim.*Dumped tyres")).click()
    crew.go(need_path)
    crew.page.get_by_role("button", name="Start work").click()
    crew.page.get_by_role("link", name="Report it done").click()
    crew.page.get_by_label("Volunteers").fill("3")
    crew.page.get_by_role("button", name="Send the report").click()
    crew.page.get_by_text("Reported done. The city will verify it.").wait_for()

    city.go(need_path)
    city.page.get_by_role("button", name="Verify the completion").click()
    city.page.get_by_text("Completion verified.").wait_for()
    steps = city.page.locator(".timeline .event-action").all_inner_texts()
    assert steps == ["Post", "Claim", "Start", "Complete", "Verify"]


def test_coordinator_runs_a_plan_and_offers_a_task_the_partner_accepts(make, visitor, worker):
    coordinator, member, partner = _people(make)
    make.need(title="Planned cleanup", latitude=LOT[0], longitude=LOT[1])
    db.session.commit()
    worker.start()
    city = visitor()
    city.sign_in(coordinator.user.email)
    city.go("/plans/")
    city.page.get_by_role("button", name="Run the city plan").click()
    city.page.wait_for_selector('.job-state[data-status="succeeded"]', timeout=30000)
    city.page.locator("a.job-result").click()
    city.page.wait_for_url(re.compile(r"/plans/\d+$"))
    group = city.page.locator("section.plan-partner", has_text=partner.name)
    assert group.get_by_text("Planned cleanup").count() == 1
    city.screenshot("coordinator-plan")
    group.get_by_role("button", name=re.compile("Offer all 1")).click()
    city.page.get_by_text("Offered 1 task.").wait_for()

    crew = visitor()
    crew.sign_in(member.user.email)
    crew.go("/tasks/")
    offers = crew.page.locator("section.offers")
    assert offers.get_by_role("link", name=re.compile("Planned cleanup")).count() == 1
    crew.screenshot("partner-offers")
    offers.get_by_role("button", name=re.compile("Accept")).click()
    crew.page.get_by_text("Accepted: the task is in “Our claims”.").wait_for()
    crew.go("/tasks/claims")
    assert crew.page.get_by_role("link", name=re.compile("Planned cleanup")).count() == 1
