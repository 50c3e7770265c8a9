"""Recruitment targets: where a new partner of some capability would reach the most unmet need.

Unmet needs are those left unassigned by the current city plan (which includes needs no partner
can reach). Pass that `plan`; without one, `plan_city` is run at `now` (default: the latest
`opened_at` among the needs, so the result never depends on a clock). For each candidate site
(name, lat, lon) and capability (the one asked for, or each capability of an unmet need), the
unmet needs of that capability within `radius_km` of the site are counted and their priorities
summed ("priority weight"). Targets are ordered by priority weight desc, needs reached desc,
then site name and capability; sites reaching nothing are dropped.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from scipy.spatial import cKDTree

from matching.explain import label
from matching.geometry import chord_for_km, km_for_chord, to_xyz
from matching.model import CityPlan, NeedSpec, PartnerSpec, RecruitmentTarget
from matching.plan import plan_city

Site = tuple[str, float, float]


def recruitment_targets(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    candidates: Sequence[Site],
    *,
    capability: str | None = None,
    radius_km: float = 3.0,
    limit: int = 10,
    plan: CityPlan | None = None,
    now: datetime | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[RecruitmentTarget]:
    """Best (site, capability) places to recruit a new partner (see module doc)."""
    if not needs or not candidates:
        return []
    if plan is None:
        when = now if now is not None else max(n.opened_at for n in needs)
        plan = plan_city(needs, partners, when)
    assigned = {s.need_id for s in plan.assignments}
    unmet = sorted((n for n in needs if n.id not in assigned), key=lambda n: n.id)
    caps = [capability] if capability is not None else sorted({n.capability for n in unmet})
    sites = to_xyz([c[1] for c in candidates], [c[2] for c in candidates])
    found: list[RecruitmentTarget] = []
    for cap in caps:
        group = [n for n in unmet if n.capability == cap]
        if not group:
            continue
        xyz = to_xyz([n.lat for n in group], [n.lon for n in group])
        hits = cKDTree(xyz).query_ball_point(sites, float(chord_for_km(radius_km)) + 1e-9)
        for (name, lat, lon), site_xyz, hit in zip(candidates, sites, hits, strict=True):
            near = np.asarray(sorted(hit), dtype=np.int64)
            if near.size:
                near = near[km_for_chord(np.linalg.norm(xyz[near] - site_xyz, axis=1)) <= radius_km]
            if near.size == 0:
                continue
            reached = [group[i] for i in near.tolist()]
            weight = sum(n.priority for n in reached)
            text = (
                f"an organisation doing {label(cap, labels)} based near {name} "
                f"would reach {len(reached)} open needs"
            )
            found.append(
                RecruitmentTarget(
                    name=name,
                    lat=lat,
                    lon=lon,
                    capability=cap,
                    needs_reached=len(reached),
                    priority_weight=weight,
                    need_ids=tuple(sorted(n.id for n in reached)),
                    reasons=(text, f"priority weight {weight} within {radius_km:g} km"),
                )
            )
    found.sort(key=lambda t: (-t.priority_weight, -t.needs_reached, t.name, t.capability))
    return found[: max(0, limit)]
