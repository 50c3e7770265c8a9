"""The one score formula for a (need, partner) pair, scalar and vectorised.

    score = W.priority     * (6 - priority) / 5
          + W.waiting      * x / (x + WAIT_HALF_DAYS)
          + W.distance     * 1 / (1 + distance_km / DISTANCE_HALF_KM)
          + W.track_record * (RATE_SHARE * rate + (1 - RATE_SHARE) * speed)
          [+ W.keep_bonus  when plan_city keeps a previous assignment]

    x     = age_days + OVERDUE_FACTOR * overdue_days
    rate  = (completed + PRIOR_RATE * PRIOR_TASKS) / (completed + released + PRIOR_TASKS)
    speed = 1 / (1 + median_days_to_complete / SPEED_HALF_DAYS)   (SPEED_PRIOR when unknown)

Every term lies in [0, 1], so with `DEFAULT_WEIGHTS` the score lies in [0, 100] (100.5 with the
keep bonus). Scores are counted in 0.01 (`pair_cents` returns hundredths; the place part, the
partner part and the keep bonus are each rounded to a cent) so that OR-Tools can use exact integer
costs and the plan objective equals the sum of the reported scores.

- Priority 1..5, 1 most urgent (as the product's forms, lists and map say): linear, so a
  priority-1 need is worth 5x a priority-5 one on this term.
- Waiting saturates: 30 effective days is half of the term; each overdue day counts as
  1 + OVERDUE_FACTOR days, so overdue needs climb faster.
- Distance decays smoothly from 1 at the base to 0.5 at 2 km and 0.12 at 15 km; feasibility (the
  service area) is decided separately, so a need inside a neighbourhood list far from the base
  still scores lower on this term.
- Track record: completion rate shrunk toward PRIOR_RATE by PRIOR_TASKS pseudo-tasks, so a new
  partner is neither trusted nor punished; speed rewards a short median time to completion.

The need terms (priority, waiting) depend only on the need, so maximising the sum of scores in a
plan is coverage weighted by priority and age, minus travel, plus reliability.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from matching.model import NeedSpec, PartnerSpec, TrackRecord, Weights

WAIT_HALF_DAYS = 30.0
OVERDUE_FACTOR = 3.0
DISTANCE_HALF_KM = 2.0
RATE_SHARE = 0.8
PRIOR_RATE = 0.7
PRIOR_TASKS = 4.0
SPEED_HALF_DAYS = 7.0
SPEED_PRIOR = 0.5
SECONDS_PER_DAY = 86400.0


def age_and_overdue_days(need: NeedSpec, now: datetime) -> tuple[float, float]:
    """Days since the need opened and days past its due date (both ≥ 0)."""
    age = max(0.0, (now - need.opened_at).total_seconds() / SECONDS_PER_DAY)
    overdue = 0.0
    if need.due_at is not None:
        overdue = max(0.0, (now - need.due_at).total_seconds() / SECONDS_PER_DAY)
    return age, overdue


def need_arrays(
    needs: Sequence[NeedSpec],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(priority, opened_at POSIX seconds, due_at POSIX seconds or NaN) of each need."""
    n = len(needs)
    prio = np.fromiter((x.priority for x in needs), dtype=np.float64, count=n)
    opened = np.fromiter((x.opened_at.timestamp() for x in needs), dtype=np.float64, count=n)
    due = np.fromiter(
        (np.nan if x.due_at is None else x.due_at.timestamp() for x in needs),
        dtype=np.float64,
        count=n,
    )
    return prio, opened, due


def urgency(priority: ArrayLike) -> NDArray[np.float64]:
    """Priority term in [0.2, 1]: 1 for priority 1 (most urgent), 0.2 for priority 5."""
    return (6.0 - np.clip(np.asarray(priority, dtype=np.float64), 1, 5)) / 5.0


def need_points_from_arrays(
    priority: NDArray[np.float64],
    opened_ts: NDArray[np.float64],
    due_ts: NDArray[np.float64],
    now: datetime,
    weights: Weights,
) -> NDArray[np.float64]:
    """Priority + waiting points from `need_arrays` output (vectorised)."""
    now_ts = now.timestamp()
    age = np.maximum(0.0, (now_ts - opened_ts) / SECONDS_PER_DAY)
    overdue = np.nan_to_num(np.maximum(0.0, (now_ts - due_ts) / SECONDS_PER_DAY), nan=0.0)
    x = age + OVERDUE_FACTOR * overdue
    return weights.priority * urgency(priority) + weights.waiting * x / (x + WAIT_HALF_DAYS)


def need_points(needs: Sequence[NeedSpec], now: datetime, weights: Weights) -> NDArray[np.float64]:
    """Priority + waiting points for each need (the part of the score that is the need's own)."""
    return need_points_from_arrays(*need_arrays(needs), now, weights)


def track_term(record: TrackRecord) -> float:
    """Track-record term in [0, 1]."""
    rate = (record.completed + PRIOR_RATE * PRIOR_TASKS) / (
        record.completed + record.released + PRIOR_TASKS
    )
    days = record.median_days_to_complete
    speed = SPEED_PRIOR if days is None else 1.0 / (1.0 + max(0.0, days) / SPEED_HALF_DAYS)
    return RATE_SHARE * rate + (1.0 - RATE_SHARE) * speed


def track_terms(partners: Sequence[PartnerSpec]) -> NDArray[np.float64]:
    """Track-record term of each partner."""
    return np.fromiter(
        (track_term(p.track_record) for p in partners), dtype=np.float64, count=len(partners)
    )


def distance_points(distance_km: ArrayLike, weights: Weights) -> NDArray[np.float64]:
    """Distance points: W.distance at the base, half of it at DISTANCE_HALF_KM."""
    return weights.distance / (1.0 + np.asarray(distance_km, dtype=np.float64) / DISTANCE_HALF_KM)


def pair_cents(
    need_pts: ArrayLike,
    distance_km: ArrayLike,
    track: ArrayLike,
    weights: Weights,
    kept: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Scores of pairs in hundredths of a point (int64), the unit OR-Tools costs use.

    The place part (need points + distance points) and the partner part (track record) are
    rounded to cents separately, so that every partner sharing one base point adds the same
    place cents to a need: plan.py merges such partners into one chain of network nodes, which
    is exact only because cents(need, partner) = place_cents(need, base) + partner_cents(partner).
    """
    return cents_of_parts(need_pts, distance_km, partner_cents(track, weights), weights, kept)


def cents_of_parts(
    need_pts: ArrayLike,
    distance_km: ArrayLike,
    partner_part: ArrayLike,
    weights: Weights,
    kept: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """`pair_cents` with each pair's partner part (`partner_cents`) given: callers pricing
    millions of pairs compute it once per partner instead of once per pair."""
    place = np.asarray(need_pts, dtype=np.float64) + distance_points(distance_km, weights)
    cents = place_cents(place) + np.asarray(partner_part, np.int64)
    if kept is not None:
        cents = cents + np.rint(100.0 * weights.keep_bonus * np.asarray(kept, np.float64)).astype(
            np.int64
        )
    return cents


def place_cents(place_points: ArrayLike) -> NDArray[np.int64]:
    """Need + distance points of pairs in cents (the part every co-located partner shares)."""
    return np.rint(np.maximum(np.asarray(place_points, np.float64), 0.0) * 100.0).astype(np.int64)


def partner_cents(track: ArrayLike, weights: Weights) -> NDArray[np.int64]:
    """Track-record points of partners in cents (the part that is the partner's own)."""
    points = weights.track_record * np.asarray(track, dtype=np.float64)
    return np.rint(np.maximum(points, 0.0) * 100.0).astype(np.int64)


def score_pair(
    need: NeedSpec,
    partner: PartnerSpec,
    distance_km: float,
    now: datetime,
    weights: Weights,
    *,
    kept: bool = False,
) -> float:
    """Score of one pair in points (0.01 steps); feasibility is NOT checked here."""
    cents = pair_cents(
        need_points([need], now, weights),
        [distance_km],
        [track_term(partner.track_record)],
        weights,
        [1.0 if kept else 0.0],
    )
    return int(cents[0]) / 100.0
