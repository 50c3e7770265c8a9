"""Pricing: find the feasible pairs left out of a plan's network that could still improve it.

Given dual prices (flow.py) — u_n for each need and v_g for each (partner, capability) group,
in cents — a pair (g, n) improves the plan only when its reduced profit

    rc = cents(n, g) - v_g - u_n

is positive. `improving_pairs` finds, for every need, its best `per_need` pairs with rc > 0 over
EVERY feasible pair of the city (active partner, capability, tasks left, inside the service
area), without listing them all. Split the reduced profit (cents) into its parts:

    rc ≤ A_n + B_p + 100·distance_points(d) + 1.5   (three parts, each rounded to a cent)
    A_n = 100·need_points(n) - u_n (+ 100·keep_bonus)     B_p = partner_cents(p) - v_p

so a pair can improve the plan only when distance_points(d) beats -(A_n + B_p + 1.5)/100, i.e. when
d is under a distance that A_n + B_p decide (unbounded when A_n + B_p ≥ 0, none when the best
distance could not make up the difference). Per capability, needs are grouped in bands of
`BAND_CENTS` by A_n, one KD-tree per band; each BASE POINT then asks each band's tree, in one
vectorised call per band, for the needs within the largest min(radius, that distance) of its
partners. Partners sharing a point count once: for a need at distance d from the point, the
partner there with the largest B_p among those whose radius reaches d has the best reduced
profit of them all (the place cents are the same for every one), so only that pair is priced
(`candidates.Points`); a standing pair, whose keep bonus the others lack, is priced apart. Only
those pairs are priced exactly (integer cents, the same `pair_cents` as the plan); every other
feasible pair is bounded without being listed. Pairs feasible through neighbourhood lists or
polygons only are priced in full.

An empty result with prices that passed `DualPrices.check` is the optimality certificate.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matching.candidates import CandidateIndex, PairSet, Points, _concat, _empty_pairs
from matching.geometry import chord_for_km, km_for_chord
from matching.model import Weights
from matching.scoring import DISTANCE_HALF_KM, partner_cents

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BAND_CENTS = 100.0
"""Width of the need bands (by A_n): the slack the per-band distance bound allows."""


@dataclass(frozen=True, slots=True)
class PricingResult:
    """Improving pairs (cents are the pairs' real scores) and how much pricing looked at."""

    pairs: PairSet
    reduced: IntArray
    """Reduced profit (cents, > 0) of each returned pair."""
    priced: int
    """Feasible pairs whose reduced profit was computed exactly."""
    best_need: IntArray
    """Index positions of the needs that have an improving pair ..."""
    best_rc: IntArray
    """... and each one's best reduced profit (cents): their sum added to the dual bound bounds
    the optimum over the full feasible graph."""


def improving_pairs(
    idx: CandidateIndex,
    need_price: IntArray,
    group_price: IntArray,
    now: datetime,
    weights: Weights,
    *,
    prev: IntArray | None = None,
    per_need: int = 4,
    per_slot: int | None = None,
    capabilities: Iterable[str] | None = None,
    area_cents: dict[str, IntArray] | None = None,
) -> PricingResult:
    """Each need's best `per_need` feasible pairs with positive reduced profit (module doc).

    `need_price[i]`: u of index need i (0 for needs outside the network); `group_price`: v over
    the flat (partner position x capability code) table of `idx.tasks_left_table()`.
    `prev[i]`: partner position kept from the previous plan for need i, or -1.
    `capabilities` limits pricing to those capabilities (default: all). `per_slot`, when
    given, also caps what one base point (radial pairs) or one partner (area pairs) of a
    capability receives: its best per_slot x tasks left + per_slot pairs by reduced profit.
    `area_cents`: the cents of each capability's area-only pairs (`idx.extra_pairs`), filled
    here on first use; a caller pricing again with the same index, `now`, `weights` and `prev`
    (column generation, round after round) passes the same dict and they are scored once.
    """
    wanted = None if capabilities is None else set(capabilities)
    pricer = _Pricer(idx, need_price, now, weights, prev, {} if area_cents is None else area_cents)
    n_caps = max(1, idx.tasks_left_table().shape[1])
    for code, cap in enumerate(idx.need_capabilities):
        if wanted is not None and cap not in wanted:
            continue
        pool = idx.pool(cap, True)
        needs = idx.needs_of(cap)
        if pool.tree is None or needs.size == 0:
            continue
        pricer.capability(cap, needs, pool.positions, group_price[pool.positions * n_caps + code])
    return pricer.finish(per_need, per_slot)


class _Pricer:
    """One pricing pass: collects priced pairs with positive reduced profit."""

    def __init__(
        self,
        idx: CandidateIndex,
        need_price: IntArray,
        now: datetime,
        weights: Weights,
        prev: IntArray | None,
        area_cents: dict[str, IntArray],
    ) -> None:
        self.idx, self.u, self.weights, self.prev = idx, need_price, weights, prev
        self.area_cents = area_cents
        self.base = idx.need_points(now, weights)
        self.partner_cents = partner_cents(idx.partner_track, weights)
        self.keep = weights.keep_bonus if prev is not None else 0.0
        self.parts: list[PairSet] = []
        self.reduced: list[IntArray] = []
        self.priced = 0

    def capability(
        self, capability: str, needs: IntArray, partners: IntArray, price: IntArray
    ) -> None:
        """Price every feasible pair of one capability (radial by bands and base points, areas
        in full, standing assignments apart); `partners` = `idx.pool(capability, True)`'s
        positions, `price` their group prices."""
        idx = self.idx
        points = idx.points(capability, True)
        a = 100.0 * (self.base[needs] + self.keep) - self.u[needs]
        # Group prices by partner position (0 outside the pool, whose partners are never priced).
        v = np.zeros(len(idx.partners), np.int64)
        v[partners] = price
        value = np.zeros(len(idx.partners), np.int64)
        value[partners] = self.partner_cents[partners] - price
        best = points.best_prefix(value)
        b = value[points.order].astype(np.float64)
        for band in _bands(a):
            reach = points.reach_km(
                np.minimum(
                    points.radius, _reach_km(-(float(a[band].max()) + b + 1.5), self.weights)
                )
            )
            at = np.flatnonzero(reach >= 0)
            self._add(self._radial(needs[band], points, at, reach[at], best), v)
        self._add_area(capability, v)
        self._add(self._kept(needs, partners), v)

    def _radial(
        self, needs: IntArray, points: Points, at: IntArray, reach: FloatArray, best: IntArray
    ) -> PairSet:
        """Pairs (need, the best partner at a point that reaches it) for the needs within
        `reach` km of the points `at`.

        At one base point a pair's reduced profit is the need's place cents - u plus the
        partner's cents - v: the partner with the most of the latter among those whose radius
        reaches the need (`best`) is the point's best pair for it, and no other partner there
        can improve the plan unless it does (the keep bonus aside: `_kept`).
        """
        idx = self.idx
        if needs.size == 0 or at.size == 0:
            return _empty_pairs()
        tree = cKDTree(idx.need_xyz[needs])
        hits = tree.query_ball_point(
            points.xyz[at], chord_for_km(reach) + 1e-9, return_sorted=False
        )
        counts = np.fromiter(map(len, hits), np.int64, len(hits))
        if counts.sum() == 0:
            return _empty_pairs()
        need = needs[np.fromiter(itertools.chain.from_iterable(hits), np.int64, int(counts.sum()))]
        point = np.repeat(at, counts)
        dist = km_for_chord(np.linalg.norm(idx.need_xyz[need] - points.xyz[point], axis=1))
        partner = points.partner_for(point, dist, best)
        ok = partner >= 0
        n = int(ok.sum())
        return PairSet(
            need[ok], partner[ok], dist[ok], np.zeros(n, np.int64), np.zeros(n, np.int8), 0
        )

    def _kept(self, needs: IntArray, partners: IntArray) -> PairSet:
        """The standing radial pairs of `needs` with partners in `partners` (the keep bonus
        may make one better than its point's best partner)."""
        if self.prev is None or partners.size == 0:
            return _empty_pairs()
        idx = self.idx
        need = needs[self.prev[needs] >= 0]
        partner = self.prev[need]
        at = np.minimum(np.searchsorted(partners, partner), partners.size - 1)
        dist = km_for_chord(np.linalg.norm(idx.need_xyz[need] - idx.partner_xyz[partner], axis=1))
        ok = (partners[at] == partner) & (dist <= idx.partner_radius[partner])
        n = int(ok.sum())
        return PairSet(
            need[ok], partner[ok], dist[ok], np.zeros(n, np.int64), np.zeros(n, np.int8), 0
        )

    def _add_area(self, capability: str, v: IntArray) -> None:
        """`_add` for the capability's area-only pairs with partners of its pool, in place: their
        cents do not change from round to round (`area_cents`), only the prices do."""
        idx = self.idx
        extra, pooled = idx.extra_pairs(capability), idx.pooled_extra(capability)
        if not len(extra):
            return
        if capability not in self.area_cents:
            self.area_cents[capability] = self._cents(extra)
        cents = self.area_cents[capability]
        self.priced += int(np.count_nonzero(pooled))
        rc = cents - v[extra.partner_pos] - self.u[extra.need_pos]
        self._keep(extra, cents, rc, pooled & (rc > 0))

    def _cents(self, pairs: PairSet) -> IntArray:
        """The pairs' scores in cents (`CandidateIndex._score`, partner parts computed once)."""
        return self.idx._score(
            pairs.need_pos,
            pairs.partner_pos,
            pairs.distance_km,
            self.base,
            self.weights,
            self.prev,
            self.partner_cents,
        )

    def _keep(self, pairs: PairSet, cents: IntArray, rc: IntArray, good: NDArray[np.bool_]) -> None:
        """Keep the `good` ones of priced `pairs` (their `cents`, reduced profits `rc`)."""
        if good.any():
            self.parts.append(
                PairSet(
                    pairs.need_pos[good],
                    pairs.partner_pos[good],
                    pairs.distance_km[good],
                    cents[good],
                    pairs.via[good],
                    0,
                )
            )
            self.reduced.append(rc[good])

    def _add(self, pairs: PairSet, v: IntArray) -> None:
        """Price `pairs` (partners of the pool, `v` their group prices by partner position)
        exactly and keep those with positive reduced profit."""
        if not len(pairs):
            return
        self.priced += len(pairs)
        cents = self._cents(pairs)
        rc = cents - v[pairs.partner_pos] - self.u[pairs.need_pos]
        self._keep(pairs, cents, rc, rc > 0)

    def finish(self, per_need: int, per_slot: int | None = None) -> PricingResult:
        """Each need's best `per_need` improving pairs by reduced profit, ranked by (need,
        reduced profit desc, partner position)."""
        if not self.parts:
            none = np.zeros(0, np.int64)
            return PricingResult(_empty_pairs(), none, self.priced, none, none)
        pairs = _concat(self.parts)
        rc = np.concatenate(self.reduced)
        if self.prev is not None:
            # Radial pricing gives one pair per (need, point) already; a standing pair
            # (`_kept`) may repeat one.
            pairs, rc = _best_per_point(self.idx, pairs, rc)
        # (need, partner) pairs are distinct here, so one unstable sort of a unique key.
        top = int(rc.max()) + 1
        span = len(self.idx.partners) + 1
        if (int(pairs.need_pos.max()) + 1) * (top + 1) * span < 2**62:
            key = (pairs.need_pos * (top + 1) + (top - rc)) * span + pairs.partner_pos
            order = np.argsort(key)
        else:
            order = np.lexsort((pairs.partner_pos, -rc, pairs.need_pos))
        need = pairs.need_pos[order]
        starts = np.r_[0, np.flatnonzero(need[1:] != need[:-1]) + 1]
        best_rc = rc[order[starts]]
        best_need = need[starts][best_rc > 0]
        rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
        sel = order[rank < per_need]
        if per_slot is not None:
            sel = sel[_best_per_slot(self.idx, _subset(pairs, sel), rc[sel], per_slot)]
        return PricingResult(
            _subset(pairs, sel),
            rc[sel],
            self.priced,
            best_need,
            best_rc[best_rc > 0],
        )


def _subset(pairs: PairSet, at: IntArray) -> PairSet:
    return PairSet(
        pairs.need_pos[at],
        pairs.partner_pos[at],
        pairs.distance_km[at],
        pairs.cents[at],
        pairs.via[at],
        0,
    )


def _best_per_point(idx: CandidateIndex, pairs: PairSet, rc: IntArray) -> tuple[PairSet, IntArray]:
    """Of the radial pairs of one need with partners at one base point, only the best.

    The plan's network reaches every partner at a point through one hub arc per need (plan.py),
    so more than one pair per (need, point) would spend the need's `per_need` places on the
    same arc.
    """
    radial = pairs.via == 0
    n_p = len(idx.partners)
    # Receiver: the base point of a radial pair, the partner itself (offset past the points)
    # of an area pair; one int64 key (need, receiver, -rc) sorted stably keeps the order
    # deterministic.
    receiver = np.where(radial, idx.partner_location[pairs.partner_pos], n_p + pairs.partner_pos)
    top = int(rc.max()) + 1 if rc.size else 1
    key = (pairs.need_pos * (2 * n_p + 1) + receiver) * (top + 1) + (top - rc)
    order = np.argsort(key, kind="stable")
    k = key[order] // (top + 1)
    sel = order[np.r_[True, k[1:] != k[:-1]]] if k.size else order
    sel.sort()
    out = PairSet(
        pairs.need_pos[sel],
        pairs.partner_pos[sel],
        pairs.distance_km[sel],
        pairs.cents[sel],
        pairs.via[sel],
        0,
    )
    return out, rc[sel]


def _best_per_slot(idx: CandidateIndex, ranked: PairSet, rc: IntArray, per_slot: int) -> IntArray:
    """Positions (ascending) of the pairs of `ranked` (reduced profit `rc`) that are among
    their receiver's best per_slot x (its tasks left + 1): a base point for radial pairs (its
    partners' slots together), a partner for area pairs."""
    left = idx.tasks_left_table()
    n_caps = max(1, left.shape[1])
    code = idx.need_cap_code[ranked.need_pos]
    n_p = len(idx.partners)
    radial = ranked.via == 0
    loc = idx.partner_location
    receiver = np.where(radial, loc[ranked.partner_pos], n_p + ranked.partner_pos) * n_caps + code
    slots = np.zeros(2 * (n_p + 1) * n_caps, np.int64)
    key_all = np.repeat(loc * n_caps, n_caps) + np.tile(np.arange(n_caps), n_p)
    np.add.at(slots, key_all, left.reshape(-1))
    slots[(n_p + np.arange(n_p))[:, None] * n_caps + np.arange(n_caps)] = left
    budget = per_slot * (slots[receiver] + 1)
    # By (receiver, reduced profit desc, need, partner). `ranked` is already in (need, reduced
    # profit desc, partner) order, so among pairs of one receiver with equal reduced profit its
    # own order is (need, partner): a stable sort of one int64 key (receiver, -rc) gives the
    # same order as the four-key lexsort, in a fraction of its time.
    top = int(rc.max()) + 1 if rc.size else 1
    if (int(receiver.max()) + 1 if receiver.size else 1) * (top + 1) < 2**62:
        order = np.argsort(receiver * (top + 1) + (top - rc), kind="stable")
    else:
        order = np.lexsort((ranked.partner_pos, ranked.need_pos, -rc, receiver))
    r = receiver[order]
    starts = np.r_[0, np.flatnonzero(r[1:] != r[:-1]) + 1] if r.size else r
    rank = np.arange(r.size) - np.repeat(starts, np.diff(np.r_[starts, r.size]))
    return np.sort(order[rank < budget[order]])


def _bands(a: FloatArray) -> list[IntArray]:
    """Positions (into `a`) of each band of BAND_CENTS."""
    key = np.floor(a / BAND_CENTS).astype(np.int64)
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    return np.split(order, cuts)


def _reach_km(x_cents: FloatArray, weights: Weights) -> FloatArray:
    """Largest distance at which 100·distance_points(d) can exceed `x_cents`: inf when x < 0,
    -1 when not even d = 0 can."""
    top = 100.0 * weights.distance
    safe = np.where(x_cents > 0, x_cents, 1.0)
    reach = DISTANCE_HALF_KM * (top / safe - 1.0)
    reach = np.where(x_cents <= 0, np.inf, reach)
    return np.where(x_cents >= top, -1.0, reach)
