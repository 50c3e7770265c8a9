"""City-scale benchmark: the interactive calls of Common Ground on an M (10k needs x 500 partners)
and an L (100k x 5k) city in PostgreSQL, through the Flask test client.

Run (PostgreSQL; the database is emptied and rebuilt by the migrations):

    .venv/bin/python bench/city_scale_bench.py --sizes M,L [--samples 30]
        [--database-url postgresql://postgres@127.0.0.1:5432/test_scale_bench]
        [--skip briefing,plan] [--no-load] [--quick-load]

The city is `bench.cities.clustered_colocated` (needs in hotspot neighbourhoods, partners sharing
ZIP-centre points), moved so that its `now` is the real now, and it is loaded through the
product's own paths (`bench/city_load.py`): partners through the registry's schema and service
(verified, some paused, by a coordinator); needs as the city's weekly survey exports (CSV files
with the survey's own column names, some rows without the optional fields) through the import
(`intake.services.import_needs`, with the survey's column mapping and categories) at the end of
each week; about a quarter of the needs then carry a history (claimed, in progress, released,
completed, verified) through the lifecycle services, as a member of the claiming partner and as
the coordinator, with `now=` in the past and in time order, so weekly capacity, claims, events
and notices are the product's. The load prints its seconds by phase (a progress line a minute).
`--quick-load` writes the same city by bulk inserts and COPY instead: not the product's paths;
for iteration only. Users and API tokens go through the services either way.

Each call is sampled `--samples` times (fewer for the slow ones, see SLOW) and printed as
p50 / p95 in ms; `flask plan` is timed end to end (CLI runner) against the engine alone on the
same inputs; the mixed load (8 reads : 1 new need : 1 claim) is timed on the same client,
one request at a time, against /healthz (touches nothing) and against /api/v1/me (a trivial
call behind the token), printed as throughput ratios, then each call of the mix alone; by wall
time and by CPU time (this process and its PostgreSQL backends, read from /proc: what a call
costs the machine, which other work on a shared machine inflates far less).
`--only "mixed load"` runs the mixed load alone; `--code CHECKOUT` times another checkout's
application code (the code before a change) with this script; `--list keyset` makes the mix's
need list the first keyset page (`count=false`) instead of the first numbered page.
`bench/server_load_bench.py` sends the same mix through gunicorn over HTTP.

Never leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CITY_SETTINGS_PATH", str(ROOT / "tests" / "no-city.toml"))

from bench.city_load import COORDINATOR, MEMBER, PASSWORD, load_city  # noqa: E402
from bench.tables import markdown_table, num  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test_scale_bench"
ONLY: set[str] = set()
"""Names of the calls to time (--only); empty: every call."""
SLOW = {"briefing make": 3, "briefing PDF": 3, "flask plan": 1, "engine alone": 1}


def city_facts(app) -> dict[str, Any]:
    """Ids the timed calls pick from: open needs, active partners with capabilities."""
    from sqlalchemy import select

    from commonground.extensions import db
    from needs.models import Need
    from partners.models import Partner, PartnerCapability

    with app.app_context():
        open_ids = list(db.session.scalars(select(Need.id).where(Need.status == "open")))
        partners = list(
            db.session.scalars(
                select(Partner.id)
                .where(Partner.status == "active")
                .where(Partner.id.in_(select(PartnerCapability.partner_id)))
                .order_by(Partner.id)
            )
        )
    return {"open_ids": open_ids, "partners": partners}


# ---- timing ---------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations (seconds), in ms."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def sample(
    name: str, call: Callable[[int], Any], samples: int
) -> tuple[float, float] | tuple[None, None]:
    """Time `call(i)` `samples` times (after one warm-up); every answer must be a success."""
    if ONLY and name not in ONLY:
        return None, None
    call(-1)
    times = []
    for i in range(samples):
        started = time.perf_counter()
        response = call(i)
        times.append(time.perf_counter() - started)
        status = getattr(response, "status_code", 200)
        if status >= 400:
            raise SystemExit(f"{name}: {status} {response.get_data(as_text=True)[:300]}")
    p50, p95 = percentiles(times)
    print(f"  {name:28s} p50 {p50:9.1f} ms  p95 {p95:9.1f} ms", flush=True)
    return p50, p95


def sample_after(
    name: str, call: Callable[[int], tuple[Any, float]], samples: int
) -> tuple[float, float] | tuple[None, None]:
    """`sample` for calls that time themselves after an untimed step: `call(i)` returns the
    response and its duration."""
    if ONLY and name not in ONLY:
        return None, None
    call(-1)  # the process's first read of the city is not what this measures
    times = []
    for i in range(samples):
        response, took = call(i)
        if response.status_code >= 400:
            raise SystemExit(f"{name}: {response.status_code}")
        times.append(took)
    p50, p95 = percentiles(times)
    print(f"  {name:28s} p50 {p50:9.1f} ms  p95 {p95:9.1f} ms", flush=True)
    return p50, p95


def run_calls(app, facts: dict[str, Any], loaded: dict[str, Any], args) -> dict[str, Any]:
    """Every interactive call, sampled; returns name -> (p50, p95) ms, plus the plan and load
    figures."""
    from tests.browser import sign_in

    rng = random.Random(7)
    client = app.test_client()
    coordinator = {"Authorization": f"Bearer {loaded['coordinator_token']}"}
    open_ids, partners = facts["open_ids"], facts["partners"]
    pick = rng.sample(open_ids, min(len(open_ids), 200))
    pick_partners = [partners[rng.randrange(len(partners))] for _ in range(200)]
    n = args.samples
    skip = set(args.skip)
    out: dict[str, Any] = {}

    def api(path: str, headers=coordinator):
        return lambda i: client.get(path, headers=headers)

    out["who can act here"] = sample(
        "who can act here",
        lambda i: client.get(f"/api/v1/needs/{pick[i % 200]}/suggestions", headers=coordinator),
        n,
    )
    out["tasks near us (API)"] = sample(
        "tasks near us (API)",
        lambda i: client.get(
            f"/api/v1/partners/{pick_partners[i % 200]}/suggestions", headers=coordinator
        ),
        n,
    )
    changed = {"capability": "lot_mowing", "title": "Bench change", "priority": 3}

    def after_change(call: Callable[[int], Any]) -> Callable[[int], Any]:
        """`call` right after a new need changed the city (the post not timed)."""

        def timed(i: int):
            new = {**changed, "latitude": 30.45 + i * 1e-4, "longitude": -91.15}
            answer = client.post("/api/v1/needs/", json=new, headers=coordinator)
            if answer.status_code != 201:
                raise SystemExit(f"new need: {answer.status_code} {answer.get_data()[:300]}")
            started = time.perf_counter()
            response = call(i)
            return response, time.perf_counter() - started

        return timed

    out["who can act here after a change"] = sample_after(
        "who can act here after a change",
        after_change(
            lambda i: client.get(f"/api/v1/needs/{pick[-1 - i]}/suggestions", headers=coordinator)
        ),
        max(3, n // 5),
    )
    out["need list page 1"] = sample("need list page 1", api("/api/v1/needs/?page_size=50"), n)
    out["need list page 20 filtered"] = sample(
        "need list page 20 filtered",
        api("/api/v1/needs/?status=open&capability=lot_mowing&page=20&page_size=50"),
        n,
    )
    filtered = "/api/v1/needs/?status=open&capability=lot_mowing&page_size=50"
    page_19 = client.get(f"{filtered}&page=19", headers=coordinator).get_json()
    cursor = page_19[-1]["id"] if page_19 else 1
    out["need list after a cursor filtered"] = sample(
        "need list after a cursor filtered", api(f"{filtered}&after={cursor}"), n
    )
    out["one need"] = sample(
        "one need", lambda i: client.get(f"/api/v1/needs/{pick[i % 200]}", headers=coordinator), n
    )
    slow_n = max(3, n // 5)
    out["coverage gaps (API)"] = sample("coverage gaps (API)", api("/api/v1/coverage/gaps"), slow_n)
    out["recruitment (API)"] = sample(
        "recruitment (API)", api("/api/v1/coverage/recruitment"), slow_n
    )
    out["performance (API)"] = sample("performance (API)", api("/api/v1/performance/"), slow_n)
    year = datetime.now(UTC).year
    out["open-data report"] = sample(
        "open-data report", lambda i: client.get(f"/open-data/{year}.json"), slow_n
    )
    staff = sign_in(app.test_client(), COORDINATOR, PASSWORD)
    out["coordinator home page"] = sample(
        "coordinator home page", lambda i: staff.get("/coordinator/"), slow_n
    )
    out["coverage page"] = sample("coverage page", lambda i: staff.get("/coverage/gaps"), slow_n)
    out["performance page"] = sample(
        "performance page", lambda i: staff.get("/performance/"), slow_n
    )
    crew = sign_in(app.test_client(), MEMBER, PASSWORD)
    out["tasks near us page"] = sample("tasks near us page", lambda i: crew.get("/tasks/"), n)
    out.update(time_exports(client, coordinator, slow_n))
    if "briefing" not in skip:
        made: list[int] = []

        def make(i: int):
            response = client.post(
                "/api/v1/briefings/partner",
                json={"partner_id": pick_partners[i % 200]},
                headers=coordinator,
            )
            made.append(response.get_json()["id"])
            return response

        out["briefing make"] = sample("briefing make", make, SLOW["briefing make"])
        for i in range(args.briefings_per_partner):  # named, for the wide-area tail
            started = time.perf_counter()
            area = make(i).get_json()["snapshot"]["area"]["open_needs"]
            took = (time.perf_counter() - started) * 1000
            print(f"  briefing of partner {pick_partners[i]}: {took:7.0f} ms ({area} open needs)")
        out["briefing PDF"] = sample(
            "briefing PDF",
            lambda i: client.get(f"/api/v1/briefings/{made[i]}/pdf", headers=coordinator),
            SLOW["briefing PDF"],
        )
    if "plan" not in skip:
        out.update(time_plan(app))
    if "load" not in skip and (not ONLY or LOAD in ONLY):
        requests_of = mix_requests(facts, loaded, args.list)
        out.update(mixed_load(app, client, requests_of, args.load_requests))
    return out


def time_exports(client, headers: dict[str, str], samples: int) -> dict[str, Any]:
    """The needs exports (every need, CSV and GeoJSON): time to the first streamed row (not
    just the header: the query has answered; the rest is not read), then one whole download,
    printed."""

    def first_row(path: str, row: bytes, count: int) -> Callable[[int], tuple[Any, float]]:
        def timed(i: int):
            started = time.perf_counter()
            response = client.get(path, headers=headers, buffered=False)
            seen = b""
            for chunk in response.response:
                seen += chunk if isinstance(chunk, bytes) else chunk.encode()
                if seen.count(row) >= count:
                    break
            took = time.perf_counter() - started
            response.close()
            return response, took

        return timed

    out: dict[str, Any] = {}
    for kind, row, count in (("CSV", b"\n", 2), ("GeoJSON", b'"Feature"', 1)):
        path = f"/api/v1/needs/export.{kind.lower()}"
        name = f"needs {kind} export first row"
        out[name] = sample_after(name, first_row(path, row, count), samples)
        if not ONLY or name in ONLY:
            started = time.perf_counter()
            size = len(client.get(path, headers=headers).get_data())
            took = time.perf_counter() - started
            print(f"  needs {kind} export whole: {took:.1f} s, {size / 1e6:.1f} MB", flush=True)
    return out


def store_plan(app, budget_s: float) -> None:
    """Run and store the city plan once (not timed), within `budget_s` of proof rounds."""
    from accounts.actor import SYSTEM
    from planning.services import run_city_plan

    started = time.perf_counter()
    with app.app_context():
        app.config["MATCHING_TIME_BUDGET_S"] = budget_s
        plan = run_city_plan(SYSTEM)
        print(
            f"  stored plan {plan.id} in {time.perf_counter() - started:.1f} s "
            f"(certified: {plan.summary['certified']})",
            flush=True,
        )


PLAN_ROUNDS = 3
"""`flask plan` and the engine alone are timed this many times each, interleaved (medians)."""


def time_plan(app) -> dict[str, Any]:
    """`flask plan` end to end (read, solve, store) against the engine alone on its inputs,
    interleaved `PLAN_ROUNDS` times; the medians and their ratio (one sample of a plan swung by
    half its time on this machine)."""
    import matching
    from capabilities.services import capability_labels
    from planning import queries, specs

    runner = app.test_cli_runner()
    products: list[float] = []
    engines: list[float] = []
    for _ in range(PLAN_ROUNDS):
        started = time.perf_counter()
        result = runner.invoke(args=["plan"])
        products.append(time.perf_counter() - started)
        if result.exit_code != 0:
            raise SystemExit(f"flask plan failed: {result.output[-500:]} {result.exception!r}")
        with app.app_context():  # the same inputs as the product's: baseline, labels, workers
            needs, partners = specs.open_need_specs(), specs.partner_specs(datetime.now(UTC))
            weights = specs.weights_from_config()
            previous = queries.baseline_assignments() if queries.latest_plan_id() else None
            started = time.perf_counter()
            matching.plan_city(
                needs,
                partners,
                datetime.now(UTC),
                weights=weights,
                k=8,
                previous=previous,
                labels=capability_labels(),
                workers=app.config.get("MATCHING_WORKERS") or None,
            )
            engines.append(time.perf_counter() - started)
    product_s, engine_s = statistics.median(products), statistics.median(engines)
    print(
        f"  flask plan end to end {product_s:.2f} s; engine alone {engine_s:.2f} s "
        f"({product_s / engine_s:.2f}x; medians of {PLAN_ROUNDS}, interleaved: flask plan "
        + ", ".join(f"{t:.2f}" for t in products)
        + "; engine "
        + ", ".join(f"{t:.2f}" for t in engines)
        + ")",
        flush=True,
    )
    return {"flask plan s": product_s, "engine alone s": engine_s}


LOAD = "mixed load"
"""The mixed load's name for --only (it runs unless --skip load or --only leaves it out)."""
WRITES_EACH = 20
"""How many times each write of the mix is timed alone (reads: `--load-requests` / 3)."""


def database_backends(app) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the bench's database (its pool)."""
    from sqlalchemy import text

    from commonground.extensions import db

    with app.app_context():
        return list(
            db.session.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend'"
                )
            )
        )


def backend_cpu_s(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far, read from /proc (the
    database runs on this machine: the bench never leaves 127.0.0.1)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def timed(app, call: Callable[[int], Any], requests: int) -> tuple[float, float]:
    """`call(i)` `requests` times one after another: (wall ms, CPU ms) a call. CPU is this
    process's and the database backends' together: what a call costs the machine, which a
    loaded machine does not inflate the way it inflates the wall time."""
    before = backend_cpu_s(database_backends(app))
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(requests):
        call(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = backend_cpu_s(database_backends(app))
    cpu += sum(used - before.get(pid, 0.0) for pid, used in after.items())
    return wall * 1000 / requests, cpu * 1000 / requests


MIX = ["one need", "need list, page_size=50"] * 4 + ["new need", "claim"]
"""The mix, in the order its requests are sent: 8 reads : 1 new need : 1 claim."""
LIST_PATHS = {
    "numbered": "/api/v1/needs/?page_size=50",  # the first numbered page, with its total
    "keyset": "/api/v1/needs/?page_size=50&count=false",  # the keyset walk's first page
}
"""The mix's need list (--list): the issue's numbered page, or the first page a client walking
by cursor asks for."""
NEW_NEED = {
    "capability": "lot_mowing",  # the API's field (capability_code was refused: 422)
    "title": "Bench mixed-load need",
    "latitude": 30.45,
    "longitude": -91.15,
    "priority": 3,
}


@dataclass(frozen=True)
class Request:
    """One HTTP request of a load: the same for the test client and a real server."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None = None


@dataclass
class MixRequests:
    """The requests of the mixed load, by name and by their place in the mix: reads of needs
    from `pick` (seeded), the need list at `list_path`, new needs, and claims by the partner
    member of the needs of `claimable` in turn (after the last, the first again: refused)."""

    pick: list[int]
    claimable: list[int]
    coordinator: dict[str, str]
    member: dict[str, str]
    list_path: str = LIST_PATHS["numbered"]
    seed: int = 11

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def call(self, name: str, i: int) -> Request:
        """The request `name`, the `i`-th of its kind (which need it claims)."""
        if name == "one need":
            need = self.rng.choice(self.pick)
            return Request(name, "GET", f"/api/v1/needs/{need}", self.coordinator)
        if name == "need list, page_size=50":
            return Request(name, "GET", self.list_path, self.coordinator)
        if name == "new need":
            return Request(name, "POST", "/api/v1/needs/", self.coordinator, NEW_NEED)
        need = self.claimable[i % len(self.claimable)]
        return Request(name, "POST", f"/api/v1/needs/{need}/claim", self.member, {})

    def mixed(self, i: int) -> Request:
        """The `i`-th request of the mix."""
        return self.call(MIX[i % len(MIX)], i // len(MIX))

    @staticmethod
    def trivial(i: int) -> Request:
        """`/healthz`: touches nothing."""
        return Request("/healthz", "GET", "/healthz", {})

    def me(self, i: int) -> Request:
        """`/api/v1/me`: the token and its user read, nothing else."""
        return Request("/api/v1/me", "GET", "/api/v1/me", self.coordinator)


def mix_requests(facts: dict[str, Any], loaded: dict[str, Any], list_kind: str) -> MixRequests:
    """The mixed load's requests over a loaded city: the needs read and claimed are open
    needs picked with a fixed seed."""
    rng = random.Random(7)
    open_ids = facts["open_ids"]
    pick = rng.sample(open_ids, min(len(open_ids), 200))
    claimable = list(pick)
    random.Random(11).shuffle(claimable)
    return MixRequests(
        pick=pick,
        claimable=claimable,
        coordinator={"Authorization": f"Bearer {loaded['coordinator_token']}"},
        member={"Authorization": f"Bearer {loaded['member_token']}"},
        list_path=LIST_PATHS[list_kind],
    )


def mixed_load(app, client, requests_of: MixRequests, requests: int) -> dict[str, Any]:
    """Requests a second of 8 reads : 1 new need : 1 claim, one at a time, against `/healthz`
    (touches nothing) and against `/api/v1/me` (a trivial call behind the token: the token
    and its user read, nothing else); then every call of the mix alone, ms a call."""
    statuses: dict[str, list[int]] = {"new need": [], "claim": []}

    def sent(request: Request):
        response = client.open(
            request.path, method=request.method, headers=request.headers, json=request.body
        )
        name = request.name
        if response.status_code >= 500 or (name == "new need" and response.status_code != 201):
            raise SystemExit(f"{name}: {response.status_code} {response.get_data()[:300]}")
        if name in statuses:
            statuses[name].append(response.status_code)
        return response

    calls: dict[str, Callable[[int], Any]] = {
        name: (lambda i, n=name: sent(requests_of.call(n, i))) for name in dict.fromkeys(MIX)
    }
    mix = MIX

    def trivial(i: int):
        return sent(requests_of.trivial(i))

    def me(i: int):
        return sent(requests_of.me(i))

    def mixed(i: int):
        return sent(requests_of.mixed(i))

    for warm in (trivial, me, mixed):
        warm(0)
    runs = {"/healthz": trivial, "/api/v1/me": me, "mixed load": mixed}
    per_call = {name: timed(app, run, requests) for name, run in runs.items()}
    ratios = {
        f"mixed / {base} ({kind})": per_call[base][k] / per_call["mixed load"][k]
        for base in ("/healthz", "/api/v1/me")
        for k, kind in ((0, "wall"), (1, "CPU"))
    }
    print(
        "  mixed load: "
        + "; ".join(f"{name} {ratio:.3f}" for name, ratio in ratios.items())
        + f" (req/s {1000 / per_call['mixed load'][0]:.1f}, /healthz "
        f"{1000 / per_call['/healthz'][0]:.1f}, /api/v1/me {1000 / per_call['/api/v1/me'][0]:.1f})",
        flush=True,
    )
    for name, call in calls.items():
        times = WRITES_EACH if name in ("new need", "claim") else requests // 3
        per_call[name] = timed(app, call, times)
    rows = [[name, f"{wall:.2f}", f"{cpu:.2f}"] for name, (wall, cpu) in per_call.items()]
    weighted = [sum(per_call[name][k] for name in mix) / len(mix) for k in (0, 1)]
    rows.append(
        ["the mix's calls alone, weighted 8 : 1 : 1", f"{weighted[0]:.2f}", f"{weighted[1]:.2f}"]
    )
    print(
        markdown_table(["call, one at a time", "wall ms a call", "CPU ms a call"], rows),
        flush=True,
    )
    answers = {
        name: {code: codes.count(code) for code in sorted(set(codes))}
        for name, codes in statuses.items()
    }
    print(f"  answers (status: count): {answers}", flush=True)
    return {
        "mixed req/s": 1000 / per_call["mixed load"][0],
        "trivial req/s": 1000 / per_call["/healthz"][0],
        "me req/s": 1000 / per_call["/api/v1/me"][0],
        **ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="M,L")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--skip", type=lambda s: s.split(","), default=[], help="briefing, plan, load"
    )
    parser.add_argument("--load-requests", type=int, default=300)
    parser.add_argument(
        "--list",
        choices=sorted(LIST_PATHS),
        default="numbered",
        help="the mix's need list: the first numbered page, counted (the issue's mix), or the "
        "first keyset page (count=false), as a client walking by cursor asks for it",
    )
    parser.add_argument(
        "--quick-load",
        action="store_true",
        help="load the city by bulk inserts and COPY: not the product's paths; for iteration only",
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="reuse the city already in the database (one size only)",
    )
    parser.add_argument(
        "--plan-first",
        type=float,
        default=None,
        metavar="SECONDS",
        help="store a city plan (time budget SECONDS) before the calls, as the weekly plan job "
        "would: gaps, recruitment, the home and briefings then read it instead of solving",
    )
    parser.add_argument(
        "--only",
        type=lambda s: s.split(","),
        default=[],
        help=f"names of the calls to time ('{LOAD}' for the mixed load alone)",
    )
    parser.add_argument(
        "--code",
        default=None,
        metavar="CHECKOUT",
        help="time the application code of another checkout of the project (a worktree of the "
        "code before a change) with this script",
    )
    parser.add_argument(
        "--no-pre-ping",
        action="store_true",
        help="the pool hands out connections without pinging them first (the product pings: "
        "requests then survive a database restart); shows what the ping costs a call",
    )
    parser.add_argument(
        "--briefings-per-partner",
        type=int,
        default=0,
        metavar="N",
        help="after 'briefing make', time the briefings of the first N picked partners one by "
        "one, each named with the open needs in its area",
    )
    args = parser.parse_args()
    ONLY.update(args.only)
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))

    from commonground.app import create_app

    _create_database(args.database_url)
    logging.disable(logging.WARNING)  # the security log's line per sign-in and token use
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": False,
            **({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}} if args.no_pre_ping else {}),
        }
    )
    figures: dict[str, dict[str, Any]] = {}
    for size in args.sizes.split(","):
        loaded = load_city(app, size, quick=args.quick_load) if not args.no_load else _reuse(app)
        facts = city_facts(app)
        if args.plan_first is not None:
            store_plan(app, args.plan_first)
        print(
            f"{size}: {len(facts['open_ids'])} open needs, {len(facts['partners'])} active "
            "partners with capabilities",
            flush=True,
        )
        figures[size] = run_calls(app, facts, loaded, args)
    _print_table(figures)


def _create_database(url: str) -> None:
    """Create the bench's database when the server does not have it yet (a fresh machine has
    only `test`, `postgres` and `root`); an existing one is left for `load_city` to empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        known = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if known is None:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def _reuse(app) -> dict[str, Any]:
    """Tokens for the users an earlier load made (new tokens; the old ones were shown once)."""
    from sqlalchemy import select

    from accounts.models import User
    from accounts.services import actor_for, create_api_token
    from commonground.extensions import db

    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        _, coordinator_token = create_api_token(actor_for(coordinator), name="bench")
        _, member_token = create_api_token(actor_for(member), name="bench")
        return {
            "coordinator_token": coordinator_token,
            "member_token": member_token,
            "member_partner": member.partner_id,
        }


def _print_table(figures: dict[str, dict[str, Any]]) -> None:
    sizes = list(figures)
    names = [  # the calls timed (--only leaves the others out)
        k
        for k, value in figures[sizes[0]].items()
        if isinstance(value, tuple) and any(figures[s][k][0] is not None for s in sizes)
    ]
    rows = [
        [name]
        + [f"{num(figures[s][name][0], '.0f')} / {num(figures[s][name][1], '.0f')}" for s in sizes]
        for name in names
    ]
    for key in (
        "flask plan s",
        "engine alone s",
        "mixed req/s",
        "trivial req/s",
        "me req/s",
        "mixed / /healthz (wall)",
        "mixed / /healthz (CPU)",
        "mixed / /api/v1/me (wall)",
        "mixed / /api/v1/me (CPU)",
    ):
        if key in figures[sizes[0]]:
            spec = ".3f" if key.startswith("mixed /") else ".2f"
            rows.append([key] + [num(figures[s].get(key), spec) for s in sizes])
    buffer = io.StringIO()
    buffer.write(markdown_table(["call (p50 / p95 ms)", *sizes], rows))
    print(buffer.getvalue())


if __name__ == "__main__":
    main()
