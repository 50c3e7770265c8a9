"""KPIs through the API on a hand-built history: every figure checked against the arithmetic
done by hand, and the filters by capability and neighbourhood."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.actor import Actor
from accounts.roles import Role
from needs.services import (
    claim_need,
    close_need,
    complete_need,
    reopen_need,
    start_need,
    update_need,
    verify_need,
)
from tests.statements import counted_queries

DOWNTOWN = (30.4515, -91.1871)
COORDINATOR = Actor(user_id=None, role=Role.COORDINATOR, label="test")


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 17, tzinfo=UTC)


@pytest.fixture
def history(make):
    """Need A (litter): posted 2 Mar, claimed 4 Mar, completed 8 Mar, verified 10 Mar.
    Need B (mowing, Scotlandville): posted 3 Mar, claimed 7 Mar, completed 2 Apr, reopened 3 Apr.
    Need C: posted 1 Apr, cancelled 2 Apr.  Need D: posted 5 Apr, open."""
    litter = make.partner(
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 5}],
    )
    mower = make.partner(
        base_latitude=30.5214,
        base_longitude=-91.1829,
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 5}],
    )
    p1 = Actor(user_id=None, role=Role.PARTNER, partner_id=litter.id, label="p1")
    p2 = Actor(user_id=None, role=Role.PARTNER, partner_id=mower.id, label="p2")
    a = make.need(now=at(3, 2), neighbourhood="Downtown")
    claim_need(p1, a.id, now=at(3, 4))
    start_need(p1, a.id, now=at(3, 5))
    report = {"volunteers": 4, "hours": 10.0, "units": 5, "unit_kind": "bags"}
    complete_need(p1, a.id, report, now=at(3, 8))
    verify_need(COORDINATOR, a.id, now=at(3, 10))
    b = make.need(
        now=at(3, 3),
        capability="lot_mowing",
        latitude=30.5220,
        longitude=-91.1830,
        neighbourhood="Scotlandville",
    )
    claim_need(p2, b.id, now=at(3, 7))
    start_need(p2, b.id, now=at(3, 8))
    complete_need(p2, b.id, {"volunteers": 9, "hours": 20.0}, now=at(4, 2))
    reopen_need(COORDINATOR, b.id, "Closed, not fixed.", now=at(4, 3))
    c = make.need(now=at(4, 1), neighbourhood="Downtown")
    close_need(COORDINATOR, c.id, "cancel", "Owner cleaned it.", now=at(4, 2))
    d = make.need(now=at(4, 5), neighbourhood="Downtown")
    return {
        "viewer": make.user("viewer"),
        "member": make.user("partner", partner=litter),
        "litter": p1,
        "d": d,
    }


def test_kpis_for_march_and_april_match_the_hand_arithmetic(api, history):
    response = api(history["viewer"].token).get(
        "/api/v1/performance/?start=2026-03-01&end=2026-04-30"
    )
    assert response.status_code == 200, response.json
    kpis = response.json
    assert [m["month"] for m in kpis["months"]] == ["2026-03", "2026-04"]
    march, april = kpis["months"]
    assert (march["posted"], march["claimed"], march["completed"], march["verified"]) == (
        2,
        2,
        1,
        1,
    )
    assert march["partners_active"] == 2
    assert (april["posted"], april["completed"], april["reopened"]) == (2, 1, 1)
    assert april["partners_active"] == 1
    assert kpis["time_to_claim"]["median_days"] == 3.0  # 2 and 4 days
    assert kpis["time_to_complete"]["median_days"] == 18.0  # 6 and 30 days
    assert kpis["time_to_complete"]["by_capability"]["lot_mowing"]["median_days"] == 30.0
    assert kpis["time_to_claim"]["by_neighbourhood"]["Scotlandville"]["median_days"] == 4.0
    assert kpis["resolution"] == {"resolved": 2, "by_partners": 1, "share_by_partners": 0.5}
    assert kpis["reopen_rate"] == 0.5
    assert kpis["work"]["volunteer_hours"] == 10.0  # the reopened report does not count
    assert kpis["work"]["units"] == {"bags": 5.0}
    assert kpis["totals"]["partners_active"] == 2


def test_kpis_filtered_by_capability_and_neighbourhood(api, history):
    client = api(history["viewer"].token)
    mowing = client.get(
        "/api/v1/performance/?start=2026-03-01&end=2026-04-30&capability=lot_mowing"
    ).json
    assert mowing["totals"]["posted"] == 1 and mowing["totals"]["reopened"] == 1
    assert mowing["reopen_rate"] == 1.0 and mowing["resolution"]["resolved"] == 0
    downtown = client.get(
        "/api/v1/performance/?start=2026-03-01&end=2026-04-30&neighbourhood=Downtown"
    ).json
    assert downtown["totals"]["posted"] == 3 and downtown["totals"]["verified"] == 1


def test_a_period_before_anything_happened_is_empty(api, history):
    empty = (
        api(history["viewer"].token)
        .get("/api/v1/performance/?start=2025-01-01&end=2025-01-31")
        .json
    )
    assert empty["totals"]["posted"] == 0 and empty["reopen_rate"] is None


def test_an_inverted_range_is_a_422(api, history):
    response = api(history["viewer"].token).get(
        "/api/v1/performance/?start=2026-05-01&end=2026-04-01"
    )
    assert response.status_code == 422


def test_partner_members_do_not_see_the_dashboard(api, history):
    assert api(history["member"].token).get("/api/v1/performance/").status_code == 403


def test_a_kept_report_is_served_again_and_every_change_shows_at_once(api, history, make):
    # KPI reports are kept per process by a fingerprint of what they count
    # (planning.queries.city_version, HISTORY_PARTS): seen again without recounting, and changed by
    # a new need, a claim's work report and a need's edit on the very next request.
    client = api(history["viewer"].token)
    url = "/api/v1/performance/?start=2026-03-01&end=2026-04-30"
    first = client.get(url).json
    with counted_queries() as statements:
        assert client.get(url).json == first
    assert statements and not any("GROUP BY" in s or "row_number" in s for s in statements)

    make.need(now=at(4, 20), neighbourhood="Downtown")
    posted = client.get(url).json
    assert posted["totals"]["posted"] == first["totals"]["posted"] + 1

    partner, d = history["litter"], history["d"]
    claim_need(partner, d.id, now=at(4, 21))
    start_need(partner, d.id, now=at(4, 22))
    complete_need(partner, d.id, {"volunteers": 3, "hours": 4.5}, now=at(4, 23))
    done = client.get(url).json
    assert done["totals"]["completed"] == posted["totals"]["completed"] + 1
    assert done["work"]["volunteer_hours"] == posted["work"]["volunteer_hours"] + 4.5

    litter = url + "&capability=litter_cleanup"
    before = client.get(litter).json["totals"]["posted"]
    update_need(COORDINATOR, d.id, {"capability": "lot_mowing"})
    assert client.get(litter).json["totals"]["posted"] == before - 1
