"""Timing shared by the benchmarks: the fastest of several `plan_city` runs, wall and CPU."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from matching import CityPlan, NeedSpec, PartnerSpec, plan_city


def fastest_plan(
    needs: list[NeedSpec],
    partners: list[PartnerSpec],
    now: datetime,
    repeats: int,
    **options: Any,
) -> tuple[CityPlan, float, float]:
    """`plan_city(needs, partners, now, **options)` run `repeats` times: (plan of the fastest
    run, its wall s, its CPU s: this process's plus that of the plan's worker processes)."""
    runs = []
    for _ in range(repeats):
        t, cpu = time.perf_counter(), time.process_time()
        plan = plan_city(needs, partners, now, **options)
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        runs.append((wall, cpu + sum(plan.stats.worker_cpu_seconds), plan))
    wall, cpu, plan = min(runs, key=lambda r: r[0])
    return plan, wall, cpu
