"""The city plan's flow network, its OR-Tools solve, and the dual prices that certify it.

Network (arcs in this order, so pair arcs are 0..E-1):

    pairs:   (partner, capability) ──cap 2, cost -cents(score)──▶ need
    source ──cap tasks_left, cost 0──▶ (partner, capability)          ("group")
    need ──cap 1, cost 0──▶ sink
    source ──cap S+1, cost 0──▶ sink              (bypass: flow is optional)

The source supplies S+1 units, S = min(total tasks_left, needs in the network); at most S can go
through pairs, so the bypass always carries at least one unit and the minimum-cost flow is
exactly the assignment that MAXIMISES the total score under each group's tasks_left and one
partner per need. Costs are integer cents, so objective = -optimal cost exactly. A pair arc
never carries more than the need's one unit; its capacity of 2 keeps a used pair unsaturated,
so its price condition is the equality u_n + v_g = c_e (a capacity of 1 would add a dual of its
own and the need and group prices alone would not be feasible).

**Duals.** The plan is the linear programme

    max Σ c_e x_e   s.t.  Σ_{e at need n} x_e ≤ 1   (price u_n ≥ 0)
                          Σ_{e at group g} x_e ≤ cap_g (price v_g ≥ 0),  x ≥ 0,

whose dual is  min Σ u_n + Σ cap_g v_g  s.t.  u_n + v_g ≥ c_e  for every pair e = (g, n).
`dual_prices` reads u and v off the optimal flow: shortest-path distances d in the residual
network (label-correcting Bellman-Ford, vectorised) give u_n = d(source) - d(n) and
v_g = d(g) - d(source), clipped at 0. `DualPrices.check` then verifies, in exact integers, that
they are feasible on every pair of the network and that Σu + Σcap·v equals the flow's objective.
Once that holds, ANY pair outside the network with c_e ≤ u_n + v_g cannot improve the plan, and if
every feasible pair of the city satisfies it, the plan is optimal over the full feasible graph
(weak duality). That is the certificate `plan_city` builds by pricing (pricing.py).

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

IntArray = NDArray[np.int64]
SOURCE, SINK = 0, 1
MAX_LABEL_ROUNDS = 100_000
"""Bellman-Ford rounds before giving up (never reached: a round count is at most the nodes)."""


@dataclass(frozen=True, slots=True)
class Network:
    """The flow network over a set of pairs, as OR-Tools array arguments plus its index maps.

    `pair_group[e]` / `pair_need[e]`: group index and network-need index of pair arc e.
    `group_key[g]`: partner position * n_caps + capability code of group g; `group_cap[g]` its
    tasks_left. `need_pos[i]`: the index position of network need i.
    """

    tails: NDArray[np.int32]
    heads: NDArray[np.int32]
    capacities: IntArray
    costs: IntArray
    supply: int
    pair_group: IntArray
    pair_need: IntArray
    pair_cents: IntArray
    group_key: IntArray
    group_cap: IntArray
    need_pos: IntArray

    @property
    def n_pairs(self) -> int:
        return int(self.pair_cents.size)

    @property
    def n_groups(self) -> int:
        return int(self.group_key.size)

    @property
    def n_needs(self) -> int:
        return int(self.need_pos.size)

    @property
    def n_nodes(self) -> int:
        return 2 + self.n_groups + self.n_needs


def build_network(
    need_pos: IntArray, group_key: IntArray, cents: IntArray, tasks_left_flat: IntArray
) -> Network:
    """Network over pairs given as (index need position, group key, cents); vectorised."""
    groups, pair_group = _compact(group_key, tasks_left_flat.size)
    needs, pair_need = _compact(need_pos, int(need_pos.max()) + 1 if need_pos.size else 0)
    group_cap = tasks_left_flat[groups].astype(np.int64)
    g0, n0 = 2, 2 + groups.size
    supply = int(min(group_cap.sum(), needs.size)) + 1
    tails = np.concatenate(
        [g0 + pair_group, np.full(groups.size, SOURCE), n0 + np.arange(needs.size), [SOURCE]]
    ).astype(np.int32)
    heads = np.concatenate(
        [n0 + pair_need, g0 + np.arange(groups.size), np.full(needs.size, SINK), [SINK]]
    ).astype(np.int32)
    capacities = np.concatenate(
        [np.full(cents.size, 2, np.int64), group_cap, np.ones(needs.size, np.int64), [supply]]
    ).astype(np.int64)
    costs = np.concatenate([-cents, np.zeros(groups.size + needs.size + 1, np.int64)]).astype(
        np.int64
    )
    return Network(
        tails,
        heads,
        capacities,
        costs,
        supply,
        pair_group,
        pair_need,
        cents.astype(np.int64),
        groups,
        group_cap,
        needs,
    )


def _compact(keys: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """(distinct keys ascending, index of each key among them) for keys in [0, size)."""
    if keys.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    present = np.bincount(keys, minlength=size) > 0
    distinct = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return distinct.astype(np.int64), rank[keys].astype(np.int64)


def solve(network: Network) -> tuple[IntArray, int]:
    """Optimal flow on each pair arc (0/1) and the objective in cents (the negated cost)."""
    if network.n_pairs == 0:
        return np.zeros(0, dtype=np.int64), 0
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        network.tails, network.heads, network.capacities, network.costs
    )
    smcf.set_nodes_supplies(
        np.array([SOURCE, SINK], dtype=np.int32),
        np.array([network.supply, -network.supply], dtype=np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(network.n_pairs, dtype=np.int32))
    return np.asarray(flows, dtype=np.int64), -int(smcf.optimal_cost())


@dataclass(frozen=True, slots=True)
class DualPrices:
    """Prices in cents: `need[i]` for network need i, `group[g]` for group g (both ≥ 0)."""

    need: IntArray
    group: IntArray

    def bound(self, network: Network) -> int:
        """The dual objective Σu + Σcap·v: an upper bound on any plan over these needs and
        groups whose pairs all satisfy c ≤ u + v."""
        return int(self.need.sum() + (network.group_cap * self.group).sum())

    def check(self, network: Network, objective: int) -> bool:
        """True when the prices are feasible on every pair and their bound equals `objective`."""
        slack = self.need[network.pair_need] + self.group[network.pair_group] - network.pair_cents
        return bool((slack >= 0).all()) and self.bound(network) == objective


def dual_prices(network: Network, flows: IntArray) -> DualPrices:
    """Prices from residual shortest-path distances of an optimal flow (see the module doc)."""
    n_groups, n_needs = network.n_groups, network.n_needs
    if network.n_pairs == 0:
        return DualPrices(np.zeros(n_needs, np.int64), np.zeros(n_groups, np.int64))
    g0, n0 = 2, 2 + n_groups
    used = flows > 0
    group_flow = np.bincount(network.pair_group, weights=flows, minlength=n_groups).astype(np.int64)
    need_flow = np.bincount(network.pair_need, weights=flows, minlength=n_needs).astype(np.int64)
    bypass = network.supply - int(need_flow.sum())
    g_nodes = g0 + np.arange(n_groups)
    n_nodes = n0 + np.arange(n_needs)
    tails = [
        g0 + network.pair_group,
        n0 + network.pair_need[used],
        np.full(int((group_flow < network.group_cap).sum()), SOURCE),
        g_nodes[group_flow > 0],
        n_nodes[need_flow == 0],
        np.full(int((need_flow > 0).sum()), SINK),
    ]
    heads = [
        n0 + network.pair_need,
        g0 + network.pair_group[used],
        g_nodes[group_flow < network.group_cap],
        np.full(int((group_flow > 0).sum()), SOURCE),
        np.full(int((need_flow == 0).sum()), SINK),
        n_nodes[need_flow > 0],
    ]
    costs = [-network.pair_cents, network.pair_cents[used]]
    costs += [np.zeros(t.size, np.int64) for t in tails[2:]]
    if bypass < network.supply:
        tails.append(np.array([SOURCE]))
        heads.append(np.array([SINK]))
        costs.append(np.zeros(1, np.int64))
    if bypass > 0:
        tails.append(np.array([SINK]))
        heads.append(np.array([SOURCE]))
        costs.append(np.zeros(1, np.int64))
    dist = _shortest_distances(
        network.n_nodes,
        np.concatenate(tails).astype(np.int64),
        np.concatenate(heads).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
    )
    u = np.maximum(0, dist[SOURCE] - dist[n0 : n0 + n_needs])
    v = np.maximum(0, dist[g0 : g0 + n_groups] - dist[SOURCE])
    return DualPrices(u.astype(np.int64), v.astype(np.int64))


def _shortest_distances(n: int, tails: IntArray, heads: IntArray, costs: IntArray) -> IntArray:
    """Distances from a virtual root joined to every node at cost 0 (Bellman-Ford, vectorised).

    The residual network of an optimal flow has no negative cycle, so this converges; each
    round relaxes only the arcs leaving nodes whose distance changed in the previous round.
    """
    order = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.searchsorted(tails, np.arange(n + 1))
    dist = np.zeros(n, dtype=np.int64)
    active = np.unique(tails)
    for _ in range(MAX_LABEL_ROUNDS):
        if active.size == 0:
            return dist
        counts = starts[active + 1] - starts[active]
        arc = _arcs_of(starts[active], counts)
        cand = dist[tails[arc]] + costs[arc]
        better = cand < dist[heads[arc]]
        if not better.any():
            return dist
        h, c = heads[arc][better], cand[better]
        np.minimum.at(dist, h, c)
        active = np.unique(h)
    raise RuntimeError("dual prices did not converge (negative cycle: the flow is not optimal)")


def _arcs_of(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenated ranges [start, start + count) as one index array."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)
