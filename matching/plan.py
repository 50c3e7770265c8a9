"""City-wide assignment as a min-cost flow solved by OR-Tools.

Network (arcs in this order, so pair arcs are 0..E-1):

    need pairs:  (partner, capability) ──cap 1, cost -cents(score)──▶ need
    source ──cap tasks_left, cost 0──▶ (partner, capability)
    need ──cap 1, cost 0──▶ sink
    source ──cap S, cost 0──▶ sink              (bypass: flow is optional)

The source supplies S = min(total tasks_left, needs with a candidate) units and the sink absorbs
them; units not worth sending through a pair take the bypass at cost 0. Every pair cost is ≤ 0,
so the minimum-cost flow is exactly the assignment that MAXIMISES the sum of scores subject to
each (partner, capability)'s tasks_left and each need taken at most once (unlike a max-flow-
then-min-cost solve, which would force extra, lower-scoring assignments). Scores are integer
cents (scoring.py), so objective = -optimal_cost / 100 = the sum of the reported scores.

The pairs are each need's k best candidates by score (candidates.py) plus its SPARE_K best
among under-demanded partners (see `_with_spare_capacity`); k=None uses every feasible pair.
`graph.build_graph` holds the same pairs as an undirected typed graph; this directed network is
its flow form, with partner-capability edges split into one node per (partner,
capability) so capacities are per capability.

Determinism: needs and partners are sorted by id and arcs are added in that canonical order, so
the same inputs in any order give the same plan. When several plans have the same optimal total,
the one returned is the solver's deterministic choice, not necessarily the one with the lowest
ids (a lexicographic id tie-break would need costs scaled by ~1e6 and slow the solve down).

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matching.candidates import CandidateIndex, PairSet
from matching.explain import reasons
from matching.model import (
    DEFAULT_WEIGHTS,
    CityPlan,
    NeedSpec,
    PartnerSpec,
    PlanStats,
    Suggestion,
    Weights,
)

Progress = Callable[[str, float], None]
SOURCE, SINK = 0, 1
SPARE_FACTOR = 4
"""A (partner, capability) in fewer than this x tasks_left needs' top-k is under-demanded."""
SPARE_K = 2
"""Under-demanded partners added to each need's candidates."""


@dataclass(frozen=True, slots=True)
class FlowArrays:
    """The min-cost-flow network as OR-Tools array arguments."""

    tails: NDArray[np.int32]
    heads: NDArray[np.int32]
    capacities: NDArray[np.int64]
    costs: NDArray[np.int64]
    supply: int
    pair_arcs: int
    group_of: NDArray[np.int64]
    """(partner, capability) group index of each pair arc."""
    group_partner: NDArray[np.int64]
    group_capability: NDArray[np.int64]


def flow_arrays(pairs: PairSet, index: CandidateIndex) -> FlowArrays:
    """Build the network above from candidate pairs (vectorised, no sorting)."""
    left = index.tasks_left_table()
    n_caps = max(1, left.shape[1])
    group_key = pairs.partner_pos * n_caps + index.need_cap_code[pairs.need_pos]
    groups, group_of = _compact(group_key, left.size)
    needs, need_of = _compact(pairs.need_pos, len(index.needs))
    group_cap = left.reshape(-1)[groups]
    g0 = 2
    n0 = g0 + groups.size
    supply = int(min(group_cap.sum(), needs.size))
    tails = np.concatenate(
        [g0 + group_of, np.full(groups.size, SOURCE), n0 + np.arange(needs.size), [SOURCE]]
    ).astype(np.int32)
    heads = np.concatenate(
        [n0 + need_of, g0 + np.arange(groups.size), np.full(needs.size, SINK), [SINK]]
    ).astype(np.int32)
    capacities = np.concatenate(
        [np.ones(pairs.need_pos.size, np.int64), group_cap, np.ones(needs.size, np.int64), [supply]]
    ).astype(np.int64)
    costs = np.concatenate([-pairs.cents, np.zeros(groups.size + needs.size + 1, np.int64)]).astype(
        np.int64
    )
    return FlowArrays(
        tails,
        heads,
        capacities,
        costs,
        supply,
        int(pairs.need_pos.size),
        group_of,
        groups // n_caps,
        groups % n_caps,
    )


def _compact(keys: NDArray[np.int64], size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(distinct keys ascending, index of each key among them) for keys in [0, size)."""
    present = np.bincount(keys, minlength=size) > 0
    distinct = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return distinct.astype(np.int64), rank[keys].astype(np.int64)


def solve_flow(arrays: FlowArrays) -> tuple[NDArray[np.int64], int]:
    """Solve with OR-Tools; returns (flow on each pair arc, optimal cost)."""
    if arrays.pair_arcs == 0:
        return np.zeros(0, dtype=np.int64), 0
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        arrays.tails, arrays.heads, arrays.capacities, arrays.costs
    )
    smcf.set_nodes_supplies(
        np.array([SOURCE, SINK], dtype=np.int32),
        np.array([arrays.supply, -arrays.supply], dtype=np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(arrays.pair_arcs, dtype=np.int32))
    return np.asarray(flows, dtype=np.int64), int(smcf.optimal_cost())


def plan_city(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    k: int | None = 20,
    previous: Mapping[int, int] | None = None,
    progress: Progress | None = None,
    labels: Mapping[str, str] | None = None,
    index: CandidateIndex | None = None,
) -> CityPlan:
    """Assign needs to partners maximising the total score under weekly capacities.

    `k` keeps each need's k best candidates by score, plus its SPARE_K best under-demanded
    partners (see `_with_spare_capacity`); None uses every feasible pair. `previous` maps
    need id -> partner id of the current plan; keeping such a pair earns `weights.keep_bonus`.
    `progress(stage, fraction)` is called as stages finish ("candidates", "solve", "explain").
    `index` may be a prebuilt CandidateIndex of exactly these needs and partners.
    """
    report = progress or (lambda _stage, _fraction: None)
    t0 = time.perf_counter()
    idx = index if index is not None else CandidateIndex(needs, partners)
    pairs = idx.best_pairs(now, weights, k=k, require_capacity=True, previous=previous)
    if k is not None:
        pairs = _with_spare_capacity(idx, pairs, now, weights, previous)
    t1 = time.perf_counter()
    report("candidates", 0.4)
    arrays = flow_arrays(pairs, idx)
    flows, cost = solve_flow(arrays)
    chosen = np.flatnonzero(flows > 0)
    t2 = time.perf_counter()
    report("solve", 0.8)
    assignments = _suggestions(idx, pairs, chosen, now, labels, previous)
    assigned = np.zeros(len(idx.needs), dtype=bool)
    assigned[pairs.need_pos[chosen]] = True
    report("explain", 1.0)
    return CityPlan(
        assignments=assignments,
        objective=-cost / 100.0,
        unassigned=[int(i) for i in idx.need_ids[~assigned]],
        stats=PlanStats(
            candidate_pairs=pairs.examined,
            edges_kept=len(pairs),
            candidate_seconds=t1 - t0,
            solve_seconds=t2 - t1,
        ),
    )


def _with_spare_capacity(
    idx: CandidateIndex,
    pairs: PairSet,
    now: datetime,
    weights: Weights,
    previous: Mapping[int, int] | None,
) -> PairSet:
    """Add each need's SPARE_K best partners among the under-demanded ones.

    A (partner, capability) is under-demanded when fewer than SPARE_FACTOR x tasks_left needs
    hold it in their top k. Top-k by score sends every need to the same strong partners; the
    weaker ones then sit idle although they could take needs the strong ones cannot. Offering
    them explicitly is what keeps the pruning loss small (measured in bench/README.md).
    """
    left = idx.tasks_left_table()
    n_caps = max(1, left.shape[1])
    key = pairs.partner_pos * n_caps + idx.need_cap_code[pairs.need_pos]
    demand = np.bincount(key, minlength=left.size).reshape(left.shape)
    spare = (left > 0) & (demand < SPARE_FACTOR * left)
    allowed = {cap: spare[:, code] for code, cap in enumerate(idx.need_capabilities)}
    extra = idx.best_pairs(now, weights, k=SPARE_K, previous=previous, allowed=allowed)
    return _union([pairs, extra], len(idx.partners))


def _union(parts: Sequence[PairSet], n_partners: int) -> PairSet:
    """Distinct pairs of several sets, sorted by (need, partner).

    A pair found twice has the same distance, score and area form both times, so any copy
    may be kept.
    """
    need = np.concatenate([p.need_pos for p in parts])
    partner = np.concatenate([p.partner_pos for p in parts])
    key = need * max(1, n_partners) + partner
    order = np.argsort(key)
    sorted_key = key[order]
    first = order[np.r_[True, sorted_key[1:] != sorted_key[:-1]]] if key.size else order

    def pick(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])[first]

    return PairSet(
        pick("need_pos"),
        pick("partner_pos"),
        pick("distance_km"),
        pick("cents"),
        pick("via"),
        sum(p.examined for p in parts),
    )


def _suggestions(
    idx: CandidateIndex,
    pairs: PairSet,
    chosen: NDArray[np.int64],
    now: datetime,
    labels: Mapping[str, str] | None,
    previous: Mapping[int, int] | None,
) -> list[Suggestion]:
    out = []
    prev = previous or {}
    for e in chosen.tolist():
        need = idx.needs[int(pairs.need_pos[e])]
        partner = idx.partners[int(pairs.partner_pos[e])]
        dist = float(pairs.distance_km[e])
        kept = prev.get(need.id) == partner.id
        out.append(
            Suggestion(
                need_id=need.id,
                partner_id=partner.id,
                score=int(pairs.cents[e]) / 100.0,
                distance_km=dist,
                reasons=reasons(
                    need, partner, dist, now, labels=labels, via=int(pairs.via[e]), kept=kept
                ),
            )
        )
    return out
