"""Ranked suggestions for one need (which partners?) and for one partner (which needs?).

Both use `CandidateIndex`; pass a prebuilt `index` when answering many queries over the same
specs (the index's own needs/partners are then used, and the `needs`/`partners` arguments are
ignored), otherwise a small one is built per call.

**Order.** Score first (descending). Equal scores are common on real data (partners registered
at the same ZIP-code centre, both new, score the same for every need), so ties are broken by
stated criteria, never silently by id:

Partners for a need (`PARTNER_TIE_BREAKS`):
1. `tasks_left` — more spare capacity this week for the need's capability first;
2. `competing_needs` — fewer OTHER open needs of that capability in the partner's service area
   first: those needs compete for the same slots. Counted over the index's needs (`needs`, or
   those of the `index`; each area once per index), this need excluded, or by the caller's
   `competing` count (open needs kept apart from the partners' index). With neither (an index
   of partners only, the default when no needs are given) it cannot be counted and is skipped;
3. `track_record` — the better track-record term first (scoring.track_term: completion rate
   shrunk toward the newcomer's prior, and speed; compared to 6 decimals);
4. `partner_id` — ascending: only the final deterministic fallback, and said so.

Needs for a partner (`NEED_TIE_BREAKS`):
1. `priority` — the more urgent first (1 is most urgent, as the score counts it);
2. `open_days` — open longer (opened earlier) first;
3. `distance` — nearer the partner's base first;
4. `need_id` — ascending, the final fallback.

A suggestion whose score equals the next one's (in the ranking before `limit` cuts it; for
needs without `limit`, after the per-capability capacity cap) carries `tie_break`
(explain.tie_break_reason: the first criterion that differs, with both values), so a page can
say "same score as the next; more free slots this week (5 vs 1)".

These are tie-breaks on purpose, not score terms: the score is what the city plan maximises
(scoring.py, plan.py). Spare capacity is the plan's constraint, not a quality of the pair;
putting it into the score would change every plan, while a tie-break only orders pairs whose
scores are equal.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from matching.candidates import CandidateIndex
from matching.explain import reason_items, render_all, tie_break_reason
from matching.model import DEFAULT_WEIGHTS, NeedSpec, PartnerSpec, Reason, Suggestion, Weights
from matching.scoring import SECONDS_PER_DAY, need_points, pair_cents, track_term

PARTNER_TIE_BREAKS = ("tasks_left", "competing_needs", "track_record", "partner_id")
"""After the score, in this order (see the module docstring)."""
NEED_TIE_BREAKS = ("priority", "open_days", "distance", "need_id")
"""After the score, in this order (see the module docstring)."""

Criterion = tuple[str, NDArray, NDArray]
"""(name, key ascending = ranked first, value shown in the reason)."""


def _tie_breaks(
    order: Sequence[int], cents: NDArray[np.int64], criteria: Sequence[Criterion]
) -> dict[int, Reason]:
    """For each ranked row that ties on score with the next one: the deciding criterion."""
    out: dict[int, Reason] = {}
    for a, b in pairwise(order):
        if cents[a] != cents[b]:
            continue
        for name, key, shown in criteria:
            if key[a] != key[b]:
                out[a] = tie_break_reason(name, shown[a].item(), shown[b].item())
                break
    return out


def _tasks_left(idx: CandidateIndex, pos: NDArray[np.int64], capability: str) -> NDArray:
    left = np.zeros(pos.size, dtype=np.int64)
    for i, p in enumerate(pos.tolist()):
        slot = idx.partners[p].capabilities.get(capability)
        left[i] = 0 if slot is None else max(0, slot.tasks_left)
    return left


CompetingCount = Callable[[Sequence[PartnerSpec]], NDArray[np.int64]]
"""For one need: for each partner, the OTHER open needs of its capability inside its area."""


def competing_in_index(idx: CandidateIndex, need: NeedSpec) -> CompetingCount:
    """`CompetingCount` over the index's own needs: each area counted once per index
    (`CandidateIndex.area_need_counts`), less the indexed need of the same id if it lies
    there."""
    own = idx.need_position(need.id)
    own_pos = np.asarray([] if own is None else [own], dtype=np.int64)

    def count(partners: Sequence[PartnerSpec]) -> NDArray[np.int64]:
        total = idx.area_need_counts(partners, need.capability)
        if own_pos.size:
            total = total - np.fromiter(
                (idx.in_area(p, need.capability, own_pos).sum() for p in partners),
                np.int64,
                len(partners),
            )
        return total

    return count


def _competing_needs(
    idx: CandidateIndex,
    pos: NDArray[np.int64],
    tied: NDArray[np.bool_],
    competing: CompetingCount | None,
) -> NDArray[np.int64]:
    """`competing` for the partners at `pos` where `tied` (the criterion can decide nothing
    elsewhere); 0 without it."""
    out = np.zeros(pos.size, dtype=np.int64)
    rows = np.flatnonzero(tied)
    if competing is None or rows.size == 0:
        return out
    out[rows] = competing([idx.partners[int(p)] for p in pos[rows].tolist()])
    return out


def _tied_on(*keys: NDArray) -> NDArray[np.bool_]:
    """Rows whose tuple of keys another row shares."""
    rows = list(zip(*(k.tolist() for k in keys), strict=True))
    counts = Counter(rows)
    return np.fromiter((counts[r] > 1 for r in rows), dtype=bool, count=len(rows))


def rank_partners_for_need(
    need: NeedSpec,
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    labels: Mapping[str, str] | None = None,
    limit: int | None = None,
    index: CandidateIndex | None = None,
    needs: Sequence[NeedSpec] | None = None,
    competing: CompetingCount | None = None,
    explain_first: int | None = None,
    explain_ids: Collection[int] = (),
) -> list[Suggestion]:
    """Feasible partners for `need`, best first (at most `limit`).

    Order: score desc, then `PARTNER_TIE_BREAKS` (more tasks left this week, fewer competing
    open needs — `competing` when given (a caller that keeps the open needs apart from the
    partners' index), else counted over `needs`, or the index's needs; skipped without any —
    better track record, and partner id only as the final fallback).

    With `explain_first`, only the first `explain_first` suggestions and those of the
    partners in `explain_ids` carry their reasons (the rest have none): a caller that shows a
    few rows but needs the whole order (where the plan's choice ranks) does not word
    hundreds of reasons nobody reads.
    """
    idx = index if index is not None else CandidateIndex(needs or (), partners)
    if competing is None and idx.needs:
        competing = competing_in_index(idx, need)
    pos, dist, via = idx.partners_for_need(need)
    base = need_points([need], now, weights)
    track = idx.partner_track[pos]
    cents = pair_cents(np.repeat(base, pos.size), dist, track, weights)
    left = _tasks_left(idx, pos, need.capability)
    competing_counts = _competing_needs(idx, pos, _tied_on(cents, left), competing)
    ids = idx.partner_ids[pos]
    track_key = -np.round(track, 6)  # float noise (0.66 vs 0.6599999999999999) decides nothing
    order = np.lexsort((ids, track_key, competing_counts, -left, -cents)).tolist()
    ties = _tie_breaks(
        order,
        cents,
        [
            ("tasks_left", -left, left),
            ("competing_needs", competing_counts, competing_counts),
            ("track_record", track_key, np.round(track, 4)),
            ("partner_id", ids, ids),
        ],
    )
    if limit is not None:
        order = order[: max(0, limit)]
    out = []
    for rank, i in enumerate(order):
        partner = idx.partners[pos[i]]
        items: tuple[Reason, ...] = ()
        if explain_first is None or rank < explain_first or partner.id in explain_ids:
            items = reason_items(need, partner, float(dist[i]), now, labels=labels, via=int(via[i]))
        out.append(
            Suggestion(
                need_id=need.id,
                partner_id=partner.id,
                score=int(cents[i]) / 100.0,
                distance_km=float(dist[i]),
                reasons=render_all(items),
                reason_items=items,
                tie_break=ties.get(i),
            )
        )
    return out


def rank_needs_for_partner(
    partner: PartnerSpec,
    needs: Sequence[NeedSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    labels: Mapping[str, str] | None = None,
    limit: int | None = None,
    index: CandidateIndex | None = None,
) -> list[Suggestion]:
    """Feasible needs for `partner`, best first.

    Order: score desc, then `NEED_TIE_BREAKS` (more urgent, open longer, nearer, need id).
    With `limit=None` the list is capped by capacity: for each capability, at most that
    capability's `tasks_left` needs (the best by the same order). With an explicit `limit`, the
    `limit` best feasible needs are returned whatever the capacity (to browse beyond this week's
    slots).
    """
    if not partner.active:
        return []
    idx = index if index is not None else CandidateIndex(needs, ())
    track = track_term(partner.track_record)
    rows: list[tuple[int, int, float, float, int, int, int]] = []
    for capability, slot in sorted(partner.capabilities.items()):
        if slot.tasks_left <= 0:
            continue
        pos, dist, via = idx.needs_for_partner(partner, capability)
        if pos.size == 0:
            continue
        cents = pair_cents(
            idx.need_points(now, weights, pos), dist, np.full(pos.size, track), weights
        )
        prio = np.fromiter((idx.needs[p].priority for p in pos.tolist()), np.int64, pos.size)
        opened = np.fromiter(
            (idx.needs[p].opened_at.timestamp() for p in pos.tolist()), np.float64, pos.size
        )
        order = np.lexsort((idx.need_ids[pos], dist, opened, prio, -cents))
        if limit is None:
            order = order[: slot.tasks_left]
        rows.extend(
            (
                -int(cents[i]),
                int(prio[i]),
                float(opened[i]),
                float(dist[i]),
                int(idx.need_ids[pos[i]]),
                int(pos[i]),
                int(via[i]),
            )
            for i in order.tolist()
        )
    rows.sort()
    return _need_suggestions(partner, idx, rows, now, labels, limit)


def _need_suggestions(
    partner: PartnerSpec,
    idx: CandidateIndex,
    rows: list[tuple[int, int, float, float, int, int, int]],
    now: datetime,
    labels: Mapping[str, str] | None,
    limit: int | None,
) -> list[Suggestion]:
    """Sorted (-cents, priority, opened, distance, need id, position, via) rows as suggestions,
    with the tie-break of each row that ties on score with the next."""
    table = np.asarray([r[:5] for r in rows], dtype=np.float64).reshape(-1, 5)
    cents = -table[:, 0].astype(np.int64)
    open_days = ((now.timestamp() - table[:, 2]) // SECONDS_PER_DAY).astype(np.int64)
    ties = _tie_breaks(
        list(range(len(rows))),
        cents,
        [
            ("priority", table[:, 1], table[:, 1].astype(np.int64)),
            ("open_days", table[:, 2], open_days),
            ("distance", table[:, 3], np.round(table[:, 3], 3)),
            ("need_id", table[:, 4], table[:, 4].astype(np.int64)),
        ],
    )
    if limit is not None:
        rows = rows[: max(0, limit)]
    out = []
    for i, (neg_cents, _, _, d, need_id, p, v) in enumerate(rows):
        items = reason_items(idx.needs[p], partner, d, now, labels=labels, via=v)
        out.append(
            Suggestion(
                need_id=need_id,
                partner_id=partner.id,
                score=-neg_cents / 100.0,
                distance_km=d,
                reasons=render_all(items),
                reason_items=items,
                tie_break=ties.get(i),
            )
        )
    return out
