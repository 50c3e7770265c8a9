"""plan_city finds the assignment with the largest total score under weekly capacities."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import networkx as nx
import pytest
from city_builders import NOW, make_need, make_partner, random_city
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import DEFAULT_WEIGHTS, plan_city
from matching.feasibility import is_feasible, pair_distance_km
from matching.scoring import score_pair


def pair_cents(needs, partners, previous=None, *, now=NOW, weights=DEFAULT_WEIGHTS):
    """Independent oracle input: every feasible pair and its score in cents, pair by pair."""
    previous = previous or {}
    out = {}
    for n in needs:
        for p in partners:
            if is_feasible(n, p):
                kept = previous.get(n.id) == p.id
                s = score_pair(n, p, pair_distance_km(n, p), now, weights, kept=kept)
                out[(n.id, p.id)] = round(s * 100)
    return out


def brute_force_cents(needs, partners):
    cents = pair_cents(needs, partners)
    options = [[None] + [p.id for p in partners if (n.id, p.id) in cents] for n in needs]
    slots = {(p.id, c): s.tasks_left for p in partners for c, s in p.capabilities.items()}
    best = 0
    for choice in itertools.product(*options):
        used = Counter((pid, n.capability) for n, pid in zip(needs, choice, strict=True) if pid)
        if all(used[key] <= slots[key] for key in used):
            total = sum(cents[(n.id, pid)] for n, pid in zip(needs, choice, strict=True) if pid)
            best = max(best, total)
    return best


def networkx_cents(needs, partners, previous=None):
    """Max total score via networkx network_simplex with an optional bypass arc."""
    cents = pair_cents(needs, partners, previous)
    g = nx.DiGraph()
    supply = len(needs)
    g.add_node("s", demand=-supply)
    g.add_node("t", demand=supply)
    g.add_edge("s", "t", capacity=supply, weight=0)
    need_cap = {n.id: n.capability for n in needs}
    for (nid, pid), c in cents.items():
        group = ("g", pid, need_cap[nid])
        slot = next(p for p in partners if p.id == pid).capabilities[need_cap[nid]]
        g.add_edge("s", group, capacity=slot.tasks_left, weight=0)
        g.add_edge(group, ("n", nid), capacity=1, weight=-c)
        g.add_edge(("n", nid), "t", capacity=1, weight=0)
    return -nx.network_simplex(g)[0]


def check_plan_is_valid(plan, needs, partners):
    by_id_n = {n.id: n for n in needs}
    by_id_p = {p.id: p for p in partners}
    assigned = [s.need_id for s in plan.assignments]
    assert len(assigned) == len(set(assigned)), "a need assigned twice"
    load = Counter((s.partner_id, by_id_n[s.need_id].capability) for s in plan.assignments)
    for (pid, cap), n in load.items():
        assert n <= by_id_p[pid].capabilities[cap].tasks_left, "capacity exceeded"
    for s in plan.assignments:
        assert is_feasible(by_id_n[s.need_id], by_id_p[s.partner_id])
    assert round(plan.objective, 2) == round(sum(s.score for s in plan.assignments), 2)
    assert sorted(plan.unassigned + assigned) == sorted(by_id_n)


def test_an_unprofitable_extra_assignment_is_not_forced():
    # A can take need 1 (close, high priority) or need 2; B can only take need 1 and is far.
    # Max-flow-first would assign both (A->2, B->1); the best total gives need 1 to A alone.
    a = make_partner(1, 0, 0, radius_km=10, capabilities={"lot_mowing": (1, 1)}, completed=20)
    b = make_partner(2, 9, 0, radius_km=9.5, capabilities={"lot_mowing": (1, 1)}, released=20)
    n1 = make_need(1, 0.1, 0, priority=1, age_days=60)
    n2 = make_need(2, -9, 0, priority=5, age_days=0)
    plan = plan_city([n1, n2], [a, b], NOW, k=None)
    cents = pair_cents([n1, n2], [a, b])
    assert cents[(1, 1)] > cents[(2, 1)] + cents[(1, 2)]
    assert [(s.need_id, s.partner_id) for s in plan.assignments] == [(1, 1)]
    assert plan.unassigned == [2]


def test_capacity_is_per_capability():
    partner = make_partner(1, capabilities={"lot_mowing": (1, 1), "litter_cleanup": (2, 2)})
    needs = [make_need(i, 0.1 * i, 0, capability="lot_mowing") for i in range(1, 4)]
    needs += [make_need(i, 0.1 * i, 0, capability="litter_cleanup") for i in range(4, 7)]
    plan = plan_city(needs, [partner], NOW)
    assert sorted(s.need_id for s in plan.assignments) == [1, 4, 5]


def test_tiny_random_cities_match_brute_force():
    for seed in range(40):
        rnd = random.Random(seed)
        needs, partners = random_city(seed, rnd.randint(1, 7), rnd.randint(1, 3), box_km=6)
        plan = plan_city(needs, partners, NOW, k=None)
        assert round(plan.objective * 100) == brute_force_cents(needs, partners), seed
        assert round(plan_city(needs, partners, NOW, k=1).objective * 100) <= round(
            plan.objective * 100
        )


def test_medium_random_cities_match_networkx_for_full_and_pruned_graphs():
    for seed in range(4):
        needs, partners = random_city(100 + seed, 150, 25)
        expected = networkx_cents(needs, partners)
        full = plan_city(needs, partners, NOW, k=None)
        assert round(full.objective * 100) == expected
        check_plan_is_valid(full, needs, partners)
        assert round(plan_city(needs, partners, NOW, k=25).objective * 100) == expected


def test_keep_bonus_keeps_the_previous_partner_when_the_other_is_barely_better():
    # 1.0 km vs 1.05 km: 20.00 vs 19.67 distance points, less than the 0.5 keep bonus.
    partners = [make_partner(1, 1, 0), make_partner(2, -1.05, 0)]
    need = make_need(1)
    assert plan_city([need], partners, NOW).assignments[0].partner_id == 1
    kept = plan_city([need], partners, NOW, previous={1: 2})
    assert kept.assignments[0].partner_id == 2
    assert "kept from the previous plan" in kept.assignments[0].reasons
    assert round(kept.objective * 100) == networkx_cents([need], partners, {1: 2})


def test_replanning_with_previous_assignments_matches_networkx_with_the_keep_bonus():
    needs, partners = random_city(77, 120, 20)
    first = plan_city(needs, partners, NOW)
    previous = {s.need_id: s.partner_id for s in first.assignments[::2]}
    again = plan_city(needs, partners, NOW, previous=previous, k=None)
    assert round(again.objective * 100) == networkx_cents(needs, partners, previous)
    kept = sum(previous.get(s.need_id) == s.partner_id for s in again.assignments)
    assert kept == len(previous)


def test_same_input_in_any_order_gives_the_same_plan():
    needs, partners = random_city(11, 200, 30)
    first = plan_city(needs, partners, NOW)
    again = plan_city(needs, partners, NOW)
    rnd = random.Random(5)
    shuffled_n, shuffled_p = needs[:], partners[:]
    rnd.shuffle(shuffled_n)
    rnd.shuffle(shuffled_p)
    shuffled = plan_city(shuffled_n, shuffled_p, NOW)
    assert first.assignments == again.assignments == shuffled.assignments
    assert first.objective == shuffled.objective and first.unassigned == shuffled.unassigned


def test_progress_is_reported_to_completion_and_stats_are_filled():
    needs, partners = random_city(2, 50, 10)
    seen = []
    plan = plan_city(needs, partners, NOW, progress=lambda stage, f: seen.append((stage, f)))
    assert seen[-1] == ("explain", 1.0)
    assert [f for _, f in seen] == sorted(f for _, f in seen)
    assert plan.stats.edges_kept <= plan.stats.candidate_pairs
    assert plan.stats.solve_seconds >= 0 and plan.stats.candidate_seconds >= 0


def test_an_empty_city_plans_nothing():
    plan = plan_city([], [], NOW)
    assert plan.assignments == [] and plan.objective == 0 and plan.unassigned == []
    assert plan_city([make_need(1)], [], NOW).unassigned == [1]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_needs=st.integers(0, 60),
    n_partners=st.integers(0, 12),
    k=st.integers(1, 6),
)
def test_plans_respect_capacity_feasibility_and_uniqueness(seed, n_needs, n_partners, k):
    needs, partners = random_city(seed, n_needs, n_partners, box_km=8)
    plan = plan_city(needs, partners, NOW, k=k)
    check_plan_is_valid(plan, needs, partners)
    full = plan_city(needs, partners, NOW, k=None)
    check_plan_is_valid(full, needs, partners)
    assert plan.objective <= full.objective + 1e-9
    assert plan_city(needs, partners, NOW, k=n_partners + 1).objective == full.objective


def test_k_must_be_positive():
    with pytest.raises(ValueError, match="k must be"):
        plan_city([make_need(1)], [make_partner(1)], NOW, k=0)
