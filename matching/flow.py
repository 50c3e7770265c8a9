"""The city plan's flow network, its OR-Tools solve, and the dual prices that certify it.

Network (arcs in this order, so pair arcs are 0..E-1):

    pairs:   (partner, capability) ──cap 2, cost -cents(score)──▶ need       (direct)
             hub of a group        ──cap 2, cost -place cents──▶ need        (via a hub)
    source ──cap tasks_left, cost 0──▶ (partner, capability)          ("group")
    group  ──cap S+1, cost -partner cents──▶ hub                      (feeds)
    need ──cap 1, cost 0──▶ sink
    source ──cap S+1, cost 0──▶ sink              (bypass: flow is optional)

Hubs merge partners that share one base point (plan.py, `_Hubs`): scoring.pair_cents is
place cents (need + distance, the same for every partner at the point) + partner cents (track
record), so one arc need ← hub at place cents, with every partner at the point that reaches the
need feeding the hub at its partner cents, stands for all those pairs with their exact cents.

The source supplies S+1 units, S = min(total tasks_left, needs in the network); at most S can go
through pairs, so the bypass always carries at least one unit and the minimum-cost flow is
exactly the assignment that MAXIMISES the total score under each group's tasks_left and one
partner per need. Costs are integer cents, so objective = -optimal cost exactly. A pair arc
never carries more than the need's one unit; its capacity of 2 keeps a used pair unsaturated,
so its price condition is the equality u_n + v_g = c_e (a capacity of 1 would add a dual of its
own and the need and group prices alone would not be feasible); feeds are never saturated
either.

**Duals.** The plan is the linear programme

    max Σ c_e x_e   s.t.  Σ_{e at need n} x_e ≤ 1   (price u_n ≥ 0)
                          Σ_{e at group g} x_e ≤ cap_g (price v_g ≥ 0),  x ≥ 0,

whose dual is  min Σ u_n + Σ cap_g v_g  s.t.  u_n + v_g ≥ c_e  for every pair e = (g, n).
`dual_prices` reads u and v off the optimal flow: shortest-path distances d in the residual
network (label-correcting Bellman-Ford, vectorised) give u_n = d(source) - d(n) and
v_g = d(g) - d(source), clipped at 0, and a hub's w_h = d(h) - d(source). `DualPrices.check`
then verifies, in exact integers, that they are feasible on every arc of the network — so on
every pair a hub stands for: u_n + v_g ≥ (u_n + w_h) + partner cents ≥ c — and that
Σu + Σcap·v equals the flow's objective.
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
    """The flow network over a set of pair arcs, as OR-Tools array arguments plus index maps.

    Nodes: source, sink, groups [2, 2+G), hub nodes [2+G, 2+2G) (hub g belongs to group g),
    needs. `pair_group[e]` / `pair_need[e]`: group index and network-need index of pair arc e;
    `pair_hub[e]`: True when the arc leaves hub node pair_group[e] (its cents are then the place
    part only), False when it leaves the group node itself (full cents). `feed_group[f]` ──▶
    hub `feed_hub[f]`: the feed arcs, at cost -group_cents[feed_group[f]] (the partner part).
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
    pair_hub: NDArray[np.bool_]
    group_key: IntArray
    group_cap: IntArray
    group_cents: IntArray
    feed_group: IntArray
    feed_hub: IntArray
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
        return 2 + 2 * self.n_groups + self.n_needs

    @property
    def feed_arcs(self) -> slice:
        """Where the feed arcs are among all arcs (in feed order)."""
        start = self.n_pairs + self.n_groups
        return slice(start, start + int(self.feed_group.size))


def build_network(
    need_pos: IntArray,
    group_key: IntArray,
    cents: IntArray,
    tasks_left_flat: IntArray,
    *,
    hub: NDArray[np.bool_] | None = None,
    key_cents: IntArray | None = None,
    feeds: tuple[IntArray, IntArray] | None = None,
) -> Network:
    """Network over pairs given as (index need position, group key, cents); vectorised.

    Without the keyword arguments every pair arc leaves its group node (full cents). With them,
    pairs where `hub` holds leave the hub node of their group key, their `cents` being the place
    part only; `feeds` = (from keys, to keys) adds an arc from each group `from` to the hub of
    `to` at cost -key_cents[from] (the partner part).
    """
    n_keys = tasks_left_flat.size
    hub = np.zeros(cents.size, bool) if hub is None else hub.astype(bool)
    feed_from, feed_to = (np.zeros(0, np.int64),) * 2 if feeds is None else feeds
    groups, _ = _compact(np.concatenate([group_key, feed_from, feed_to]), n_keys)
    rank = np.full(n_keys, -1, np.int64)
    rank[groups] = np.arange(groups.size)
    pair_group = rank[group_key]
    feed_group, feed_hub = rank[feed_from], rank[feed_to]
    needs, pair_need = _compact(need_pos, int(need_pos.max()) + 1 if need_pos.size else 0)
    group_cap = tasks_left_flat[groups].astype(np.int64)
    group_cents = np.zeros(groups.size, np.int64) if key_cents is None else key_cents[groups]
    n_g = groups.size
    g0, h0, n0 = 2, 2 + n_g, 2 + 2 * n_g
    supply = int(min(group_cap.sum(), needs.size)) + 1
    tails = np.concatenate(
        [
            np.where(hub, h0, g0) + pair_group,
            np.full(n_g, SOURCE),
            g0 + feed_group,
            n0 + np.arange(needs.size),
            [SOURCE],
        ]
    ).astype(np.int32)
    heads = np.concatenate(
        [n0 + pair_need, g0 + np.arange(n_g), h0 + feed_hub, np.full(needs.size, SINK), [SINK]]
    ).astype(np.int32)
    capacities = np.concatenate(
        [
            np.full(cents.size, 2, np.int64),
            group_cap,
            np.full(feed_group.size, supply, np.int64),
            np.ones(needs.size, np.int64),
            [supply],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [-cents, np.zeros(n_g, np.int64), -group_cents[feed_group], np.zeros(needs.size + 1)]
    ).astype(np.int64)
    return Network(
        tails,
        heads,
        capacities,
        costs,
        supply,
        pair_group,
        pair_need,
        cents.astype(np.int64),
        hub,
        groups,
        group_cap,
        group_cents.astype(np.int64),
        feed_group,
        feed_hub,
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
    """Optimal flow on every arc of `network` (pair arcs first: 0/1) and the objective in cents.

    OR-Tools solves the same assignment stated the other way round: every need supplies one
    unit, which reaches the sink through a pair arc reversed (need → group or hub), a feed
    reversed (hub → group) and then group → sink (capacity tasks_left), or straight through
    the need's own bypass need → sink. Same plans, same objective, but no single source
    holding every unit: OR-Tools' cost-scaling push-relabel solved the clustered L networks in
    0.7-0.95x the time (bench/README.md, docs/field-notes.md trap 35). The flows are mapped
    back onto `network`'s arcs, so the dual prices (`dual_prices`) read the network as stated.
    """
    if network.n_pairs == 0:
        return np.zeros(network.tails.size, dtype=np.int64), 0
    n_pairs, n_groups, n_needs = network.n_pairs, network.n_groups, network.n_needs
    feeds = network.feed_arcs
    n_feeds = feeds.stop - feeds.start
    g0, n0 = 2, 2 + 2 * n_groups
    need_nodes = n0 + np.arange(n_needs, dtype=np.int32)
    tails = np.concatenate(
        [network.heads[:n_pairs], g0 + np.arange(n_groups), network.heads[feeds], need_nodes]
    ).astype(np.int32)
    heads = np.concatenate(
        [
            network.tails[:n_pairs],
            np.full(n_groups, SINK),
            network.tails[feeds],
            np.full(n_needs, SINK),
        ]
    ).astype(np.int32)
    capacities = np.concatenate(
        [
            np.ones(n_pairs, np.int64),
            network.group_cap,
            np.full(n_feeds, n_needs, np.int64),
            np.ones(n_needs, np.int64),
        ]
    )
    costs = np.concatenate(
        [network.costs[:n_pairs], np.zeros(n_groups, np.int64), network.costs[feeds]]
    )
    costs = np.concatenate([costs, np.zeros(n_needs, np.int64)])
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    smcf.set_nodes_supplies(
        np.r_[SINK, need_nodes].astype(np.int32),
        np.r_[-n_needs, np.ones(n_needs, np.int64)].astype(np.int64),
    )
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    reversed_flows = np.asarray(smcf.flows(np.arange(tails.size, dtype=np.int32)), np.int64)
    # Back onto the stated network: pairs, source → group, group → hub, need → sink, bypass.
    pair_flow = reversed_flows[:n_pairs]
    group_flow = reversed_flows[n_pairs : n_pairs + n_groups]
    feed_flow = reversed_flows[n_pairs + n_groups : n_pairs + n_groups + n_feeds]
    served = 1 - reversed_flows[n_pairs + n_groups + n_feeds :]
    flows = np.concatenate(
        [pair_flow, group_flow, feed_flow, served, [network.supply - int(served.sum())]]
    )
    return flows.astype(np.int64), -int(smcf.optimal_cost())


@dataclass(frozen=True, slots=True)
class DualPrices:
    """Prices in cents: `need[i]` for network need i, `group[g]` for group g (both ≥ 0), and
    `hub[g]` for the hub node of group g (any sign)."""

    need: IntArray
    group: IntArray
    hub: IntArray

    def bound(self, network: Network) -> int:
        """The dual objective Σu + Σcap·v: an upper bound on any plan over these needs and
        groups whose pairs all satisfy c ≤ u + v."""
        return int(self.need.sum() + (network.group_cap * self.group).sum())

    def over(self, network: Network) -> IntArray:
        """Per pair arc, the prices it must not exceed: u_n + v_g (direct) or u_n + w_h (from a
        hub); its cents minus this is its reduced profit (≤ 0 when the prices are feasible)."""
        g, n = network.pair_group, network.pair_need
        return np.where(network.pair_hub, self.hub[g], self.group[g]) + self.need[n]

    def check(self, network: Network, objective: int) -> bool:
        """True when the prices are feasible and their bound equals `objective`.

        Feasible: u, v ≥ 0; u_n + v_g ≥ c on each direct pair arc; u_n + w_h ≥ place cents on
        each arc from hub h; v_g ≥ w_h + partner cents of g on each feed arc g → h. Then every
        pair a hub stands for — its need with each group feeding the hub — has
        u_n + v_g ≥ place + partner cents = c (scoring.pair_cents): the prices are feasible on
        those pairs too.
        """
        if (self.need < 0).any() or (self.group < 0).any():
            return False
        over = self.over(network)
        fg, fh = network.feed_group, network.feed_hub
        return (
            bool((over >= network.pair_cents).all())
            and bool((self.group[fg] >= self.hub[fh] + network.group_cents[fg]).all())
            and self.bound(network) == objective
        )


def dual_prices(network: Network, flows: IntArray) -> DualPrices:
    """Prices from residual shortest-path distances of an optimal flow (see the module doc)."""
    n_groups, n_needs = network.n_groups, network.n_needs
    if network.n_pairs == 0:
        zeros = np.zeros(n_groups, np.int64)
        return DualPrices(np.zeros(n_needs, np.int64), zeros, zeros)
    forward = flows < network.capacities
    backward = flows > 0
    tails = np.concatenate([network.tails[forward], network.heads[backward]]).astype(np.int64)
    heads = np.concatenate([network.heads[forward], network.tails[backward]]).astype(np.int64)
    costs = np.concatenate([network.costs[forward], -network.costs[backward]]).astype(np.int64)
    dist = _shortest_distances(network.n_nodes, tails, heads, costs)
    g0, h0, n0 = 2, 2 + n_groups, 2 + 2 * n_groups
    u = np.maximum(0, dist[SOURCE] - dist[n0 : n0 + n_needs])
    v = np.maximum(0, dist[g0 : g0 + n_groups] - dist[SOURCE])
    w = dist[h0 : h0 + n_groups] - dist[SOURCE]
    return DualPrices(u.astype(np.int64), v.astype(np.int64), w.astype(np.int64))


def _shortest_distances(n: int, tails: IntArray, heads: IntArray, costs: IntArray) -> IntArray:
    """Distances from a virtual root joined to every node at cost 0 (Bellman-Ford, vectorised).

    The residual network of an optimal flow has no negative cycle, so this converges; each
    round relaxes only the arcs leaving nodes whose distance changed in the previous round.
    """
    # Arcs grouped by tail; their order within a tail does not change the distances, so an
    # unstable sort will do (≈35 % faster than a stable one on these arrays).
    order = np.argsort(tails)
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=starts[1:])
    dist = np.zeros(n, dtype=np.int64)
    changed = np.zeros(n, dtype=bool)
    active = np.flatnonzero(np.diff(starts))
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
        # The nodes whose distance changed, ascending (a mask: cheaper than np.unique).
        changed[h] = True
        active = np.flatnonzero(changed)
        changed[active] = False
    raise RuntimeError("dual prices did not converge (negative cycle: the flow is not optimal)")


def _arcs_of(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenated ranges [start, start + count) as one index array."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)
