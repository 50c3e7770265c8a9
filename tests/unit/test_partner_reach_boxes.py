"""`planning.specs.may_reach`: the partners kept for a briefing's partnerships, by boxes.

A briefing counts its subject's pairs only with the partners that may reach the needs of its
area; `may_reach` tells them by boxes (each partner's `area_boxes` against the box of each
neighbourhood's needs, or a neighbourhood it lists), in arrays. Checked on crowded, clustered
cities against that definition written plainly, and against the engine's exact areas.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from planning.prospects import need_ids_in_area
from planning.specs import area_boxes, may_reach
from tests.unit.matching.city_builders import HOODS, make_need, make_partner, random_city


def boxes_definition(partners, needs):
    """The partners whose boxes meet the box of one neighbourhood's needs, or that list one of
    their neighbourhoods: one by one, as `may_reach` was written first."""
    groups = {}
    for n in needs:
        lat0, lat1, lon0, lon1 = groups.get(n.neighbourhood, (n.lat, n.lat, n.lon, n.lon))
        groups[n.neighbourhood] = (
            min(lat0, n.lat),
            max(lat1, n.lat),
            min(lon0, n.lon),
            max(lon1, n.lon),
        )
    hoods = {h for h in groups if h is not None}
    return [
        p
        for p in partners
        if not p.neighbourhoods.isdisjoint(hoods)
        or any(
            a0 <= b1 and b0 <= a1 and c0 <= d1 and d0 <= c1
            for a0, a1, c0, c1 in area_boxes(p)
            for b0, b1, d0, d1 in groups.values()
        )
    ]


def clustered_city(seed: int):
    """Needs in a few tight clusters (one neighbourhood each, some with none), partners sharing
    base points with other radii, some listing a neighbourhood or drawing a polygon, and many far
    away: a wide-area subject's needs and the city's partners."""
    rnd = random.Random(seed)
    needs, partners = random_city(seed, 200, 40, box_km=8.0)
    clusters = [(rnd.uniform(0, 30), rnd.uniform(0, 30), rnd.choice([*HOODS, None])) for _ in "abc"]
    needs += [
        make_need(1000 + i, x + rnd.gauss(0, 0.3), y + rnd.gauss(0, 0.3), neighbourhood=hood)
        for i, (x, y, hood) in enumerate(rnd.choice(clusters) for _ in range(300))
    ]
    shared = [
        dataclasses.replace(base, id=500 + 2 * j + k, radius_km=rnd.uniform(0.2, 4.0))
        for j, base in enumerate(rnd.sample(partners, 10))
        for k in range(2)
    ]
    far = [
        make_partner(
            900 + j,
            rnd.uniform(-80, 80),
            rnd.uniform(-80, 80),
            radius_km=rnd.uniform(0.5, 20.0),
            neighbourhoods=frozenset(rnd.sample(HOODS, rnd.choice([0, 0, 0, 1]))),
            polygon_km=[(50, 50), (60, 50), (60, 60)] if j % 7 == 0 else None,
        )
        for j in range(60)
    ]
    return needs, [*partners, *shared, *far]


@pytest.mark.parametrize("seed", range(6))
def test_the_partners_that_may_reach_an_areas_needs_are_those_of_the_boxes_definition(seed):
    needs, partners = clustered_city(seed)
    for subject in partners[::9]:
        inside = set(need_ids_in_area(subject, needs))
        area = [n for n in needs if n.id in inside]
        kept = may_reach(partners, area)
        assert [p.id for p in kept] == [p.id for p in boxes_definition(partners, area)]
        reaching = [p.id for p in partners if need_ids_in_area(p, area)]
        assert set(reaching) <= {p.id for p in kept}  # never fewer than reach them exactly
    assert len(may_reach(partners, needs[:50])) < len(partners)  # far ones are left


def test_no_needs_or_no_partners_keep_no_partner():
    needs, partners = clustered_city(0)
    assert may_reach(partners, []) == []
    assert may_reach([], needs) == []
