"""The coverage-gap page shows the right numbers on a hand-built city; the dashboard shows the
KPIs with SVG charts; the open-data report is public and holds no personal data."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from commonground.db_types import utcnow
from needs.services import verify_need
from planning.services import run_city_plan

DOWNTOWN = (30.4515, -91.1871)
SCOTLANDVILLE = (30.5214, -91.1829)


@pytest.fixture
def city(make):
    """Downtown: 3 litter needs (3 h each) reached by two partners with 4 + 6 volunteer hours a
    week, and a board-up nobody does. Scotlandville: one mowing need (2.5 h), a mower with 3 h."""
    make.partner_doing("litter_cleanup", 1, hours=4, name="Near Cleaners", service_radius_km=3)
    make.partner_doing("litter_cleanup", 5, hours=6, at=(30.47, DOWNTOWN[1]), name="Far Cleaners")
    make.partner_doing(
        "lot_mowing", 2, hours=3, at=SCOTLANDVILLE, name="North Mowers", service_radius_km=2
    )
    for i in range(3):
        make.need(
            latitude=DOWNTOWN[0] + 0.002 * i,
            longitude=DOWNTOWN[1],
            neighbourhood="Downtown",
            effort_hours=3.0,
        )
    make.need(
        capability="board_up",
        title="Open doors, nobody boards up",
        neighbourhood="Downtown",
        effort_hours=4.0,
    )
    make.need(
        capability="lot_mowing",
        latitude=SCOTLANDVILLE[0] + 0.003,
        longitude=SCOTLANDVILLE[1],
        neighbourhood="Scotlandville",
        effort_hours=2.5,
        title="Tall grass",
    )
    return {
        "coordinator": make.user("coordinator"),
        "outreach": make.user("outreach"),
        "viewer": make.user("viewer"),
    }


WORDS = {"ok": "all planned", "short": "needs unmet", "none": "nobody reaches"}


def _cell(html: str, row: str) -> list[tuple[str, str]]:
    """(grade, text) of each filled cell in a neighbourhood's row of the gap matrix; each cell
    links to the open needs behind it and says its status in words as well as colour."""
    found = re.search(rf'<th scope="row">{row}</th>(.*?)</tr>', html, re.S)
    assert found, row
    cells = re.findall(
        r'<td class="gap-(\w+)"><a href="([^"]+)"[^>]*>([^<]*)<span[^>]*>[^<]*</span></a>'
        r'<br><span class="gap-word">([^<]*)</span></td>',
        found.group(1),
    )
    for grade, link, _, words in cells:
        assert words == WORDS[grade]
        assert "status=open" in link and "capability=" in link and "neighbourhood=" in link
    return [(grade, text) for grade, _, text, _ in cells]


def test_the_gap_page_shows_what_the_plan_leaves_unmet_and_where_to_recruit(browser, city):
    web = browser(city["outreach"].user.email)
    page = web.get("/coverage/gaps")
    assert page.status_code == 200
    assert "Computed now (" in page.text and "no city plan has been run yet" in page.text
    # Columns in code order: board_up, litter_cleanup, lot_mowing; each cell unmet of open.
    assert _cell(page.text, "Downtown") == [("none", "1 of 1"), ("ok", "0 of 3")]
    assert _cell(page.text, "Scotlandville") == [("ok", "0 of 1")]
    # Litter: Near Cleaners' one slot (4 h a week) and two of Far Cleaners' five (6 h a week).
    cells = page.text.split("Unmet needs and capacity allocated", 1)[1]
    litter = re.search(r"<td>Downtown</td><td>Litter cleanup</td>(.*?)</tr>", cells, re.S)
    assert litter, cells
    assert [*re.findall(r"<td>([^<]*)</td>", litter.group(1))][:4] == ["3", "3", "0", "0.0"]
    assert "3 tasks, 6.4 h: Near Cleaners (1), Far Cleaners (2)" in litter.group(1)
    assert "Needs no partner can reach (1)" in page.text
    assert "Open doors, nobody boards up" in page.text
    recruitment = page.text.split("Recruitment targets", 1)[1]
    assert re.search(
        r"Recruit <strong>an organisation</strong> that does <strong>Board-up of vacant "
        r"structures</strong> near <strong>Downtown</strong> \([-0-9., ]+\): <strong>1</strong>"
        r" unmet needs within 3.0 km",
        recruitment,
    )
    assert "Nobody does this nearby yet." in recruitment
    only_mowing = web.get("/coverage/gaps?capability=lot_mowing&radius_km=3")
    assert "No unmet demand to recruit for in this capability" in only_mowing.text


def test_the_gap_page_names_the_stored_plan_it_reads(browser, city, make):
    plan = run_city_plan(city["coordinator"].actor)
    make.need(title="Posted after the plan", neighbourhood="Downtown")
    web = browser(city["outreach"].user.email)
    page = web.get("/coverage/gaps")
    assert f"From plan #{plan.id} of {plan.created_at:%Y-%m-%d %H:%M} UTC" in page.text
    assert "1 of the unmet needs were posted after this plan" in page.text
    assert _cell(page.text, "Downtown") == [("none", "1 of 1"), ("short", "1 of 4")]


def test_viewers_may_not_see_the_gap_page(browser, city):
    web = browser(city["viewer"].user.email)
    assert web.get("/coverage/gaps").status_code == 403


def test_the_dashboard_shows_kpis_with_charts_and_filters(browser, client, city, make):
    member = make.user("partner", partner=make.partner(name="Doers"))
    need = make.completed_need(member, {"volunteers": 3, "hours": 7.5}, neighbourhood="Downtown")
    verify_need(city["coordinator"].actor, need.id)
    web = browser(city["viewer"].user.email)
    page = web.get("/performance/")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3
    assert "<strong>6</strong> needs posted" in page.text
    assert "<strong>1</strong> verified" in page.text
    assert "<strong>7.5</strong> volunteer hours" in page.text
    assert "100%" in page.text  # the one resolved need was resolved by a partner
    # The month as the city sees it: just after midnight UTC it is still last month there.
    zone = ZoneInfo(client.application.config["CITY_TIMEZONE"])
    month = utcnow().astimezone(zone).strftime("%Y-%m")
    filtered = web.get(f"/performance/?start={month}-01&capability=board_up")
    assert "<strong>1</strong> needs posted" in filtered.text
    assert web.get("/performance/?start=yesterday").status_code == 422


def test_the_open_data_report_is_public_and_has_no_personal_data(client, city, make):
    member = make.user("partner", partner=make.partner(name="Doers"))
    make.completed_need(
        member,
        {"volunteers": 3, "hours": 7.5, "notes": "Met Mr Secret"},
        neighbourhood="Downtown",
        reporter_name="Rita Resident",
    )
    year = utcnow().year
    page = client.get(f"/open-data/{year}")  # nobody signed in
    assert page.status_code == 200
    assert f"open data report {year}" in page.text
    assert "<strong>1</strong> completed by partners" in page.text
    assert 'class="point point-done"' in page.text
    data = client.get(f"/open-data/{year}.json")
    assert data.status_code == 200 and len(data.json["completed_work"]) == 1
    for private in ("Rita Resident", "Mr Secret", "225-555", "@partner.example", "Doers"):
        assert private not in page.text and private not in data.text
    assert client.get("/open-data/").status_code == 302
    assert client.get(f"/open-data/{year + 1}").status_code == 422
