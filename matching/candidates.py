"""Spatial index of needs and partners, and candidate generation without comparing all pairs.

`CandidateIndex` sorts needs and partners by id (so results never depend on input order), maps
them to 3-D coordinates (see geometry.py: KD-tree radii are exact great-circle radii), and builds
per-capability scipy `cKDTree`s lazily: one over the needs of each capability, and one over the
partners able to do it (active, and with tasks left when capacity is required).

Service areas have three forms. The radial one (disc around the base) is served by the trees;
neighbourhood lists by a (capability, neighbourhood) → needs table; polygons by a bounding-box
filter and a vectorised point-in-polygon test. Pairs found through the last two but outside the
disc are the "extra" pairs of a capability; radial and extra pairs are disjoint.

`best_pairs` keeps each need's k best partners BY SCORE, exactly, without listing every feasible
pair. Per capability, it asks the partner tree for each need's K' nearest partners within the
largest radius, keeps the feasible ones and scores them. The score of a partner farther than the
K'-th is at most need_points + distance_points(d_K') + W.track_record * best_track (+ keep
bonus); when the need's k-th best score already beats that bound (strictly, so ties by id are
exact too) the need is done, otherwise K' grows 4x for the needs left. Extra pairs are scored in
full and merged, then each need keeps its top k (score desc, partner id asc). With k=None every
feasible pair is returned.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching.geometry import chord_for_km, km_for_chord, points_in_ring, ring_bbox, to_xyz
from matching.model import NeedSpec, PartnerSpec, Weights
from matching.scoring import (
    cents_of_parts,
    distance_points,
    need_arrays,
    need_points_from_arrays,
    pair_cents,
    partner_cents,
    track_terms,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

RADIUS_SLACK_KM = 1e-9
"""Added to KD-tree query radii only; the exact test `distance <= radius_km` decides."""
RIM_BAND_KM = 1e-6
"""Around a partner's rim, where counting needs by tree distance alone could differ from the
exact test by rounding (`CandidateIndex.area_need_counts`); far wider than that rounding."""
START_WIDTH = 4
"""First kNN query width, as a multiple of k (it grows 4x for needs left unresolved)."""
MAX_BLOCK_CELLS = 1 << 22
"""Largest (needs x K') block queried at once, to bound memory."""
RIM_KM = 1e-6
"""`count_in_areas` trusts the tree's count of a disc up to this far inside its rim; a disc with
a need nearer its rim is counted need by need with the exact test `distance <= radius`."""

VIA_RADIUS, VIA_NEIGHBOURHOOD, VIA_POLYGON = 0, 1, 2


@dataclass(frozen=True, slots=True)
class PairSet:
    """Feasible pairs as parallel arrays of positions into the index's sorted needs/partners.

    `via` says which part of the service area matched (VIA_RADIUS, VIA_NEIGHBOURHOOD,
    VIA_POLYGON). `examined` counts feasible pairs scored while generating them.
    """

    need_pos: IntArray
    partner_pos: IntArray
    distance_km: FloatArray
    cents: IntArray
    via: NDArray[np.int8]
    examined: int

    def __len__(self) -> int:
        return int(self.need_pos.size)


@dataclass(frozen=True, slots=True)
class _Pool:
    """Partners of one capability that may take work, with their tree."""

    positions: IntArray
    tree: cKDTree | None
    max_radius_km: float
    area_positions: IntArray
    """Those of `positions` that also list neighbourhoods or a polygon."""


@dataclass(frozen=True, slots=True)
class Points:
    """The distinct base points of a pool's partners, for searches where partners sharing one
    point count once (the plan's hubs, plan.py).

    Point j's partners are `order[start[j]:start[j + 1]]`, widest radius first (then by
    position); `radius` is aligned with `order`. `tree` holds one point per j, at `xyz[j]`.
    """

    order: IntArray
    start: IntArray
    radius: FloatArray
    xyz: FloatArray
    tree: cKDTree | None

    @property
    def size(self) -> int:
        return int(self.start.size - 1)

    def reach_km(self, partner_reach: FloatArray) -> FloatArray:
        """Per point, the largest of its partners' `partner_reach` (aligned with `order`)."""
        if self.order.size == 0:
            return np.zeros(0)
        return np.maximum.reduceat(partner_reach, self.start[:-1])

    def best_prefix(self, value: IntArray) -> IntArray:
        """Aligned with `order`: the partner with the largest `value` (indexed by partner
        position; lowest position on ties) among its point's partners up to that place."""
        if self.order.size == 0:
            return np.zeros(0, np.int64)
        span = int(self.order.max()) + 2
        v = value[self.order]
        key = (v - v.min()) * span + (span - 1 - self.order)
        seg = np.repeat(np.arange(self.size), np.diff(self.start))
        top = int(key.max()) + 1
        best = np.maximum.accumulate(key + seg * top) - seg * top
        return span - 1 - best % span

    def partner_for(self, point: IntArray, dist: FloatArray, best: IntArray) -> IntArray:
        """For hits (point, distance): the best partner (`best_prefix`) among the point's
        partners whose radius reaches the distance; -1 where none does."""
        first = self.start[point]
        out = np.where(self.radius[first] >= dist, best[first], -1)
        # Points of several partners: binary search for the last place whose radius reaches.
        many = np.flatnonzero((self.start[point + 1] - first > 1) & (out >= 0))
        if many.size == 0:
            return out
        d = dist.reshape(-1)[many] if dist.ndim > 1 else dist[many]
        lo = first.reshape(-1)[many] + 1
        hi = self.start[point.reshape(-1)[many] + 1]
        while True:
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) // 2
            ok = self.radius[np.minimum(mid, self.radius.size - 1)] >= d
            lo = np.where(open_ & ok, mid + 1, lo)
            hi = np.where(open_ & ~ok, mid, hi)
        flat = out.reshape(-1)
        flat[many] = best[lo - 1]
        return flat.reshape(out.shape)


def _points_of(index: CandidateIndex, positions: IntArray) -> Points:
    """The distinct base points of the partners at `positions` (sorted)."""
    if positions.size == 0:
        z = np.zeros(0, np.int64)
        return Points(z, np.zeros(1, np.int64), np.zeros(0), np.zeros((0, 3)), None)
    loc = index.partner_location[positions]
    radius = index.partner_radius[positions]
    o = np.lexsort((positions, -radius, loc))
    loc_o = loc[o]
    first = np.r_[True, loc_o[1:] != loc_o[:-1]]
    start = np.r_[np.flatnonzero(first), o.size].astype(np.int64)
    order = positions[o]
    xyz = index.partner_xyz[order[start[:-1]]]
    return Points(order, start, radius[o], xyz, cKDTree(xyz))


def _empty_pairs() -> PairSet:
    z = np.zeros(0, dtype=np.int64)
    return PairSet(z, z, np.zeros(0), z, np.zeros(0, dtype=np.int8), 0)


class CandidateIndex:
    """Needs and partners, sorted by id, with lazily built per-capability spatial indexes.

    Build it once for a set of specs and reuse it for many queries; rebuild it when needs or
    partners change (specs are frozen, capacities included).
    """

    def __init__(self, needs: Iterable[NeedSpec], partners: Iterable[PartnerSpec]) -> None:
        self.needs: tuple[NeedSpec, ...] = tuple(sorted(needs, key=lambda n: n.id))
        self.partners: tuple[PartnerSpec, ...] = tuple(sorted(partners, key=lambda p: p.id))
        for kind, items in (("need", self.needs), ("partner", self.partners)):
            ids = [x.id for x in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} ids")
        self.need_ids = np.fromiter((n.id for n in self.needs), np.int64, len(self.needs))
        self.partner_ids = np.fromiter((p.id for p in self.partners), np.int64, len(self.partners))
        self.need_xyz = _xyz(self.needs)
        self.partner_xyz = _xyz(self.partners)
        self.need_lon = np.fromiter((n.lon for n in self.needs), np.float64, len(self.needs))
        self.need_lat = np.fromiter((n.lat for n in self.needs), np.float64, len(self.needs))
        self.partner_radius = np.fromiter(
            (max(0.0, p.radius_km) for p in self.partners), np.float64, len(self.partners)
        )
        self.partner_track = track_terms(self.partners)
        self.partner_location = (
            np.unique(self.partner_xyz, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
            if len(self.partners)
            else np.zeros(0, np.int64)
        )
        """Id of each partner's base point: partners with the same id share it exactly."""
        self._need_arrays: tuple[FloatArray, FloatArray, FloatArray] | None = None
        self._need_pos = {int(i): k for k, i in enumerate(self.need_ids)}
        self._partner_pos = {int(i): k for k, i in enumerate(self.partner_ids)}
        by_cap: dict[str, list[int]] = defaultdict(list)
        by_cell: dict[tuple[str, str], list[int]] = defaultdict(list)
        for pos, need in enumerate(self.needs):
            by_cap[need.capability].append(pos)
            if need.neighbourhood is not None:
                by_cell[(need.capability, need.neighbourhood)].append(pos)
        self._cap_needs = {c: np.asarray(v, dtype=np.int64) for c, v in by_cap.items()}
        self.need_cap_code = np.zeros(len(self.needs), dtype=np.int64)
        for code, cap in enumerate(sorted(by_cap)):
            self.need_cap_code[self._cap_needs[cap]] = code
        self._cell_needs = {c: np.asarray(v, dtype=np.int64) for c, v in by_cell.items()}
        self._need_trees: dict[str, cKDTree] = {}
        self._pools: dict[tuple[str, bool], _Pool] = {}
        self._points: dict[tuple[str, bool], Points] = {}
        self._extra: dict[str, PairSet] = {}
        self._extra_pooled: dict[str, NDArray[np.bool_]] = {}
        self._tasks_left: NDArray[np.int64] | None = None
        self._area_counts: dict[Hashable, int] = {}
        self._boxes: FloatArray | None = None

    # ---- lookups -------------------------------------------------------------------------
    def need_position(self, need_id: int) -> int | None:
        return self._need_pos.get(need_id)

    def partner_position(self, partner_id: int) -> int | None:
        return self._partner_pos.get(partner_id)

    @property
    def need_capabilities(self) -> tuple[str, ...]:
        return tuple(sorted(self._cap_needs))

    def needs_of(self, capability: str) -> IntArray:
        return self._cap_needs.get(capability, np.zeros(0, dtype=np.int64))

    def cell_needs(self, capability: str, neighbourhood: str) -> IntArray:
        return self._cell_needs.get((capability, neighbourhood), np.zeros(0, dtype=np.int64))

    def tasks_left_table(self) -> NDArray[np.int64]:
        """(partners x need capabilities) tasks left this week; 0 for inactive partners."""
        if self._tasks_left is None:
            caps = self.need_capabilities
            table = np.zeros((len(self.partners), len(caps)), dtype=np.int64)
            for p, partner in enumerate(self.partners):
                if not partner.active:
                    continue
                for code, cap in enumerate(caps):
                    slot = partner.capabilities.get(cap)
                    if slot is not None:
                        table[p, code] = max(0, slot.tasks_left)
            self._tasks_left = table
        return self._tasks_left

    def need_tree(self, capability: str) -> cKDTree | None:
        if capability not in self._need_trees:
            pos = self.needs_of(capability)
            if pos.size == 0:
                return None
            self._need_trees[capability] = cKDTree(self.need_xyz[pos])
        return self._need_trees[capability]

    def pool(self, capability: str, require_capacity: bool) -> _Pool:
        """Active partners able to do `capability` (with tasks left if required), and a tree."""
        key = (capability, require_capacity)
        if key not in self._pools:
            pos = [
                i
                for i, p in enumerate(self.partners)
                if _can_do(p, capability, require_capacity=require_capacity)
            ]
            arr = np.asarray(pos, dtype=np.int64)
            tree = cKDTree(self.partner_xyz[arr]) if arr.size else None
            rmax = float(self.partner_radius[arr].max()) if arr.size else 0.0
            area = [i for i in pos if self.partners[i].neighbourhoods or self.partners[i].polygon]
            self._pools[key] = _Pool(arr, tree, rmax, np.asarray(area, dtype=np.int64))
        return self._pools[key]

    def points(self, capability: str, require_capacity: bool = True) -> Points:
        """The distinct base points of `pool(capability, require_capacity)`."""
        key = (capability, require_capacity)
        if key not in self._points:
            self._points[key] = _points_of(self, self.pool(capability, require_capacity).positions)
        return self._points[key]

    def need_points(
        self, now: datetime, weights: Weights, positions: IntArray | None = None
    ) -> FloatArray:
        """Priority + waiting points at `now` of the indexed needs (or those at `positions`)."""
        if self._need_arrays is None:  # built on first use: partnerships never score
            self._need_arrays = need_arrays(self.needs)
        arrays = self._need_arrays
        if positions is not None:
            arrays = tuple(a[positions] for a in arrays)  # type: ignore[assignment]
        return need_points_from_arrays(*arrays, now, weights)

    def reachable(self, now: datetime, *, require_capacity: bool) -> NDArray[np.bool_]:
        """For each indexed need: does any partner's area reach it (with slots left if required)?"""
        pairs = self.best_pairs(
            now, Weights(), k=1, require_capacity=require_capacity, any_feasible=True
        )
        out = np.zeros(len(self.needs), dtype=bool)
        out[pairs.need_pos] = True
        return out

    # ---- one need / one partner -----------------------------------------------------------
    def partners_for_need(
        self, need: NeedSpec, *, require_capacity: bool = True
    ) -> tuple[IntArray, FloatArray, NDArray[np.int8]]:
        """Feasible partner positions for one need (sorted), their distances and `via` codes."""
        pool = self.pool(need.capability, require_capacity)
        if pool.tree is None:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8)
        xyz = to_xyz(need.lat, need.lon)[0]
        reach = float(chord_for_km(pool.max_radius_km)) + 1e-9
        hits = pool.tree.query_ball_point(xyz, reach, return_sorted=False)
        cand = pool.positions[np.asarray(hits, dtype=np.int64)]
        dist = km_for_chord(np.linalg.norm(self.partner_xyz[cand] - xyz, axis=1))
        radial = dist <= self.partner_radius[cand]
        via = np.full(cand.size, -1, dtype=np.int8)
        via[radial] = VIA_RADIUS
        others = pool.area_positions[~np.isin(pool.area_positions, cand[radial])]
        extra_pos, extra_via = self._area_partners(need, others)
        if extra_pos.size:
            cand = np.concatenate([cand, extra_pos])
            via = np.concatenate([via, extra_via])
            dist = np.concatenate(
                [dist, km_for_chord(np.linalg.norm(self.partner_xyz[extra_pos] - xyz, axis=1))]
            )
        keep = via >= 0
        cand, dist, via = cand[keep], dist[keep], via[keep]
        order = np.argsort(cand, kind="stable")
        return cand[order], dist[order], via[order]

    def area_need_counts(self, partners: Sequence[PartnerSpec], capability: str) -> IntArray:
        """For each partner: how many indexed needs of `capability` lie inside its area, the
        size of `needs_for_partner`, counted once per area (partners with the same base,
        radius, neighbourhoods and polygon share it; on clustered cities dozens do) and kept
        with the index, so ranking the partners of many needs counts each area once.

        The discs are counted by the tree without listing their needs (two counts,
        `RIM_BAND_KM` inside and outside each rim, all partners at once: equal, no need lies
        where rounding could decide), the listed neighbourhoods and the polygon by their needs
        outside the disc; a need on the rim sends the area to `needs_for_partner` itself."""
        keys = [(capability, area_of(p)) for p in partners]
        missing: dict[Hashable, PartnerSpec] = {}
        for key, partner in zip(keys, partners, strict=True):
            if key not in self._area_counts:
                missing.setdefault(key, partner)
        if missing:
            counted = self._count_areas(list(missing.values()), capability)
            for key, count in zip(missing, counted, strict=True):
                self._area_counts[key] = count  # the same value whoever writes it first
        return np.fromiter((self._area_counts[k] for k in keys), np.int64, len(keys))

    def _count_areas(self, partners: list[PartnerSpec], capability: str) -> list[int]:
        tree = self.need_tree(capability)
        if tree is None:
            return [0] * len(partners)
        radius = np.fromiter((p.radius_km for p in partners), np.float64, len(partners))
        rim = chord_for_km(np.maximum(radius, 0.0))
        xyz = _xyz(partners)  # ball counts only: the band absorbs any rounding here
        inner = tree.query_ball_point(xyz, np.maximum(rim - RIM_BAND_KM, 0.0), return_length=True)
        outer = tree.query_ball_point(xyz, rim + RIM_BAND_KM, return_length=True)
        out = []
        for k, partner in enumerate(partners):
            if partner.radius_km <= RIM_BAND_KM or inner[k] != outer[k]:
                out.append(int(self.needs_for_partner(partner, capability)[0].size))
            else:
                out.append(int(inner[k]) + self._beyond_disc(partner, capability))
        return out

    def _beyond_disc(self, partner: PartnerSpec, capability: str) -> int:
        """Needs of `capability` in the partner's listed neighbourhoods or polygon but outside
        its disc, by `needs_for_partner`'s exact distance test."""
        listed = self._listed_needs(partner, capability)  # cells are disjoint: no repeats
        drawn = self._polygon_needs(partner, self.needs_of(capability))
        if drawn.size and listed.size:
            drawn = drawn[~np.isin(drawn, listed)]
        beyond = np.concatenate([listed, drawn])
        if beyond.size == 0:
            return 0
        xyz = to_xyz(partner.lat, partner.lon)[0]
        dist = km_for_chord(np.linalg.norm(self.need_xyz[beyond] - xyz, axis=1))
        return int(np.count_nonzero(dist > partner.radius_km))

    def in_area(self, partner: PartnerSpec, capability: str, positions: IntArray) -> NDArray:
        """For need positions: is the need of `capability` and inside the partner's area, by
        the tests of `needs_for_partner` (the same arrays, so the same answer)?"""
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size == 0:
            return np.zeros(0, dtype=bool)
        ok = np.fromiter(
            (self.needs[p].capability == capability for p in positions.tolist()),
            dtype=bool,
            count=positions.size,
        )
        xyz = to_xyz(partner.lat, partner.lon)[0]
        dist = km_for_chord(np.linalg.norm(self.need_xyz[positions] - xyz, axis=1))
        inside = dist <= partner.radius_km
        if partner.neighbourhoods:
            inside |= np.fromiter(
                (self.needs[p].neighbourhood in partner.neighbourhoods for p in positions.tolist()),
                dtype=bool,
                count=positions.size,
            )
        if partner.polygon:
            ring = partner.polygon[0]
            x0, y0, x1, y1 = ring_bbox(ring)
            lon, lat = self.need_lon[positions], self.need_lat[positions]
            box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
            inside |= box & points_in_ring(lon, lat, ring)
        return ok & inside

    def _area_partners(
        self, need: NeedSpec, positions: IntArray
    ) -> tuple[IntArray, NDArray[np.int8]]:
        """Of `positions`, the partners whose neighbourhood list or polygon holds the need
        (a polygon is tested only when its bounding box holds the need)."""
        boxes = self._polygon_boxes()[positions]
        boxed = (
            (boxes[:, 0] <= need.lon)
            & (need.lon <= boxes[:, 2])
            & (boxes[:, 1] <= need.lat)
            & (need.lat <= boxes[:, 3])
        )  # no polygon: NaN, never
        out: list[int] = []
        via: list[int] = []
        for pos, in_box in zip(positions.tolist(), boxed.tolist(), strict=True):
            partner = self.partners[pos]
            if need.neighbourhood is not None and need.neighbourhood in partner.neighbourhoods:
                out.append(pos)
                via.append(VIA_NEIGHBOURHOOD)
            elif in_box and points_in_ring([need.lon], [need.lat], partner.polygon[0])[0]:
                out.append(pos)
                via.append(VIA_POLYGON)
        return np.asarray(out, dtype=np.int64), np.asarray(via, dtype=np.int8)

    def _polygon_boxes(self) -> FloatArray:
        """(min lon, min lat, max lon, max lat) of each partner's polygon; NaN without one."""
        if self._boxes is None:
            boxes = np.full((len(self.partners), 4), np.nan)
            for pos, partner in enumerate(self.partners):
                if partner.polygon:
                    boxes[pos] = ring_bbox(partner.polygon[0])
            self._boxes = boxes
        return self._boxes

    def needs_for_partner(
        self, partner: PartnerSpec, capability: str
    ) -> tuple[IntArray, FloatArray, NDArray[np.int8]]:
        """Need positions of `capability` inside the partner's area, distances and via codes."""
        cap_needs = self.needs_of(capability)
        tree = self.need_tree(capability)
        if tree is None:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8)
        xyz = to_xyz(partner.lat, partner.lon)[0]
        reach = float(chord_for_km(max(0.0, partner.radius_km))) + 1e-9
        hits = tree.query_ball_point(xyz, reach, return_sorted=False)
        cand = cap_needs[np.asarray(hits, dtype=np.int64)]
        dist = km_for_chord(np.linalg.norm(self.need_xyz[cand] - xyz, axis=1))
        radial = cand[dist <= partner.radius_km]
        parts = [radial]
        vias = [np.full(radial.size, VIA_RADIUS, dtype=np.int8)]
        nbhd = self._listed_needs(partner, capability)
        if nbhd.size:
            nbhd = nbhd[~np.isin(nbhd, radial)]
            parts.append(nbhd)
            vias.append(np.full(nbhd.size, VIA_NEIGHBOURHOOD, dtype=np.int8))
        poly = self._polygon_needs(partner, cap_needs)
        if poly.size:
            poly = poly[~np.isin(poly, np.concatenate([radial, nbhd]))]
            parts.append(poly)
            vias.append(np.full(poly.size, VIA_POLYGON, dtype=np.int8))
        if len(parts) == 1:
            return radial, dist[dist <= partner.radius_km], vias[0]
        pos = np.concatenate(parts)
        via = np.concatenate(vias)
        order = np.argsort(pos, kind="stable")
        pos, via = pos[order], via[order]
        return pos, km_for_chord(np.linalg.norm(self.need_xyz[pos] - xyz, axis=1)), via

    def count_in_areas(self, capability: str, positions: IntArray) -> IntArray:
        """For the partners at `positions`: how many needs of `capability` lie in each one's
        service area (its disc, listed neighbourhoods and polygon; a radius below 0 counts as
        0), without listing them.

        The discs are counted by the tree in one pass (`return_length`), once per distinct
        base point and radius; the tree's count is exact for the needs further than `RIM_KM`
        inside the rim, and a disc with a need nearer its rim is counted need by need with the
        exact test. Only the needs a list or polygon adds beyond the disc are listed.
        """
        positions = np.asarray(positions, dtype=np.int64)
        counts = np.zeros(positions.size, dtype=np.int64)
        tree = self.need_tree(capability)
        if tree is None or positions.size == 0:
            return counts
        cap_needs = self.needs_of(capability)
        discs = np.column_stack([self.partner_location[positions], self.partner_radius[positions]])
        _, first, inverse = np.unique(discs, axis=0, return_index=True, return_inverse=True)
        xyz = self.partner_xyz[positions[first]]
        radius = self.partner_radius[positions[first]]
        reach = chord_for_km(radius) + RADIUS_SLACK_KM
        outer = np.asarray(tree.query_ball_point(xyz, reach, return_length=True), np.int64)
        inner = np.asarray(
            tree.query_ball_point(
                xyz, chord_for_km(np.maximum(radius - RIM_KM, 0.0)), return_length=True
            ),
            np.int64,
        )
        inner[radius <= RIM_KM] = -1  # no margin to trust: counted need by need
        for j in np.flatnonzero(outer != inner).tolist():
            hits = np.asarray(tree.query_ball_point(xyz[j], reach[j]), dtype=np.int64)
            dist = km_for_chord(np.linalg.norm(self.need_xyz[cap_needs[hits]] - xyz[j], axis=1))
            outer[j] = int(np.count_nonzero(dist <= radius[j]))
        counts += outer[inverse.reshape(-1)]
        for i, pos in enumerate(positions.tolist()):
            partner = self.partners[pos]
            if not (partner.neighbourhoods or partner.polygon):
                continue
            extra = self._listed_needs(partner, capability)  # cells are disjoint: no repeats
            poly = self._polygon_needs(partner, cap_needs)
            if poly.size:
                extra = np.concatenate([extra, poly[~np.isin(poly, extra)]])
            gap = self.need_xyz[extra] - self.partner_xyz[pos]
            dist = km_for_chord(np.linalg.norm(gap, axis=1))
            counts[i] += int(np.count_nonzero(dist > self.partner_radius[pos]))
        return counts

    def _listed_needs(self, partner: PartnerSpec, capability: str) -> IntArray:
        cells = [self.cell_needs(capability, n) for n in sorted(partner.neighbourhoods)]
        return np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)

    def _polygon_needs(self, partner: PartnerSpec, cap_needs: IntArray) -> IntArray:
        if not partner.polygon or cap_needs.size == 0:
            return np.zeros(0, dtype=np.int64)
        ring = partner.polygon[0]
        x0, y0, x1, y1 = ring_bbox(ring)
        lon, lat = self.need_lon[cap_needs], self.need_lat[cap_needs]
        box = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        sub = cap_needs[box]
        return sub[points_in_ring(self.need_lon[sub], self.need_lat[sub], ring)]

    # ---- all needs ---------------------------------------------------------------------------
    def extra_pairs(self, capability: str) -> PairSet:
        """Pairs of `capability` feasible through neighbourhood lists or polygons only (no
        capacity filter, cents unset)."""
        if capability not in self._extra:
            self._extra[capability] = self._build_extra(capability)
        return self._extra[capability]

    def pooled_extra(self, capability: str) -> NDArray[np.bool_]:
        """Which of the `extra_pairs` of `capability` have a partner in `pool(capability, True)`
        (may take work): the area pairs the plan's pricing prices each round. Found once."""
        if capability not in self._extra_pooled:
            extra = self.extra_pairs(capability)
            partners = self.pool(capability, True).positions
            ok = np.zeros(len(extra), bool)
            if len(extra) and partners.size:
                at = np.minimum(np.searchsorted(partners, extra.partner_pos), partners.size - 1)
                ok = partners[at] == extra.partner_pos
            self._extra_pooled[capability] = ok
        return self._extra_pooled[capability]

    def _build_extra(self, capability: str) -> PairSet:
        pool = self.pool(capability, False)
        n_pos: list[IntArray] = []
        p_pos: list[IntArray] = []
        dists: list[FloatArray] = []
        vias: list[NDArray[np.int8]] = []
        cap_needs = self.needs_of(capability)
        for pos in pool.area_positions.tolist():
            partner = self.partners[pos]
            listed = self._listed_needs(partner, capability)  # cells are disjoint: no repeats
            poly = self._polygon_needs(partner, cap_needs)
            if poly.size and listed.size:
                poly = poly[~np.isin(poly, listed)]
            needs = np.concatenate([listed, poly])
            via = np.concatenate(
                [
                    np.full(listed.size, VIA_NEIGHBOURHOOD, dtype=np.int8),
                    np.full(poly.size, VIA_POLYGON, dtype=np.int8),
                ]
            )
            gap = self.need_xyz[needs] - self.partner_xyz[pos]
            dist = km_for_chord(np.linalg.norm(gap, axis=1))
            outside = dist > self.partner_radius[pos]
            n_pos.append(needs[outside])
            p_pos.append(np.full(int(outside.sum()), pos, dtype=np.int64))
            dists.append(dist[outside])
            vias.append(via[outside])
        if not n_pos:
            return _empty_pairs()
        need_pos = np.concatenate(n_pos)
        cents = np.zeros(need_pos.size, dtype=np.int64)
        return PairSet(
            need_pos, np.concatenate(p_pos), np.concatenate(dists), cents, np.concatenate(vias), 0
        )

    def best_pairs(
        self,
        now: datetime,
        weights: Weights,
        *,
        k: int | None = 20,
        require_capacity: bool = True,
        previous: Mapping[int, int] | None = None,
        need_mask: NDArray[np.bool_] | None = None,
        allowed: Mapping[str, NDArray[np.bool_]] | None = None,
        any_feasible: bool = False,
        per_point: bool = False,
        exact: bool = True,
    ) -> PairSet:
        """Each need's k best feasible partners by score (all feasible pairs when k is None),
        sorted by (need, score desc, partner id).

        `per_point` counts partners sharing one base point once, for radial pairs: each need's
        k best base points, each by its best partner there for the need (the one whose radius
        reaches it with the most partner cents; lowest position on ties; the keep bonus aside).
        The plan's network reaches the other partners at a point through its hub (plan.py).
        `exact=False` takes each need's k best among its first kNN answers (the START_WIDTH x k
        nearest, at least 32) without widening the search until the k best are proven: a
        starting network that pricing completes (plan.py) needs good pairs, not the best.
        `need_mask` (over indexed needs) limits which needs are searched; `allowed` maps a
        capability to a mask over indexed partners that may take it (others are skipped).
        `any_feasible` stops a need's search at its first feasible partners (for reachability;
        the pairs returned are then not each need's best).
        """
        if k is not None and k < 1:
            raise ValueError("k must be a positive integer or None")
        base = self.need_points(now, weights)
        prev = self._previous_positions(previous)
        parts = []
        for c in self.need_capabilities:
            needs = self.needs_of(c)
            if need_mask is not None:
                needs = needs[need_mask[needs]]
            pool = self.pool(c, require_capacity)
            points = self.points(c, require_capacity) if per_point else None
            if allowed is not None:
                pool = _restrict(self, pool, allowed.get(c))
                points = _points_of(self, pool.positions) if per_point else None
            parts.append(
                self._best_for_capability(
                    c, needs, pool, base, weights, k, prev, any_feasible, points, exact
                )
            )
        parts = [p for p in parts if len(p)]
        if not parts:
            return _empty_pairs()
        return _concat(parts)

    def _previous_positions(self, previous: Mapping[int, int] | None) -> IntArray | None:
        if not previous:
            return None
        prev = np.full(len(self.needs), -1, dtype=np.int64)
        for need_id, partner_id in previous.items():
            n, p = self._need_pos.get(need_id), self._partner_pos.get(partner_id)
            if n is not None and p is not None:
                prev[n] = p
        return prev

    def _score(
        self,
        need_pos: IntArray,
        partner_pos: IntArray,
        dist: FloatArray,
        base: FloatArray,
        weights: Weights,
        prev: IntArray | None,
        partner_part: IntArray | None = None,
    ) -> IntArray:
        """The pairs' scores in cents (`scoring.pair_cents`); `partner_part`: every indexed
        partner's `partner_cents` when the caller has them (pricing millions of pairs a round
        computes them once per partner, not once per pair)."""
        kept = None if prev is None else (prev[need_pos] == partner_pos)
        if partner_part is None:
            return pair_cents(base[need_pos], dist, self.partner_track[partner_pos], weights, kept)
        return cents_of_parts(base[need_pos], dist, partner_part[partner_pos], weights, kept)

    def _best_for_capability(
        self,
        capability: str,
        needs: IntArray,
        pool: _Pool,
        base: FloatArray,
        weights: Weights,
        k: int | None,
        prev: IntArray | None,
        any_feasible: bool = False,
        points: Points | None = None,
        exact: bool = True,
    ) -> PairSet:
        if pool.tree is None or needs.size == 0:
            return _empty_pairs()
        search = _RadialSearch(self, pool, base, weights, prev, k, points)
        search.any_feasible = any_feasible
        search.exact = exact
        radial = search.run(needs)
        extra = self.extra_pairs(capability)
        if len(extra):
            ok = np.isin(extra.partner_pos, pool.positions)
            if needs.size < self.needs_of(capability).size:
                ok &= np.isin(extra.need_pos, needs)
            cents = self._score(
                extra.need_pos[ok],
                extra.partner_pos[ok],
                extra.distance_km[ok],
                base,
                weights,
                prev,
            )
            extra = PairSet(
                extra.need_pos[ok],
                extra.partner_pos[ok],
                extra.distance_km[ok],
                cents,
                extra.via[ok],
                int(ok.sum()),
            )
            radial = _concat([radial, extra])
        return _top_k(radial, k, len(self.partners))


def _restrict(index: CandidateIndex, pool: _Pool, mask: NDArray[np.bool_] | None) -> _Pool:
    """The part of a pool whose partners the mask allows (a new, smaller tree)."""
    if mask is None:
        return _Pool(np.zeros(0, np.int64), None, 0.0, np.zeros(0, np.int64))
    pos = pool.positions[mask[pool.positions]]
    if pos.size == 0:
        return _Pool(pos, None, 0.0, pos)
    area = pool.area_positions[mask[pool.area_positions]]
    return _Pool(pos, cKDTree(index.partner_xyz[pos]), float(index.partner_radius[pos].max()), area)


class _RadialSearch:
    """Exact per-need top-k over radial service areas by growing kNN queries (see module doc)."""

    def __init__(
        self,
        index: CandidateIndex,
        pool: _Pool,
        base: FloatArray,
        weights: Weights,
        prev: IntArray | None,
        k: int | None,
        points: Points | None = None,
    ) -> None:
        self.index = index
        self.pool = pool
        self.points = points
        self.tree = pool.tree if points is None else points.tree
        self.best = (
            None
            if points is None
            else points.best_prefix(partner_cents(index.partner_track, weights))
        )
        self.base = base
        self.weights = weights
        self.prev = prev
        self.k = k
        self.n_pool = int(pool.positions.size) if points is None else points.size
        self.bound_extra = weights.track_record * float(
            index.partner_track[pool.positions].max()
        ) + (weights.keep_bonus if prev is not None else 0.0)
        self.upper = float(chord_for_km(pool.max_radius_km)) + 1e-9
        self.any_feasible = False
        self.exact = True

    def run(self, needs: IntArray) -> PairSet:
        width = self.n_pool if self.k is None else min(self.n_pool, max(START_WIDTH * self.k, 32))
        out: list[PairSet] = []
        examined = 0
        pending = needs
        while pending.size:
            rows = max(1, MAX_BLOCK_CELLS // width)
            left: list[IntArray] = []
            for start in range(0, pending.size, rows):
                block = pending[start : start + rows]
                pairs, unresolved, seen = self._query(block, width)
                out.append(pairs)
                left.append(unresolved)
                examined += seen
            pending = np.concatenate(left)
            width = min(self.n_pool, width * 4)
        res = _concat(out) if out else _empty_pairs()
        return PairSet(res.need_pos, res.partner_pos, res.distance_km, res.cents, res.via, examined)

    def _query(self, block: IntArray, width: int) -> tuple[PairSet, IntArray, int]:
        idx = self.index
        chord, slot = self.tree.query(
            idx.need_xyz[block], k=width, distance_upper_bound=self.upper, workers=-1
        )
        chord = np.asarray(chord).reshape(block.size, width)
        slot = np.asarray(slot).reshape(block.size, width)
        found = slot < self.n_pool
        dist = km_for_chord(np.where(found, chord, 0.0))
        if self.points is None:
            partner = self.pool.positions[np.where(found, slot, 0)]
            feasible = found & (dist <= idx.partner_radius[partner])
        else:
            # Each hit is a base point: its best partner that reaches the need stands for it.
            partner = self.points.partner_for(np.where(found, slot, 0), dist, self.best)
            feasible = found & (partner >= 0)
            partner = np.where(feasible, partner, 0)
        rows = np.broadcast_to(block[:, None], feasible.shape)
        cents = np.full(feasible.shape, -1, dtype=np.int64)
        cents[feasible] = idx._score(
            rows[feasible], partner[feasible], dist[feasible], self.base, self.weights, self.prev
        )
        saturated = found[:, -1] & (width < self.n_pool)
        resolved = ~saturated
        if self.any_feasible:
            resolved |= feasible.any(axis=1)
        if not self.exact:
            resolved[:] = True
        if self.k is not None and saturated.any():
            kth = np.partition(cents, -self.k, axis=1)[:, -self.k]
            far = distance_points(dist[:, -1], self.weights)
            beyond = self.base[block] + far + self.bound_extra
            # + 1: the place and partner parts are rounded to cents separately (scoring.py).
            bound = np.ceil(beyond * 100.0).astype(np.int64) + 1
            resolved |= saturated & (kth > bound)
        keep = feasible & resolved[:, None]
        if self.k is not None and width > self.k:
            keep &= _row_top_k(cents, partner, self.k)
        pairs = PairSet(
            rows[keep].astype(np.int64),
            partner[keep].astype(np.int64),
            dist[keep],
            cents[keep],
            np.zeros(int(keep.sum()), dtype=np.int8),
            int(keep.sum()),
        )
        return pairs, block[~resolved], int(feasible.sum())


def area_of(partner: PartnerSpec) -> Hashable:
    """What decides which needs lie in a partner's service area: partners with equal areas
    reach the same needs (`CandidateIndex.needs_for_partner`)."""
    return (partner.lat, partner.lon, partner.radius_km, partner.neighbourhoods, partner.polygon)


def _can_do(partner: PartnerSpec, capability: str, *, require_capacity: bool) -> bool:
    slot = partner.capabilities.get(capability)
    if not partner.active or slot is None:
        return False
    return slot.tasks_left > 0 or not require_capacity


def _xyz(items: Sequence[NeedSpec] | Sequence[PartnerSpec]) -> FloatArray:
    if not items:
        return np.zeros((0, 3))
    lat = np.fromiter((x.lat for x in items), np.float64, len(items))
    lon = np.fromiter((x.lon for x in items), np.float64, len(items))
    return to_xyz(lat, lon)


def _concat(parts: Sequence[PairSet]) -> PairSet:
    return PairSet(
        np.concatenate([p.need_pos for p in parts]),
        np.concatenate([p.partner_pos for p in parts]),
        np.concatenate([p.distance_km for p in parts]),
        np.concatenate([p.cents for p in parts]),
        np.concatenate([p.via for p in parts]),
        sum(p.examined for p in parts),
    )


def _row_top_k(cents: IntArray, partner: IntArray, k: int) -> NDArray[np.bool_]:
    """Mask of each row's k best cells by (cents desc, partner position asc); cents < 0 never."""
    span = int(partner.max()) + 2 if partner.size else 1
    key = np.where(cents >= 0, cents * span + (span - 1 - partner), -1)
    top = np.argpartition(-key, k - 1, axis=1)[:, :k]
    mask = np.zeros(cents.shape, dtype=bool)
    np.put_along_axis(mask, top, True, axis=1)
    return mask & (cents >= 0)


def _top_k(pairs: PairSet, k: int | None, n_partners: int) -> PairSet:
    """Sort by (need, score desc, partner id) and keep each need's first k."""
    order = _pair_order(pairs, n_partners)
    need = pairs.need_pos[order]
    keep = np.ones(order.size, dtype=bool)
    if k is not None and order.size:
        starts = np.r_[0, np.flatnonzero(np.diff(need)) + 1]
        group_start = np.repeat(starts, np.diff(np.r_[starts, need.size]))
        keep = (np.arange(need.size) - group_start) < k
    sel = order[keep]
    return PairSet(
        pairs.need_pos[sel],
        pairs.partner_pos[sel],
        pairs.distance_km[sel],
        pairs.cents[sel],
        pairs.via[sel],
        pairs.examined,
    )


def _pair_order(pairs: PairSet, n_partners: int) -> IntArray:
    """Argsort by (need, cents desc, partner): one int64 key when it fits, else lexsort."""
    if pairs.need_pos.size == 0:
        return np.zeros(0, dtype=np.int64)
    top = int(pairs.cents.max()) + 1
    span = n_partners + 1
    n = int(pairs.need_pos.max()) + 1
    if n * (top + 1) * span < 2**62:
        key = (pairs.need_pos * (top + 1) + (top - pairs.cents)) * span + pairs.partner_pos
        return np.argsort(key, kind="stable")
    return np.lexsort((pairs.partner_pos, -pairs.cents, pairs.need_pos))
