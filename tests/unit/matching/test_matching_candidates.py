"""The spatial index finds each need's k best partners exactly, without listing every pair."""

from __future__ import annotations

from city_builders import NOW, random_city

from matching import DEFAULT_WEIGHTS, CandidateIndex, Weights
from matching.feasibility import is_feasible, pair_distance_km
from matching.geometry import distance_km as chord_distance_km
from matching.geometry import haversine_km, to_xyz
from matching.scoring import score_pair

TRACK_HEAVY = Weights(priority=30, waiting=20, distance=5, track_record=45)


def brute_top_k(needs, partners, k, require_capacity=True, weights=DEFAULT_WEIGHTS):
    out = {}
    for n in needs:
        ranked = sorted(
            (-score_pair(n, p, pair_distance_km(n, p), NOW, weights), p.id)
            for p in partners
            if is_feasible(n, p, require_capacity=require_capacity)
        )
        out[n.id] = [(round(-s * 100), pid) for s, pid in ranked[:k]]
    return out


def index_top_k(index, k, require_capacity=True, weights=DEFAULT_WEIGHTS):
    pairs = index.best_pairs(NOW, weights, k=k, require_capacity=require_capacity)
    out = {n.id: [] for n in index.needs}
    for i in range(len(pairs)):
        nid = int(index.need_ids[pairs.need_pos[i]])
        out[nid].append((int(pairs.cents[i]), int(index.partner_ids[pairs.partner_pos[i]])))
    return out


def test_top_k_is_exact_when_the_nearest_partners_are_not_enough():
    # ~130 partners per capability, wide radii: the first kNN round (32 wide) saturates and the
    # score bound must decide whether farther partners could still win.
    needs, partners = random_city(21, 60, 200, box_km=12)
    index = CandidateIndex(needs, partners)
    for weights in (DEFAULT_WEIGHTS, TRACK_HEAVY):
        for k in (1, 3, 10):
            expected = brute_top_k(needs, partners, k, weights=weights)
            assert index_top_k(index, k, weights=weights) == expected


def test_full_candidate_set_is_every_feasible_pair_with_or_without_capacity():
    needs, partners = random_city(4, 80, 40)
    index = CandidateIndex(needs, partners)
    for require in (True, False):
        assert index_top_k(index, None, require) == brute_top_k(needs, partners, 10**6, require)


def test_reachability_matches_the_pairwise_rules():
    needs, partners = random_city(8, 150, 12, box_km=15)
    index = CandidateIndex(needs, partners)
    for require in (True, False):
        got = index.reachable(NOW, require_capacity=require)
        expected = [
            any(is_feasible(n, p, require_capacity=require) for p in partners) for n in needs
        ]
        assert got.tolist() == expected


def test_chord_distance_equals_haversine():
    lat1, lon1, lat2, lon2 = 30.45, -91.15, 30.58, -91.02
    chord = chord_distance_km(to_xyz(lat1, lon1), to_xyz(lat2, lon2))[0]
    assert abs(chord - haversine_km(lat1, lon1, lat2, lon2)) < 1e-9
