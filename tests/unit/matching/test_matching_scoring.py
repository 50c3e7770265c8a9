"""The score rewards priority, waiting, overdue, closeness and a good track record."""

from __future__ import annotations

import numpy as np
import pytest
from city_builders import NOW, make_need, make_partner

from matching import DEFAULT_WEIGHTS, Weights, rank_partners_for_need
from matching.explain import reasons
from matching.scoring import cents_of_parts, pair_cents, partner_cents, score_pair


def score(need, partner=None, distance=1.0, weights=DEFAULT_WEIGHTS):
    return score_pair(need, partner or make_partner(1), distance, NOW, weights)


def test_closer_scores_higher():
    need = make_need(1)
    assert score(need, distance=0.5) > score(need, distance=2.0) > score(need, distance=10.0)


def test_more_urgent_priority_scores_higher():
    # 1 is most urgent, as the need form, the need page and the lists say.
    assert (
        score(make_need(1, priority=1))
        > score(make_need(1, priority=2))
        > score(make_need(1, priority=5))
    )


def test_older_need_scores_higher():
    assert (
        score(make_need(1, age_days=90))
        > score(make_need(1, age_days=30))
        > score(make_need(1, age_days=1))
    )


def test_an_overdue_day_counts_more_than_a_waiting_day():
    waiting = make_need(1, age_days=15)
    overdue = make_need(2, age_days=10, due_in_days=-5)  # 10 days open, 5 of them overdue
    assert score(overdue) > score(waiting)


def test_better_track_record_scores_higher_and_a_newcomer_sits_between():
    need = make_need(1)
    good = make_partner(1, completed=30, released=1, median_days=2)
    new = make_partner(2)
    poor = make_partner(3, completed=2, released=10, median_days=20)
    assert score(need, good) > score(need, new) > score(need, poor)


def test_score_stays_within_zero_and_the_sum_of_weights():
    best = make_need(1, priority=1, age_days=10_000, due_in_days=-5_000)
    top = score(best, make_partner(1, completed=10_000, median_days=0), distance=0.0)
    worst = score(make_need(2, priority=5, age_days=0), make_partner(2, released=10_000), 1e4)
    assert 0.0 <= worst < top <= 100.0
    assert top > 99.0


def test_score_is_the_documented_formula_at_a_hand_checked_point():
    # priority 3 -> 30*(6-3)/5 = 18; waiting x=10 -> 20*10/40 = 5; 2 km -> 30/(1+1) = 15;
    # newcomer: rate 0.7, speed 0.5 -> 20*(0.8*0.7 + 0.2*0.5) = 13.2; total 51.2
    assert score(make_need(1, age_days=10), make_partner(1), distance=2.0) == 51.2


def test_weights_change_the_balance():
    need = make_need(1)
    only_distance = Weights(priority=0, waiting=0, distance=10, track_record=0, keep_bonus=0)
    assert score(need, distance=0.0, weights=only_distance) == 10.0


def test_reasons_read_like_a_partner_would_say_them():
    need = make_need(1, priority=4, age_days=41.5, due_in_days=-3.2)
    partner = make_partner(
        1, capabilities={"lot_mowing": (5, 3)}, completed=12, released=2, median_days=4
    )
    text = reasons(need, partner, 1.84, NOW, labels={"lot_mowing": "lot mowing"})
    assert text == (
        "1.8 km from your base",
        "does lot mowing",
        "3 of 5 weekly slots left",
        "open 41 days",
        "overdue 3 days",
        "priority 4 (1 is most urgent)",
        "completed 12 of 14 past tasks",
    )


def test_reasons_fall_back_to_the_capability_code_and_name_a_new_partner():
    text = reasons(make_need(1, age_days=1), make_partner(1), 0.0, NOW)
    assert "does lot_mowing" in text
    assert "open 1 day" in text
    assert "no track record yet" in text


def test_suggestion_reasons_say_when_a_neighbourhood_list_is_why():
    partner = make_partner(1, radius_km=1, neighbourhoods=frozenset({"Scotlandville"}))
    need = make_need(1, 6, 0, neighbourhood="Scotlandville")
    (suggestion,) = rank_partners_for_need(need, [partner], NOW)
    assert "in your neighbourhood list (Scotlandville)" in suggestion.reasons
    assert suggestion.reasons[0] == "6.0 km from your base"


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        Weights(distance=-1)


def test_cents_from_a_partners_precomputed_part_equal_the_pair_cents():
    # Pricing computes each partner's track-record cents once and adds them to millions of
    # pairs' place cents; the result must be pair_cents exactly, keep bonus included.
    rng = np.random.default_rng(3)
    n = 5_000
    need_pts = rng.uniform(-5, 60, n)
    dist = rng.uniform(0, 20, n)
    track = rng.uniform(0, 1, 40)
    partner = rng.integers(0, 40, n)
    kept = rng.random(n) < 0.1
    for weights in (DEFAULT_WEIGHTS, Weights(track_record=7.3, keep_bonus=0.55)):
        per_partner = partner_cents(track, weights)
        for k in (None, kept):
            got = cents_of_parts(need_pts, dist, per_partner[partner], weights, k)
            want = pair_cents(need_pts, dist, track[partner], weights, k)
            assert got.dtype == np.int64 and (got == want).all()
