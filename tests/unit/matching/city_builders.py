"""Builders for the matching tests: specs placed by km offsets around a fixed centre.

A plain module with a unique name (not conftest.py) so `import` cannot pick up another
directory's conftest.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from matching import CapabilitySlot, NeedSpec, PartnerSpec, TrackRecord

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CENTRE_LAT, CENTRE_LON = 30.45, -91.15
KM_PER_DEG_LAT = 111.19492664455873  # 6371.0088 km * pi / 180


def at(x_km: float, y_km: float) -> tuple[float, float]:
    """(lat, lon) of the point x km east and y km north of the centre (small offsets)."""
    lat = CENTRE_LAT + y_km / KM_PER_DEG_LAT
    lon = CENTRE_LON + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT)))
    return lat, lon


def make_need(
    id: int,
    x: float = 0.0,
    y: float = 0.0,
    *,
    capability: str = "lot_mowing",
    priority: int = 3,
    age_days: float = 10.0,
    due_in_days: float | None = None,
    neighbourhood: str | None = None,
    effort_hours: float = 2.0,
) -> NeedSpec:
    lat, lon = at(x, y)
    return NeedSpec(
        id=id,
        capability=capability,
        lat=lat,
        lon=lon,
        priority=priority,
        effort_hours=effort_hours,
        opened_at=NOW - timedelta(days=age_days),
        due_at=None if due_in_days is None else NOW + timedelta(days=due_in_days),
        neighbourhood=neighbourhood,
    )


def make_partner(
    id: int,
    x: float = 0.0,
    y: float = 0.0,
    *,
    radius_km: float = 5.0,
    capabilities: Mapping[str, tuple[int, int]] | None = None,
    active: bool = True,
    neighbourhoods: frozenset[str] = frozenset(),
    polygon_km: list[tuple[float, float]] | None = None,
    sector: str = "nonprofit",
    name: str | None = None,
    completed: int = 0,
    released: int = 0,
    median_days: float | None = None,
    hours: float = 0.0,
) -> PartnerSpec:
    """`capabilities` maps code -> (tasks_per_week, tasks_left); polygon corners in km offsets."""
    lat, lon = at(x, y)
    caps = capabilities if capabilities is not None else {"lot_mowing": (5, 5)}
    polygon = None
    if polygon_km is not None:
        ring = []
        for px, py in polygon_km:
            plat, plon = at(px, py)
            ring.append((plon, plat))
        polygon = (tuple(ring),)
    return PartnerSpec(
        id=id,
        name=name or f"Partner {id}",
        sector=sector,
        active=active,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        capabilities={c: CapabilitySlot(t, left, hours) for c, (t, left) in caps.items()},
        neighbourhoods=neighbourhoods,
        polygon=polygon,
        track_record=TrackRecord(completed, released, median_days),
    )


CAPS = ("lot_mowing", "litter_cleanup", "bulk_trash_hauling")
HOODS = ("Scotlandville", "Mid City", "Old South", "Garden District")


def random_city(
    seed: int, n_needs: int, n_partners: int, box_km: float = 10.0
) -> tuple[list[NeedSpec], list[PartnerSpec]]:
    """A small random city: 3 capabilities, 4 neighbourhoods, some lists and polygons."""
    rnd = random.Random(seed)
    needs = [
        make_need(
            i + 1,
            rnd.uniform(0, box_km),
            rnd.uniform(0, box_km),
            capability=rnd.choice(CAPS),
            priority=rnd.randint(1, 5),
            age_days=rnd.uniform(0, 60),
            due_in_days=rnd.choice([None, rnd.uniform(-10, 10)]),
            neighbourhood=rnd.choice([*HOODS, None]),
        )
        for i in range(n_needs)
    ]
    partners = []
    for j in range(n_partners):
        caps = {}
        for c in rnd.sample(CAPS, rnd.randint(1, 3)):
            total = rnd.randint(0, 4)
            caps[c] = (total, rnd.randint(0, total))
        x, y = rnd.uniform(0, box_km), rnd.uniform(0, box_km)
        polygon = None
        if rnd.random() < 0.15:
            polygon = [(x - 2, y - 2), (x + 3, y - 1), (x + 2, y + 3), (x - 1, y + 2)]
        partners.append(
            make_partner(
                j + 1,
                x,
                y,
                radius_km=rnd.uniform(0.5, 6.0),
                capabilities=caps,
                active=rnd.random() > 0.1,
                neighbourhoods=frozenset(rnd.sample(HOODS, rnd.choice([0, 0, 0, 1, 2]))),
                polygon_km=polygon,
                sector=rnd.choice(["nonprofit", "business", "faith_based"]),
                completed=rnd.randint(0, 20),
                released=rnd.randint(0, 5),
                median_days=rnd.choice([None, rnd.uniform(1, 15)]),
            )
        )
    return needs, partners
