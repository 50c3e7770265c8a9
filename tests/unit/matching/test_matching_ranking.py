"""Ranking partners for a need and needs for a partner: order, limits, determinism."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
from city_builders import (
    KM_PER_DEG_LAT,
    NOW,
    make_need,
    make_partner,
    random_city,
)

from matching import (
    DEFAULT_WEIGHTS,
    CandidateIndex,
    Weights,
    rank_needs_for_partner,
    rank_partners_for_need,
)
from matching.explain import render_all
from matching.feasibility import is_feasible, pair_distance_km
from matching.geometry import km_for_chord, to_xyz
from matching.scoring import score_pair, track_term


def partner_key(need, partner, needs=()):
    """The documented order of partners for a need, computed pair by pair."""
    competing = sum(
        1
        for other in needs
        if other.id != need.id
        and other.capability == need.capability
        and is_feasible(other, partner)
    )
    return (
        -score_pair(need, partner, pair_distance_km(need, partner), NOW, DEFAULT_WEIGHTS),
        -partner.capabilities[need.capability].tasks_left,
        competing,
        -round(track_term(partner.track_record), 6),
        partner.id,
    )


def need_key(need, partner, weights=DEFAULT_WEIGHTS):
    """The documented order of needs for a partner, computed pair by pair."""
    distance = pair_distance_km(need, partner)
    return (
        -score_pair(need, partner, distance, NOW, weights),
        need.priority,  # 1 is most urgent
        need.opened_at,
        round(distance, 9),
        need.id,
    )


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
            (partner_key(need, p, needs), p.id) for p in partners if is_feasible(need, p)
        )
        got = rank_partners_for_need(need, partners, NOW, index=index)
        assert [s.partner_id for s in got] == [pid for _, pid in expected]
        assert [-s.score for s in got] == [key[0] for key, _ in expected]


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
        expected = sorted(need_key(n, partner) for n in needs if is_feasible(n, partner))
        assert [(-s.score, s.need_id) for s in got] == [(k[0], k[-1]) for k in expected]


# ---- tie-breaks: the real-data shape is partners registered at one shared point -------------


def _shared_point_partners():
    """Five partners at the centre (one ZIP-code point), newcomers but one, all tying on score."""
    roomy = {"lot_mowing": (5, 5)}
    return [
        make_partner(1, capabilities={"lot_mowing": (1, 1)}),  # 1 slot a week: ranked 1st by id
        make_partner(2, capabilities=roomy),  # wide area: other needs compete for it
        make_partner(3, radius_km=1.0, capabilities=roomy),
        # a weaker completion rate but fast: a better track term, the same score in cents
        make_partner(
            4, radius_km=1.0, capabilities=roomy, completed=16, released=11, median_days=1
        ),
        make_partner(5, radius_km=1.0, capabilities=roomy),  # 3's twin
    ]


def _shared_point_needs():
    need = make_need(100, 0.5, 0)
    others = [make_need(200 + i, 2.5 + 0.1 * i, 0) for i in range(4)]  # only partners 1, 2 reach
    return need, others


def test_partners_tied_at_one_point_are_ordered_by_the_stated_criteria_not_by_id():
    need, others = _shared_point_needs()
    ranked = rank_partners_for_need(need, _shared_point_partners(), NOW, needs=[need, *others])
    assert len({s.score for s in ranked}) == 1  # the shape found on real data: one shared score
    assert [s.partner_id for s in ranked] == [4, 3, 5, 2, 1]
    assert [s.tie_break.value("by") for s in ranked[:-1]] == [
        "track_record",
        "partner_id",
        "competing_needs",
        "tasks_left",
    ]
    assert ranked[2].tie_break.as_dict() == {"by": "competing_needs", "this": 0, "next": 4}
    assert ranked[3].tie_break.as_dict() == {"by": "tasks_left", "this": 5, "next": 1}
    assert ranked[-1].tie_break is None


def test_without_needs_the_competition_criterion_is_skipped():
    need, _ = _shared_point_needs()
    ranked = rank_partners_for_need(need, _shared_point_partners(), NOW)
    assert [s.partner_id for s in ranked] == [4, 2, 3, 5, 1]
    assert "competing_needs" not in {s.tie_break.value("by") for s in ranked[:-1]}


def test_a_prebuilt_index_holding_the_needs_counts_competition_like_the_needs_argument():
    need, others = _shared_point_needs()
    partners = _shared_point_partners()
    index = CandidateIndex([need, *others], partners)
    assert rank_partners_for_need(need, [], NOW, index=index) == rank_partners_for_need(
        need, partners, NOW, needs=[*others, need]
    )


def test_different_scores_carry_no_tie_break():
    need = make_need(1)
    ranked = rank_partners_for_need(need, [make_partner(1, 1, 0), make_partner(2, 3, 0)], NOW)
    assert ranked[0].score > ranked[1].score
    assert [s.tie_break for s in ranked] == [None, None]


def _zip_centre_city(seed: int):
    """Partners at three shared points with few distinct track records: many tied scores."""
    rnd = random.Random(seed)
    centres = [(0.0, 0.0), (3.0, 1.0), (1.0, 4.0)]
    records = [(0, 0, None), (0, 0, None), (7, 3, None), (16, 11, 1), (20, 1, 3)]
    partners = []
    for pid in range(1, 41):
        x, y = rnd.choice(centres)
        completed, released, median = rnd.choice(records)
        total = rnd.randint(1, 5)
        partners.append(
            make_partner(
                pid,
                x,
                y,
                radius_km=rnd.choice([1.5, 3.0, 6.0]),
                capabilities={"lot_mowing": (total, rnd.randint(1, total))},
                completed=completed,
                released=released,
                median_days=median,
            )
        )
    needs = [
        make_need(i, rnd.uniform(0, 4), rnd.uniform(0, 4), priority=rnd.randint(1, 5))
        for i in range(1, 61)
    ]
    return needs, partners


def test_tied_rankings_match_the_documented_order_pair_by_pair():
    needs, partners = _zip_centre_city(5)
    index = CandidateIndex(needs, partners)
    decided_by = set()
    for need in needs:
        got = rank_partners_for_need(need, partners, NOW, index=index)
        expected = sorted(
            (partner_key(need, p, needs), p.id) for p in partners if is_feasible(need, p)
        )
        assert [s.partner_id for s in got] == [pid for _, pid in expected]
        decided_by |= {s.tie_break.value("by") for s in got if s.tie_break is not None}
    assert decided_by == {"tasks_left", "competing_needs", "track_record", "partner_id"}


def test_needs_tied_on_score_go_by_priority_then_time_open_then_distance_then_id():
    flat = Weights(priority=0, waiting=0, distance=0, track_record=20, keep_bonus=0)
    partner = make_partner(1, capabilities={"lot_mowing": (5, 5)})
    needs = [
        make_need(1, 1.0, 0, priority=3, age_days=10),
        make_need(2, 1.0, 0, priority=1, age_days=1),
        make_need(3, 2.0, 0, priority=3, age_days=10),  # 1's twin, farther
        make_need(4, 1.0, 0, priority=3, age_days=30),
        make_need(5, 1.0, 0, priority=3, age_days=10),  # 1's twin
    ]
    ranked = rank_needs_for_partner(partner, needs, NOW, weights=flat, limit=10)
    assert len({s.score for s in ranked}) == 1
    assert [s.need_id for s in ranked] == [2, 4, 1, 5, 3]
    assert [s.tie_break.value("by") for s in ranked[:-1]] == [
        "priority",
        "open_days",
        "need_id",
        "distance",
    ]
    assert ranked[0].tie_break.as_dict() == {"by": "priority", "this": 1, "next": 3}
    assert ranked[1].tie_break.as_dict() == {"by": "open_days", "this": 30, "next": 10}
    assert sorted(need_key(n, partner, flat) for n in needs)[0][-1] == 2
    capped = rank_needs_for_partner(
        make_partner(1, capabilities={"lot_mowing": (5, 2)}), needs, NOW, weights=flat
    )
    assert [s.need_id for s in capped] == [2, 4]  # this week's slots go by the same order


def test_suggestion_reasons_are_their_reason_items_rendered_in_the_default_words():
    needs, partners = random_city(4, 40, 12)
    for need in needs[:10]:
        for s in rank_partners_for_need(need, partners, NOW):
            assert s.reason_items and s.reasons == render_all(s.reason_items)


def test_an_areas_need_count_is_the_size_of_its_needs_with_lists_polygons_and_the_rim():
    """`area_need_counts` counts the disc by the tree and the lists and polygons apart; it must
    be `needs_for_partner`'s size for every partner, also with needs on the rim itself (the
    tree's distance and the exact test may round apart there), and `in_area` must agree
    with the same needs one by one."""
    needs, partners = random_city(21, 400, 60)
    rim = partners[0]
    base = to_xyz(rim.lat, rim.lon)[0]
    for k, (side, hair) in enumerate(
        (side, hair) for side in (1, -1) for hair in (-1e-10, 0.0, 1e-10)
    ):  # on the base's meridian: on, a hair inside, a hair outside the rim (by bisection)
        near, far = rim.lat, rim.lat + side * 2 * rim.radius_km / KM_PER_DEG_LAT
        for _ in range(80):
            mid = (near + far) / 2
            d = km_for_chord(np.linalg.norm(to_xyz(mid, rim.lon)[0] - base))
            near, far = (mid, far) if d <= rim.radius_km + hair else (near, mid)
        on_rim = make_need(1000 + k, capability=next(iter(rim.capabilities)))
        needs.append(dataclasses.replace(on_rim, lat=near, lon=rim.lon))
    index, one_by_one = CandidateIndex(needs, []), CandidateIndex(needs, [])
    everywhere = np.arange(len(index.needs))
    for capability in sorted({n.capability for n in needs}):
        sizes = [index.needs_for_partner(p, capability)[0].size for p in partners]
        assert index.area_need_counts(partners, capability).tolist() == sizes  # all at once
        for partner, size in zip(partners, sizes, strict=True):
            assert one_by_one.area_need_counts([partner], capability).tolist() == [size]
            found, _, _ = index.needs_for_partner(partner, capability)
            inside = index.in_area(partner, capability, everywhere)
            assert np.flatnonzero(inside).tolist() == sorted(found.tolist())


def test_explaining_only_the_rows_shown_keeps_the_order_and_words_those_rows_alike():
    needs, partners = _zip_centre_city(5)
    index = CandidateIndex(needs, partners)
    need = needs[0]
    whole = rank_partners_for_need(need, partners, NOW, index=index)
    last = whole[-1].partner_id
    shown = rank_partners_for_need(
        need, partners, NOW, index=index, explain_first=3, explain_ids=(last,)
    )
    assert len(whole) > 4
    assert [(s.partner_id, s.score, s.tie_break) for s in shown] == [
        (s.partner_id, s.score, s.tie_break) for s in whole
    ]
    worded = [s for s in shown if s.reason_items]
    assert worded == [*whole[:3], whole[-1]]
    assert all(s.reasons == () for s in shown[3:-1])
