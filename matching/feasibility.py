"""Whether a partner may take a need, pair by pair: the rules the fast paths must agree with.

A pair is feasible when the partner is active, lists the need's capability, has tasks left for
it this week (unless capacity is ignored, as coverage analysis does), and the need lies in the
partner's service area: within `radius_km` of its base (great-circle), OR in one of its named
neighbourhoods, OR inside its polygon. `candidates.CandidateIndex` applies the same rules in bulk.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from matching.geometry import distance_km, points_in_ring, to_xyz
from matching.model import NeedSpec, PartnerSpec

INACTIVE = "partner is inactive"
NO_CAPABILITY = "partner does not do this"
NO_CAPACITY = "no slots left this week"
OUTSIDE_AREA = "outside the service area"


def in_polygon(partner: PartnerSpec, lat: float, lon: float) -> bool:
    """True when the point is inside the partner's polygon (exterior ring)."""
    if not partner.polygon:
        return False
    return bool(points_in_ring([lon], [lat], partner.polygon[0])[0])


def pair_distance_km(need: NeedSpec, partner: PartnerSpec) -> float:
    """Great-circle distance (km) from the partner's base to the need (same path as the index)."""
    return float(distance_km(to_xyz(partner.lat, partner.lon), to_xyz(need.lat, need.lon))[0])


def area_reason(partner: PartnerSpec, need: NeedSpec) -> str | None:
    """Which part of the service area holds the need: 'radius', 'neighbourhood', 'polygon'."""
    if pair_distance_km(need, partner) <= partner.radius_km:
        return "radius"
    if need.neighbourhood is not None and need.neighbourhood in partner.neighbourhoods:
        return "neighbourhood"
    if in_polygon(partner, need.lat, need.lon):
        return "polygon"
    return None


def infeasibility(
    need: NeedSpec, partner: PartnerSpec, *, require_capacity: bool = True
) -> tuple[str, ...]:
    """Every rule the pair breaks; empty when feasible."""
    problems: list[str] = []
    if not partner.active:
        problems.append(INACTIVE)
    slot = partner.capabilities.get(need.capability)
    if slot is None:
        problems.append(NO_CAPABILITY)
    elif require_capacity and slot.tasks_left <= 0:
        problems.append(NO_CAPACITY)
    if area_reason(partner, need) is None:
        problems.append(OUTSIDE_AREA)
    return tuple(problems)


def is_feasible(need: NeedSpec, partner: PartnerSpec, *, require_capacity: bool = True) -> bool:
    """True when the partner may take the need."""
    return not infeasibility(need, partner, require_capacity=require_capacity)
