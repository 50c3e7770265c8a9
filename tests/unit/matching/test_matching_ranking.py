"""Ranking partners for a need and needs for a partner: order, limits, determinism."""

from __future__ import annotations

import random

from city_builders import NOW, make_need, make_partner, random_city

from matching import (
    DEFAULT_WEIGHTS,
    CandidateIndex,
    rank_needs_for_partner,
    rank_partners_for_need,
)
from matching.feasibility import is_feasible, pair_distance_km
from matching.scoring import score_pair


def test_partners_for_a_need_are_the_feasible_ones_best_first():
    need = make_need(1, 0, 0)
    partners = [
        make_partner(1, 3, 0),
        make_partner(2, 1, 0),
        make_partner(3, 20, 0),  # too far
        make_partner(4, 0.5, 0, active=False),
        make_partner(5, 2, 0),
    ]
    ranked = rank_partners_for_need(need, partners, NOW)
    assert [s.partner_id for s in ranked] == [2, 5, 1]
    assert abs(ranked[0].distance_km - 1) < 1e-3
    assert rank_partners_for_need(need, partners, NOW, limit=2)[1].partner_id == 5


def test_equal_scores_are_broken_by_partner_id():
    need = make_need(1)
    partners = [make_partner(i, 1, 0) for i in (9, 3, 7)]
    assert [s.partner_id for s in rank_partners_for_need(need, partners, NOW)] == [3, 7, 9]


def test_needs_for_a_partner_are_capped_by_slots_left_per_capability():
    partner = make_partner(
        1, capabilities={"lot_mowing": (5, 2), "litter_cleanup": (4, 1), "graffiti": (3, 0)}
    )
    needs = [make_need(i, 0.1 * i, 0, capability="lot_mowing") for i in range(1, 6)]
    needs += [make_need(i, 0.1 * i, 0, capability="litter_cleanup") for i in range(6, 9)]
    needs += [make_need(9, 0, 0, capability="graffiti")]
    ranked = rank_needs_for_partner(partner, needs, NOW)
    assert sorted(s.need_id for s in ranked) == [1, 2, 6]
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_an_explicit_limit_browses_past_this_weeks_slots():
    partner = make_partner(1, capabilities={"lot_mowing": (5, 1)})
    needs = [make_need(i, 0.1 * i, 0) for i in range(1, 6)]
    assert [s.need_id for s in rank_needs_for_partner(partner, needs, NOW, limit=3)] == [1, 2, 3]


def test_an_inactive_partner_gets_no_needs():
    assert rank_needs_for_partner(make_partner(1, active=False), [make_need(1)], NOW) == []


def test_ranking_matches_brute_force_on_a_random_city():
    needs, partners = random_city(7, 80, 25)
    index = CandidateIndex(needs, partners)
    for need in needs[:40]:
        expected = sorted(
            (-score_pair(need, p, pair_distance_km(need, p), NOW, DEFAULT_WEIGHTS), p.id)
            for p in partners
            if is_feasible(need, p)
        )
        got = rank_partners_for_need(need, partners, NOW, index=index)
        assert [(-s.score, s.partner_id) for s in got] == expected


def test_shuffled_input_and_a_prebuilt_index_give_identical_rankings():
    needs, partners = random_city(3, 120, 30)
    shuffled_n, shuffled_p = needs[:], partners[:]
    rnd = random.Random(1)
    rnd.shuffle(shuffled_n)
    rnd.shuffle(shuffled_p)
    index = CandidateIndex(shuffled_n, shuffled_p)
    for partner in partners[:10]:
        a = rank_needs_for_partner(partner, needs, NOW, limit=50)
        b = rank_needs_for_partner(partner, shuffled_n, NOW, limit=50)
        c = rank_needs_for_partner(partner, [], NOW, limit=50, index=index)
        assert a == b == c
    for need in needs[:10]:
        assert rank_partners_for_need(need, partners, NOW) == rank_partners_for_need(
            need, shuffled_p, NOW
        )


def test_needs_for_a_partner_match_brute_force_with_lists_and_polygons():
    needs, partners = random_city(12, 150, 30)
    index = CandidateIndex(needs, [])
    for partner in partners:
        got = rank_needs_for_partner(partner, needs, NOW, limit=10**6, index=index)
        expected = sorted(
            (-score_pair(n, partner, pair_distance_km(n, partner), NOW, DEFAULT_WEIGHTS), n.id)
            for n in needs
            if is_feasible(n, partner)
        )
        assert [(-s.score, s.need_id) for s in got] == expected
