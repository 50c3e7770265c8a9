"""Recruitment targets: where the needs the city plan leaves unassigned cluster, and whom to ask.

Unmet needs are the open needs without a standing assignment in the plan (`gaps.
standing_assignments`; pass `plan=None` to have `plan_city` compute one with `weights`). Each
unmet need weighs its own score points under `weights` (priority + waiting, the part of every
pair's score that is the need's: see scoring.py), so the configured weights decide which
clusters matter most.

Per capability (the one asked for, or each capability with unmet needs), targets are chosen by
greedy maximum coverage: candidate centres are the unmet needs' own locations (above
CELLS_ABOVE unmet needs of one capability, one need per cell of side radius_km / 2: the need
nearest its cell's weighted centroid, so a city of 100k needs weighs a few hundred candidate
discs, not every pair of needs within the radius); a centre covers
the still-uncovered unmet needs within `radius_km` (a KD-tree on 3-D coordinates, so the radius
is an exact great-circle radius); the centre covering the most weight is taken (ties: more
needs, then the lower need id), then moved to the weighted centroid of what it covers as long as
that covers at least as much weight (at most REFINE_STEPS times), and its needs are marked
covered. So targets sit where unmet needs actually are, not at neighbourhood centres, and no need
counts in two targets of one capability. This stops after `limit` targets or when nothing is
left.

Each target names the nearest of `places` (name, lat, lon) — typically neighbourhood centres —
for people ("near Mid City North"), or, without places, the most common neighbourhood of its
needs; and `sectors`: (sector, partners) of the active partners that already do the capability
with a base within `nearby_km` (default 2 x radius_km) of the centre, most common first. That
says what kind of organisation to recruit (`organisation_kind`).

All targets are ordered by weight desc, needs reached desc, capability, then centre; the first
`limit` are returned.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from matching.candidates import CandidateIndex
from matching.explain import label
from matching.gaps import standing_assignments
from matching.geometry import EARTH_RADIUS_KM, chord_for_km, km_for_chord, to_xyz
from matching.model import (
    DEFAULT_WEIGHTS,
    CityPlan,
    NeedSpec,
    PartnerSpec,
    RecruitmentTarget,
    Weights,
)
from matching.plan import plan_city

Place = tuple[str, float, float]
"""(name, lat, lon) of a named place, e.g. a neighbourhood centre."""

REFINE_STEPS = 3
"""Times a chosen centre may move to the weighted centroid of what it covers."""
CELLS_ABOVE = 2_000
"""Unmet needs of one capability above which candidate centres are one need per cell: every
need as a candidate covered every pair of needs within the radius, 25 minutes and more at
100k clustered needs (bench/README.md)."""
SLACK_KM = 1e-9
"""Added to KD-tree query radii only; the exact test `distance <= radius_km` decides."""


@dataclass(frozen=True, slots=True)
class _Cluster:
    """One chosen disc: its centre (3-D) and the positions (in the group) it covers."""

    centre: NDArray[np.float64]
    members: NDArray[np.int64]


def recruitment_targets(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    plan: CityPlan | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    capability: str | None = None,
    radius_km: float = 3.0,
    nearby_km: float | None = None,
    limit: int = 10,
    places: Sequence[Place] = (),
    labels: Mapping[str, str] | None = None,
    sector_labels: Mapping[str, str] | None = None,
    index: CandidateIndex | None = None,
) -> list[RecruitmentTarget]:
    """Where unassigned needs cluster, best first, with the kind of organisation to ask."""
    if not needs or limit <= 0:
        return []
    idx = index if index is not None else CandidateIndex(needs, partners)
    if plan is None:
        plan = plan_city(idx.needs, idx.partners, now, weights=weights, index=idx)
    planned = np.zeros(len(idx.needs), dtype=bool)
    for s in standing_assignments(plan, idx):
        planned[idx.need_position(s.need_id)] = True
    caps = [capability] if capability is not None else list(idx.need_capabilities)
    near = _Namer(places)
    found: list[RecruitmentTarget] = []
    for cap in caps:
        group = idx.needs_of(cap)
        group = group[~planned[group]]
        if group.size == 0:
            continue
        points = idx.need_points(now, weights, group)
        for cluster in _clusters(idx.need_xyz[group], points, radius_km, limit):
            members = group[cluster.members]
            found.append(
                _target(
                    idx,
                    cap,
                    cluster.centre,
                    members,
                    float(points[cluster.members].sum()),
                    near,
                    radius_km,
                    nearby_km if nearby_km is not None else 2.0 * radius_km,
                    labels,
                    sector_labels,
                )
            )
    found.sort(key=lambda t: (-t.weight, -t.needs_reached, t.capability, t.lat, t.lon))
    return found[:limit]


def organisation_kind(
    sectors: Sequence[tuple[str, int]], sector_labels: Mapping[str, str] | None = None
) -> str:
    """'a faith-based group or a neighbourhood association' from the two most common sectors,
    'an organisation' when there are none. Labels are singular nouns without an article."""
    names = [_sector_label(code, sector_labels) for code, _ in sectors[:2]]
    if not names:
        return "an organisation"
    return " or ".join(f"{'an' if n[:1].lower() in 'aeiou' else 'a'} {n}" for n in names)


def _sector_label(code: str, sector_labels: Mapping[str, str] | None) -> str:
    if sector_labels and code in sector_labels:
        return sector_labels[code]
    return code.replace("_", " ")


def _clusters(
    xyz: NDArray[np.float64], points: NDArray[np.float64], radius_km: float, limit: int
) -> list[_Cluster]:
    """Greedy maximum coverage of weighted points by discs centred on the points (module doc)."""
    tree = cKDTree(xyz)
    reach = float(chord_for_km(radius_km)) + SLACK_KM
    centres = _candidate_centres(xyz, points, radius_km)
    rows = tree.query_ball_point(xyz[centres], reach, return_sorted=True)
    cols = [np.asarray(r, dtype=np.int64) for r in rows]
    cols = [c[_within(xyz[c], xyz[i], radius_km)] for i, c in zip(centres, cols, strict=True)]
    n = len(xyz)
    cover = csr_matrix(
        (
            np.ones(sum(c.size for c in cols)),
            np.concatenate(cols),
            np.concatenate([[0], np.cumsum([c.size for c in cols])]),
        ),
        shape=(centres.size, n),
    )
    alive = np.ones(n, dtype=bool)
    out: list[_Cluster] = []
    while alive.any() and len(out) < limit:
        gain = cover @ (points * alive)
        count = cover @ alive.astype(np.float64)
        best = int(np.lexsort((centres, -count, -gain))[0])
        members = cover.indices[cover.indptr[best] : cover.indptr[best + 1]]
        start = _Cluster(xyz[centres[best]], members[alive[members]])
        cluster = _refine(tree, xyz, points, alive, start, radius_km)
        alive[cluster.members] = False
        out.append(cluster)
    return out


def _candidate_centres(
    xyz: NDArray[np.float64], points: NDArray[np.float64], radius_km: float
) -> NDArray[np.int64]:
    """Positions of the needs that may centre a disc: every need up to CELLS_ABOVE, else per cell
    of side radius_km / 2 the need nearest the cell's weighted centroid (ties: lower position)."""
    n = len(xyz)
    if n <= CELLS_ABOVE:
        return np.arange(n, dtype=np.int64)
    cells = np.floor(xyz / (radius_km / 2.0)).astype(np.int64)
    _, cell = np.unique(cells, axis=0, return_inverse=True)
    cell = cell.ravel()
    weight = np.where(points > 0, points, 0.0) + 1e-9  # a need of no weight still places
    sums = np.zeros((int(cell.max()) + 1, 3))
    np.add.at(sums, cell, xyz * weight[:, None])
    centroid = sums / np.bincount(cell, weights=weight)[:, None]
    off = np.linalg.norm(xyz - centroid[cell], axis=1)
    order = np.lexsort((np.arange(n), off, cell))
    first = np.ones(n, dtype=bool)
    first[1:] = cell[order][1:] != cell[order][:-1]
    return np.sort(order[first]).astype(np.int64)


def _within(
    xyz: NDArray[np.float64], centre: NDArray[np.float64], radius_km: float
) -> NDArray[np.bool_]:
    return km_for_chord(np.linalg.norm(xyz - centre, axis=1)) <= radius_km


def _refine(
    tree: cKDTree,
    xyz: NDArray[np.float64],
    points: NDArray[np.float64],
    alive: NDArray[np.bool_],
    cluster: _Cluster,
    radius_km: float,
) -> _Cluster:
    """Move the centre to the weighted centroid of its members while that covers no less."""
    for _ in range(REFINE_STEPS):
        share = points[cluster.members]
        share = share if share.sum() > 0 else np.ones(cluster.members.size)
        mean = (xyz[cluster.members] * share[:, None]).sum(axis=0)
        centre = mean / np.linalg.norm(mean) * EARTH_RADIUS_KM
        hits = np.asarray(
            tree.query_ball_point(centre, float(chord_for_km(radius_km)) + SLACK_KM), np.int64
        )
        hits = np.sort(hits[alive[hits]])
        hits = hits[_within(xyz[hits], centre, radius_km)]
        if _worth(points, hits) < _worth(points, cluster.members):
            break
        moved = _Cluster(centre, hits)
        if np.array_equal(hits, cluster.members) and np.allclose(centre, cluster.centre):
            return moved
        cluster = moved
    return cluster


def _worth(points: NDArray[np.float64], members: NDArray[np.int64]) -> tuple[float, int]:
    return float(points[members].sum()), int(members.size)


class _Namer:
    """The nearest named place to a point."""

    def __init__(self, places: Sequence[Place]) -> None:
        self.names = [p[0] for p in places]
        self.tree = (
            cKDTree(to_xyz([p[1] for p in places], [p[2] for p in places])) if places else None
        )

    def __call__(self, centre: NDArray[np.float64], needs: Sequence[NeedSpec]) -> str | None:
        if self.tree is not None:
            return self.names[int(self.tree.query(centre, k=1)[1])]
        hoods = Counter(n.neighbourhood for n in needs if n.neighbourhood)
        return min(hoods, key=lambda h: (-hoods[h], h)) if hoods else None


def _latlon(centre: NDArray[np.float64]) -> tuple[float, float]:
    x, y, z = (float(v) for v in centre / np.linalg.norm(centre))
    return float(np.degrees(np.arcsin(z))), float(np.degrees(np.arctan2(y, x)))


def _sectors_near(
    idx: CandidateIndex, capability: str, centre: NDArray[np.float64], nearby_km: float
) -> tuple[tuple[str, int], ...]:
    pool = idx.pool(capability, False)
    if pool.tree is None:
        return ()
    hits = pool.tree.query_ball_point(centre, float(chord_for_km(nearby_km)) + SLACK_KM)
    pos = pool.positions[np.asarray(hits, dtype=np.int64)]
    pos = pos[_within(idx.partner_xyz[pos], centre, nearby_km)]
    counts = Counter(idx.partners[p].sector for p in pos.tolist())
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _target(
    idx: CandidateIndex,
    capability: str,
    centre: NDArray[np.float64],
    members: NDArray[np.int64],
    weight: float,
    namer: _Namer,
    radius_km: float,
    nearby_km: float,
    labels: Mapping[str, str] | None,
    sector_labels: Mapping[str, str] | None,
) -> RecruitmentTarget:
    reached = [idx.needs[p] for p in members.tolist()]
    lat, lon = _latlon(centre)
    near = namer(centre, reached)
    sectors = _sectors_near(idx, capability, centre, nearby_km)
    work = label(capability, labels)
    where = f" near {near}" if near else ""
    known = ", ".join(f"{_sector_label(s, sector_labels)} ({n})" for s, n in sectors)
    return RecruitmentTarget(
        capability=capability,
        lat=lat,
        lon=lon,
        near=near,
        needs_reached=len(reached),
        weight=round(weight, 2),
        need_ids=tuple(sorted(n.id for n in reached)),
        sectors=sectors,
        reasons=(
            f"recruit {organisation_kind(sectors, sector_labels)} that does {work}{where}",
            f"{len(reached)} needs the plan leaves unassigned lie within {radius_km:g} km "
            f"(weight {weight:.1f})",
            f"partners already doing {work} within {nearby_km:g} km: {known}"
            if known
            else f"no partner does {work} within {nearby_km:g} km yet",
        ),
    )
