"""Each role lands on its own home after signing in, the menu groups the pages a person may
use, and the coordinator's home carries its actions in the rows (verify, offer)."""

from __future__ import annotations

import re

import pytest

from accounts.actor import SYSTEM
from commonground.extensions import db
from needs.models import Need
from planning.models import PlanAssignment
from planning.services import run_city_plan

HOMES = {
    "coordinator": "/coordinator/",
    "admin": "/coordinator/",
    "partner": "/tasks/",
    "outreach": "/outreach",
    "viewer": "/needs/",
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home_after_signing_in(make, browser, role):
    person = make.user(role, partner=make.partner() if role == "partner" else None)
    pages = browser()
    signed_in = pages.login(person.user.email)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/home"
    landed = pages.get("/home")
    assert landed.status_code == 302 and landed.headers["Location"] == HOMES[role]
    assert f'<a class="button" href="{HOMES[role]}">Go to your home</a>' in pages.text("/")
    home = pages.text(HOMES[role])
    assert f'href="{HOMES[role]}" aria-current="page">Home</a>' in home


def test_a_sign_in_link_with_a_next_page_still_goes_there(make, browser):
    person = make.user("coordinator")
    response = browser().login(person.user.email, query_string={"next": "/plans/"})
    assert response.headers["Location"] == "/plans/"


def test_the_menu_groups_a_coordinators_pages_and_folds_behind_menu(make, browser):
    page = browser(make.user("coordinator")).text("/coordinator/")
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    assert '<details class="nav-menu">' in nav and "<summary>Menu</summary>" in nav
    groups = [part.split("</summary>")[0].split(">")[-1] for part in nav.split("<summary")[2:]]
    assert groups == ["Needs", "Plans", "Partners"]
    assert nav.count('<details class="nav-group">') == 3
    # the group of the page shown is marked, and its link is the current page
    assert '<summary class="current">Needs</summary>' in nav
    assert 'href="/coordinator/" aria-current="page">Needs attention</a>' in nav


def test_a_partner_menu_shows_only_its_organisation_and_the_needs(make, browser):
    member = make.user("partner", partner=make.partner())
    page = browser(member).text("/tasks/")
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    assert ">Our organisation</summary>" in nav and 'href="/needs/">All needs</a>' in nav
    assert "Partner review" not in nav and "Post a need" not in nav and "Plans" not in nav


def test_the_outreach_home_finds_partners_and_lists_briefings(make, browser):
    make.partner(name="Scotlandville Youth Corps")
    make.partner(name="Garden District Greeners")
    outreach = browser(make.user("outreach"))
    home = outreach.text("/outreach")
    assert 'action="/partners/"' in home and 'name="name"' in home
    assert 'href="/briefings/"' in home and "No briefing stored yet." in home
    found = outreach.text("/partners/?name=youth")
    assert "Scotlandville Youth Corps" in found and "Garden District Greeners" not in found
    assert 'value="youth"' in found and "1 partner" in found


def test_the_directory_name_search_reads_percent_and_underscore_as_letters(make, browser):
    make.partner(name="100% Volunteers")
    make.partner(name="Plain Crew")
    page = browser(make.user("outreach")).text("/partners/?name=%25")
    assert "100% Volunteers" in page and "Plain Crew" not in page


def test_a_completion_is_verified_from_its_row_on_the_coordinator_home(make, browser):
    member = make.user("partner", partner=make.partner(name="Helpers"))
    need = make.completed_need(member, {"volunteers": 2}, title="Done, check it")
    coordinator = browser(make.user("coordinator"))
    home = coordinator.text("/coordinator/")
    awaiting = home[home.index('id="awaiting"') : home.index('id="stale"')]
    assert f'action="/needs/{need.id}/verify"' in awaiting
    response = coordinator.post(
        f"/needs/{need.id}/verify", {"note": "", "next": "/coordinator/#awaiting"}
    )
    assert response.headers["Location"] == "/coordinator/#awaiting"
    assert "Completion verified." in coordinator.text("/coordinator/")
    assert db.session.get(Need, need.id).status == "verified"


def test_a_verify_button_cannot_send_the_coordinator_elsewhere(make, browser):
    member = make.user("partner", partner=make.partner())
    need = make.completed_need(member)
    coordinator = browser(make.user("coordinator"))
    response = coordinator.post(f"/needs/{need.id}/verify", {"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/needs/{need.id}"


def test_the_latest_plans_tasks_are_offered_per_partner_from_the_coordinator_home(make, browser):
    crew = make.partner(name="Offer Crew")
    for _ in range(2):
        make.need()
    plan = run_city_plan(SYSTEM)
    coordinator = browser(make.user("coordinator"))
    home = coordinator.text("/coordinator/")
    offers = home[home.index('id="offers"') : home.index('id="unreachable"')]
    assert "Planned tasks not offered yet (2)" in offers and "Offer Crew" in offers
    action = f"/plans/{plan.id}/partners/{crew.id}/offer"
    assert f'action="{action}"' in offers
    response = coordinator.post(action, {"next": "/coordinator/#offers"})
    assert response.headers["Location"] == "/coordinator/#offers"
    home = coordinator.text("/coordinator/")
    assert "Offered 2 tasks." in home and "Planned tasks not offered yet (0)" in home
    statuses = {a.status for a in PlanAssignment.query.filter_by(plan_id=plan.id)}
    assert statuses == {"offered"}


def test_the_home_lists_the_partners_with_most_tasks_to_offer_and_links_to_the_rest(make, browser):
    # One crew with two slots and twelve one-slot crews at one base point, fourteen needs.
    big = make.partner(
        name="Zed Crew", capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 2}]
    )
    for n in range(12):
        make.partner(
            name=f"Crew {n:02d}",
            capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 1}],
        )
    for _ in range(14):
        make.need()
    plan = run_city_plan(SYSTEM)
    home = browser(make.user("coordinator")).text("/coordinator/")
    offers = home[home.index('id="offers"') : home.index('id="unreachable"')]
    listed = re.findall(r'href="/plans/\d+\?open=(\d+)#partner-\1">([^<]+)</a>', offers)
    assert [name for _, name in listed] == ["Zed Crew"] + [f"Crew {n:02d}" for n in range(9)]
    assert listed[0][0] == str(big.id)
    assert "Planned tasks not offered yet (14)" in offers
    assert f'href="/plans/{plan.id}?waiting=1">All 13 partners with tasks to offer' in offers


def test_offering_a_partners_tasks_is_refused_to_outreach(make, browser):
    crew = make.partner()
    make.need()
    plan = run_city_plan(SYSTEM)
    response = browser(make.user("outreach")).post(f"/plans/{plan.id}/partners/{crew.id}/offer")
    assert response.status_code == 403
