"""Recruitment targets at city scale: one candidate centre per cell against every unmet need as
a candidate, in the same run.

    .venv/bin/python bench/recruitment_bench.py --family clustered_colocated --size M
    .venv/bin/python bench/recruitment_bench.py --family clustered_colocated --size L --cells-only

Prints, per way: CPU and wall seconds of `recruitment_targets` (the city plan is solved once
beforehand and passed in, as the product's plan basis does), the weight the targets cover, and
the process's peak RSS. The every-need way builds the cover of every pair of unmet needs within
the radius (about 10 GB and a minute at L clustered), so at L it is optional.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matching.recruitment as recruitment
from bench.cities import make_family
from matching import plan_city
from matching.candidates import CandidateIndex


def _run(idx, plan, now, limit: int) -> tuple[float, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    targets = recruitment.recruitment_targets(
        idx.needs, idx.partners, now, plan=plan, index=idx, limit=limit
    )
    return (
        time.process_time() - cpu,
        time.perf_counter() - wall,
        sum(t.weight for t in targets),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="clustered_colocated")
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--cells-only", action="store_true")
    args = parser.parse_args()
    needs, partners, now = make_family(args.family, args.size, args.seed)
    idx = CandidateIndex(needs, partners)
    plan = plan_city(idx.needs, idx.partners, now, index=idx)
    unmet = len(idx.needs) - len(plan.assignments)
    print(f"{args.family} {args.size}: {len(needs):,} needs, {unmet:,} left unassigned by the plan")
    cells = _run(idx, plan, now, args.limit)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  cells:      {cells[0]:7.2f} CPU s {cells[1]:7.2f} wall s  weight {cells[2]:,.1f}"
          f"  peak RSS {rss:,.0f} MB")  # fmt: skip
    if args.cells_only:
        return
    recruitment.CELLS_ABOVE = 10**12
    every = _run(idx, plan, now, args.limit)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  every need: {every[0]:7.2f} CPU s {every[1]:7.2f} wall s  weight {every[2]:,.1f}"
          f"  peak RSS {rss:,.0f} MB")  # fmt: skip
    print(f"  cells / every need: CPU {cells[0] / every[0]:.3f}x, weight {cells[2] / every[2]:.4f}")


if __name__ == "__main__":
    main()
