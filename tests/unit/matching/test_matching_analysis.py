"""Coverage gaps, partnership suggestions and recruitment targets on hand-built cities."""

from __future__ import annotations

import random

from city_builders import NOW, at, make_need, make_partner, random_city

from matching import (
    GapCell,
    coverage_gaps,
    partnership_suggestions,
    plan_city,
    recruitment_targets,
)

LABELS = {
    "lot_mowing": "lot mowing",
    "litter_cleanup": "litter cleanup",
    "bulk_trash_hauling": "bulk trash hauling",
}


def gap_city():
    partners = [
        make_partner(1, 0, 0, radius_km=2, capabilities={"lot_mowing": (3, 0)}, hours=6),
        make_partner(
            2,
            10,
            0,
            radius_km=2,
            capabilities={"lot_mowing": (4, 2), "litter_cleanup": (2, 2)},
            hours=4,
        ),
        make_partner(3, 20, 0, radius_km=50, capabilities={"lot_mowing": (10, 10)}, active=False),
    ]
    needs = [
        make_need(1, 0.5, 0, neighbourhood="Scotlandville", effort_hours=2),
        make_need(2, 1, 0, neighbourhood="Scotlandville", effort_hours=3, due_in_days=-2),
        make_need(3, 10.5, 0, neighbourhood="Mid City", effort_hours=4),
        make_need(4, 10, 1, capability="litter_cleanup", neighbourhood="Mid City", effort_hours=1),
        make_need(5, 30, 0, neighbourhood="Old South", effort_hours=2),
        make_need(
            6, 0, 1, capability="litter_cleanup", neighbourhood="Scotlandville", effort_hours=2
        ),
    ]
    return needs, partners


def test_gaps_split_unreachable_needs_from_needs_only_full_partners_reach():
    gaps = coverage_gaps(*gap_city(), NOW)
    assert gaps.unreachable == [5, 6]
    assert gaps.zero_capacity_only == [1, 2]


def test_gap_cells_weigh_demand_against_reachable_weekly_capacity():
    gaps = coverage_gaps(*gap_city(), NOW)
    assert gaps.cells == [
        GapCell("Old South", "lot_mowing", 1, 0, 2.0, 0, 0, 0.0, 0, 1, 2.0),
        GapCell("Scotlandville", "litter_cleanup", 1, 0, 2.0, 0, 0, 0.0, 0, 1, 2.0),
        GapCell("Scotlandville", "lot_mowing", 2, 1, 5.0, 1, 3, 6.0, 0, 0, 0.0),
        GapCell("Mid City", "litter_cleanup", 1, 0, 1.0, 1, 2, 4.0, 2, 0, 0.0),
        GapCell("Mid City", "lot_mowing", 1, 0, 4.0, 1, 4, 4.0, 2, 0, 0.0),
    ]


def test_a_neighbourhood_list_reaches_its_cell():
    needs, partners = gap_city()
    far = make_partner(
        9,
        40,
        40,
        radius_km=1,
        capabilities={"lot_mowing": (7, 7)},
        neighbourhoods=frozenset({"Old South"}),
    )
    gaps = coverage_gaps(needs, [*partners, far], NOW)
    assert gaps.unreachable == [6]
    old_south = next(c for c in gaps.cells if c.neighbourhood == "Old South")
    assert (old_south.reachable_partners, old_south.weekly_tasks, old_south.shortfall_tasks) == (
        1,
        7,
        0,
    )


def partnership_city():
    partners = [
        make_partner(
            1,
            0,
            0,
            radius_km=3,
            capabilities={"litter_cleanup": (2, 2)},
            sector="faith_based",
            name="Greater Mt. Zion Baptist",
        ),
        make_partner(
            2,
            2,
            0,
            radius_km=3,
            capabilities={"bulk_trash_hauling": (2, 2)},
            sector="business",
            name="Capital Hauling",
        ),
        make_partner(
            3,
            1,
            0,
            radius_km=3,
            capabilities={"litter_cleanup": (1, 1), "bulk_trash_hauling": (1, 1)},
            sector="nonprofit",
            name="Clean Streets",
        ),
        make_partner(
            4,
            1,
            0.5,
            radius_km=3,
            capabilities={"lot_mowing": (1, 1)},
            sector="faith_based",
            name="St. Luke",
        ),
        make_partner(
            5,
            1,
            0,
            radius_km=3,
            capabilities={"lot_mowing": (1, 1)},
            sector="business",
            name="Dormant Co",
            active=False,
        ),
    ]
    hood = "Scotlandville"
    needs = [
        make_need(1, 1, 0, capability="litter_cleanup", neighbourhood=hood),
        make_need(2, 1.5, 0, capability="litter_cleanup", neighbourhood=hood),
        make_need(3, 0.5, 0.5, capability="bulk_trash_hauling", neighbourhood=hood),
        make_need(4, 1, 1, capability="bulk_trash_hauling", neighbourhood=hood),
        make_need(5, 1, -1, capability="lot_mowing", neighbourhood=hood),
        make_need(6, -2.5, 0, capability="bulk_trash_hauling", neighbourhood=hood),
    ]
    return partners, needs


def test_partnerships_are_complementary_pairs_cross_sector_first():
    got = partnership_suggestions(*partnership_city(), labels=LABELS)
    assert [(p.partner_ids, p.needs_covered, p.cross_sector) for p in got] == [
        ((3, 4), 5, True),
        ((1, 2), 4, True),
        ((2, 4), 3, True),
        ((1, 4), 3, False),
    ]
    assert got[1].need_ids == (1, 2, 3, 4)
    assert got[1].brings == (("litter_cleanup",), ("bulk_trash_hauling",))
    assert got[1].reasons == (
        "Greater Mt. Zion Baptist (faith_based) brings litter cleanup; Capital Hauling "
        "(business) brings bulk trash hauling; together they reach 4 open needs in Scotlandville",
    )


def test_partnerships_respect_the_limit():
    assert len(partnership_suggestions(*partnership_city(), limit=2)) == 2
    assert partnership_suggestions([], []) == []


def test_a_pair_that_complements_only_one_way_is_no_partnership():
    partners = [
        make_partner(1, 0, 0, capabilities={"litter_cleanup": (5, 5), "greening": (5, 5)}),
        make_partner(2, 0, 0, capabilities={"litter_cleanup": (5, 5)}, sector="business"),
    ]
    needs = [
        make_need(1, 0.1, 0, capability="greening"),
        make_need(2, 0.2, 0, capability="litter_cleanup"),
    ]
    assert partnership_suggestions(partners, needs) == []


def recruitment_city():
    partners = [make_partner(1, 0, 0, radius_km=2, capabilities={"lot_mowing": (1, 1)})]
    needs = [
        make_need(1, 0.5, 0, priority=5),
        make_need(2, 1, 0, priority=3),
        make_need(3, 10, 0, priority=4),
        make_need(4, 10.5, 0, priority=2),
        make_need(5, 10, 1, priority=1, capability="litter_cleanup"),
    ]
    sites = [("Scotlandville", *at(10, 0)), ("Mid City", *at(0, 0)), ("Far", *at(50, 50))]
    return needs, partners, sites


def test_recruitment_targets_rank_sites_by_unmet_priority_weight():
    needs, partners, sites = recruitment_city()
    got = recruitment_targets(needs, partners, sites, labels=LABELS)
    assert [(t.name, t.capability, t.needs_reached, t.priority_weight) for t in got] == [
        ("Scotlandville", "lot_mowing", 2, 6),
        ("Mid City", "lot_mowing", 1, 3),
        ("Scotlandville", "litter_cleanup", 1, 1),
    ]
    assert got[0].need_ids == (3, 4)
    assert got[0].reasons[0] == (
        "an organisation doing lot mowing based near Scotlandville would reach 2 open needs"
    )


def test_recruitment_can_focus_on_one_capability_and_reuse_a_plan():
    needs, partners, sites = recruitment_city()
    plan = plan_city(needs, partners, NOW)
    got = recruitment_targets(needs, partners, sites, capability="lot_mowing", plan=plan, limit=1)
    assert [(t.name, t.needs_reached) for t in got] == [("Scotlandville", 2)]


def test_analyses_do_not_depend_on_input_order():
    needs, partners = random_city(31, 150, 25)
    rnd = random.Random(2)
    n2, p2 = needs[:], partners[:]
    rnd.shuffle(n2)
    rnd.shuffle(p2)
    assert coverage_gaps(needs, partners, NOW) == coverage_gaps(n2, p2, NOW)
    assert partnership_suggestions(partners, needs) == partnership_suggestions(p2, n2)
    sites = [(f"site {i}", *at(i, i)) for i in range(8)]
    assert recruitment_targets(needs, partners, sites, now=NOW) == recruitment_targets(
        n2, p2, sites, now=NOW
    )
