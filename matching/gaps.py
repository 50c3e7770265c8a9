"""Coverage gaps: needs nobody can reach, and demand against reachable weekly capacity.

`coverage_gaps` reports
- `unreachable`: needs outside the area of every active partner that does their capability
  (capacity ignored);
- `zero_capacity_only`: needs that some such partner reaches, but only partners with no tasks
  left this week;
- one `GapCell` per (neighbourhood, capability) with open needs: how many, how many overdue, the
  effort hours, and the weekly capacity of the partners that reach at least one of those needs
  (sum of tasks_per_week, volunteer hours, tasks_left). A partner reaching several cells counts in
  each, so capacity figures are "could help here", not an exclusive share.
  shortfall_tasks = max(0, open_needs - weekly_tasks); shortfall_hours = max(0, effort_hours -
  weekly_volunteer_hours). Cells are ordered by shortfall_tasks desc, open_needs desc, then
  neighbourhood and capability. Needs without a neighbourhood form cells with neighbourhood None.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching.candidates import CandidateIndex
from matching.geometry import km_for_chord, points_in_ring, ring_bbox
from matching.model import CoverageGaps, GapCell, NeedSpec, PartnerSpec


def coverage_gaps(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    index: CandidateIndex | None = None,
) -> CoverageGaps:
    """Where demand is not met by reach or by capacity (see module doc)."""
    idx = index if index is not None else CandidateIndex(needs, partners)
    reach_any = idx.reachable(now, require_capacity=False)
    reach_free = idx.reachable(now, require_capacity=True)
    cells: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for pos, need in enumerate(idx.needs):
        cells[(need.capability, need.neighbourhood)].append(pos)
    out = [
        _cell(idx, cap, hood, np.asarray(pos, dtype=np.int64), now)
        for (cap, hood), pos in cells.items()
    ]
    out.sort(key=lambda c: (-c.shortfall_tasks, -c.open_needs, c.neighbourhood or "", c.capability))
    return CoverageGaps(
        unreachable=[int(i) for i in idx.need_ids[~reach_any]],
        zero_capacity_only=[int(i) for i in idx.need_ids[reach_any & ~reach_free]],
        cells=out,
    )


def _cell(
    idx: CandidateIndex, capability: str, hood: str | None, pos: NDArray[np.int64], now: datetime
) -> GapCell:
    pool = idx.pool(capability, False)
    reaching = _partners_reaching(idx, pool.positions, pos, hood)
    slots = [idx.partners[p].capabilities[capability] for p in reaching.tolist()]
    needs = [idx.needs[p] for p in pos.tolist()]
    effort = float(sum(n.effort_hours for n in needs))
    overdue = sum(1 for n in needs if n.due_at is not None and n.due_at < now)
    weekly = sum(s.tasks_per_week for s in slots)
    hours = float(sum(s.volunteer_hours_per_week for s in slots))
    return GapCell(
        neighbourhood=hood,
        capability=capability,
        open_needs=len(needs),
        overdue_needs=overdue,
        effort_hours=effort,
        reachable_partners=len(slots),
        weekly_tasks=weekly,
        weekly_volunteer_hours=hours,
        tasks_left=sum(s.tasks_left for s in slots),
        shortfall_tasks=max(0, len(needs) - weekly),
        shortfall_hours=max(0.0, effort - hours),
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
