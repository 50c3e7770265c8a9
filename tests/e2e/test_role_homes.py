"""Each role's home in Chromium, on a desktop and on a 375 px phone: the menu folds on a phone,
the task list comes before the map there (the map behind a button), and axe-core finds no
serious or critical accessibility violation on the homes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.actor import SYSTEM
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.services import claim_need
from planning.services import run_city_plan
from tests.factories import DOWNTOWN

WIDTHS = pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])


def _city(make):
    """A partner with a member, a completion to verify, a stale claim, planned tasks."""
    partner = make.partner(name="Garden District Greeners")
    member = make.user("partner", partner=partner)
    make.completed_need(member, {"volunteers": 3}, title="Done on Main St")
    old = make.need(title="Claimed long ago")
    claim_need(member.actor, old.id, now=utcnow() - timedelta(days=20))
    for n in range(6):
        make.need(title=f"Litter {n}", latitude=DOWNTOWN[0] + 0.002 * n)
    run_city_plan(SYSTEM)
    return partner, member


def _sideways(tab) -> int:
    return tab.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@WIDTHS
def test_the_role_homes_have_no_serious_accessibility_violation(make, visitor, width):
    _, member = _city(make)
    people = {
        "/coordinator/": make.user("coordinator"),
        "/tasks/": member,
        "/outreach": make.user("outreach"),
    }
    db.session.commit()
    for home, person in people.items():
        tab = visitor(width=width, height=800)
        tab.sign_in(person.user.email)
        assert tab.page.url.endswith(home)
        if tab.page.locator(".map[data-center]").count():
            tab.page.wait_for_selector(".map[data-ready]", state="attached")
        assert tab.serious_accessibility_violations() == [], home
        if width == 375:
            assert _sideways(tab) <= 1, home
        tab.screenshot(f"home{home.replace('/', '-').rstrip('-')}-{width}")


def test_the_menu_is_open_on_a_desktop_with_groups_that_fold(make, visitor):
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=1280)
    tab.sign_in(coordinator.user.email)
    nav = tab.page.get_by_role("navigation", name="Main")
    assert not nav.get_by_text("Menu", exact=True).is_visible()
    assert nav.get_by_text("Plans", exact=True).is_visible()
    post = nav.get_by_role("link", name="Post a need")
    assert not post.is_visible()
    nav.get_by_text("Needs", exact=True).click()
    post.click()
    tab.page.wait_for_url("**/needs/new")
    header = tab.page.locator(".site-header").bounding_box()
    assert header["height"] < 90, header  # one line, not two lines of links


def test_the_menu_folds_behind_one_button_on_a_phone(make, visitor):
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor(width=375, height=800)
    tab.sign_in(coordinator.user.email)
    nav = tab.page.get_by_role("navigation", name="Main")
    plans = nav.get_by_text("Plans", exact=True)
    assert not plans.is_visible()
    assert tab.page.locator(".site-header").bounding_box()["height"] < 120
    nav.get_by_text("Menu", exact=True).click()
    plans.click()
    nav.get_by_role("link", name="Coverage gaps").click()
    tab.page.wait_for_url("**/coverage/gaps")
    assert _sideways(tab) <= 1


def test_on_a_phone_the_tasks_come_first_and_the_map_waits_behind_a_button(make, visitor):
    _, member = _city(make)
    db.session.commit()
    tab = visitor(width=375, height=800)
    tab.sign_in(member.user.email)
    page = tab.page
    tab.page.wait_for_selector("#tasks-map[data-ready]", state="attached")
    task_list = page.locator("#list-h").bounding_box()
    toggle = page.get_by_role("button", name="Show the map")
    assert toggle.bounding_box()["y"] > task_list["y"]
    assert not page.locator("#tasks-map").is_visible()
    toggle.click()
    assert page.locator("#tasks-map").is_visible()
    assert page.get_by_role("button", name="Hide the map").get_attribute("aria-expanded") == "true"
    assert page.locator("#tasks-map").bounding_box()["height"] > 200
    assert tab.wait_for_markers("#tasks-map") >= 1
    assert tab.serious_accessibility_violations() == []


def test_on_a_desktop_the_map_shows_above_the_tasks_without_a_button(make, visitor):
    _, member = _city(make)
    db.session.commit()
    tab = visitor(width=1280)
    tab.sign_in(member.user.email)
    page = tab.page
    assert page.locator("#tasks-map").is_visible()
    assert page.get_by_role("button", name="Show the map").count() == 0 or not (
        page.get_by_role("button", name="Show the map").is_visible()
    )
    assert page.locator("#map-h").bounding_box()["y"] < page.locator("#list-h").bounding_box()["y"]
