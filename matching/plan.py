"""City-wide assignment: the plan that maximises the total score, certified optimal.

The plan is a min-cost flow (flow.py) over candidate pairs. Solving it over every feasible pair of
a large city is slow (28M pairs at 100k needs x 5k partners), so `plan_city` starts from a pruned
network — each need's k best BASE POINTS among its nearest ones (candidates.py, `per_point`, not
proven the best: `EXACT_START`) plus its SPARE_K best among under-demanded points
(`_with_spare_capacity`) — and then CLOSES the pruning with a proof (column generation):

    solve the network → read dual prices u (needs), v (groups) off the optimal flow and check
    them in exact integers (flow.DualPrices.check) → drop the pairs whose reduced profit is
    below -DROP_CENTS from the network → price every feasible pair of the city (pricing.py): a
    pair with cents - u - v > 0 could improve the plan → add the best of them per need (one per
    base point, at most PRICED_PER_NEED) and per base point (at most PRICED_PER_SLOT x its
    slots + 1) → re-solve; stop when pricing finds none.

Partners sharing one base point (ZIP centres, PO boxes) sit behind hub nodes (`_Hubs`): one arc
per need and point instead of one per need and partner, exact because a pair's cents are place
cents + partner cents (scoring.pair_cents).

When pricing finds nothing, every feasible pair of the city satisfies cents ≤ u + v, so the dual
objective Σu + Σcap·v — equal to the plan's objective — bounds every plan over the full feasible
graph: the plan is optimal (`PlanStats.certified`, gap 0). Top-k blind to capacity, partners
sharing one base point, a few partners with all the spare slots: pricing finds the pairs the
pruning left out, whatever the shape of the data. If `max_rounds` or `time_budget_s` runs out
first, the plan is returned uncertified with `gap_cents`: an upper bound on how much it may be
short (the best reduced profit of each need added to the dual bound).

**Steady plans.** `previous` (need id → partner id, the latest plan's standing assignments) is
the baseline: keeping such a pair earns `weights.keep_bonus` in the objective, so among plans of
equal score the standing assignments win, and a small change moves few of them. `CityPlan.churn`
counts kept, moved, added and dropped assignments against the baseline. Remaining ties are broken
by the solver, deterministically: needs and partners are sorted by id and arcs are added in that
canonical order, so the same inputs in any order give the same plan.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching import parallel
from matching.candidates import CandidateIndex, PairSet, _concat, _empty_pairs
from matching.explain import reason_items, render_all
from matching.flow import DualPrices, Network, build_network, dual_prices, solve
from matching.model import (
    DEFAULT_WEIGHTS,
    Churn,
    CityPlan,
    NeedSpec,
    PartnerSpec,
    PlanStats,
    Suggestion,
    Weights,
)
from matching.pricing import PricingResult, improving_pairs
from matching.scoring import partner_cents

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

Progress = Callable[[str, float], None]
SPARE_FACTOR = 4
"""A (partner, capability) in fewer than this x tasks_left needs' top-k is under-demanded."""
SPARE_K = 2
"""Under-demanded partners added to each need's candidates."""
MAX_ROUNDS = 60
"""Column-generation rounds before a plan is returned uncertified (with its gap)."""
PRICED_PER_SLOT: int | None = 8
"""And per slot of a base point (or area partner) and round: see pricing.improving_pairs."""
PRICED_PER_NEED = 16
"""Improving pairs added per need and round."""
DROP_CENTS: int | None = 200
"""After each solve, pairs whose reduced profit is below -DROP_CENTS leave the network (a used
pair's is 0); pricing adds back any that could improve the plan. None keeps every pair. At L
(CPU s, bench/README.md): 200 was a little faster than 500 on every family (more rounds, smaller
networks), 1000 slower."""
EXACT_START = False
"""Whether the starting network holds each need's proven k best points, or the k best of its
nearest ones (candidates.CandidateIndex.best_pairs `exact`); pricing completes either."""
DEFAULT_K = 8
"""Partners per need in the starting network: pricing adds whatever else the optimum needs, so
k only trades solve size against rounds (8 was fastest at 100k needs, bench/README.md)."""


def network_for(
    idx: CandidateIndex,
    pairs: PairSet,
    weights: Weights = DEFAULT_WEIGHTS,
    prev: IntArray | None = None,
) -> Network:
    """The flow network over candidate pairs of an index (co-located partners behind hubs)."""
    return _Hubs(idx, weights).network(pairs, prev)[0]


class _Hubs:
    """Partners sharing one base point, per capability, merged behind hub nodes.

    A need within reach of several partners at one base point scores them all with the same
    place cents (need + distance points) plus each one's partner cents (scoring.pair_cents).
    So instead of one arc per (need, partner), the network gets one arc from the hub of the
    partner with the smallest radius that still reaches the need (its "entry", at place
    cents); every partner at that point with a radius at least as large feeds that hub, at
    cost -its partner cents. Each path group → hub → need is a feasible pair with its exact
    cents, and the one arc stands for all of them: a crowd of partners at one ZIP centre costs
    the network one arc per need instead of dozens, and pricing finds nothing left out behind
    it. Feeds are built only for the hubs in use. Kept pairs (keep bonus) and pairs feasible
    only through neighbourhood lists or polygons stay direct arcs from the group node.
    """

    def __init__(self, idx: CandidateIndex, weights: Weights) -> None:
        self.idx = idx
        left = idx.tasks_left_table()
        self.n_caps = max(1, left.shape[1])
        self.tasks_left = left.reshape(-1)
        n_keys = self.tasks_left.size
        self.key_cents = np.repeat(partner_cents(idx.partner_track, weights), self.n_caps)
        self.point_of = np.full(n_keys, -1, np.int64)
        """(base point, capability) of each group key that may take work (-1: none)."""
        self.rank = np.full(n_keys, -1, np.int64)
        """Position of each such group key in `order`: by point, then radius, then id."""
        orders, points, radii = [], [], []
        offset = 0
        for code, cap in enumerate(idx.need_capabilities):
            pos = idx.pool(cap, True).positions
            if pos.size == 0:
                continue
            loc = idx.partner_location[pos]
            radius = idx.partner_radius[pos]
            o = np.lexsort((pos, radius, loc))
            keys = pos[o] * self.n_caps + code
            self.point_of[keys] = loc[o] + code * (len(idx.partners) + 1)
            self.rank[keys] = offset + np.arange(keys.size)
            orders.append(keys)
            points.append(self.point_of[keys])
            radii.append(radius[o])
            offset += keys.size
        self.order = _cat(orders, np.int64)
        self.order_point = _cat(points, np.int64)
        self.order_radius = _cat(radii, np.float64)

    def network(self, pairs: PairSet, prev: IntArray | None) -> tuple[Network, PairSet, IntArray]:
        """(network, the pair each pair arc stands for, the pair arc of each of `pairs`) over
        `pairs` of one or more capabilities.

        A hub arc's pair is (need, the entry partner), its cents the place part only.
        """
        idx = self.idx
        key = pairs.partner_pos * self.n_caps + idx.need_cap_code[pairs.need_pos]
        kept = np.zeros(len(pairs), bool)
        if prev is not None:
            kept = prev[pairs.need_pos] == pairs.partner_pos
        hub = (pairs.via == 0) & ~kept & (self.point_of[key] >= 0)
        entry = key.copy()
        if hub.any():
            entry[hub] = self._entry(key[hub], pairs.distance_km[hub])
        need = pairs.need_pos
        # One hub arc per (need, entry); direct arcs stay as they are.
        # By (need, entry, hub arcs first), stably: one int64 key sorts like the lexsort of the
        # three, in less time. It cannot overflow: needs x (partner, capability) keys x 2
        # stays far below 2**63 (100k needs x 50k keys x 2 is 1e10).
        span = self.tasks_left.size + 1
        uniq = np.argsort((need * span + entry) * 2 + ~hub, kind="stable")
        n_s, e_s, h_s = need[uniq], entry[uniq], hub[uniq]
        first = np.r_[True, (n_s[1:] != n_s[:-1]) | (e_s[1:] != e_s[:-1]) | ~h_s[1:] | ~h_s[:-1]]
        sel = uniq[first]
        arc_of = np.empty(len(pairs), np.int64)
        arc_of[uniq] = np.cumsum(first) - 1
        is_hub = hub[sel]
        cents = pairs.cents[sel] - np.where(is_hub, self.key_cents[key[sel]], 0)
        arcs = PairSet(
            need[sel], entry[sel] // self.n_caps, pairs.distance_km[sel], cents, pairs.via[sel], 0
        )
        entries = np.unique(entry[sel][is_hub])
        start = self.rank[entries]
        end = np.searchsorted(self.order_point, self.point_of[entries], side="right")
        count = end - start
        feeds = (self.order[_ranges(start, count)], np.repeat(entries, count))
        network = build_network(
            arcs.need_pos,
            entry[sel],
            cents,
            self.tasks_left,
            hub=is_hub,
            key_cents=self.key_cents,
            feeds=feeds,
        )
        return network, arcs, arc_of

    def _entry(self, keys: IntArray, dist: FloatArray) -> IntArray:
        """Group key of the smallest-radius partner at each key's point that reaches `dist`."""
        lo = np.searchsorted(self.order_point, self.point_of[keys], side="left")
        hi = self.rank[keys]
        # Binary search within [lo, hi] for the first radius >= dist (hi itself qualifies).
        while True:
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) // 2
            ok = self.order_radius[mid] >= dist
            hi = np.where(open_ & ok, mid, hi)
            lo = np.where(open_ & ~ok, mid + 1, lo)
        return self.order[lo]

    def assign(self, network: Network, arcs: PairSet, flows: IntArray) -> tuple[IntArray, IntArray]:
        """(arc index, partner position) of each assignment of a solved network.

        A direct arc is its own pair. The needs leaving one hub (by position) take the units
        fed into it (by partner position), one each: conservation at the hub makes the counts
        equal, and every partner feeding a hub reaches every need it serves.
        """
        used = np.flatnonzero(flows[: network.n_pairs] > 0)
        direct = used[~network.pair_hub[used]]
        via_hub = used[network.pair_hub[used]]
        via_hub = via_hub[np.lexsort((arcs.need_pos[via_hub], network.pair_group[via_hub]))]
        units = flows[network.feed_arcs]
        fed = np.flatnonzero(units > 0)
        group = network.feed_group[fed]
        partner = network.group_key[group] // self.n_caps
        order = np.lexsort((partner, network.feed_hub[fed]))
        supply = np.repeat(partner[order], units[fed][order])
        if supply.size != via_hub.size:
            raise RuntimeError("flow through the hubs is not conserved (solver inconsistency)")
        arc = np.concatenate([direct, via_hub])
        return arc, np.concatenate([arcs.partner_pos[direct], supply])


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenated ranges [start, start + count) as one index array."""
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)


def plan_city(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    k: int | None = DEFAULT_K,
    previous: Mapping[int, int] | None = None,
    progress: Progress | None = None,
    labels: Mapping[str, str] | None = None,
    index: CandidateIndex | None = None,
    max_rounds: int = MAX_ROUNDS,
    time_budget_s: float | None = None,
    workers: int | None = None,
) -> CityPlan:
    """Assign needs to partners maximising the total score under weekly capacities, and prove it.

    `k` sizes the starting network (each need's k best base points, plus under-demanded ones);
    None starts from every feasible pair (then no pricing is needed). `previous` maps need id ->
    partner id of the baseline plan; keeping such a pair earns `weights.keep_bonus`.
    `progress(stage, fraction)` is called as stages finish. `index` may be a prebuilt
    CandidateIndex of exactly these needs and partners (used when the plan runs in one process).
    `workers`: processes to split the capabilities over (parallel.py); None: the CPUs available,
    at most parallel.MAX_WORKERS, and one process for cities under parallel.PARALLEL_MIN_NEEDS
    needs. The plan is the same, assignment for assignment, whatever `workers`; `max_rounds` and
    `time_budget_s` then hold for each part, the budget counted from the part's own start.
    """
    report = progress or (lambda _stage, _fraction: None)
    t0 = time.perf_counter()
    reasons = _Reasons(needs, partners, now, labels, previous)
    n_workers = parallel.workers_for(len(needs), workers)
    if n_workers > 1:
        # The calling process takes the lightest part: it explains every part as well (the
        # reasons would cost more to pickle back than to write), its own while the others run.
        subs = parallel.split_by_capability(needs, partners, n_workers)[::-1]
        args = [
            (ns, ps, now, weights, k, _previous_of(previous, ns), max_rounds, time_budget_s)
            for ns, ps in subs
        ]

        def here(*part_args: Any) -> tuple[_Part, list[Suggestion]]:
            part = _plan_part(*part_args, report=report)
            return part, reasons.of(part)

        first, others, children = parallel.run_parts(_plan_part, args, here)
        t1 = time.perf_counter()
        parts = [first[0], *others]
        lists = [first[1], *(reasons.of(part) for part in others)]
        assignments = list(heapq.merge(*lists, key=lambda s: s.need_id))
    else:
        part = _plan_part(
            needs, partners, now, weights, k, previous, max_rounds, time_budget_s, index, report
        )
        t1 = time.perf_counter()
        parts, children = [part], []
        assignments = reasons.of(part)
    report("explain", 1.0)
    unassigned = np.sort(np.concatenate([p.unassigned for p in parts]))
    busiest = max(parts, key=lambda p: p.total_seconds)
    return CityPlan(
        assignments=assignments,
        objective=sum(int(p.cents.sum()) for p in parts) / 100.0,
        unassigned=unassigned.tolist(),
        stats=PlanStats(
            candidate_pairs=sum(p.examined for p in parts),
            edges_kept=sum(p.edges for p in parts),
            candidate_seconds=busiest.candidate_seconds,
            solve_seconds=busiest.solve_seconds,
            pricing_seconds=busiest.pricing_seconds,
            rounds=max(p.rounds for p in parts),
            pairs_priced=sum(p.priced for p in parts),
            pairs_added=sum(p.added for p in parts),
            certified=all(p.certified for p in parts),
            gap_cents=sum(p.gap for p in parts),
            dual_bound=sum(p.bound for p in parts) / 100.0,
            total_seconds=parts[0].total_seconds if len(parts) == 1 else t1 - t0,
            workers=len(parts),
            worker_peak_mb=tuple(c.peak_mb for c in children),
            worker_cpu_seconds=tuple(c.cpu_seconds for c in children),
        ),
        churn=None if previous is None else churn(previous, assignments, _ids(needs)),
    )


@dataclass(frozen=True, slots=True)
class _Part:
    """The plan of one sub-city (parallel.py), as plain arrays: its assignments (by need id),
    unassigned need ids, certificate and counts. Pickled back from a worker process."""

    need_id: IntArray
    partner_id: IntArray
    distance_km: FloatArray
    cents: IntArray
    via: NDArray[np.int8]
    unassigned: IntArray
    examined: int
    edges: int
    rounds: int
    priced: int
    added: int
    certified: bool
    gap: int
    bound: int
    candidate_seconds: float
    solve_seconds: float
    pricing_seconds: float
    total_seconds: float


def _plan_part(
    needs: Sequence[NeedSpec],
    partners: Sequence[PartnerSpec],
    now: datetime,
    weights: Weights,
    k: int | None,
    previous: Mapping[int, int] | None,
    max_rounds: int,
    time_budget_s: float | None,
    index: CandidateIndex | None = None,
    report: Progress | None = None,
) -> _Part:
    """Starting network and certified column generation for (a sub-city of) the city."""
    report = report or (lambda _stage, _fraction: None)
    t0 = time.perf_counter()
    idx = index if index is not None else CandidateIndex(needs, partners)
    prev = idx._previous_positions(previous)
    pairs = starting_pairs(idx, now, weights, k, previous)
    t1 = time.perf_counter()
    report("candidates", 0.3)
    search = _ColumnGeneration(idx, pairs, now, weights, prev, complete=k is None)
    search.run(max_rounds, None if time_budget_s is None else t0 + time_budget_s, report)
    chosen = search.chosen()
    assigned = np.zeros(len(idx.needs), dtype=bool)
    assigned[chosen.need_pos] = True
    return _Part(
        need_id=idx.need_ids[chosen.need_pos],
        partner_id=idx.partner_ids[chosen.partner_pos],
        distance_km=chosen.distance_km,
        cents=chosen.cents,
        via=chosen.via,
        unassigned=idx.need_ids[~assigned],
        examined=pairs.examined,
        edges=search.edges,
        rounds=search.rounds,
        priced=search.priced,
        added=search.added,
        certified=search.certified,
        gap=search.gap,
        bound=search.bound,
        candidate_seconds=t1 - t0,
        solve_seconds=search.solve_seconds,
        pricing_seconds=search.pricing_seconds,
        total_seconds=time.perf_counter() - t0,
    )


def _previous_of(
    previous: Mapping[int, int] | None, needs: Sequence[NeedSpec]
) -> dict[int, int] | None:
    """The baseline pairs of `needs` (None stays None)."""
    if previous is None:
        return None
    return {n.id: previous[n.id] for n in needs if n.id in previous}


def _ids(items: Sequence[NeedSpec]) -> IntArray:
    return np.sort(np.fromiter((x.id for x in items), np.int64, len(items)))


class _ColumnGeneration:
    """Solve, price, add improving pairs, repeat (see the module doc).

    Groups are (partner, capability), so the plan splits into one independent network per
    capability; a capability is re-solved and re-priced only while its pricing finds improving
    pairs, and it is certified once it finds none.
    """

    def __init__(
        self,
        idx: CandidateIndex,
        pairs: PairSet,
        now: datetime,
        weights: Weights,
        prev: NDArray[np.int64] | None,
        *,
        complete: bool,
    ) -> None:
        self.idx, self.now, self.weights, self.prev = idx, now, weights, prev
        self.complete = complete
        self.hubs = _Hubs(idx, weights)
        self.networks: dict[int, tuple[Network, PairSet]] = {}
        code = idx.need_cap_code[pairs.need_pos]
        self.parts = {c: _select(pairs, code == c) for c in np.unique(code).tolist()}
        self.flows = {c: np.zeros(0, dtype=np.int64) for c in self.parts}
        self.objectives = dict.fromkeys(self.parts, 0)
        self.bounds = dict.fromkeys(self.parts, 0)
        self.gaps = dict.fromkeys(self.parts, 0)
        self.area_cents: dict[str, IntArray] = {}
        """Cents of the area-only pairs by capability, scored once for every round's pricing."""
        self.rounds = self.priced = self.added = 0
        self.solve_seconds = self.pricing_seconds = 0.0

    @property
    def edges(self) -> int:
        """Pairs in the final networks (each chained arc counted once)."""
        return sum(len(p) for p in self.parts.values())

    @property
    def objective(self) -> int:
        return sum(self.objectives.values())

    @property
    def bound(self) -> int:
        return sum(self.bounds.values())

    @property
    def gap(self) -> int:
        return sum(self.gaps.values())

    @property
    def certified(self) -> bool:
        return not self.open_caps

    def run(self, max_rounds: int, deadline: float | None, report: Progress) -> None:
        self.open_caps = set(self.parts)
        while self.open_caps:
            self.rounds += 1
            t = time.perf_counter()
            prices = {c: self._solve(c) for c in sorted(self.open_caps)}
            t2 = time.perf_counter()
            self.solve_seconds += t2 - t
            if self.complete:
                self.open_caps = set()
                return
            found = self._price(prices)
            self.pricing_seconds += time.perf_counter() - t2
            report("certify", min(0.95, 0.3 + 0.1 * self.rounds))
            out_of_time = deadline is not None and time.perf_counter() > deadline
            stop = self.rounds >= max_rounds or out_of_time
            code = self.idx.need_cap_code[found.pairs.need_pos]
            improving = self.idx.need_cap_code[found.best_need]
            for c in sorted(self.open_caps):
                mine = code == c
                self.gaps[c] = int(found.best_rc[improving == c].sum())
                if not (improving == c).any():
                    self.open_caps.discard(c)
                elif not stop:
                    self.added += int(mine.sum())
                    self.parts[c] = _union(
                        [self.parts[c], _select(found.pairs, mine)], len(self.idx.partners)
                    )
            if stop:
                return

    def _solve(self, cap: int) -> tuple[Network, DualPrices]:
        network, arcs, arc_of = self.hubs.network(self.parts[cap], self.prev)
        self.networks[cap] = (network, arcs)
        self.flows[cap], self.objectives[cap] = solve(network)
        prices = dual_prices(network, self.flows[cap])
        if not prices.check(network, self.objectives[cap]):
            raise RuntimeError("dual prices do not certify the flow (solver inconsistency)")
        self.bounds[cap] = prices.bound(network)
        if DROP_CENTS is not None and not self.complete:
            # Pairs far from paying for themselves leave the next round's network (pricing
            # brings any back that could improve the plan): every later solve is smaller.
            reduced = network.pair_cents - prices.over(network)
            self.parts[cap] = _select(self.parts[cap], reduced[arc_of] >= -DROP_CENTS)
        return network, prices

    def _price(self, solved: dict[int, tuple[Network, DualPrices]]) -> PricingResult:
        idx = self.idx
        u = np.zeros(len(idx.needs), dtype=np.int64)
        v = np.zeros(idx.tasks_left_table().size, dtype=np.int64)
        for network, prices in solved.values():
            u[network.need_pos] = prices.need
            v[network.group_key] = prices.group
        caps = [idx.need_capabilities[c] for c in sorted(solved)]
        found = improving_pairs(
            idx,
            u,
            v,
            self.now,
            self.weights,
            prev=self.prev,
            per_need=PRICED_PER_NEED,
            per_slot=PRICED_PER_SLOT,
            capabilities=caps,
            area_cents=self.area_cents,
        )
        self.priced += found.priced
        return found

    def chosen(self) -> PairSet:
        """The plan's assignments (one pair per assigned need, over all capabilities), with
        each pair's full score in cents."""
        out = []
        for cap in sorted(self.networks):
            network, arcs = self.networks[cap]
            arc, partner = self.hubs.assign(network, arcs, self.flows[cap])
            out.append(
                PairSet(
                    arcs.need_pos[arc],
                    partner,
                    arcs.distance_km[arc],
                    arcs.cents[arc],
                    arcs.via[arc],
                    0,
                )
            )
        if not out:
            return _empty_pairs()
        pairs = _concat(out)
        base = self.idx.need_points(self.now, self.weights)
        cents = self.idx._score(
            pairs.need_pos, pairs.partner_pos, pairs.distance_km, base, self.weights, self.prev
        )
        order = np.argsort(pairs.need_pos, kind="stable")
        return PairSet(
            pairs.need_pos[order],
            pairs.partner_pos[order],
            pairs.distance_km[order],
            cents[order],
            pairs.via[order],
            0,
        )


def _select(pairs: PairSet, mask: NDArray[np.bool_]) -> PairSet:
    """The pairs where `mask` holds."""
    return PairSet(
        pairs.need_pos[mask],
        pairs.partner_pos[mask],
        pairs.distance_km[mask],
        pairs.cents[mask],
        pairs.via[mask],
        0,
    )


def churn(
    previous: Mapping[int, int], assignments: Sequence[Suggestion], need_ids: NDArray[np.int64]
) -> Churn:
    """Assignments kept, moved, added and dropped against the baseline `previous`.

    Baseline pairs whose need is no longer among the plan's needs (claimed, closed) are `gone`,
    not churn.
    """
    now_of = {s.need_id: s.partner_id for s in assignments}
    present = set(need_ids.tolist())
    base = {n: p for n, p in previous.items() if n in present}
    kept = sum(1 for n, p in base.items() if now_of.get(n) == p)
    moved = sum(1 for n, p in base.items() if n in now_of and now_of[n] != p)
    dropped = sum(1 for n in base if n not in now_of)
    added = sum(1 for n in now_of if n not in base)
    return Churn(
        baseline=len(base),
        kept=kept,
        moved=moved,
        added=added,
        dropped=dropped,
        gone=len(previous) - len(base),
    )


def starting_pairs(
    idx: CandidateIndex,
    now: datetime,
    weights: Weights,
    k: int | None,
    previous: Mapping[int, int] | None = None,
) -> PairSet:
    """The pairs of `plan_city`'s starting network: each need's k best base points among its
    nearest, plus its SPARE_K best under-demanded points (every feasible pair when k is None)."""
    pairs = idx.best_pairs(
        now,
        weights,
        k=k,
        require_capacity=True,
        previous=previous,
        per_point=k is not None,
        exact=k is None or EXACT_START,
    )
    if k is not None:
        pairs = _with_spare_capacity(idx, pairs, now, weights, previous)
    return pairs


def _with_spare_capacity(
    idx: CandidateIndex,
    pairs: PairSet,
    now: datetime,
    weights: Weights,
    previous: Mapping[int, int] | None,
) -> PairSet:
    """Add each need's SPARE_K best base points among the under-demanded ones.

    A (base point, capability) is under-demanded when fewer than SPARE_FACTOR x its partners'
    tasks_left needs hold it in their top k. Top-k by score sends every need to the same strong
    partners; the weaker ones then sit idle although they could take needs the strong ones
    cannot. Offering them explicitly is what keeps the pruning loss small (bench/README.md).
    Points, not partners: every partner at a point is reached through its hub (`_Hubs`).
    """
    left = idx.tasks_left_table()
    if left.size == 0:
        return pairs
    n_caps = left.shape[1]
    point_key = idx.partner_location[:, None] * n_caps + np.arange(n_caps)
    size = (int(idx.partner_location.max()) + 1) * n_caps
    key = point_key[pairs.partner_pos, idx.need_cap_code[pairs.need_pos]]
    demand = np.bincount(key, minlength=size)
    slots = np.bincount(point_key.reshape(-1), left.reshape(-1), minlength=size)
    spare = (left > 0) & (demand < SPARE_FACTOR * slots)[point_key]
    allowed = {cap: spare[:, code] for code, cap in enumerate(idx.need_capabilities)}
    extra = idx.best_pairs(
        now,
        weights,
        k=SPARE_K,
        previous=previous,
        allowed=allowed,
        per_point=True,
        exact=EXACT_START,
    )
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


class _Reasons:
    """The reasons of a plan's assignments (explain.py), part by part."""

    def __init__(
        self,
        needs: Sequence[NeedSpec],
        partners: Sequence[PartnerSpec],
        now: datetime,
        labels: Mapping[str, str] | None,
        previous: Mapping[int, int] | None,
    ) -> None:
        self.need_of = {n.id: n for n in needs}
        self.partner_of = {p.id: p for p in partners}
        self.now, self.labels, self.previous = now, labels, previous or {}

    def of(self, part: _Part) -> list[Suggestion]:
        """The part's assignments with their reasons, in need id order."""
        out = []
        for need_id, partner_id, dist, cents, via in zip(
            part.need_id.tolist(),
            part.partner_id.tolist(),
            part.distance_km.tolist(),
            part.cents.tolist(),
            part.via.tolist(),
            strict=True,
        ):
            kept = self.previous.get(need_id) == partner_id
            items = reason_items(
                self.need_of[need_id],
                self.partner_of[partner_id],
                dist,
                self.now,
                labels=self.labels,
                via=via,
                kept=kept,
            )
            out.append(
                Suggestion(
                    need_id=need_id,
                    partner_id=partner_id,
                    score=cents / 100.0,
                    distance_km=dist,
                    reasons=render_all(items),
                    reason_items=items,
                )
            )
        return out
