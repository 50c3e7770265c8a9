"""The two pages that are one use case each, without HTTP: a partner's tasks near it
(`tasks_near`) and the coordinator's home (`coordinator_home`).

The coordinator's home used to keep a reach rule of its own beside the engine's (needs/attention.py:
a flat-earth radius at 111.32 km a degree, or a named neighbourhood, among partners with weekly
tasks); the page already showed the engine's figures, and the tests at the end pin where the
engine's rule (matching/feasibility.py) differs from the deleted one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from commonground.db_types import utcnow
from commonground.errors import NotFoundError, PermissionDeniedError
from needs.services import claim_need
from planning.services import (
    NOTHING_RANKED,
    coordinator_home,
    offer_assignment,
    run_city_plan,
    tasks_near,
)
from tests.factories import DOWNTOWN

KM_PER_DEGREE_ON_THE_SPHERE = 6371.0088 * 3.141592653589793 / 180  # 111.195 km


def _crew(make, slots=3, **overrides):
    partner = make.partner(
        name="Crew",
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": slots}],
        **overrides,
    )
    return partner, make.user("partner", partner=partner)


# --- tasks near a partner ---------------------------------------------------------------------


def test_tasks_near_us_puts_the_citys_offer_on_top_and_ranks_the_rest_with_reasons(make):
    partner, member = _crew(make)
    near = make.need(title="Nearby lot", latitude=DOWNTOWN[0] + 0.001)
    further = make.need(title="Further lot", latitude=DOWNTOWN[0] + 0.02)
    coordinator = make.user("coordinator").actor
    plan = run_city_plan(coordinator)
    offered = next(a for a in plan.assignments if a.need_id == near.id)
    offer_assignment(coordinator, plan.id, offered.id)
    found = tasks_near(member.actor, partner.id, now=utcnow())
    assert [o["need_id"] for o in found["offers"]] == [near.id]
    assert found["offers"][0]["distance"] == "0.1 mi"
    assert found["ranked"] is True and found["ranking_note"] == ""
    assert [t["id"] for t in found["tasks"]] == [near.id, further.id]
    first = found["tasks"][0]
    assert first["rank"] == 1 and first["distance"] == "0.1 mi" and first["reason_items"]
    assert found["capacity"] == [{"capability": "litter_cleanup", "tasks_per_week": 3, "used": 0}]
    assert found["partner"]["name"] == "Crew" and found["radius"] == "3.1 mi"
    assert found["truncated"] is False


def test_a_ranked_list_as_long_as_the_limit_says_there_may_be_more(make):
    partner, member = _crew(make)
    for _ in range(3):
        make.need()
    found = tasks_near(member.actor, partner.id, now=utcnow(), limit=2)
    assert len(found["tasks"]) == 2 and found["truncated"] is True


def test_when_the_engine_ranks_nothing_tasks_are_nearest_first_and_it_says_so(make):
    partner, member = _crew(make, slots=1)
    claim_need(member.actor, make.need(title="Taken").id)
    further = make.need(latitude=DOWNTOWN[0] + 0.02)
    nearest = make.need(latitude=DOWNTOWN[0] + 0.001)
    found = tasks_near(member.actor, partner.id, now=utcnow())
    assert found["ranked"] is False and found["ranking_note"] == NOTHING_RANKED
    assert [t["id"] for t in found["tasks"]] == [nearest.id, further.id]
    assert [t["distance"] for t in found["tasks"]] == ["0.1 mi", "1.4 mi"]
    assert found["capacity"][0]["used"] == 1 and found["offers"] == []


def test_a_paused_partner_gets_the_nearest_first_list_too(make):
    partner, member = _crew(make, status="paused")
    need = make.need()
    found = tasks_near(member.actor, partner.id, now=utcnow())
    assert found["partner"]["status"] == "paused"
    assert found["ranked"] is False and [t["id"] for t in found["tasks"]] == [need.id]


def test_members_see_only_their_own_organisations_tasks(make):
    _, member = _crew(make)
    other = make.partner(name="Other Crew")
    with pytest.raises(NotFoundError):
        tasks_near(member.actor, other.id, now=utcnow())


def test_only_partner_members_have_tasks_near_them(make):
    partner, _ = _crew(make)
    with pytest.raises(PermissionDeniedError):
        tasks_near(make.user("coordinator").actor, partner.id, now=utcnow())


# --- the coordinator's home -------------------------------------------------------------------


def test_the_home_has_everything_waiting_on_coordinators_in_one_call(make):
    _, member = _crew(make, slots=5)
    done = make.completed_need(member, {"volunteers": 2}, title="Done, check it")
    claim_need(member.actor, make.need().id, now=utcnow() - timedelta(days=20))
    beyond = make.need(title="Beyond everyone", latitude=DOWNTOWN[0] + 0.8)
    mowing = make.need(title="Nobody mows", capability="lot_mowing", priority=1)
    home = coordinator_home(make.user("coordinator").actor, now=utcnow())
    assert home["matrix"]["total"] == 2
    assert [s["reason"][:22] for s in home["stale"]] == ["Stale: not started wit"]
    assert home["awaiting"]["count"] == 1 and home["awaiting"]["needs"][0]["id"] == done.id
    assert home["unreachable"]["count"] == 2
    assert [n["id"] for n in home["unreachable"]["needs"]] == [mowing.id, beyond.id]
    assert home["zero_capacity"] == {"count": 0, "needs": []}
    assert home["gap_plan"]["computed"] is True


def test_only_coordinators_see_the_home(make):
    with pytest.raises(PermissionDeniedError):
        coordinator_home(make.user("outreach").actor, now=utcnow())


def _reach(make):
    home = coordinator_home(make.user("coordinator").actor, now=utcnow())
    unreachable = {n["id"] for n in home["unreachable"]["needs"]}
    full = {n["id"] for n in home["zero_capacity"]["needs"]}
    return unreachable, full


def test_a_need_on_the_rim_of_a_service_radius_is_measured_on_the_great_circle(make):
    # 9.995 km north: inside a 10 km radius. The deleted rule counted 111.32 km a degree
    # (10.006 km here) and called it unreachable (one open need of the demo city was such).
    make.partner(service_radius_km=10.0)
    rim = make.need(latitude=DOWNTOWN[0] + 9.995 / KM_PER_DEGREE_ON_THE_SPHERE)
    outside = make.need(latitude=DOWNTOWN[0] + 10.01 / KM_PER_DEGREE_ON_THE_SPHERE)
    unreachable, _ = _reach(make)
    assert rim.id not in unreachable and outside.id in unreachable


def test_a_need_inside_a_partners_polygon_is_reachable_beyond_its_radius(make):
    lat, lon = DOWNTOWN[0] + 0.1, DOWNTOWN[1]  # 11 km north of a 2 km radius
    square = [
        [lon - 0.01, lat - 0.01],
        [lon + 0.01, lat - 0.01],
        [lon + 0.01, lat + 0.01],
        [lon - 0.01, lat + 0.01],
        [lon - 0.01, lat - 0.01],
    ]
    make.partner(
        service_radius_km=2.0,
        service_area_geojson={"type": "Polygon", "coordinates": [square]},
    )
    inside = make.need(latitude=lat, longitude=lon)
    unreachable, _ = _reach(make)
    assert inside.id not in unreachable  # the deleted rule read no polygons


def test_a_need_only_a_partner_with_no_weekly_tasks_reaches_waits_for_capacity(make):
    # The deleted rule left such partners out: the need was "nobody can reach".
    make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 0}])
    need = make.need()
    unreachable, full = _reach(make)
    assert need.id not in unreachable and need.id in full


def test_a_need_in_a_served_neighbourhood_or_radius_is_reachable_as_before(make):
    make.partner(service_radius_km=1.0, service_neighbourhoods=["Spanish Town"])
    make.partner(status="paused", service_radius_km=50.0)  # inactive partners reach nothing
    in_radius = make.need()
    named = make.need(latitude=DOWNTOWN[0] + 0.05, neighbourhood="Spanish Town")
    other = make.need(latitude=DOWNTOWN[0] + 0.05, neighbourhood="Mid City")
    wrong_capability = make.need(capability="board_up")
    unreachable, full = _reach(make)
    assert unreachable == {other.id, wrong_capability.id}
    assert not full and {in_radius.id, named.id}.isdisjoint(unreachable)


def test_a_need_without_a_location_is_counted_open_but_in_no_reach_list(make):
    pending = make.need(latitude=None, longitude=None, address="Somewhere unknown")
    home = coordinator_home(make.user("coordinator").actor, now=utcnow())
    assert home["matrix"]["total"] == 1
    assert home["unreachable"]["count"] == 0 and pending.location_status == "pending"
