"""Benchmark of the matching engine on seeded synthetic cities (S, M, L).

Run: .venv/bin/python bench/matching_bench.py [--sizes S,M,L] [--seed 1]

The city is `bench.cities.make_city` (the `uniform` family). Each size runs in its own
subprocess so peak memory (tracemalloc peak of Python-visible allocations, and ru_maxrss of that
process) is not mixed between sizes. Timings are the fastest of REPEATS runs; the
candidate/solve split is from that same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from bench.cities import NOW, SIZES, make_city
from bench.tables import markdown_table, num
from bench.timing import fastest_plan
from matching import (
    DEFAULT_WEIGHTS,
    CandidateIndex,
    plan_city,
    rank_needs_for_partner,
    rank_partners_for_need,
)
from matching.flow import Network
from matching.plan import DEFAULT_K, network_for, starting_pairs

REPEATS = {"S": 5, "M": 3, "L": 2}
"""Timed runs per size; the table reports the fastest (the machine is shared)."""


def raw_solve_seconds(arrays: Network) -> float:
    """OR-Tools alone on the prebuilt starting network (one solve, no certificate)."""
    t = time.perf_counter()
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        arrays.tails, arrays.heads, arrays.capacities, arrays.costs
    )
    smcf.set_nodes_supplies(
        np.array([0, 1], dtype=np.int32),
        np.array([arrays.supply, -arrays.supply], dtype=np.int64),
    )
    status = smcf.solve()
    assert status == smcf.OPTIMAL
    return time.perf_counter() - t


def latency_ms(call, items) -> tuple[float, float]:
    times = []
    for item in items:
        t = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - t) * 1000.0)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def run_size(size: str, seed: int) -> dict[str, float | int | str | None]:
    n_needs, n_partners = SIZES[size]
    needs, partners = make_city(n_needs, n_partners, seed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    plan, end_to_end, cpu_seconds = fastest_plan(needs, partners, NOW, REPEATS[size])
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    # The starting network solved once by OR-Tools alone (no proof): the baseline of the ratio.
    index = CandidateIndex(needs, partners)
    arrays = network_for(index, starting_pairs(index, NOW, DEFAULT_WEIGHTS, DEFAULT_K))
    raw = min(raw_solve_seconds(arrays) for _ in range(REPEATS[size]))

    loss = None
    full_pairs = None
    if size in ("S", "M"):
        full = plan_city(needs, partners, NOW, k=None)
        loss = (full.objective - plan.objective) / full.objective * 100.0
        full_pairs = full.stats.candidate_pairs

    tracemalloc.start()
    plan_city(needs, partners, NOW)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    t = time.perf_counter()
    rank_index = CandidateIndex(needs, partners)
    for cap in sorted({n.capability for n in needs}):  # build the lazy trees up front
        rank_index.need_tree(cap)
        rank_index.pool(cap, True)
    index_seconds = time.perf_counter() - t
    rng = np.random.default_rng(seed + 1)
    sample_n = [needs[i] for i in rng.choice(len(needs), 300, replace=False)]
    sample_p = [partners[i] for i in rng.choice(len(partners), min(300, len(partners)), False)]
    need_p50, need_p95 = latency_ms(
        lambda n: rank_partners_for_need(n, partners, NOW, index=rank_index), sample_n
    )
    partner_p50, partner_p95 = latency_ms(
        lambda p: rank_needs_for_partner(p, needs, NOW, index=rank_index), sample_p
    )
    st = plan.stats
    return {
        "size": size,
        "needs": n_needs,
        "partners": n_partners,
        "feasible_pairs_full": full_pairs,
        "pairs_scored": plan.stats.candidate_pairs,
        "edges_kept": plan.stats.edges_kept,
        "candidate_s": plan.stats.candidate_seconds,
        "solve_s": plan.stats.solve_seconds,
        "raw_solve_s": raw,
        "pricing_s": plan.stats.pricing_seconds,
        "certificate": f"{st.certified} / {st.rounds} / {st.pairs_priced:,}",
        "end_to_end_s": end_to_end,
        "cpu_s": cpu_seconds,
        "load_avg": os.getloadavg()[0],
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
        "traced_peak_mb": traced_peak,
        "objective": plan.objective,
        "assigned": len(plan.assignments),
        "pruning_loss_pct": loss,
        "index_build_s": index_seconds,
        "need_p50_ms": need_p50,
        "need_p95_ms": need_p95,
        "partner_p50_ms": partner_p50,
        "partner_p95_ms": partner_p95,
    }


def table(rows: list[dict]) -> str:
    spec = [
        ("needs x partners", lambda r: f"{r['needs']:,} x {r['partners']:,}"),
        ("feasible pairs (full graph)", lambda r: num(r["feasible_pairs_full"], ",")),
        (
            "pairs scored (start, k=8) / edges in the final network",
            lambda r: f"{r['pairs_scored']:,} / {r['edges_kept']:,}",
        ),
        ("certified / rounds / pairs priced", lambda r: r["certificate"]),
        ("candidate generation s", lambda r: f"{r['candidate_s']:.3f}"),
        ("solve s (every round: OR-Tools + dual prices)", lambda r: f"{r['solve_s']:.3f}"),
        ("pricing s (every round)", lambda r: f"{r['pricing_s']:.3f}"),
        ("one raw OR-Tools solve of the starting network s", lambda r: f"{r['raw_solve_s']:.3f}"),
        ("end to end / one raw solve", lambda r: f"{r['end_to_end_s'] / r['raw_solve_s']:.1f}x"),
        ("end to end s (plan_city incl. index, reasons)", lambda r: f"{r['end_to_end_s']:.2f}"),
        ("  same run, process CPU s (2 threads in KD queries)", lambda r: f"{r['cpu_s']:.2f}"),
        ("  1-min load average after the run", lambda r: f"{r['load_avg']:.1f}"),
        ("peak RSS MB (ru_maxrss, process incl. city)", lambda r: f"{r['rss_peak_mb']:.0f}"),
        ("RSS MB before plan_city (city specs)", lambda r: f"{r['rss_before_mb']:.0f}"),
        ("tracemalloc peak MB inside plan_city", lambda r: f"{r['traced_peak_mb']:.0f}"),
        ("objective (score points)", lambda r: f"{r['objective']:,.2f}"),
        ("needs assigned", lambda r: f"{r['assigned']:,}"),
        (
            "objective below the full-graph solve (must be 0)",
            lambda r: (
                num(r["pruning_loss_pct"], ".4f") + ("" if r["pruning_loss_pct"] is None else " %")
            ),
        ),
        ("ranking index build s", lambda r: f"{r['index_build_s']:.3f}"),
        (
            "rank_partners_for_need p50 / p95 ms",
            lambda r: f"{r['need_p50_ms']:.2f} / {r['need_p95_ms']:.2f}",
        ),
        (
            "rank_needs_for_partner p50 / p95 ms",
            lambda r: f"{r['partner_p50_ms']:.2f} / {r['partner_p95_ms']:.2f}",
        ),
    ]
    return markdown_table(
        ["metric", *(r["size"] for r in rows)],
        [[name, *(cell(r) for r in rows)] for name, cell in spec],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.seed)))
        return
    rows = []
    for size in args.sizes.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--one", size, "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"{size} done", file=sys.stderr, flush=True)
    print(f"seed {args.seed}, python {sys.version.split()[0]}")
    print(table(rows))


if __name__ == "__main__":
    main()
