"""Costs that do not grow with the city (issue 14): each interactive read answers as before while
reading only what is near, or a bounded number of queries whatever the city's size."""

from __future__ import annotations

import gc
import json
import math
from datetime import timedelta

import pytest
from sqlalchemy import select

import matching
from accounts.actor import SYSTEM
from briefings.content import load_city
from commonground.db_types import utcnow
from commonground.extensions import db
from needs.models import Need, NeedEvent
from needs.services import claim_need
from partners.services import change_partner_status
from performance import kpis
from planning import open_needs as open_needs_module
from planning import services as planning_services
from planning import specs
from planning.prospects import need_ids_in_area
from planning.services import (
    coordinator_home,
    coverage_gap_report,
    run_city_plan,
    suggest_needs_for_partner,
    who_can_act_here,
)
from tests.factories import DOWNTOWN
from tests.statements import counted_queries

KM_PER_DEGREE = 111.19492664455873
PLAN_BASIS_MAX_AGE_S = 300  # the default (README settings table)


def offset(km: float, bearing_deg: float, origin: tuple[float, float] = DOWNTOWN):
    """(lat, lon) about `km` from `origin` towards `bearing_deg` (0 = north)."""
    b = math.radians(bearing_deg)
    lat = origin[0] + km * math.cos(b) / KM_PER_DEGREE
    lon = origin[1] + km * math.sin(b) / (KM_PER_DEGREE * math.cos(math.radians(origin[0])))
    return lat, lon


def rim_city(make):
    """A partner of 5 km radius listing one far neighbourhood and drawing one far polygon,
    needs just inside and just outside its rim all round (those may still be in the listed
    neighbourhood: a need takes its nearest), in that neighbourhood, in the polygon, and far
    away."""
    far = offset(40, 90)
    square = [
        [far[1] - 0.01, far[0] - 0.01],
        [far[1] + 0.01, far[0] - 0.01],
        [far[1] + 0.01, far[0] + 0.01],
        [far[1] - 0.01, far[0] + 0.01],
        [far[1] - 0.01, far[0] - 0.01],
    ]
    partner = make.partner(
        service_radius_km=5.0,
        service_neighbourhoods=["Scotlandville"],
        service_area_geojson={"type": "Polygon", "coordinates": [square]},
        capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 40}],
    )
    inside = [make.need(latitude=lat, longitude=lon) for lat, lon in
              (offset(4.97, b) for b in range(0, 360, 30))]  # fmt: skip
    outside = [make.need(latitude=lat, longitude=lon) for lat, lon in
               (offset(5.05, b) for b in range(15, 360, 30))]  # fmt: skip
    listed = make.need(latitude=30.60, longitude=-91.40, neighbourhood="Scotlandville")
    drawn = make.need(latitude=far[0], longitude=far[1])
    beyond = make.need(latitude=30.9, longitude=-90.5)
    return partner, inside, outside, listed, drawn, beyond


def test_a_partners_tasks_are_ranked_from_what_is_near_with_the_same_answer(make):
    partner, inside, _, listed, drawn, beyond = rim_city(make)
    now = utcnow()
    spec = specs.partner_specs(now, partner_ids={partner.id})[0]
    whole_city = matching.rank_needs_for_partner(
        spec, specs.open_need_specs(), now, weights=specs.weights_from_config(), limit=100
    )
    got = suggest_needs_for_partner(SYSTEM, partner.id, now=now, limit=100)
    assert [s["need_id"] for s in got] == [s.need_id for s in whole_city]
    ranked = {s["need_id"] for s in got}
    assert {n.id for n in inside} | {listed.id, drawn.id} <= ranked and beyond.id not in ranked
    near = {n.id for n in specs.open_need_specs(within=[spec])}
    assert beyond.id not in near and {n.id for n in inside} <= near


def test_who_can_act_here_reads_only_the_needs_its_partners_reach(make):
    partner, inside, _, _, _, beyond = rim_city(make)
    rival = make.partner_doing("litter_cleanup", 1, at=offset(3, 0), service_radius_km=4.0)
    now = utcnow()
    found = who_can_act_here(SYSTEM, inside[0].id, now=now)
    assert [s["partner_id"] for s in found["suggestions"]] == [partner.id, rival.id] or [
        s["partner_id"] for s in found["suggestions"]
    ] == [rival.id, partner.id]
    index = matching.CandidateIndex(specs.open_need_specs(), specs.partner_specs(now))
    whole_city = matching.rank_partners_for_need(
        specs.need_spec(inside[0].id), (), now, weights=specs.weights_from_config(), index=index
    )
    assert [s["partner_id"] for s in found["suggestions"]] == [s.partner_id for s in whole_city]
    assert [s["score"] for s in found["suggestions"]] == [s.score for s in whole_city]
    with counted_queries() as seen:
        who_can_act_here(SYSTEM, beyond.id, now=now)
    assert len(seen) < 15


def test_the_stale_claim_list_takes_a_fixed_number_of_queries(make):
    crew = make.partner_doing("litter_cleanup", 30)
    member = make.user("partner", partner=crew)
    long_ago = utcnow() - timedelta(days=30)
    for _ in range(3):
        claim_need(member.actor, make.need().id, now=long_ago)
    coordinator = make.user("coordinator")
    from needs.attention import stale_claim_list

    with counted_queries() as few:
        assert len(stale_claim_list(coordinator.actor, utcnow())) == 3
    for _ in range(5):
        claim_need(member.actor, make.need().id, now=long_ago)
    with counted_queries() as more:
        assert len(stale_claim_list(coordinator.actor, utcnow())) == 8
    assert len(more) == len(few)


def test_the_coordinator_home_takes_the_same_statements_in_a_city_ten_times_as_large(make, browser):
    """Issue 14: the home took 12.6 s at 100k needs, mostly coverage gaps computed again on
    every request and stale claims loading each claim's need with a query of its own. A GET of
    the home with nothing changed makes as many statements in a city of 100 needs, with stale
    claims of two partners, needs nobody reaches and a shortfall, as in a city of 10 claimed
    needs with nothing to list in its gaps: the gap report reads the names of what it lists,
    so a home that computed it again would make more statements in the larger city."""
    crew = make.partner_doing("litter_cleanup", 40, name="Slow Crew")
    slow = make.user("partner", partner=crew)
    late = make.user("partner", partner=make.partner_doing("litter_cleanup", 9, name="Late Crew"))
    coordinator = browser(make.user("coordinator"))
    long_ago = utcnow() - timedelta(days=30)

    def home_got_twice() -> tuple[str, int]:
        """The home's HTML, and the statements of the same GET made again."""
        coordinator.text("/coordinator/")
        with counted_queries() as seen:
            page = coordinator.text("/coordinator/")
        return page, len(seen)

    claim_need(slow.actor, make.need().id, now=long_ago)
    for _ in range(9):
        claim_need(slow.actor, make.need().id)
    small, in_small = home_got_twice()
    assert '<h2 id="stale-h">Stale claims (1)</h2>' in small
    assert "Open needs nobody can reach (0)" in small and "leaves needs unmet" not in small

    for member in (slow, late, late, late):
        claim_need(member.actor, make.need().id, now=long_ago)
    for _ in range(80):
        make.need()
    for _ in range(6):
        make.need(capability="board_up")
    large, in_large = home_got_twice()
    assert '<h2 id="stale-h">Stale claims (5)</h2>' in large
    assert "Slow Crew" in large and "Late Crew" in large
    assert "Open needs nobody can reach (6)" in large and "leaves needs unmet" in large
    assert in_large == in_small


def test_gaps_are_served_again_while_the_city_is_unchanged_and_read_afresh_when_it_changes(make):
    crew = make.partner_doing("litter_cleanup", 1)
    member = make.user("partner", partner=crew)
    coordinator = make.user("coordinator")
    needs = [make.need() for _ in range(3)]
    now = utcnow()
    first = coverage_gap_report(coordinator.actor, now=now)
    assert first["totals"] == {"open_needs": 3, "planned": 1, "unmet": 2, "allocated_tasks": 1}
    with counted_queries() as seen:
        again = coverage_gap_report(coordinator.actor, now=now + timedelta(seconds=5))
    assert again == first
    assert not [q for q in seen if "FROM need " in q and "count" not in q.lower()]
    assert len(seen) <= 8  # the city's fingerprint, not its rows

    claim_need(member.actor, needs[0].id)
    changed = coverage_gap_report(coordinator.actor, now=now + timedelta(seconds=10))
    assert changed["totals"]["open_needs"] == 2
    later = now + timedelta(seconds=PLAN_BASIS_MAX_AGE_S + 60)
    assert (
        coverage_gap_report(coordinator.actor, now=later)["plan"]["note"] != changed["plan"]["note"]
    )


def test_a_kept_report_cannot_be_changed_by_one_caller_for_the_next(make):
    make.partner_doing("litter_cleanup", 1)
    coordinator = make.user("coordinator")
    make.need()
    make.need(capability="board_up", title="Nobody boards up")
    now = utcnow()
    first = coverage_gap_report(coordinator.actor, now=now)
    shown = json.loads(json.dumps(first, default=str))  # what it said, apart from it
    cell = first["cells"][0]
    for change in (
        first["cells"].clear,
        lambda: first["cells"].append({}),
        lambda: cell.update(unmet=99),
        lambda: cell.__setitem__("unmet", 99),
        lambda: cell["allocations"].pop(),
        lambda: first["unreachable"][0].pop("title"),
        lambda: first.setdefault("extra", 1),
    ):
        with pytest.raises(TypeError):
            change()
    mine = [{**c, "unmet": 99} for c in first["cells"]]  # a copy is the caller's to change
    assert mine[0]["unmet"] == 99
    again = coverage_gap_report(coordinator.actor, now=now)
    assert json.loads(json.dumps(again, default=str)) == shown
    assert again["unreachable"][0]["title"] == "Nobody boards up"
    home = coordinator_home(coordinator.actor, now=now)
    with pytest.raises(TypeError):
        home["shortfalls"].clear()
    assert coordinator_home(coordinator.actor, now=now)["shortfalls"] == home["shortfalls"] != []


def test_the_gaps_api_is_the_kept_report_and_sees_a_change_at_once(make, api):
    crew = make.partner_doing("litter_cleanup", 1)
    member = api(make.user("partner", partner=crew).token)
    coordinator = api(make.user("coordinator").token)
    needs = [make.need() for _ in range(3)]
    first = coordinator.get("/api/v1/coverage/gaps")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.json["totals"] == {"open_needs": 3, "planned": 1, "unmet": 2, "allocated_tasks": 1}
    assert coordinator.get("/api/v1/coverage/gaps").data == first.data
    refused = member.get("/api/v1/coverage/gaps")
    assert refused.status_code == 403 and refused.json["message"]

    assert member.post(f"/api/v1/needs/{needs[0].id}/claim", json={}).status_code < 300
    changed = coordinator.get("/api/v1/coverage/gaps").json
    assert changed["totals"]["open_needs"] == 2
    late = make.need(title="Posted just now", capability="board_up")
    assert [n["need_id"] for n in coordinator.get("/api/v1/coverage/gaps").json["unreachable"]] == [
        late.id
    ]


def test_kept_recruitment_answers_follow_their_query_and_the_city(make, api):
    make.partner_doing("litter_cleanup", 1)
    coordinator = api(make.user("coordinator").token)
    for _ in range(3):
        make.need()
    make.need(capability="board_up")

    def targets(query: str) -> list[tuple[str, int]]:
        answer = coordinator.get(f"/api/v1/coverage/recruitment?{query}")
        assert answer.status_code == 200
        return [(t["capability"], t["needs_reached"]) for t in answer.json["targets"]]

    assert targets("capability=board_up") == [("board_up", 1)]
    assert targets("capability=litter_cleanup") == [("litter_cleanup", 2)]
    assert targets("capability=board_up&radius_km=1") == [("board_up", 1)]
    make.need(capability="board_up")
    assert targets("capability=board_up") == [("board_up", 2)]
    assert coordinator.get("/api/v1/coverage/recruitment?radius_km=99").status_code == 422


def test_a_recruitment_get_reads_the_citys_fingerprint_not_a_new_city_plan(make, api):
    """Issue 14: recruitment solved a whole city plan on every GET. While the city is unchanged
    a GET costs the token's check and the city's fingerprint, as few statements at 200 needs as
    at 20; and while a stored plan is current it is read, not solved again: a need posted
    after it stays a target although a partner has a free slot for it."""
    make.partner_doing("litter_cleanup", 5)
    make.partner_doing("board_up", 3)
    coordinator = api(make.user("coordinator").token)
    url = "/api/v1/coverage/recruitment?radius_km=1"

    def got_twice() -> tuple[dict, int]:
        """The answer of a GET, and the statements of the same GET made again."""
        first = coordinator.get(url)
        assert first.status_code == 200
        with counted_queries() as seen:
            again = coordinator.get(url)
        assert again.data == first.data
        return again.json, len(seen)

    make.need(capability="board_up")
    for _ in range(20):
        make.need()
    small, at_20 = got_twice()
    assert small["plan"]["computed"] is True
    assert [t["needs_reached"] for t in small["targets"]] == [20 - 5]
    with counted_queries() as token_only:
        assert coordinator.get("/api/v1/me").status_code == 200
    assert at_20 == len(token_only) + 1  # the token, then the city's fingerprint

    for _ in range(180):
        make.need()
    large, at_200 = got_twice()
    assert [t["needs_reached"] for t in large["targets"]] == [200 - 5]
    assert at_200 == at_20

    plan = run_city_plan(SYSTEM)
    late = make.need(capability="board_up", title="Boarded up after the plan")
    stored, read_again = got_twice()
    assert stored["plan"]["plan_id"] == plan.id and stored["plan"]["computed"] is False
    board_up = [t["need_ids"] for t in stored["targets"] if t["capability"] == "board_up"]
    assert board_up == [[late.id]]  # a fresh solve would give it the board-up crew's free slot
    assert read_again == at_20


def test_a_page_of_the_need_list_takes_the_same_queries_however_long_it_is(make, api):
    crew = make.partner_doing("litter_cleanup", 40)
    member = make.user("partner", partner=crew)
    coordinator = api(make.user("coordinator").token)
    for _ in range(12):
        claim_need(member.actor, make.need().id)

    def page_queries(size: int) -> int:
        with counted_queries() as seen:
            answer = coordinator.get(f"/api/v1/needs/?page_size={size}")
        assert answer.status_code == 200 and len(answer.json) == size
        assert all(n["claim"]["partner_id"] == crew.id for n in answer.json)
        return len(seen)

    coordinator.get("/api/v1/needs/")  # the token's first use this test is recorded once
    assert page_queries(12) == page_queries(3)


def test_a_partners_briefing_reads_the_needs_of_its_area_not_the_citys(make):
    """Its open needs are the process's kept ones; the others (here claimed) are read near it,
    and its area is the same either way."""
    partner, inside, _, listed, drawn, beyond = rim_city(make)
    claimer = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 40}])
    member = make.user("partner", partner=claimer)
    for need in (inside[1], beyond):
        claim_need(member.actor, need.id)
    coordinator = make.user("coordinator")
    now = utcnow()
    spec = specs.partner_specs(now, partner_ids={partner.id})[0]
    whole = load_city(coordinator.actor, now)
    mine = load_city(coordinator.actor, now, within=spec)
    assert beyond.id in whole.others and beyond.id not in mine.others
    assert inside[1].id in mine.others and not mine.is_open(inside[1].id)
    assert mine.area_of(spec) == whole.area_of(spec)
    assert {n.id for n in inside} | {listed.id, drawn.id} <= mine.area_of(spec)
    assert mine.area_of(spec) == need_ids_in_area(
        spec, [specs.need_spec(i) for i in whole.ids()]
    )  # the engine's rule over every located need read one by one


def test_a_partners_briefing_read_near_it_is_the_one_read_from_the_whole_city(make):
    """The rim city with partners of other sectors reaching the partner's area by their disc,
    a listed neighbourhood or a polygon (partnerships), and stale claims inside and beyond
    the area: the briefing's content is the same whether the city is read near the partner or
    whole, and its partnerships are those of every partner over every need."""
    from briefings.content import partner_content
    from needs.services import stale_reasons

    partner, inside, outside, listed, _, beyond = rim_city(make)
    make.partner(
        sector="business",
        base_latitude=offset(3, 45)[0],
        base_longitude=offset(3, 45)[1],
        service_radius_km=6.0,
        capabilities=[{"capability": "lot_mowing", "tasks_per_week": 40}],
    )
    for lat, lon in (offset(2, b) for b in range(0, 360, 40)):
        make.need(capability="lot_mowing", latitude=lat, longitude=lon)
    # Partners far away that reach the partner's area only by a listed neighbourhood or a
    # drawn polygon, with lot mowing there.
    far = offset(40, 90)
    corners = ((-0.02, -0.02), (0.02, -0.02), (0.02, 0.02), (-0.02, 0.02), (-0.02, -0.02))
    square = [[far[1] + dx, far[0] + dy] for dx, dy in corners]
    away = offset(60, 200)
    for extra in (
        {"service_neighbourhoods": ["Scotlandville"]},
        {"service_area_geojson": {"type": "Polygon", "coordinates": [square]}},
    ):
        make.partner(
            sector="faith",
            base_latitude=away[0],
            base_longitude=away[1],
            service_radius_km=1.0,
            capabilities=[{"capability": "lot_mowing", "tasks_per_week": 5}],
            **extra,
        )
    make.need(
        capability="lot_mowing", latitude=30.60, longitude=-91.40, neighbourhood="Scotlandville"
    )
    make.need(capability="lot_mowing", latitude=far[0] + 0.001, longitude=far[1])
    claimer = make.partner(capabilities=[{"capability": "litter_cleanup", "tasks_per_week": 40}])
    member = make.user("partner", partner=claimer)
    long_ago = utcnow() - timedelta(days=40)
    for need in [inside[0], inside[3], outside[1], listed, beyond]:
        claim_need(member.actor, need.id, now=long_ago)
    coordinator = make.user("coordinator")
    now = utcnow()
    spec = specs.partner_specs(now, partner_ids={partner.id})[0]
    whole = load_city(coordinator.actor, now)
    mine = load_city(coordinator.actor, now, within=spec)
    assert beyond.id in stale_reasons(now) and beyond.id not in mine.stale
    briefing = partner_content(coordinator.actor, mine, partner.id)
    assert briefing == partner_content(coordinator.actor, whole, partner.id)
    assert briefing["area"]["stale_claims"] >= 2
    everyone = matching.partnerships_of(
        spec, specs.partner_specs(now), specs.open_need_specs(), limit=10
    )  # every partner and need of the city
    assert len(everyone) == 3
    assert [(p["partner"]["id"], p["needs_covered"]) for p in briefing["partnerships"]] == [
        (pair.partner_ids[1 - pair.partner_ids.index(partner.id)], pair.needs_covered)
        for pair in everyone
    ]
    # Its partnerships are worked out over the process's kept open needs, not read again: a
    # need posted in its area and one claimed there since the last briefing show at once.
    lat, lon = offset(2.5, 20)
    make.need(capability="lot_mowing", latitude=lat, longitude=lon)
    claim_need(member.actor, inside[6].id, now=now)
    later = partner_content(
        coordinator.actor, load_city(coordinator.actor, now, within=spec), partner.id
    )
    everyone = matching.partnerships_of(
        spec, specs.partner_specs(now), specs.open_need_specs(), limit=10
    )
    assert [(p["partner"]["id"], p["needs_covered"]) for p in later["partnerships"]] == [
        (pair.partner_ids[1 - pair.partner_ids.index(partner.id)], pair.needs_covered)
        for pair in everyone
    ]
    assert later["partnerships"] != briefing["partnerships"]
    # The picture too (its open needs are the kept ones, the claimed one read from SQL): one
    # litter need less, one mowing need more, the same near as from the whole city.
    counts = [
        {c["capability"]: c["open_needs"] for c in b["area"]["open_by_capability"]}
        for b in (briefing, later)
    ]
    assert counts[1] == {
        **counts[0],
        "litter_cleanup": counts[0]["litter_cleanup"] - 1,
        "lot_mowing": counts[0]["lot_mowing"] + 1,
    }
    assert later == partner_content(
        coordinator.actor, load_city(coordinator.actor, now), partner.id
    )


def test_partners_tied_on_score_and_slots_are_still_told_apart_by_their_competing_needs(make):
    small = make.partner_doing("litter_cleanup", 2, service_radius_km=2.0)
    wide = make.partner_doing("litter_cleanup", 2, service_radius_km=6.0)
    here = make.need()
    for bearing in (0, 120, 240):
        lat, lon = offset(4, bearing)
        make.need(latitude=lat, longitude=lon)  # only the wide one reaches these
    now = utcnow()
    found = who_can_act_here(SYSTEM, here.id, now=now)["suggestions"]
    index = matching.CandidateIndex(specs.open_need_specs(), specs.partner_specs(now))
    whole_city = matching.rank_partners_for_need(
        specs.need_spec(here.id), (), now, weights=specs.weights_from_config(), index=index
    )
    assert [s["partner_id"] for s in found] == [small.id, wide.id]
    assert [s["partner_id"] for s in found] == [s.partner_id for s in whole_city]
    assert found[0]["tie_break"]["values"] == {"by": "competing_needs", "this": 0, "next": 3}


def test_who_can_act_here_keeps_the_partners_while_the_city_is_unchanged(make):
    """The partners' specs are read once per city version: the next need's suggestions read no
    partner, slot or claim rows; a claim that takes a partner's last slot this week, or a paused
    partner, shows at once."""
    busy = make.partner_doing("litter_cleanup", 1)
    member = make.user("partner", partner=busy)
    steady = make.partner_doing("litter_cleanup", 3, at=offset(1, 90))
    needs = [make.need() for _ in range(3)]
    now = utcnow()
    first = who_can_act_here(SYSTEM, needs[0].id, now=now)["suggestions"]
    assert {s["partner_id"] for s in first} == {busy.id, steady.id}
    with counted_queries() as seen:
        again = who_can_act_here(SYSTEM, needs[1].id, now=now + timedelta(seconds=5))
    assert {s["partner_id"] for s in again["suggestions"]} == {busy.id, steady.id}
    rows = [q for q in seen if "FROM" in q and "count(" not in q]  # the city version counts
    tables = {q.split("FROM", 1)[1].split()[0] for q in rows}
    assert not {"partner_capability", "claim"} & tables, tables
    assert all("partner.id IN" in q for q in rows if "FROM partner " in q)  # the names shown

    claim_need(member.actor, needs[2].id)  # the busy partner's one task this week
    later = who_can_act_here(SYSTEM, needs[1].id, now=now + timedelta(seconds=10))
    assert [s["partner_id"] for s in later["suggestions"]] == [steady.id]
    change_partner_status(SYSTEM, steady.id, "pause")
    assert (
        who_can_act_here(SYSTEM, needs[1].id, now=now + timedelta(seconds=15))["suggestions"] == []
    )


def test_stale_claims_are_chosen_in_sql_by_the_same_rule_as_their_deadlines(make):
    """Claims of three kinds of work (the default limits, a start limit longer than the
    completion limit, short limits), started or not, claimed from 1 to 30 days ago: at every
    moment the stale ones are exactly those past the deadline `release_deadlines` gives, and
    the home counts them all while listing the oldest."""
    from capabilities.services import update_capability
    from needs.services import (
        count_stale_claims,
        release_deadlines,
        stale_claims,
        stale_reasons,
        start_need,
    )

    update_capability(SYSTEM, "lot_mowing", {"stale_start_days": 9, "stale_complete_days": 6})
    update_capability(SYSTEM, "board_up", {"stale_start_days": 1, "stale_complete_days": 2})
    crew = make.partner(
        capabilities=[
            {"capability": code, "tasks_per_week": 60}
            for code in ("litter_cleanup", "lot_mowing", "board_up")
        ]
    )
    member = make.user("partner", partner=crew)
    now = utcnow()
    for i in range(60):
        code = ("litter_cleanup", "lot_mowing", "board_up")[i % 3]
        need = make.need(capability=code)
        claimed = now - timedelta(days=1 + (i * 7) % 30, hours=i)
        claim_need(member.actor, need.id, now=claimed)
        if i % 2:
            start_need(member.actor, need.id, now=claimed + timedelta(hours=3))
    deadlines = release_deadlines()
    for moment in (now - timedelta(days=20), now - timedelta(days=5), now, now + timedelta(days=8)):
        want = [(c.need_id, r) for c, d, _, r in deadlines if moment > d]
        got = [(c.need_id, r) for c, r in stale_claims(moment)]
        assert got == want
        assert count_stale_claims(moment) == len(want)
        assert stale_reasons(moment) == dict(want)
        assert [(c.need_id, r) for c, r in stale_claims(moment, limit=4)] == want[:4]
    assert 0 < count_stale_claims(now) < 60
    home = coordinator_home(make.user("coordinator").actor, now=now)
    assert home["stale_count"] == count_stale_claims(now)
    assert [s["need_id"] for s in home["stale"]] == [c.need_id for c, _ in stale_claims(now)][:50]


def test_a_change_to_a_need_is_seen_by_the_next_suggestions_at_once(make, api):
    """The open needs are kept per process and refreshed from the rows changed since: a need
    posted, moved or cancelled through the API changes the next answer of who can act here (the
    competing needs that tell two tied partners apart) and of the tasks near a partner."""
    small = make.partner_doing("litter_cleanup", 2, service_radius_km=2.0)
    wide = make.partner_doing("litter_cleanup", 2, service_radius_km=6.0)
    member = api(make.user("partner", partner=wide).token)
    coordinator = api(make.user("coordinator").token)
    here = make.need()
    far = [make.need(latitude=lat, longitude=lon) for lat, lon in
           (offset(4, b) for b in (0, 120, 240))]  # fmt: skip

    def competing() -> dict:
        answer = coordinator.get(f"/api/v1/needs/{here.id}/suggestions")
        assert answer.status_code == 200
        assert [s["partner_id"] for s in answer.json] == [small.id, wide.id]
        return answer.json[0]["tie_break"]["values"]

    def wide_tasks() -> set[int]:
        answer = member.get(f"/api/v1/partners/{wide.id}/suggestions?limit=50")
        assert answer.status_code == 200
        return {s["need_id"] for s in answer.json}

    assert competing() == {"by": "competing_needs", "this": 0, "next": 3}
    assert wide_tasks() == {here.id, *(n.id for n in far)}
    lat, lon = offset(4, 60)
    posted = coordinator.post(
        "/api/v1/needs/",
        json={"capability": "litter_cleanup", "title": "Litter by the levee",
              "latitude": lat, "longitude": lon, "priority": 3},
    )  # fmt: skip
    assert posted.status_code == 201
    assert competing() == {"by": "competing_needs", "this": 0, "next": 4}
    assert posted.json["id"] in wide_tasks()
    lat, lon = offset(1, 0)  # now inside the small partner's area too
    moved = coordinator.patch(
        f"/api/v1/needs/{far[0].id}", json={"latitude": lat, "longitude": lon}
    )
    assert moved.status_code == 200
    assert competing() == {"by": "competing_needs", "this": 1, "next": 4}
    cancelled = coordinator.post(f"/api/v1/needs/{far[1].id}/cancel", json={"reason": "Gone"})
    assert cancelled.status_code == 200
    assert competing() == {"by": "competing_needs", "this": 1, "next": 3}
    assert far[1].id not in wide_tasks()
    for partner in (small, wide):  # the whole city's ranking, read afresh, agrees
        now = utcnow()
        index = matching.CandidateIndex(specs.open_need_specs(), specs.partner_specs(now))
        whole_city = matching.rank_needs_for_partner(
            index.partners[index.partner_position(partner.id)], (), now,
            weights=specs.weights_from_config(), limit=50, index=index,
        )  # fmt: skip
        got = suggest_needs_for_partner(SYSTEM, partner.id, now=now, limit=50)
        assert [s["need_id"] for s in got] == [s.need_id for s in whole_city]


def test_the_kept_open_needs_are_read_again_only_where_they_changed(make):
    """After the first read, a refresh reads the rows changed since (not the city's), and the
    answers from the kept needs stay those of a fresh read, through many changes."""
    from planning.open_needs import REBUILD_AFTER
    from planning.services import open_needs

    crew = make.partner_doing("litter_cleanup", 5, service_radius_km=6.0)
    needs = [make.need(latitude=lat, longitude=lon) for lat, lon in
             (offset(0.5 * (i % 9), 40 * i) for i in range(12))]  # fmt: skip
    spec = specs.partner_specs(utcnow(), partner_ids={crew.id})[0]
    first = open_needs()
    assert {n.id for n in first.in_area(spec)} == {n.id for n in specs.open_need_specs()}
    cancelled = needs[3]
    from needs.services import close_need

    close_need(SYSTEM, cancelled.id, "cancel", "Gone")
    with counted_queries() as seen:
        kept = open_needs()
    reads = [q for q in seen if "FROM need" in q and "updated_at >=" in q]
    assert len(reads) == 1  # the changed rows, by their stamp
    assert cancelled.id not in {n.id for n in kept.in_area(spec)}
    assert kept.current_index() is None  # answered from the index and the change on top
    assert [n.id for n in kept.in_area(spec)] == [n.id for n in specs.open_need_specs()]
    assert REBUILD_AFTER > 1


def test_an_areas_kept_open_needs_follow_kinds_opened_and_emptied_since_the_index_was_built(
    make,
):
    """A briefing takes its area's open needs from the kept ones by the kinds of the kept
    index and of the needs changed since (`open_needs_in_area`): a need of a kind the index
    never held, posted since, is in; a kind whose last need closed since finds none; the
    needs are those of the engine's rule over a fresh read, kind by kind."""
    from needs.services import close_need
    from planning.prospects import open_needs_in_area
    from planning.services import open_needs

    crew = make.partner_doing("litter_cleanup", 5, service_radius_km=6.0)
    litter = [make.need(latitude=lat, longitude=lon) for lat, lon in
              (offset(0.5 * (i % 9), 40 * i) for i in range(8))]  # fmt: skip
    mowing = make.need(capability="lot_mowing", latitude=offset(1, 10)[0],
                       longitude=offset(1, 10)[1])  # fmt: skip
    spec = specs.partner_specs(utcnow(), partner_ids={crew.id})[0]
    assert mowing.id in {n.id for n in open_needs_in_area(open_needs(), spec)}  # index built
    close_need(SYSTEM, mowing.id, "cancel", "Gone")
    hauling = make.need(capability="bulk_trash_hauling", latitude=offset(2, 200)[0],
                        longitude=offset(2, 200)[1])  # fmt: skip
    kept = open_needs()
    assert kept.current_index() is None  # the index is the old one, the changes on top
    assert "bulk_trash_hauling" not in kept.index.need_capabilities
    found = open_needs_in_area(kept, spec)
    assert [n.id for n in found] == [
        n.id
        for kind in ("bulk_trash_hauling", "litter_cleanup")
        for n in sorted(specs.open_need_specs(capability=kind), key=lambda n: n.id)
    ]
    assert hauling.id in {n.id for n in found} and mowing.id not in {n.id for n in found}
    assert {n.id for n in found} == need_ids_in_area(spec, specs.open_need_specs())
    assert {n.id for n in litter} <= {n.id for n in found}


def test_a_released_claim_gives_the_partner_its_slot_back_in_the_next_suggestions_at_once(
    make, api
):
    """The partners' specs are kept by the partner, slot and claim parts of the city's version:
    a claim through the API takes the partner's last slot this week, and its release gives the
    slot back, each seen by the very next answer of who can act here."""
    busy = make.partner_doing("litter_cleanup", 1)
    steady = make.partner_doing("litter_cleanup", 3, at=offset(1, 90))
    member = api(make.user("partner", partner=busy).token)
    coordinator = api(make.user("coordinator").token)
    here, taken = make.need(), make.need()

    def partners() -> list[int]:
        answer = coordinator.get(f"/api/v1/needs/{here.id}/suggestions")
        assert answer.status_code == 200
        return [s["partner_id"] for s in answer.json]

    assert set(partners()) == {busy.id, steady.id}
    assert member.post(f"/api/v1/needs/{taken.id}/claim").status_code == 201
    assert partners() == [steady.id]
    released = member.post(f"/api/v1/needs/{taken.id}/release", json={"reason": "No crew today"})
    assert released.status_code == 200
    assert set(partners()) == {busy.id, steady.id}


def test_a_new_need_keeps_the_partners_specs_and_counts_in_competition_at_once(make, api):
    """A need posted through the API changes no partner's spec: the next answer of who can act
    here reads no slot or claim row (the partners are kept), and counts the new need among the
    competing needs of the partners whose area holds it."""
    small = make.partner_doing("litter_cleanup", 2, service_radius_km=2.0)
    wide = make.partner_doing("litter_cleanup", 2, service_radius_km=6.0)
    coordinator = api(make.user("coordinator").token)
    here = make.need()
    for bearing in (0, 120, 240):
        lat, lon = offset(4, bearing)
        make.need(latitude=lat, longitude=lon)

    def tie_break() -> dict:
        answer = coordinator.get(f"/api/v1/needs/{here.id}/suggestions")
        assert [s["partner_id"] for s in answer.json] == [small.id, wide.id]
        return answer.json[0]["tie_break"]["values"]

    assert tie_break() == {"by": "competing_needs", "this": 0, "next": 3}
    lat, lon = offset(1, 200)  # inside both areas
    posted = coordinator.post(
        "/api/v1/needs/",
        json={"capability": "litter_cleanup", "title": "Litter at the bus stop",
              "latitude": lat, "longitude": lon, "priority": 3},
    )  # fmt: skip
    assert posted.status_code == 201
    with counted_queries() as seen:
        assert tie_break() == {"by": "competing_needs", "this": 1, "next": 4}
    tables = {q.split("FROM", 1)[1].split()[0] for q in seen if "FROM" in q and "count(" not in q}
    assert not {"partner_capability", "claim"} & tables, tables


def test_a_partner_edited_through_the_api_is_seen_by_the_next_suggestions_at_once(make, api):
    """A partner's area or slots changed through the API move the partner part of the city's
    version: the next answer ranks the partner as it is now, as the whole city read afresh
    does."""
    small = make.partner_doing("litter_cleanup", 2, service_radius_km=2.0)
    wide = make.partner_doing("litter_cleanup", 2, service_radius_km=6.0)
    coordinator = api(make.user("coordinator").token)
    here = make.need()
    lat, lon = offset(4, 0)
    far = make.need(latitude=lat, longitude=lon)

    def ranked(need_id: int) -> list[int]:
        answer = coordinator.get(f"/api/v1/needs/{need_id}/suggestions")
        assert answer.status_code == 200
        return [s["partner_id"] for s in answer.json]

    assert ranked(here.id) == [small.id, wide.id] and ranked(far.id) == [wide.id]
    grown = coordinator.patch(f"/api/v1/partners/{small.id}", json={"service_radius_km": 5.0})
    assert grown.status_code == 200
    assert ranked(far.id) == [small.id, wide.id]  # it reaches the far need now
    roomier = coordinator.patch(
        f"/api/v1/partners/{wide.id}",
        json={"capabilities": [{"capability": "litter_cleanup", "tasks_per_week": 5}]},
    )
    assert roomier.status_code == 200
    assert ranked(here.id) == [wide.id, small.id]  # more slots left this week
    now = utcnow()
    index = matching.CandidateIndex(specs.open_need_specs(), specs.partner_specs(now))
    for need in (here, far):
        whole_city = matching.rank_partners_for_need(
            specs.need_spec(need.id), (), now, weights=specs.weights_from_config(), index=index
        )
        assert ranked(need.id) == [s.partner_id for s in whole_city]


def event_rows(*conditions):
    """Need events joined with their need, one by one, as the KPI arithmetic's rows: what the
    briefings' counts from SQL month buckets are checked against."""
    query = (
        select(
            NeedEvent.need_id,
            NeedEvent.action,
            NeedEvent.at,
            NeedEvent.partner_id,
            Need.opened_at,
            Need.capability_code,
            Need.neighbourhood,
        )
        .join(Need, Need.id == NeedEvent.need_id)
        .where(*conditions)
    )
    return [
        kpis.EventRow(
            need_id=r.need_id,
            action=r.action,
            at=r.at,
            opened_at=r.opened_at,
            capability=r.capability_code,
            neighbourhood=r.neighbourhood,
            partner_id=r.partner_id,
        )
        for r in db.session.execute(query)
    ]


def test_a_briefings_trend_and_groups_from_sql_month_buckets_are_the_events_counted_one_by_one(
    make, app
):
    """A city with needs posted and completed over more than the trend's months, minutes either
    side of the city's month boundaries (another month in UTC), inside and outside a partner's
    area, completed by two groups: the trend and the groups at work a briefing sums from the
    events' table read in SQL (`aggregates.events_by_month`: each event's need, city month,
    action and partner as integers) equal the events read one by one and counted by
    `kpis.monthly_counts`."""
    from zoneinfo import ZoneInfo

    from briefings.content import _trend_start, area_picture, groups_at_work
    from needs.services import complete_need, start_need
    from performance.kpis import monthly_counts, months_between

    partner, inside, *_ = rim_city(make)
    crews = [make.partner(name=f"Crew {c}", capabilities=[
        {"capability": "litter_cleanup", "tasks_per_week": 400}]) for c in "AB"]  # fmt: skip
    members = [make.user("partner", partner=crew) for crew in crews]
    zone = ZoneInfo(app.config["CITY_TIMEZONE"])
    now = utcnow()
    local = now.astimezone(zone)
    edges = []  # the city's month starts, from eight months back to this month
    for back in range(8, -1, -1):
        year, month = local.year, local.month - back
        while month < 1:
            year, month = year - 1, month + 12
        edges.append(local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0,
                                   microsecond=0))  # fmt: skip
    moments = [
        edge + timedelta(minutes=shift)
        for edge in edges
        for shift in (-7, 3, 60 * 24 * 9)
        if now - timedelta(days=400) < edge + timedelta(minutes=shift) < now - timedelta(hours=2)
    ]
    places = [offset(4.9, b) for b in (10, 100, 200)] + [offset(5.1, b) for b in (50, 250)]
    for k, posted in enumerate(moments):
        lat, lon = places[k % len(places)]
        need = make.need(latitude=lat, longitude=lon, now=posted)
        if k % 3:
            member = members[k % 2]
            done = min(posted + timedelta(days=1, minutes=k), now - timedelta(minutes=1))
            claim_need(member.actor, need.id, now=posted + timedelta(minutes=1))
            start_need(member.actor, need.id, now=posted + timedelta(minutes=2))
            complete_need(member.actor, need.id, {"volunteers": 1}, now=done)
    coordinator = make.user("coordinator")
    spec = specs.partner_specs(now, partner_ids={partner.id})[0]
    city = load_city(coordinator.actor, now, within=spec)
    area = city.area_of(spec)
    assert {n.id for n in inside} <= area < city.ids()

    events = [
        e
        for e in event_rows(NeedEvent.at >= _trend_start(now), NeedEvent.at <= now)
        if e.need_id in area
    ]
    months = months_between(_trend_start(now).date(), local.date())
    counts = monthly_counts(events, months, app.config["CITY_TIMEZONE"])
    trend = area_picture(city, area)["trend"]
    assert trend == {
        "months": months,
        "posted": [counts[m]["posted"] for m in months],
        "completed": [counts[m]["completed"] for m in months],
    }
    assert sum(trend["completed"]) >= 4 and min(trend["posted"][:-1]) >= 1

    done: dict[int, set[int]] = {}
    for e in events:
        if e.action == "complete" and e.partner_id is not None:
            done.setdefault(e.partner_id, set()).add(e.need_id)
    groups = groups_at_work(city, area)
    assert [(g["name"], g["jobs_done"]) for g in groups] == sorted(
        ((crew.name, len(done[crew.id])) for crew in crews if crew.id in done),
        key=lambda pair: (-pair[1], pair[0]),
    )
    assert len(groups) == 2
    assert groups_at_work(load_city(coordinator.actor, now), area) == groups


def test_a_large_kept_city_is_kept_out_of_the_collectors_walks_once_per_index(make, monkeypatch):
    """From FREEZE_FROM kept open needs, the process collects once and freezes (`gc.freeze`)
    when a new kept index is made, so later full collections do not walk the kept needs; a
    need posted since (the same index) starts no collection, and no freeze."""
    monkeypatch.setattr(open_needs_module, "FREEZE_FROM", 3)
    for k in range(3):
        make.need(latitude=30.45 + k * 0.001, longitude=-91.15)
    full: list[str] = []

    def count_full(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            full.append(phase)

    gc.callbacks.append(count_full)
    try:
        kept = planning_services.open_needs()
        assert full == ["start", "stop"]
        walked = {id(o) for o in gc.get_objects()}  # the permanent generation is not listed
        assert not any(id(spec) in walked for spec in kept.specs.values())
        make.need(latitude=30.46, longitude=-91.15)
        again = planning_services.open_needs()
        assert again.index is kept.index and len(again.specs) == 4
        assert full == ["start", "stop"]
    finally:
        gc.callbacks.remove(count_full)
        gc.unfreeze()
    planning_services.OPEN_NEEDS.clear()
    monkeypatch.setattr(open_needs_module, "FREEZE_FROM", 100)
    planning_services.open_needs()
    assert gc.get_freeze_count() == 0  # a small city is left to the collector
