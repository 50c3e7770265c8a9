"""An independent exact solver for the city plan: the measuring stick for `matching.plan_city`.

It shares only the DEFINITION of the problem with the engine: the pair rules of
`matching.feasibility` (active, does the capability, tasks left, need within the radius OR in a
listed neighbourhood OR inside the polygon; distances and the polygon test from
`matching.geometry`, as the rules use them) and the score formula of `matching.scoring`
(`need_points`, `track_term`, `pair_cents`). It does NOT use `CandidateIndex`, the flow network
of `matching.plan` or `plan_city`.

- `feasible_pairs` lists EVERY feasible pair by brute force, capability by capability, over
  blocks of partners x all needs of the capability (numpy, no spatial index, no pruning), with
  its distance and score in integer cents (the keep bonus added for pairs kept from `previous`).
- `solve_exact` maximises the total score (cents) with each need taken at most once and each
  (partner, capability) at most `tasks_left` times. Default: OR-Tools `SimpleMinCostFlow` on a
  network oriented the other way round from the engine's: every need supplies one unit, which
  goes either through a pair arc (cost -cents) to its (partner, capability) node and on to the
  sink (capacity tasks_left), or straight to the sink at cost 0 (the need stays open). With
  `method="highs"` the same problem is the LP of a bipartite b-matching, solved by scipy's
  HiGHS; its constraint matrix is totally unimodular, so the LP optimum is the integer optimum.
- `max_coverage` is the largest number of needs that can be assigned at all (score-free maximum
  flow: OR-Tools `SimpleMaxFlow`, or scipy's `maximum_flow`).
- `assignment_cents` checks a plan's assignments against the feasible pairs and capacities and
  returns their total in cents, so a plan's objective is never taken on its word.

Must not import: Flask, SQLAlchemy, or any Common Ground package other than `matching`'s
model, feasibility rules, geometry and score formula.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python.max_flow import SimpleMaxFlow
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import maximum_flow

from matching.geometry import km_for_chord, points_in_ring, to_xyz
from matching.model import DEFAULT_WEIGHTS, NeedSpec, PartnerSpec, Weights
from matching.scoring import need_points, pair_cents, track_term

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

BLOCK_CELLS = 1 << 20
"""Largest (partners x needs) distance block computed at once (x 3 coordinates x 8 bytes)."""


@dataclass(frozen=True, slots=True)
class FeasiblePairs:
    """Every feasible (need, partner) pair, sorted by (need id, partner id).

    Positions index `need_ids` / `partner_ids` (all needs and partners, sorted by id). A group
    is one (partner, capability) slot with tasks left; `group` gives each pair's group.
    `cents` are zero when the pairs were listed without a `now`.
    """

    need_ids: IntArray
    partner_ids: IntArray
    need: IntArray
    partner: IntArray
    group: IntArray
    group_partner: IntArray
    group_capability: tuple[str, ...]
    group_capacity: IntArray
    distance_km: FloatArray
    cents: IntArray

    def __len__(self) -> int:
        return int(self.need.size)


@dataclass(frozen=True, slots=True)
class ExactPlan:
    """The optimum over the full feasible graph: total in cents, and one optimal assignment."""

    objective_cents: int
    assignments: dict[int, int]
    """need id -> partner id."""
    pairs: int
    pairs_seconds: float
    solve_seconds: float
    method: str

    @property
    def objective(self) -> float:
        """The total in score points, comparable to `CityPlan.objective`."""
        return self.objective_cents / 100.0

    @property
    def covered(self) -> int:
        return len(self.assignments)


def _xyz(items: Sequence[NeedSpec] | Sequence[PartnerSpec]) -> FloatArray:
    if not items:
        return np.zeros((0, 3))
    return to_xyz([x.lat for x in items], [x.lon for x in items])


def _area_mask(
    partner: PartnerSpec,
    hoods: NDArray[np.str_],
    has_hood: NDArray[np.bool_],
    lon: FloatArray,
    lat: FloatArray,
) -> NDArray[np.bool_]:
    """Needs (of one capability) in the partner's neighbourhood list or polygon."""
    mask = np.zeros(hoods.size, dtype=bool)
    if partner.neighbourhoods:
        mask |= has_hood & np.isin(hoods, sorted(partner.neighbourhoods))
    if partner.polygon:
        mask |= points_in_ring(lon, lat, partner.polygon[0])
    return mask


def _capability_pairs(
    need_pos: IntArray,
    needs: Sequence[NeedSpec],
    need_xyz: FloatArray,
    slot_pos: IntArray,
    partners: Sequence[PartnerSpec],
    partner_xyz: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Feasible (need position, partner position, km) of one capability, brute force."""
    cap_needs = [needs[i] for i in need_pos.tolist()]
    hoods = np.array([n.neighbourhood or "" for n in cap_needs], dtype=np.str_)
    has_hood = np.array([n.neighbourhood is not None for n in cap_needs], dtype=bool)
    lon = np.array([n.lon for n in cap_needs])
    lat = np.array([n.lat for n in cap_needs])
    xyz = need_xyz[need_pos]
    radius = np.array([max(0.0, partners[p].radius_km) for p in slot_pos.tolist()])
    step = max(1, BLOCK_CELLS // max(1, need_pos.size))
    out_n, out_p, out_d = [], [], []
    for start in range(0, slot_pos.size, step):
        block = slot_pos[start : start + step]
        gap = partner_xyz[block][:, None, :] - xyz[None, :, :]
        dist = km_for_chord(np.linalg.norm(gap, axis=2))
        ok = dist <= radius[start : start + step, None]
        for row, p in enumerate(block.tolist()):
            if partners[p].neighbourhoods or partners[p].polygon:
                ok[row] |= _area_mask(partners[p], hoods, has_hood, lon, lat)
        rows, cols = np.nonzero(ok)
        out_n.append(need_pos[cols])
        out_p.append(block[rows])
        out_d.append(dist[rows, cols])
    if not out_n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(out_n), np.concatenate(out_p), np.concatenate(out_d)


def feasible_pairs(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime | None = None,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    previous: Mapping[int, int] | None = None,
) -> FeasiblePairs:
    """Every feasible pair (capacity required: tasks_left > 0), scored at `now` if given."""
    needs = sorted(needs, key=lambda n: n.id)
    partners = sorted(partners, key=lambda p: p.id)
    need_ids = np.array([n.id for n in needs], dtype=np.int64)
    partner_ids = np.array([p.id for p in partners], dtype=np.int64)
    if len(set(need_ids.tolist())) != need_ids.size or len(set(partner_ids.tolist())) != len(
        partner_ids
    ):
        raise ValueError("duplicate need or partner ids")
    need_xyz, partner_xyz = _xyz(needs), _xyz(partners)
    capabilities = sorted({n.capability for n in needs})
    parts: list[tuple[IntArray, IntArray, FloatArray, IntArray]] = []
    for code, cap in enumerate(capabilities):
        need_pos = np.array([i for i, n in enumerate(needs) if n.capability == cap], np.int64)
        slot_pos = np.array(
            [
                j
                for j, p in enumerate(partners)
                if p.active and cap in p.capabilities and p.capabilities[cap].tasks_left > 0
            ],
            np.int64,
        )
        n_pos, p_pos, dist = _capability_pairs(
            need_pos, needs, need_xyz, slot_pos, partners, partner_xyz
        )
        parts.append((n_pos, p_pos, dist, np.full(n_pos.size, code, np.int64)))
    need = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    partner = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    dist = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    cap_code = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, np.int64)
    order = np.lexsort((partner, need))
    need, partner, dist, cap_code = need[order], partner[order], dist[order], cap_code[order]
    n_caps = max(1, len(capabilities))
    keys, group = np.unique(partner * n_caps + cap_code, return_inverse=True)
    group_partner = keys // n_caps
    group_capability = tuple(capabilities[int(c)] for c in (keys % n_caps).tolist())
    group_capacity = np.array(
        [
            partners[int(p)].capabilities[c].tasks_left
            for p, c in zip(group_partner.tolist(), group_capability, strict=True)
        ],
        dtype=np.int64,
    )
    cents = np.zeros(need.size, dtype=np.int64)
    if now is not None and need.size:
        cents = _cents(needs, partners, need, partner, dist, now, weights, previous)
    return FeasiblePairs(
        need_ids,
        partner_ids,
        need.astype(np.int64),
        partner.astype(np.int64),
        group.astype(np.int64).reshape(-1),
        group_partner.astype(np.int64),
        group_capability,
        group_capacity,
        dist,
        cents,
    )


def _cents(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    need: IntArray,
    partner: IntArray,
    dist: FloatArray,
    now: datetime,
    weights: Weights,
    previous: Mapping[int, int] | None,
) -> IntArray:
    """Score of each pair in cents: the shared formula, keep bonus for kept pairs."""
    points = need_points(needs, now, weights)
    track = np.array([track_term(p.track_record) for p in partners], dtype=np.float64)
    kept = None
    if previous:
        partner_of = {p.id: j for j, p in enumerate(partners)}
        prev = np.full(len(needs), -1, dtype=np.int64)
        for i, n in enumerate(needs):
            if n.id in previous and previous[n.id] in partner_of:
                prev[i] = partner_of[previous[n.id]]
        kept = prev[need] == partner
    return pair_cents(points[need], dist, track[partner], weights, kept)


def solve_exact(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    previous: Mapping[int, int] | None = None,
    method: str = "flow",
    pairs: FeasiblePairs | None = None,
) -> ExactPlan:
    """The maximum total score over the full feasible graph ("flow": OR-Tools min-cost flow;
    "highs": the LP with scipy's HiGHS, for small instances). `pairs` may be a prebuilt
    `feasible_pairs(needs, partners, now, weights=..., previous=...)` of the same arguments."""
    t0 = time.perf_counter()
    fp = (
        pairs
        if pairs is not None
        else feasible_pairs(needs, partners, now, weights=weights, previous=previous)
    )
    t1 = time.perf_counter()
    if method == "flow":
        chosen = _solve_flow(fp)
    elif method == "highs":
        chosen = _solve_highs(fp)
    else:
        raise ValueError(f"unknown method {method!r}: 'flow' or 'highs'")
    t2 = time.perf_counter()
    assignments = {
        int(fp.need_ids[fp.need[e]]): int(fp.partner_ids[fp.partner[e]]) for e in chosen.tolist()
    }
    return ExactPlan(
        objective_cents=int(fp.cents[chosen].sum()),
        assignments=assignments,
        pairs=len(fp),
        pairs_seconds=t1 - t0,
        solve_seconds=t2 - t1,
        method=method,
    )


def _solve_flow(fp: FeasiblePairs) -> IntArray:
    """Indices of the chosen pairs: needs supply 1 unit each, bypass or pair arc to the sink."""
    if len(fp) == 0:
        return np.zeros(0, dtype=np.int64)
    used, need_node = np.unique(fp.need, return_inverse=True)
    u, g = used.size, fp.group_capacity.size
    sink = u + g
    tails = np.concatenate([need_node, np.arange(u), u + np.arange(g)]).astype(np.int32)
    heads = np.concatenate([u + fp.group, np.full(u, sink), np.full(g, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(len(fp) + u, np.int64), fp.group_capacity]).astype(np.int64)
    costs = np.concatenate([-fp.cents, np.zeros(u + g, np.int64)]).astype(np.int64)
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(
        np.r_[np.arange(u), sink].astype(np.int32),
        np.r_[np.ones(u, np.int64), -u].astype(np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"exact min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(np.arange(len(fp), dtype=np.int32)), dtype=np.int64)
    chosen = np.flatnonzero(flows > 0)
    if int(fp.cents[chosen].sum()) != -int(smcf.optimal_cost()):
        raise RuntimeError("flows disagree with the optimal cost")
    return chosen


def _solve_highs(fp: FeasiblePairs) -> IntArray:
    """Indices of the chosen pairs from the LP (need rows <= 1, group rows <= tasks_left)."""
    if len(fp) == 0:
        return np.zeros(0, dtype=np.int64)
    e = len(fp)
    n_rows = fp.need_ids.size
    rows = np.concatenate([fp.need, n_rows + fp.group])
    cols = np.concatenate([np.arange(e), np.arange(e)])
    a_ub = sparse.csr_array(
        (np.ones(2 * e), (rows, cols)), shape=(n_rows + fp.group_capacity.size, e)
    )
    b_ub = np.concatenate([np.ones(n_rows), fp.group_capacity.astype(np.float64)])
    res = linprog(-fp.cents.astype(np.float64), A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed: {res.message}")
    x = np.asarray(res.x)
    if np.abs(x - np.rint(x)).max(initial=0.0) > 1e-6:
        raise RuntimeError("HiGHS returned a fractional vertex (the matrix should be TU)")
    return np.flatnonzero(x > 0.5)


def max_coverage(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    *,
    pairs: FeasiblePairs | None = None,
    method: str = "ortools",
) -> int:
    """The largest number of needs assignable at once, scores ignored (maximum flow
    source -> need [1] -> (partner, capability) [1] -> sink [tasks_left]). `method`:
    "ortools" (SimpleMaxFlow) or "scipy" (`scipy.sparse.csgraph.maximum_flow`)."""
    fp = pairs if pairs is not None else feasible_pairs(needs, partners)
    if len(fp) == 0:
        return 0
    used, need_node = np.unique(fp.need, return_inverse=True)
    u, g = used.size, fp.group_capacity.size
    source, sink = u + g, u + g + 1
    tails = np.concatenate([np.full(u, source), need_node, u + np.arange(g)])
    heads = np.concatenate([np.arange(u), u + fp.group, np.full(g, sink)])
    caps = np.concatenate([np.ones(u + len(fp), np.int64), fp.group_capacity])
    if method == "ortools":
        smf = SimpleMaxFlow()
        smf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps)
        status = smf.solve(source, sink)
        if status != smf.OPTIMAL:
            raise RuntimeError(f"max flow failed with status {status}")
        return int(smf.optimal_flow())
    if method == "scipy":
        graph = sparse.csr_array(
            (caps.astype(np.int32), (tails, heads)), shape=(u + g + 2, u + g + 2)
        )
        return int(maximum_flow(graph, source, sink).flow_value)
    raise ValueError(f"unknown method {method!r}: 'ortools' or 'scipy'")


def assignment_cents(fp: FeasiblePairs, assignments: Iterable[tuple[int, int]]) -> int:
    """Total cents of (need id, partner id) assignments; ValueError when one is infeasible, a
    need is assigned twice or a (partner, capability) gets more than its tasks left."""
    n_partners = max(1, fp.partner_ids.size)
    keys = fp.need * n_partners + fp.partner
    need_pos = {int(i): k for k, i in enumerate(fp.need_ids)}
    partner_pos = {int(i): k for k, i in enumerate(fp.partner_ids)}
    load = np.zeros(fp.group_capacity.size, dtype=np.int64)
    seen: set[int] = set()
    total = 0
    for need_id, partner_id in assignments:
        if need_id in seen:
            raise ValueError(f"need {need_id} assigned twice")
        seen.add(need_id)
        n, p = need_pos.get(need_id), partner_pos.get(partner_id)
        key = -1 if n is None or p is None else n * n_partners + p
        at = int(np.searchsorted(keys, key))
        if key < 0 or at >= keys.size or keys[at] != key:
            raise ValueError(f"need {need_id} -> partner {partner_id} is not feasible")
        load[fp.group[at]] += 1
        total += int(fp.cents[at])
    over = np.flatnonzero(load > fp.group_capacity)
    if over.size:
        g = int(over[0])
        raise ValueError(
            f"partner {int(fp.partner_ids[fp.group_partner[g]])} gets {int(load[g])} "
            f"{fp.group_capability[g]} tasks, {int(fp.group_capacity[g])} left"
        )
    return total
