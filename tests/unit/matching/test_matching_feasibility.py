"""A partner may take a need only when active, able, in area and with slots left."""

from __future__ import annotations

import pytest
from city_builders import NOW, make_need, make_partner

from matching import rank_partners_for_need
from matching.feasibility import (
    INACTIVE,
    NO_CAPABILITY,
    NO_CAPACITY,
    OUTSIDE_AREA,
    infeasibility,
    is_feasible,
)

SQUARE = [(8.0, -1.0), (10.0, -1.0), (10.0, 1.0), (8.0, 1.0)]

CASES = [
    ("in radius", make_partner(1, radius_km=5), make_need(1, 4.9, 0), ()),
    ("just outside radius", make_partner(1, radius_km=5), make_need(1, 5.05, 0), (OUTSIDE_AREA,)),
    ("inactive", make_partner(1, active=False), make_need(1, 1, 0), (INACTIVE,)),
    (
        "missing capability",
        make_partner(1, capabilities={"litter_cleanup": (3, 3)}),
        make_need(1, 1, 0),
        (NO_CAPABILITY,),
    ),
    (
        "zero capacity",
        make_partner(1, capabilities={"lot_mowing": (3, 0)}),
        make_need(1, 1, 0),
        (NO_CAPACITY,),
    ),
    (
        "outside radius but in listed neighbourhood",
        make_partner(1, radius_km=1, neighbourhoods=frozenset({"Scotlandville"})),
        make_need(1, 9, 0, neighbourhood="Scotlandville"),
        (),
    ),
    (
        "outside radius and not in listed neighbourhood",
        make_partner(1, radius_km=1, neighbourhoods=frozenset({"Scotlandville"})),
        make_need(1, 9, 0, neighbourhood="Mid City"),
        (OUTSIDE_AREA,),
    ),
    (
        "outside radius but inside polygon",
        make_partner(1, radius_km=1, polygon_km=SQUARE),
        make_need(1, 9, 0),
        (),
    ),
    (
        "outside radius and outside polygon",
        make_partner(1, radius_km=1, polygon_km=SQUARE),
        make_need(1, 11, 0),
        (OUTSIDE_AREA,),
    ),
    (
        "every rule broken",
        make_partner(1, radius_km=1, active=False, capabilities={"x": (1, 1)}),
        make_need(1, 3, 0),
        (INACTIVE, NO_CAPABILITY, OUTSIDE_AREA),
    ),
]


@pytest.mark.parametrize(
    ("partner", "need", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_feasibility_rules_name_every_broken_rule(partner, need, expected):
    assert infeasibility(need, partner) == expected


@pytest.mark.parametrize(
    ("partner", "need", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_spatial_index_agrees_with_the_pairwise_rules(partner, need, expected):
    ranked = rank_partners_for_need(need, [partner], NOW)
    assert (len(ranked) == 1) == (expected == ())


def test_capacity_can_be_ignored_for_reach_questions():
    partner = make_partner(1, capabilities={"lot_mowing": (3, 0)})
    need = make_need(1, 1, 0)
    assert not is_feasible(need, partner)
    assert is_feasible(need, partner, require_capacity=False)


def test_radius_is_great_circle_distance_in_km():
    # 0.1 degree of latitude is 11.12 km whatever the longitude scale.
    need = make_need(1, 0, 11.10)
    assert is_feasible(need, make_partner(1, radius_km=11.12))
    assert not is_feasible(need, make_partner(1, radius_km=11.08))
