"""Coverage gaps: needs nobody can reach, and what the city plan leaves unmet where.

`coverage_gaps` reads a `CityPlan` (pass `plan=None` to have `plan_city` compute one with the
given `weights`) and reports
- `unreachable`: needs outside the area of every active partner that does their capability
  (capacity ignored);
- `zero_capacity_only`: needs that some such partner reaches, but only partners with no tasks
  left this week;
- one `GapCell` per (neighbourhood, capability) with open needs: how many are open and overdue,
  how many the plan assigns (`planned`) and how many it leaves unassigned (`unmet`, the
  shortfall), and the capacity the plan allocates there.

The measure is TASKS: one need takes one weekly slot of one partner, so a cell's capacity
allocated is exactly the tasks the plan gives each partner there (`allocations`, (partner id,
tasks)); a partner's slots are counted once, in the cell where the plan spends them, never again
in every cell it could reach. Hours are the secondary figure: `effort_hours` and `unmet_hours`
are the needs' effort; `allocated_hours` is tasks x the partner's volunteer_hours_per_week /
tasks_per_week. `reachable_partners` (active partners doing the capability whose area reaches at
least one need of the cell, whatever their capacity) is context only.

A plan made from other inputs (a stored plan, read back later) is first reduced to the
assignments that still stand (`standing_assignments`): the need is among `needs`, the partner is
active, does the capability and reaches the need, and per (partner, capability) at most
tasks_left assignments are kept, best score first. For a plan computed on the same needs and
partners this keeps every assignment. Every open need not kept is unmet.

Cells are ordered by unmet desc, unmet hours desc, open needs desc, then neighbourhood and
capability. Needs without a neighbourhood form cells with neighbourhood None.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching.candidates import CandidateIndex
from matching.feasibility import area_reason
from matching.geometry import km_for_chord, points_in_ring, ring_bbox
from matching.model import (
    DEFAULT_WEIGHTS,
    CityPlan,
    CoverageGaps,
    GapCell,
    NeedSpec,
    PartnerSpec,
    Suggestion,
    Weights,
)
from matching.plan import plan_city


def coverage_gaps(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    plan: CityPlan | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    index: CandidateIndex | None = None,
) -> CoverageGaps:
    """Where the plan leaves demand unmet, and why (see module doc).

    `plan=None` computes the plan with `plan_city(needs, partners, now, weights=weights)`.
    """
    idx = index if index is not None else CandidateIndex(needs, partners)
    if plan is None:
        plan = plan_city(idx.needs, idx.partners, now, weights=weights, index=idx)
    assigned = {s.need_id: s.partner_id for s in standing_assignments(plan, idx)}
    reach_any = idx.reachable(now, require_capacity=False)
    reach_free = idx.reachable(now, require_capacity=True)
    cells: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for pos, need in enumerate(idx.needs):
        cells[(need.capability, need.neighbourhood)].append(pos)
    out = [
        _cell(idx, cap, hood, np.asarray(pos, dtype=np.int64), now, assigned)
        for (cap, hood), pos in cells.items()
    ]
    out.sort(
        key=lambda c: (
            -c.unmet,
            -c.unmet_hours,
            -c.open_needs,
            c.neighbourhood or "",
            c.capability,
        )
    )
    return CoverageGaps(
        unreachable=[int(i) for i in idx.need_ids[~reach_any]],
        zero_capacity_only=[int(i) for i in idx.need_ids[reach_any & ~reach_free]],
        cells=out,
    )


def standing_assignments(plan: CityPlan, index: CandidateIndex) -> list[Suggestion]:
    """The plan's assignments that still hold for the indexed needs and partners (module doc).

    Returned in need id order; per (partner, capability) the best scores are kept (ties by need
    id) up to the partner's tasks_left.
    """
    found: list[tuple[Suggestion, NeedSpec, PartnerSpec]] = []
    for s in plan.assignments:
        n, p = index.need_position(s.need_id), index.partner_position(s.partner_id)
        if n is None or p is None:
            continue
        need, partner = index.needs[n], index.partners[p]
        if partner.active and need.capability in partner.capabilities:
            found.append((s, need, partner))
    reached = _reaches(index, found)
    left: dict[tuple[int, str], int] = {}
    kept: list[Suggestion] = []
    for s, need, partner in sorted(
        (f for f, ok in zip(found, reached, strict=True) if ok),
        key=lambda f: (-f[0].score, f[0].need_id),
    ):
        key = (partner.id, need.capability)
        left.setdefault(key, max(0, partner.capabilities[need.capability].tasks_left))
        if left[key] > 0:
            left[key] -= 1
            kept.append(s)
    return sorted(kept, key=lambda s: s.need_id)


def _reaches(
    index: CandidateIndex, found: Sequence[tuple[Suggestion, NeedSpec, PartnerSpec]]
) -> list[bool]:
    """Whether each partner's area holds its need: radius in bulk, the other forms pairwise."""
    if not found:
        return []
    npos = np.asarray([index.need_position(s.need_id) for s, _, _ in found], dtype=np.int64)
    ppos = np.asarray([index.partner_position(s.partner_id) for s, _, _ in found], dtype=np.int64)
    dist = km_for_chord(np.linalg.norm(index.need_xyz[npos] - index.partner_xyz[ppos], axis=1))
    radial = dist <= index.partner_radius[ppos]
    return [
        bool(inside) or area_reason(partner, need) is not None
        for inside, (_, need, partner) in zip(radial.tolist(), found, strict=True)
    ]


def _cell(
    idx: CandidateIndex,
    capability: str,
    hood: str | None,
    pos: NDArray[np.int64],
    now: datetime,
    assigned: dict[int, int],
) -> GapCell:
    needs = [idx.needs[p] for p in pos.tolist()]
    tasks = Counter(assigned[n.id] for n in needs if n.id in assigned)
    hours = 0.0
    for partner_id, count in tasks.items():
        partner_pos = idx.partner_position(partner_id)
        assert partner_pos is not None  # standing assignments name indexed partners only
        slot = idx.partners[partner_pos].capabilities[capability]
        if slot.tasks_per_week > 0:
            hours += count * slot.volunteer_hours_per_week / slot.tasks_per_week
    unmet = [n for n in needs if n.id not in assigned]
    pool = idx.pool(capability, False)
    return GapCell(
        neighbourhood=hood,
        capability=capability,
        open_needs=len(needs),
        overdue_needs=sum(1 for n in needs if n.due_at is not None and n.due_at < now),
        effort_hours=float(sum(n.effort_hours for n in needs)),
        planned=len(needs) - len(unmet),
        unmet=len(unmet),
        unmet_hours=float(sum(n.effort_hours for n in unmet)),
        allocations=tuple(sorted(tasks.items())),
        allocated_hours=hours,
        reachable_partners=int(_partners_reaching(idx, pool.positions, pos, hood).size),
    )


def _partners_reaching(
    idx: CandidateIndex, partners: NDArray[np.int64], needs: NDArray[np.int64], hood: str | None
) -> NDArray[np.int64]:
    """Partners (positions) whose area holds at least one of `needs`."""
    if partners.size == 0:
        return partners
    chord, _ = cKDTree(idx.need_xyz[needs]).query(idx.partner_xyz[partners], k=1)
    reach = km_for_chord(chord) <= idx.partner_radius[partners]
    lon, lat = idx.need_lon[needs], idx.need_lat[needs]
    for i, p in enumerate(partners.tolist()):
        if reach[i]:
            continue
        partner = idx.partners[p]
        if hood is not None and hood in partner.neighbourhoods:
            reach[i] = True
        elif partner.polygon:
            x0, y0, x1, y1 = ring_bbox(partner.polygon[0])
            box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
            reach[i] = bool(box.any()) and bool(
                points_in_ring(lon[box], lat[box], partner.polygon[0]).any()
            )
    return partners[reach]
