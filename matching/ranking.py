"""Ranked suggestions for one need (which partners?) and for one partner (which needs?).

Both use `CandidateIndex`; pass a prebuilt `index` when answering many queries over the same
specs (the index's own needs/partners are then used, and the `needs`/`partners` argument is
ignored), otherwise a small one is built per call. Order: score desc, then id asc.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from matching.candidates import CandidateIndex
from matching.explain import reasons
from matching.model import DEFAULT_WEIGHTS, NeedSpec, PartnerSpec, Suggestion, Weights
from matching.scoring import need_points, pair_cents, track_term


def rank_partners_for_need(
    need: NeedSpec,
    partners: Sequence[PartnerSpec],
    now: datetime,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    labels: Mapping[str, str] | None = None,
    limit: int | None = None,
    index: CandidateIndex | None = None,
) -> list[Suggestion]:
    """Feasible partners for `need`, best first (at most `limit`)."""
    idx = index if index is not None else CandidateIndex((), partners)
    pos, dist, via = idx.partners_for_need(need)
    base = need_points([need], now, weights)
    cents = pair_cents(np.repeat(base, pos.size), dist, idx.partner_track[pos], weights)
    order = np.lexsort((idx.partner_ids[pos], -cents))
    if limit is not None:
        order = order[: max(0, limit)]
    return [
        Suggestion(
            need_id=need.id,
            partner_id=idx.partners[pos[i]].id,
            score=int(cents[i]) / 100.0,
            distance_km=float(dist[i]),
            reasons=reasons(
                need, idx.partners[pos[i]], float(dist[i]), now, labels=labels, via=int(via[i])
            ),
        )
        for i in order.tolist()
    ]


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

    With `limit=None` the list is capped by capacity: for each capability, at most that
    capability's `tasks_left` needs. With an explicit `limit`, the `limit` best feasible needs are
    returned whatever the capacity (to browse beyond this week's slots).
    """
    if not partner.active:
        return []
    idx = index if index is not None else CandidateIndex(needs, ())
    track = track_term(partner.track_record)
    chosen: list[tuple[int, int, int, float, int]] = []
    for capability, slot in sorted(partner.capabilities.items()):
        if slot.tasks_left <= 0:
            continue
        pos, dist, via = idx.needs_for_partner(partner, capability)
        if pos.size == 0:
            continue
        cents = pair_cents(
            idx.need_points(now, weights, pos),
            dist,
            np.full(pos.size, track),
            weights,
        )
        order = np.lexsort((idx.need_ids[pos], -cents))
        if limit is None:
            order = order[: slot.tasks_left]
        chosen.extend(
            (-int(cents[i]), int(idx.need_ids[pos[i]]), int(pos[i]), float(dist[i]), int(via[i]))
            for i in order.tolist()
        )
    chosen.sort()
    if limit is not None:
        chosen = chosen[: max(0, limit)]
    out = []
    for neg_cents, need_id, p, d, v in chosen:
        need = idx.needs[p]
        out.append(
            Suggestion(
                need_id=need_id,
                partner_id=partner.id,
                score=-neg_cents / 100.0,
                distance_km=d,
                reasons=reasons(need, partner, d, now, labels=labels, via=v),
            )
        )
    return out
