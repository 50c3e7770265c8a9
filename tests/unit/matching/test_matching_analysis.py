"""Coverage gaps, partnership suggestions and recruitment targets on hand-built cities."""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
from city_builders import CAPS, HOODS, NOW, at, make_need, make_partner, random_city

import matching.partnerships
from matching import (
    CandidateIndex,
    CapabilitySlot,
    GapCell,
    Weights,
    coverage_gaps,
    partnership_suggestions,
    partnerships_of,
    plan_city,
    recruitment_targets,
)
from matching.gaps import standing_assignments
from matching.geometry import distance_km, haversine_km, points_in_ring, to_xyz
from matching.recruitment import organisation_kind
from matching.scoring import need_points

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


def test_gap_cells_report_what_the_plan_assigns_and_leaves_unmet():
    # Partner 1 reaches Scotlandville but has no slot left; partner 2 takes both Mid City needs.
    gaps = coverage_gaps(*gap_city(), NOW)
    assert gaps.cells == [
        GapCell("Scotlandville", "lot_mowing", 2, 1, 5.0, 0, 2, 5.0, (), 0.0, 1),
        GapCell("Old South", "lot_mowing", 1, 0, 2.0, 0, 1, 2.0, (), 0.0, 0),
        GapCell("Scotlandville", "litter_cleanup", 1, 0, 2.0, 0, 1, 2.0, (), 0.0, 0),
        # 4 volunteer hours a week over 2 litter slots / 4 mowing slots: 2 h and 1 h a task
        GapCell("Mid City", "litter_cleanup", 1, 0, 1.0, 1, 0, 0.0, ((2, 1),), 2.0, 1),
        GapCell("Mid City", "lot_mowing", 1, 0, 4.0, 1, 0, 0.0, ((2, 1),), 1.0, 1),
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
    assert (old_south.reachable_partners, old_south.planned, old_south.unmet) == (1, 1, 0)
    assert old_south.allocations == ((9, 1),)


def shared_partner_city():
    """One mower with 3 slots reaching two neighbourhoods of 5 needs each."""
    partner = make_partner(1, 0, 0, radius_km=5, capabilities={"lot_mowing": (3, 3)}, hours=6)
    west = [make_need(i, -1 - 0.1 * i, 0, neighbourhood="West") for i in range(1, 6)]
    east = [make_need(i, 1 + 0.1 * i, 0, neighbourhood="East") for i in range(6, 11)]
    return [*west, *east], [partner]


def test_two_neighbourhoods_sharing_one_partner_count_its_capacity_once():
    needs, partners = shared_partner_city()
    gaps = coverage_gaps(needs, partners, NOW)
    cells = {c.neighbourhood: c for c in gaps.cells}
    assert set(cells) == {"West", "East"}
    # The partner reaches both cells: the old "reachable weekly tasks" put its 3 tasks in each
    # and read a shortfall of 5 - 3 = 2 twice. Its 3 slots exist once.
    assert all(c.reachable_partners == 1 and c.open_needs == 5 for c in cells.values())
    assert sum(c.unmet for c in cells.values()) == 7
    assert sum(t for c in cells.values() for _, t in c.allocations) == 3
    assert {p for c in cells.values() for p, _ in c.allocations} == {1}
    assert sum(c.allocated_hours for c in cells.values()) == 6.0  # 3 tasks x 6 h / 3 tasks
    for c in cells.values():
        assert c.planned + c.unmet == c.open_needs
        assert c.planned == sum(t for _, t in c.allocations)
    assert gaps.cells[0].unmet >= gaps.cells[1].unmet


def test_gaps_follow_the_plan_they_are_given_and_its_weights():
    partner = make_partner(1, 0, 0, radius_km=5, capabilities={"lot_mowing": (1, 1)})
    needs = [
        make_need(1, 1, 0, priority=1, age_days=1, neighbourhood="Fresh"),
        make_need(2, -1, 0, priority=5, age_days=300, neighbourhood="Old"),
    ]

    def unmet(**kwargs):
        return {
            c.neighbourhood: c.unmet for c in coverage_gaps(needs, [partner], NOW, **kwargs).cells
        }

    by_priority = Weights(priority=30, waiting=0)
    by_waiting = Weights(priority=0, waiting=30)
    assert unmet(weights=by_priority) == {"Fresh": 0, "Old": 1}
    assert unmet(weights=by_waiting) == {"Fresh": 1, "Old": 0}
    assert unmet(plan=plan_city(needs, [partner], NOW, weights=by_waiting)) == {
        "Fresh": 1,
        "Old": 0,
    }


def test_a_plan_from_other_inputs_counts_only_the_assignments_that_still_stand():
    needs, partners = shared_partner_city()
    plan = plan_city(needs, partners, NOW)
    planned = sorted(s.need_id for s in plan.assignments)
    assert len(planned) == 3
    # Since the plan: one planned need was done (no longer open), the partner spent another
    # slot elsewhere (1 left, 2 planned needs still open), and a need was posted.
    still_open = [n for n in needs if n.id != planned[0]] + [make_need(11, 0.5, 0.5)]
    now_partner = make_partner(1, 0, 0, radius_km=5, capabilities={"lot_mowing": (3, 1)}, hours=6)
    kept = standing_assignments(plan, CandidateIndex(still_open, [now_partner]))
    best = max((s for s in plan.assignments if s.need_id != planned[0]), key=lambda s: s.score)
    assert kept == [best]
    gaps = coverage_gaps(still_open, [now_partner], NOW, plan=plan)
    assert sum(c.planned for c in gaps.cells) == 1
    assert sum(c.unmet for c in gaps.cells) == len(still_open) - 1
    # A partner that no longer does the work, or no longer reaches the need, keeps nothing.
    moved = make_partner(1, 40, 0, radius_km=5, capabilities={"lot_mowing": (3, 3)})
    stopped = make_partner(1, 0, 0, radius_km=5, capabilities={"litter_cleanup": (3, 3)})
    for partner in (moved, stopped):
        assert standing_assignments(plan, CandidateIndex(needs, [partner])) == []


def partnership_city():
    # (id, x, y, capabilities, sector, name, active); every one reaches 3 km
    rows = [
        (1, 0, 0, {"litter_cleanup": (2, 2)}, "faith_based", "Greater Mt. Zion Baptist", True),
        (2, 2, 0, {"bulk_trash_hauling": (2, 2)}, "business", "Capital Hauling", True),
        (3, 1, 0, {"litter_cleanup": (1, 1), "bulk_trash_hauling": (1, 1)}, "nonprofit",
         "Clean Streets", True),
        (4, 1, 0.5, {"lot_mowing": (1, 1)}, "faith_based", "St. Luke", True),
        (5, 1, 0, {"lot_mowing": (1, 1)}, "business", "Dormant Co", False),
    ]  # fmt: skip
    partners = [
        make_partner(
            pid, x, y, radius_km=3, capabilities=caps, sector=sector, name=name, active=active
        )
        for pid, x, y, caps, sector, name, active in rows
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


@pytest.mark.parametrize("seed", range(3))
def test_one_partners_pairs_are_the_city_wide_pairs_that_include_it(seed):
    """`partnerships_of` reads only the subject's area, yet finds exactly the pairs (counts,
    needs, words, order) the city-wide computation finds for it with the subject listed last."""
    needs, partners = random_city(seed, 200, 16)
    for subject in partners:
        others = [p for p in partners if p.id != subject.id]
        city_wide = [
            p
            for p in partnership_suggestions([*others, subject], needs, limit=10_000, labels=LABELS)
            if subject.id in p.partner_ids
        ]
        assert partnerships_of(subject, partners, needs, limit=10_000, labels=LABELS) == city_wide
        assert partnerships_of(subject, partners, needs, limit=2, labels=LABELS) == city_wide[:2]


def test_a_partner_gets_its_own_pairs_even_when_the_city_has_better_ones():
    """Issue 14: a briefing cut the city's best len(others)+1 pairs to its partner and so
    usually showed none; the partner's own best pairs are what it is shown."""
    partners, needs = partnership_city()
    busy = [
        make_partner(10 + i, 30, 0, radius_km=3, capabilities={cap: (1, 1)}, sector=sector)
        for i, (cap, sector) in enumerate(
            [("litter_cleanup", "business"), ("bulk_trash_hauling", "nonprofit")] * 5
        )
    ]
    needs += [
        make_need(100 + i, 30, 0.1 * i, capability=cap)
        for i, cap in enumerate(["litter_cleanup", "bulk_trash_hauling"] * 10)
    ]
    everyone = partners + busy
    st_luke = partners[3]
    assert not [
        p
        for p in partnership_suggestions(everyone, needs, limit=len(everyone))
        if st_luke.id in p.partner_ids
    ]  # the city's top pairs are all elsewhere
    mine = partnerships_of(st_luke, everyone, needs)
    assert [(p.partner_ids, p.needs_covered) for p in mine] == [
        ((3, 4), 5),
        ((2, 4), 3),
        ((1, 4), 3),
    ]


SECTOR_LABELS = {
    "faith_based": "faith-based group",
    "neighbourhood_association": "neighbourhood association",
}


def ring(id0, x, y, *, n=6, r=0.4, centre=True, **kwargs):
    """n needs on a circle of r km around (x, y), plus one at its centre; ids from id0."""
    points = [(x, y)] * centre + [
        (x + r * math.cos(2 * math.pi * k / n), y + r * math.sin(2 * math.pi * k / n))
        for k in range(n)
    ]
    return [make_need(id0 + k, px, py, **kwargs) for k, (px, py) in enumerate(points)]


def km_between(lat, lon, point):
    return float(haversine_km(lat, lon, *point))


def test_a_target_sits_at_the_centre_of_its_cluster_not_at_a_neighbourhood_centre():
    # No need at (6, 4) itself: the first disc is centred on a need of the ring, then moves.
    needs = ring(1, 6, 4, n=7, centre=False, neighbourhood="Mid City North")
    places = [("Mid City", *at(0, 0)), ("Old South", *at(10, 0)), ("Far", *at(40, 40))]
    (target,) = recruitment_targets(needs, [], NOW, places=places, radius_km=1)
    assert target.needs_reached == 7 and target.need_ids == tuple(range(1, 8))
    assert km_between(target.lat, target.lon, at(6, 4)) < 0.05
    assert min(km_between(target.lat, target.lon, p[1:]) for p in places) > 5
    nearest = min(places, key=lambda p: km_between(target.lat, target.lon, p[1:]))
    assert target.near == nearest[0] == "Old South"
    # Without places, the needs' own neighbourhood names it.
    assert recruitment_targets(needs, [], NOW, radius_km=1)[0].near == "Mid City North"


def test_needs_the_plan_covers_attract_no_target():
    covered = ring(1, 0, 0)  # 7 needs, a partner with 7 slots on top of them
    half = ring(20, 10, 0)  # 7 needs, a partner with 3 slots
    alone = ring(40, 20, 0, n=3)  # 4 needs nobody reaches
    partners = [
        make_partner(1, 0, 0, radius_km=2, capabilities={"lot_mowing": (7, 7)}),
        make_partner(2, 10, 0, radius_km=2, capabilities={"lot_mowing": (3, 3)}),
    ]
    needs = covered + half + alone
    plan = plan_city(needs, partners, NOW)
    unassigned = set(plan.unassigned)
    got = recruitment_targets(needs, partners, NOW, plan=plan, radius_km=1)
    reached = [i for t in got for i in t.need_ids]
    assert set(reached) == unassigned and len(reached) == len(unassigned) == 4 + 4
    assert not set(reached) & {n.id for n in covered}
    assert sorted(t.needs_reached for t in got) == [4, 4]
    assert sum(t.needs_reached for t in got) == len(reached)
    # The same without passing the plan: it is computed with the same (default) weights.
    assert recruitment_targets(needs, partners, NOW, radius_km=1) == got


def test_targets_name_the_sectors_that_already_do_the_work_nearby():
    needs = ring(1, 0, 0)
    full = {"lot_mowing": (2, 0)}  # does mowing, no slot left this week: needs stay unmet
    partners = [
        make_partner(1, 1, 0, capabilities=full, sector="faith_based"),
        make_partner(2, 0, 1, capabilities=full, sector="neighbourhood_association"),
        make_partner(3, -1, 0, capabilities=full, sector="faith_based"),
        make_partner(4, 0, 0, capabilities={"litter_cleanup": (3, 3)}, sector="business"),
        make_partner(5, 30, 0, capabilities=full, sector="nonprofit"),
        make_partner(6, 0, -1, capabilities=full, sector="civic_group", active=False),
    ]
    (target,) = recruitment_targets(
        needs,
        partners,
        NOW,
        radius_km=1,
        nearby_km=5,
        places=[("Mid City North", *at(0, 0.5))],
        labels=LABELS,
        sector_labels=SECTOR_LABELS,
    )
    assert target.sectors == (("faith_based", 2), ("neighbourhood_association", 1))
    assert target.reasons[0] == (
        "recruit a faith-based group or a neighbourhood association that does lot mowing "
        "near Mid City North"
    )
    assert target.reasons[2] == (
        "partners already doing lot mowing within 5 km: faith-based group (2), "
        "neighbourhood association (1)"
    )
    lonely = recruitment_targets(needs, partners[3:], NOW, radius_km=1, labels=LABELS)[0]
    assert lonely.sectors == () and lonely.reasons[0].startswith("recruit an organisation")
    assert organisation_kind((("school_university", 1),)) == "a school university"
    assert organisation_kind((("x", 1),), {"x": "association"}) == "an association"


def test_weights_change_the_ranking_of_targets():
    urgent = ring(1, 0, 0, priority=1, age_days=1)
    waiting = ring(20, 20, 0, priority=5, age_days=300)
    needs = urgent + waiting
    ranked = {}
    for name, weights in {
        "priority": Weights(priority=30, waiting=0),
        "waiting": Weights(priority=0, waiting=30),
    }.items():
        got = recruitment_targets(needs, [], NOW, weights=weights, radius_km=1)
        assert [t.needs_reached for t in got] == [7, 7]
        for t in got:
            reached = [n for n in needs if n.id in t.need_ids]
            assert t.weight == pytest.approx(
                float(need_points(reached, NOW, weights).sum()), abs=0.01
            )
        ranked[name] = [t.need_ids[0] for t in got]
    assert ranked["priority"] == [1, 20]
    assert ranked["waiting"] == [20, 1]


def test_targets_of_one_capability_never_count_a_need_twice():
    needs, _ = random_city(5, 300, 0, box_km=6)
    got = recruitment_targets(needs, [], NOW, radius_km=1.0, limit=1000)
    for cap in {n.capability for n in needs}:
        ids = [i for t in got if t.capability == cap for i in t.need_ids]
        assert len(ids) == len(set(ids))
        assert set(ids) == {n.id for n in needs if n.capability == cap}
    for t in got:
        for i in t.need_ids:
            need = next(n for n in needs if n.id == i)
            assert haversine_km(t.lat, t.lon, need.lat, need.lon) <= 1.0 + 1e-9
    weights = [t.weight for t in got]
    assert weights == sorted(weights, reverse=True)
    assert len(recruitment_targets(needs, [], NOW, radius_km=1.0, limit=3)) == 3
    assert recruitment_targets(needs, [], NOW, capability="greening") == []


def test_analyses_do_not_depend_on_input_order():
    needs, partners = random_city(31, 150, 25)
    rnd = random.Random(2)
    n2, p2 = needs[:], partners[:]
    rnd.shuffle(n2)
    rnd.shuffle(p2)
    assert coverage_gaps(needs, partners, NOW) == coverage_gaps(n2, p2, NOW)
    assert partnership_suggestions(partners, needs) == partnership_suggestions(p2, n2)
    sites = [(f"site {i}", *at(i, i)) for i in range(8)]
    assert recruitment_targets(needs, partners, NOW, places=sites) == recruitment_targets(
        n2, p2, NOW, places=sites
    )


def _hotspot_needs(n: int, seed: int) -> list:
    """n needs in a few dense hotspots (blocks of vacant lots) and a thin scatter, priorities
    and ages mixed: the shape of a real city's blight survey."""
    rnd = random.Random(seed)
    spots = [(rnd.uniform(-12, 12), rnd.uniform(-12, 12), rnd.uniform(0.3, 1.5)) for _ in range(9)]
    needs = []
    for k in range(n):
        if rnd.random() < 0.85:
            x, y, spread = rnd.choice(spots)
            px, py = rnd.gauss(x, spread), rnd.gauss(y, spread)
        else:
            px, py = rnd.uniform(-15, 15), rnd.uniform(-15, 15)
        needs.append(
            make_need(k + 1, px, py, priority=rnd.randint(1, 5), age_days=rnd.uniform(0, 90))
        )
    return needs


def test_above_the_cell_threshold_targets_cover_nearly_what_every_need_as_a_centre_covers(
    monkeypatch,
):
    """A city past CELLS_ABOVE weighs one candidate centre per cell instead of every need (the
    pairwise cover took 25+ minutes at 100k needs); on clustered needs its targets must still
    cover at least 97 % of the weight the every-need greedy covers, with no need in two."""
    import matching.recruitment as recruitment

    needs = _hotspot_needs(3_000, seed=5)
    celled = recruitment_targets(needs, [], NOW, radius_km=1.0, limit=8)
    monkeypatch.setattr(recruitment, "CELLS_ABOVE", 10**9)
    every = recruitment_targets(needs, [], NOW, radius_km=1.0, limit=8)
    assert len(celled) == len(every) == 8
    got, best = sum(t.weight for t in celled), sum(t.weight for t in every)
    assert got >= 0.97 * best, (got, best)
    ids = [i for t in celled for i in t.need_ids]
    assert len(ids) == len(set(ids))
    for t in celled:  # every member lies inside its target's disc
        for need in needs:
            if need.id in t.need_ids:
                assert km_between(t.lat, t.lon, (need.lat, need.lon)) <= 1.0 + 1e-6


def crowded_city(seed: int):
    """A random city with discs, neighbourhood lists and polygons, and partners sharing base
    points (same and other radii), some with a need exactly on their rim or a hair inside it."""
    needs, partners = random_city(seed, 400, 30, box_km=8.0)
    rnd = random.Random(seed)
    crowd = []
    for j, base in enumerate(rnd.sample(partners, 8)):
        for k, radius in enumerate((base.radius_km, base.radius_km, rnd.uniform(0.5, 6.0))):
            caps = {c: (3, 3) for c in rnd.sample(CAPS, rnd.randint(1, 2))}
            crowd.append(
                dataclasses.replace(
                    base,
                    id=100 + 3 * j + k,
                    radius_km=radius,
                    capabilities={c: CapabilitySlot(t, left, 0.0) for c, (t, left) in caps.items()},
                    sector=rnd.choice(["nonprofit", "business", "faith_based"]),
                    neighbourhoods=frozenset(rnd.sample(HOODS, rnd.choice([0, 0, 1]))),
                )
            )
    rims = []
    for j, need in enumerate(rnd.sample(needs, 6)):
        base = partners[j]
        exact = float(distance_km(to_xyz(base.lat, base.lon), to_xyz(need.lat, need.lon))[0])
        for k, radius in enumerate((exact, exact + 2e-7, exact - 2e-7)):
            rims.append(dataclasses.replace(base, id=200 + 3 * j + k, radius_km=radius))
    return needs, [*partners, *crowd, *rims]


def reference_area(partner, needs) -> set[int]:
    """The needs inside a partner's area, one by one by the definition: distance within the
    radius, or in a listed neighbourhood, or inside its polygon."""
    found = set()
    for need in needs:
        gap = distance_km(to_xyz(partner.lat, partner.lon), to_xyz(need.lat, need.lon))[0]
        if (
            gap <= max(0.0, partner.radius_km)
            or need.neighbourhood in partner.neighbourhoods
            or (partner.polygon and points_in_ring([need.lon], [need.lat], partner.polygon[0])[0])
        ):
            found.add(need.id)
    return found


@pytest.mark.parametrize("seed", range(3))
def test_counts_in_partners_areas_are_those_of_each_area_listed_need_by_need(seed):
    needs, partners = crowded_city(seed)
    index = CandidateIndex(needs, partners)
    every = np.arange(len(index.partners))
    for cap in CAPS:
        counted = index.count_in_areas(cap, every)
        of_cap = [n for n in needs if n.capability == cap]
        expected = [len(reference_area(p, of_cap)) for p in index.partners]
        assert counted.tolist() == expected


@pytest.mark.parametrize("seed", range(3))
def test_one_partners_pairs_are_those_of_the_definition_worked_out_pair_by_pair(seed):
    """Every subject of the crowded city: its pairs (who, needs, counts, what each brings,
    order) are the ones the module's definition gives, with each area listed need by need."""
    needs, partners = crowded_city(seed)
    area = {p.id: reference_area(p, needs) for p in partners}
    kind = {n.id: n.capability for n in needs}
    for subject in partners:
        expected = []
        for other in partners:
            if other.id == subject.id or not (subject.active and other.active):
                continue
            mine = theirs = 0
            shared = []
            for need_id in sorted(area[subject.id] & area[other.id]):
                does = (kind[need_id] in subject.capabilities, kind[need_id] in other.capabilities)
                mine += does == (True, False)
                theirs += does == (False, True)
                shared += [need_id] if does[0] != does[1] else []
            if mine and theirs:
                key = (other.sector == subject.sector, -(mine + theirs), other.id)
                expected.append((key, tuple(sorted((subject.id, other.id))), tuple(shared)))
        expected.sort()
        got = partnerships_of(subject, partners, needs, limit=10_000, labels=LABELS)
        assert [(p.partner_ids, p.need_ids) for p in got] == [e[1:] for e in expected]
        assert [p.needs_covered for p in got] == [len(e[2]) for e in expected]


@pytest.mark.parametrize("seed", range(3))
def test_a_partners_best_few_pairs_counted_by_bounds_are_the_first_of_all_its_pairs(
    seed, monkeypatch
):
    """`partnerships_of` counts a subject's candidates best bound first, in batches, and stops
    when none left could enter its best `limit`: on the crowded city (partners sharing base
    points and kinds of work, so ties on needs covered broken by id), every limit gives the
    first pairs of counting every candidate. Batches of one candidate per pair shown (the
    product counts more at once) so that the rule is checked after each, on this small city."""
    monkeypatch.setattr(matching.partnerships, "FIRST_BATCH_PER_PAIR", 1)
    needs, partners = crowded_city(seed)
    beyond_first_batch = 0
    for subject in partners:
        every = partnerships_of(subject, partners, needs, limit=10_000, labels=LABELS)
        for limit in range(1, len(every) + 2):
            assert (
                partnerships_of(subject, partners, needs, limit=limit, labels=LABELS)
                == (every[:limit])
            )
        beyond_first_batch += len(every) > 1
    assert beyond_first_batch > len(partners) // 2  # the stopping rule is what is tested


def test_a_candidate_counted_later_for_its_lower_bound_still_wins_a_tie_by_id(monkeypatch):
    """Green Corner (id 20) has the larger bound (it does bulk trash hauling too, but its small
    area misses that need) and is counted first; Southside Mowers (id 5) could at best tie it,
    and does, with the lower id: it must still be counted, and shown first."""
    monkeypatch.setattr(matching.partnerships, "FIRST_BATCH_PER_PAIR", 1)
    subject = make_partner(10, radius_km=1.0, capabilities={"litter_cleanup": (5, 5)})
    green = make_partner(
        20, radius_km=0.5, capabilities={"lot_mowing": (5, 5), "bulk_trash_hauling": (5, 5)}
    )
    mowers = make_partner(5, radius_km=5.0, capabilities={"lot_mowing": (5, 5)})
    needs = [
        make_need(1, 0.1, 0, capability="litter_cleanup"),
        make_need(2, 0, 0.1, capability="litter_cleanup"),
        make_need(3, -0.1, 0, capability="lot_mowing"),
        make_need(4, 0, -0.1, capability="lot_mowing"),
        make_need(5, 0.9, 0, capability="bulk_trash_hauling"),
    ]
    everyone = [subject, green, mowers]
    every = partnerships_of(subject, everyone, needs, limit=10)
    assert [(p.partner_ids, p.needs_covered) for p in every] == [((5, 10), 4), ((10, 20), 4)]
    assert partnerships_of(subject, everyone, needs, limit=1) == every[:1]
