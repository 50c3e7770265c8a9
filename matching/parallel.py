"""The city plan's capabilities, split over worker processes.

Groups are (partner, capability) and each need has one capability, so the plan splits
completely by capability: the plan of a city is the union of the plans of its sub-cities of
one or more capabilities each (the needs of those capabilities and the partners able to do
one of them), assignment for assignment. `plan.plan_city` runs each sub-city through the same
code as a whole city, so a split plan is the serial plan exactly (same tie-breaks: positions,
base points and arcs keep their relative order in a sub-city; tests/unit/matching/
test_plan_parallel.py checks it against workers=1 and the exact solver).

`split_by_capability` balances the capabilities over the workers (largest first, by needs x
partners able to do it); `run_parts` runs the first part in the calling process and each other
one in a child process, and returns what each produced plus each child's own peak RSS.

**Start method: forkserver, not fork.** The product calls plan_city inside a job worker and
possibly a web worker's thread. `fork` copies a multithreaded process with whatever locks other
threads hold at that instant (logging, the database driver, allocator arenas) and every open
database connection; the child may deadlock or talk on the parent's sockets. `forkserver` forks
the children from a clean single-threaded server process that imported only `PRELOAD` (numpy,
scipy, ortools and this package: ≈ 1 s once per parent process, then a child starts in
milliseconds). The price is pickling each child's sub-city (specs) to it, ≈ 0.3 s per 50k needs
(bench/README.md, docs/field-notes.md trap 39). The server outlives the call, so later plans
of the same process do not pay the import again.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import resource
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from matching.model import NeedSpec, PartnerSpec

T = TypeVar("T")
H = TypeVar("H")

MAX_WORKERS = 4
"""Most processes one plan uses, whatever the machine (memory grows with each)."""
PARALLEL_MIN_NEEDS = 25_000
"""Cities with fewer needs plan in the calling process: a plan of 10k needs takes ≈ 0.5 s, less
than starting the worker processes (the test suite and S/M cities never pay it)."""
START_METHOD = "forkserver"
"""See the module doc; `fork` is unsafe in a multithreaded parent, `spawn` re-imports numpy,
scipy and ortools in every child."""
PRELOAD = ["matching.plan"]
"""Imported once by the fork server, so children start with the engine loaded."""

Part = tuple[list[NeedSpec], list[PartnerSpec]]


def default_workers() -> int:
    """Processes a plan may use by default: the CPUs this process may run on, capped."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def workers_for(n_needs: int, workers: int | None) -> int:
    """Processes to use for a city of `n_needs` (1: serial, in the calling process).

    `workers` None means `default_workers()`, or 1 below PARALLEL_MIN_NEEDS needs; an explicit
    count is used as given (capped at MAX_WORKERS), whatever the size of the city.
    """
    if workers is None:
        return default_workers() if n_needs >= PARALLEL_MIN_NEEDS else 1
    return max(1, min(MAX_WORKERS, workers))


def split_by_capability(
    needs: Sequence[NeedSpec], partners: Sequence[PartnerSpec], workers: int
) -> list[Part]:
    """Sub-cities of whole capabilities for up to `workers` processes, heaviest first.

    Each capability's weight is its needs x the partners listing it (a proxy for the pairs in
    reach); capabilities go largest first to the lightest part (LPT). A part holds the needs of
    its capabilities (in input order) and every partner listing one of them. Empty parts are
    left out, so fewer parts than `workers` come back when there are few capabilities.
    """
    by_cap: dict[str, list[NeedSpec]] = defaultdict(list)
    for need in needs:
        by_cap[need.capability].append(need)
    listing = Counter(cap for p in partners for cap in p.capabilities)
    weight = {cap: len(ns) * max(1, listing[cap]) for cap, ns in by_cap.items()}
    loads = [0] * max(1, workers)
    caps_of: list[set[str]] = [set() for _ in loads]
    for cap in sorted(weight, key=lambda c: (-weight[c], c)):
        lightest = loads.index(min(loads))
        loads[lightest] += weight[cap]
        caps_of[lightest].add(cap)
    order = sorted(range(len(loads)), key=lambda i: -loads[i])
    parts = []
    for i in order:
        caps = caps_of[i]
        if not caps:
            continue
        part_needs = NeedList(n for n in needs if n.capability in caps)
        part_partners = [p for p in partners if not caps.isdisjoint(p.capabilities)]
        parts.append((part_needs, part_partners))
    return parts


@dataclass(frozen=True, slots=True)
class ChildUsage:
    """What one child process used, measured inside it when its work was done."""

    pid: int
    peak_mb: float
    """Its own peak resident memory (ru_maxrss; pages shared with the fork server included)."""
    cpu_seconds: float


class NeedList(list[NeedSpec]):
    """A list of needs that pickles as one list per field, rebuilt as a plain list: half the
    time of pickling (and unpickling) 50k NeedSpec objects one by one (docs/field-notes.md trap
    39)."""

    def __reduce__(self) -> tuple[Any, ...]:
        names = [f.name for f in dataclasses.fields(NeedSpec)]
        return _needs_from_columns, ([[getattr(n, f) for n in self] for f in names],)


def _needs_from_columns(columns: list[list[Any]]) -> list[NeedSpec]:
    return list(map(NeedSpec, *columns))


def run_parts(
    work: Callable[..., T], parts: Sequence[tuple[Any, ...]], here: Callable[..., H]
) -> tuple[H, list[T], list[ChildUsage]]:
    """`here(*parts[0])` in this process and `work(*args)` for each later part in a child
    process (START_METHOD), all at once: (here's result, the others' in part order, what each
    child process used).

    `work` must be importable by name (it is pickled by reference), and its arguments and result
    picklable. An exception in a child is raised here.
    """
    if len(parts) == 1:
        return here(*parts[0]), [], []
    ctx = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    with (
        ProcessPoolExecutor(max_workers=len(parts) - 1, mp_context=ctx) as pool,
        ThreadPoolExecutor(max_workers=1) as starter,
    ):
        # Starting a child waits for the fork server, which imports PRELOAD first (≈ 1 s on
        # the first plan of a process): a thread waits for it while this process plans.
        started = starter.submit(lambda: [pool.submit(_measured, work, a) for a in parts[1:]])
        first = here(*parts[0])
        done = [f.result() for f in started.result()]
    usage: dict[int, ChildUsage] = {}
    for used, _ in done:  # a child that ran two parts reports its totals twice
        usage[used.pid] = used
    return first, [result for _, result in done], list(usage.values())


def _measured(work: Callable[..., T], args: tuple[Any, ...]) -> tuple[ChildUsage, T]:
    """In a child: (what this process used so far, `work(*args)`)."""
    result = work(*args)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return ChildUsage(os.getpid(), own.ru_maxrss / 1024.0, own.ru_utime + own.ru_stime), result
