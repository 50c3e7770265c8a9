"""The city plan against the exact optimum of the full feasible graph, on every city family.

Run (from the repository root):

    .venv/bin/python bench/plan_families_bench.py                       # S and M, every family
    .venv/bin/python bench/plan_families_bench.py --sizes S,M,L --families clustered_colocated

For each family of `bench/cities.py` and each size it builds the city, times
`matching.plan_city(needs, partners, now)` with its default arguments (fastest of REPEATS runs),
checks the plan's assignments against every feasible pair and capacity (`bench.exact`), and at
S and M solves the full feasible graph exactly (`bench.exact.solve_exact`) and counts the most
needs that can be covered at all (`bench.exact.max_coverage`). At L only the plan is run (time
and memory): the full graph there is tens of millions of pairs (`--exact-at-l` tries anyway).

Each (family, size) runs in its own subprocess: "RSS after plan" is that process's ru_maxrss
after the plan_city runs (city specs included) and before the exact solve, "RSS peak" its
ru_maxrss at the end; the tracemalloc peak is that of one more plan_city call (this process
only). When the plan runs in worker processes (`--workers`, matching/parallel.py), "plan total
MB" adds to the RSS after plan each worker's own peak (measured inside it) and the fork
server's (VmHWM): an upper bound of what the plan held at once; "plan_city CPU s" is this
process's CPU plus the workers'. The first plan of the process includes starting the fork
server (once per process), as a fresh job worker would.

Every field of `CityPlan` besides assignments/objective/unassigned and every field of
`CityPlan.stats` is printed, with the certificate fields (`certified`, `rounds`, `pairs_priced`,
`gap`) looked up on both when present.

Exit status 1 when, at S or M, a plan is more than MAX_GAP_PCT below the exact optimum, its
assignments are not feasible, or its reported objective is not the sum of its assignments.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.churn import churn_figures, churn_problems
from bench.cities import FAMILIES, SIZES, make_family
from bench.exact import assignment_cents, feasible_pairs, max_coverage, solve_exact
from bench.tables import markdown_table, num
from bench.timing import fastest_plan
from matching import CityPlan, NeedSpec, PartnerSpec, parallel, plan_city

REPEATS = {"S": 3, "M": 2, "L": 1}
"""Timed plan_city runs per size; the fastest is reported (the machine is shared)."""
MAX_GAP_PCT = 0.01
"""Largest allowed shortfall of the plan below the exact optimum at S and M, in percent."""
CHECKED_SIZES = ("S", "M")
CERTIFICATE_FIELDS = ("certified", "rounds", "pairs_priced", "gap")
PLAN_CORE_FIELDS = {"assignments", "objective", "unassigned", "stats"}

Row = dict[str, Any]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def engine_fields(plan: CityPlan) -> dict[str, Any]:
    """Whatever the plan exposes beyond the core fields: `stats.*`, other plan fields, and the
    certificate fields wherever they are."""
    out: dict[str, Any] = {}
    stats = getattr(plan, "stats", None)
    if stats is not None and dataclasses.is_dataclass(stats):
        out.update({f"stats.{f.name}": getattr(stats, f.name) for f in dataclasses.fields(stats)})
    if dataclasses.is_dataclass(plan):
        for f in dataclasses.fields(plan):
            if f.name not in PLAN_CORE_FIELDS:
                out[f.name] = getattr(plan, f.name)
    for name in CERTIFICATE_FIELDS:
        for owner, prefix in ((plan, ""), (stats, "stats.")):
            value = getattr(owner, name, None)
            if value is not None and f"{prefix}{name}" not in out:
                out[f"{prefix}{name}"] = value
    return out


def _exact_part(
    needs: list[NeedSpec], partners: list[PartnerSpec], now: datetime, plan: CityPlan
) -> Row:
    """Pairs, exact optimum, max coverage and the independent check of the plan."""
    t = time.perf_counter()
    fp = feasible_pairs(needs, partners, now)
    pairs_s = time.perf_counter() - t
    exact = solve_exact(needs, partners, now, pairs=fp)
    t = time.perf_counter()
    coverage = max_coverage(needs, partners, pairs=fp)
    coverage_s = time.perf_counter() - t
    try:
        checked: int | None = assignment_cents(
            fp, ((s.need_id, s.partner_id) for s in plan.assignments)
        )
        problem = None
    except ValueError as exc:
        checked, problem = None, str(exc)
    return {
        "feasible_pairs": len(fp),
        "exact_cents": exact.objective_cents,
        "exact_covered": exact.covered,
        "max_coverage": coverage,
        "plan_checked_cents": checked,
        "plan_problem": problem,
        "exact_pairs_s": pairs_s,
        "exact_solve_s": exact.solve_seconds,
        "max_coverage_s": coverage_s,
    }


def _fork_server_peak_mb() -> float:
    """Peak RSS of this process's multiprocessing fork server (0 when none runs)."""
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def run_one(
    family: str,
    size: str,
    seed: int,
    exact_at_l: bool,
    options: dict[str, Any] | None = None,
    churn: bool = False,
) -> Row:
    options = options or {}
    t = time.perf_counter()
    needs, partners, now = make_family(family, size, seed)
    build_s = time.perf_counter() - t
    rss_before = _rss_mb()
    plan, wall, cpu = fastest_plan(needs, partners, now, REPEATS[size], **options)
    rss_plan = _rss_mb()
    workers_mb = sum(plan.stats.worker_peak_mb)
    server_mb = _fork_server_peak_mb() if plan.stats.workers > 1 else 0.0
    tracemalloc.start()
    plan_city(needs, partners, now, **options)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    row: Row = {
        "family": family,
        "size": size,
        "needs": len(needs),
        "partners": len(partners),
        "build_s": build_s,
        "plan_s": wall,
        "plan_cpu_s": cpu,
        "plan_cents": round(plan.objective * 100),
        "plan_covered": len(plan.assignments),
        "rss_before_mb": rss_before,
        "rss_plan_mb": rss_plan,
        "workers": plan.stats.workers,
        "workers_peak_mb": workers_mb,
        "fork_server_mb": server_mb,
        "plan_total_mb": rss_plan + workers_mb + server_mb,
        "traced_plan_mb": traced,
        "engine": engine_fields(plan),
    }
    if size != "L" or exact_at_l:
        row.update(_exact_part(needs, partners, now, plan))
    if churn:
        t = time.perf_counter()
        row["churn"] = churn_figures(needs, partners, now, plan, **options)
        row["churn"]["seconds"] = time.perf_counter() - t
    row["rss_peak_mb"] = _rss_mb()
    row["load_avg"] = os.getloadavg()[0]
    return row


# ---- report ------------------------------------------------------------------------------------


def gap_pct(row: Row) -> float | None:
    if row.get("exact_cents") is None:
        return None
    best = row["exact_cents"]
    return 0.0 if best == 0 else (best - row["plan_cents"]) / best * 100.0


def problems(row: Row) -> list[str]:
    """Why a row fails the check (only S and M rows are checked for the optimum; churn, when
    measured, at every size)."""
    if row.get("error"):
        return [row["error"]]
    if "churn" in row:
        rest = {k: v for k, v in row.items() if k != "churn"}
        return churn_problems(row["churn"]) + problems(rest)
    if row["size"] not in CHECKED_SIZES:
        return []
    out = []
    if row.get("exact_cents") is None:
        return ["no exact solve"]
    if row["plan_problem"]:
        out.append(f"infeasible plan: {row['plan_problem']}")
    elif row["plan_checked_cents"] != row["plan_cents"]:
        out.append(
            f"objective {row['plan_cents'] / 100:,.2f} is not the sum of the assignments "
            f"({row['plan_checked_cents'] / 100:,.2f})"
        )
    gap = gap_pct(row)
    if gap is not None and gap > MAX_GAP_PCT:
        out.append(f"{gap:.4f} % below the exact optimum (allowed {MAX_GAP_PCT} %)")
    return out


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


QUALITY_HEADER = (
    "family",
    "size",
    "needs x partners",
    "feasible pairs",
    "plan objective",
    "exact objective",
    "plan below exact",
    "needs covered: plan / exact / max coverage",
)
COST_HEADER = (
    "family",
    "size",
    "city build s",
    "plan_city s (CPU s)",
    "exact: pairs s / solve s",
    "max coverage s",
    "RSS MB before / after plan / peak",
    "workers",
    "plan total MB (workers, fork server)",
    "tracemalloc MB plan_city",
    "load avg",
)


def _quality_cells(r: Row) -> list[str]:
    if r.get("error"):
        return [r["family"], r["size"], f"error: {r['error'][:60]}"] + [""] * 5
    exact = r.get("exact_cents")
    gap = gap_pct(r)
    return [
        r["family"],
        r["size"],
        f"{r['needs']:,} x {r['partners']:,}",
        num(r.get("feasible_pairs"), ","),
        f"{r['plan_cents'] / 100:,.2f}",
        "n/a" if exact is None else f"{exact / 100:,.2f}",
        "n/a" if gap is None else f"{gap:.4f} %",
        f"{r['plan_covered']:,} / {num(r.get('exact_covered'), ',')} / "
        f"{num(r.get('max_coverage'), ',')}",
    ]


def quality_table(rows: list[Row]) -> str:
    return markdown_table(QUALITY_HEADER, [_quality_cells(r) for r in rows])


def _cost_cells(r: Row) -> list[str]:
    exact = (
        "n/a"
        if r.get("exact_pairs_s") is None
        else f"{r['exact_pairs_s']:.3f} / {r['exact_solve_s']:.3f}"
    )
    return [
        r["family"],
        r["size"],
        f"{r['build_s']:.3f}",
        f"{r['plan_s']:.3f} ({r['plan_cpu_s']:.3f})",
        exact,
        num(r.get("max_coverage_s"), ".3f"),
        f"{r['rss_before_mb']:.0f} / {r['rss_plan_mb']:.0f} / {r['rss_peak_mb']:.0f}",
        str(r["workers"]),
        f"{r['plan_total_mb']:.0f} ({r['workers_peak_mb']:.0f}, {r['fork_server_mb']:.0f})",
        f"{r['traced_plan_mb']:.0f}",
        f"{r['load_avg']:.1f}",
    ]


def cost_table(rows: list[Row]) -> str:
    return markdown_table(COST_HEADER, [_cost_cells(r) for r in rows if not r.get("error")])


def engine_table(rows: list[Row]) -> str:
    names: list[str] = []
    for r in rows:
        names += [n for n in r.get("engine", {}) if n not in names]
    return markdown_table(
        ["family", "size", *names],
        [
            [r["family"], r["size"], *(_cell(r["engine"].get(n, "")) for n in names)]
            for r in rows
            if not r.get("error")
        ],
    )


def churn_table(rows: list[Row]) -> str:
    """Re-planned against the plan: unchanged, and with the busiest full group one slot short."""
    out = []
    for r in rows:
        c = r.get("churn")
        if not c:
            continue
        same, cut = c["unchanged"], c["cut"]
        out.append(
            [
                r["family"],
                r["size"],
                f"{same['moved']} / {same['added']} / {same['dropped']} of {same['baseline']:,}",
                f"partner {c['cut_group'][0]}, {c['cut_group'][1]}",
                f"{cut['moved']} / {cut['added']} / {cut['dropped']}",
                f"{c['others_moved']} of {c['others']:,} ({c['others_moved_share']:.3%})",
                "yes" if c["certified"] else "NO",
                f"{c['seconds']:.1f}",
            ]
        )
    return markdown_table(
        [
            "family",
            "size",
            "unchanged: moved / added / dropped",
            "one slot less at",
            "then: moved / added / dropped",
            "other assignments moved",
            "certified",
            "s (both re-plans)",
        ],
        out,
    )


def _run_subprocess(
    family: str, size: str, seed: int, exact_at_l: bool, extra: list[str] | None = None
) -> Row:
    cmd = [sys.executable, __file__, "--one", f"{family}:{size}", "--seed", str(seed)]
    if exact_at_l:
        cmd.append("--exact-at-l")
    cmd += extra or []
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"family": family, "size": size, "error": f"exit {out.returncode}: {tail}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="S,M", help="comma-separated, of S, M, L")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exact-at-l", action="store_true", help="also solve L exactly")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument(
        "--workers", type=int, help="plan_city(workers=...); default: plan_city's own default"
    )
    parser.add_argument(
        "--start-method",
        choices=("forkserver", "spawn", "fork"),
        help="override matching.parallel.START_METHOD (to measure the alternatives)",
    )
    parser.add_argument(
        "--churn",
        action="store_true",
        help="also re-plan each city against its plan, unchanged and with one slot less at the "
        "busiest full group, and check issue 10's churn targets (bench/churn.py)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    extra = [] if args.workers is None else ["--workers", str(args.workers)]
    extra += [] if args.start_method is None else ["--start-method", args.start_method]
    extra += ["--churn"] if args.churn else []
    if args.one:
        family, size = args.one.split(":")
        if args.start_method:
            parallel.START_METHOD = args.start_method
        options = {} if args.workers is None else {"workers": args.workers}
        row = run_one(family, size, args.seed, args.exact_at_l, options, churn=args.churn)
        print(json.dumps(row, default=str))
        return 0
    sizes = [s for s in args.sizes.split(",") if s]
    families = [f for f in args.families.split(",") if f]
    unknown = [s for s in sizes if s not in SIZES] + [f for f in families if f not in FAMILIES]
    if unknown:
        parser.error(f"unknown size or family: {unknown}")
    rows = []
    for family in families:
        for size in sizes:
            rows.append(_run_subprocess(family, size, args.seed, args.exact_at_l, extra))
            print(f"{family} {size} done", file=sys.stderr, flush=True)
    told = " ".join(extra) or "none"
    print(f"seed {args.seed}, python {sys.version.split()[0]}, plan_city options: {told}\n")
    print(quality_table(rows), end="\n\n")
    print(cost_table(rows), end="\n\n")
    print(engine_table(rows))
    if args.churn:
        print("\n" + churn_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str))
    failed = [(r, p) for r in rows for p in problems(r)]
    for r, p in failed:
        print(f"FAIL {r['family']} {r['size']}: {p}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
