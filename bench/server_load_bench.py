"""The mixed load through a real server (issue 14, item 7): gunicorn (2 workers x 4 threads)
on a city already loaded by `city_scale_bench.py`, driven over keep-alive HTTP by N concurrent
clients for a fixed time each against `/healthz`, `/api/v1/me` and the mix (8 reads : 1 new need
: 1 claim, the same requests as `city_scale_bench.mixed_load`), printing requests a second and
the mix's ratios to the other two.

Run (after `city_scale_bench.py --sizes L --database-url URL ...` has loaded the city):

    .venv/bin/python bench/server_load_bench.py --database-url URL [--clients 50]
        [--seconds 15] [--list numbered|keyset] [--code CHECKOUT] [--port 18631]

The clients run on the same machine as the server and its database: `--client-processes`
processes of `--clients / processes` threads each (one keep-alive connection per thread).
They share the cores with the server, so every figure is what the server did while the
clients also ran; the CPU each side used is printed beside the rates. Rate limits stay on,
in memory per worker as in development; the claim limit is raised (`RATELIMIT_CLAIM`) so
that the mix's claims are answered, not refused by the limiter.

Never leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CITY_SETTINGS_PATH", str(ROOT / "tests" / "no-city.toml"))

from bench.city_scale_bench import (  # noqa: E402
    DEFAULT_URL,
    LIST_PATHS,
    MixRequests,
    Request,
    backend_cpu_s,
    city_facts,
    mix_requests,
)
from bench.tables import markdown_table  # noqa: E402

TARGETS = ("/healthz", "/api/v1/me", "mixed load")
"""What is driven, one after the other, each for `--seconds`."""
STATIC_FILE = "/static/favicon.svg"
"""The issue's own trivial endpoint ("0.13x a static file on the same server"), 178 bytes."""
FLOORS = {
    "floor: reads one statement, writes free": ("/readyz",) * 8 + ("/healthz",) * 2,
    "floor: reads the token only, writes free": ("/api/v1/me",) * 8 + ("/healthz",) * 2,
}
"""Made-up mixes that bound what any mix of 8 reads : 2 writes can reach on this server
(`--floors`): in the first, each read makes one statement and nothing else (`/readyz`: a pooled
connection, `SELECT 1`, no token) and each write costs what `/healthz` costs; in the second,
each read checks its token (`/api/v1/me`) and nothing more. A read of the mix does at least
what the first's reads do (it checks a token against the database) and at least what the
second's do, and a write at least what `/healthz` does, so the mix's ratio to `/healthz`
cannot exceed either floor's."""


def serve(code: Path, database_url: str, port: int, workers: int, threads: int, log: Path):
    """gunicorn (gthread workers) serving `code`'s `wsgi:app` on 127.0.0.1:`port`, once it
    answers `/healthz`."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="bench",  # noqa: S106 - a scratch server on loopback
        RATELIMIT_CLAIM="1000000 per minute",
        PYTHONPATH=str(code),
    )
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--chdir", str(code), "wsgi:app"]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                answer.read()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


def server_pids(process: subprocess.Popen) -> list[int]:
    """The gunicorn master and its workers."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [process.pid, *(int(pid) for pid in children.read_text().split())]


def database_pids(database_url: str) -> list[int]:
    """Every client backend connected to the bench's database (the server's pools)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        pids = list(
            connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            )
        )
    engine.dispose()
    return pids


def drive(
    port: int, requests_of: MixRequests, target: str, threads: int, first: int, window: tuple
) -> dict[str, Any]:
    """`threads` clients, one keep-alive connection each, sending `target`'s requests back to
    back from `window[0]` (a time.time()) until `window[1]`; what they got, by request name.
    Client `k` of this process is client `first + k` of the run; each walks the whole mix in
    order from its own place in it, and claims needs of its own stretch of the list."""
    import threading

    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    start, end = window

    def client(k: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        statuses: Counter = Counter()
        latencies: dict[str, list[float]] = {}
        i = (first + k) * 100_003  # its own stretch, its own place in the mix (not a x10)
        time.sleep(max(0.0, start - time.time()))
        while time.time() < end:
            request = make(requests_of, target, i)
            began = time.perf_counter()
            try:
                status = send(connection, request)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0  # a dropped connection: counted, not timed
            took = time.perf_counter() - began
            statuses[(request.name, status)] += 1
            if status:
                latencies.setdefault(request.name, []).append(took)
            i += 1
        connection.close()
        with lock:
            results.append({"statuses": statuses, "latencies": latencies})

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    cpu = time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {**merged(results), "cpu_s": time.process_time() - cpu}


def merged(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several clients' (or client processes') statuses and latencies as one."""
    statuses: Counter = Counter()
    latencies: dict[str, list[float]] = {}
    for result in results:
        statuses.update(result["statuses"])
        for name, times in result["latencies"].items():
            latencies.setdefault(name, []).extend(times)
    return {"statuses": statuses, "latencies": latencies}


def make(requests_of: MixRequests, target: str, i: int) -> Request:
    """The `i`-th request of a target."""
    if target in FLOORS:
        target = FLOORS[target][i % len(FLOORS[target])]
    if target == "/healthz":
        return requests_of.trivial(i)
    if target == "/readyz":
        return Request("/readyz", "GET", "/readyz", {})
    if target == STATIC_FILE:
        return Request(STATIC_FILE, "GET", STATIC_FILE, {})
    if target == "/api/v1/me":
        return requests_of.me(i)
    return requests_of.mixed(i)


def send(connection: http.client.HTTPConnection, request: Request) -> int:
    """One request on a kept-alive connection; its status, the body read whole."""
    headers = dict(request.headers)
    body = None
    if request.body is not None:
        body = json.dumps(request.body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(request.method, request.path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def run_target(
    pool: ProcessPoolExecutor,
    processes: int,
    clients: int,
    port: int,
    requests_of: MixRequests,
    target: str,
    seconds: float,
    cpu_of: Callable[[], dict[str, list[int]]],
) -> dict[str, Any]:
    """Drive `target` with `clients` clients over `processes` processes for `seconds` (after
    one second of warm-up traffic not counted): requests a second, latencies, statuses and the
    CPU seconds the server, its database backends and the clients used meanwhile."""

    def send(window: tuple[float, float]) -> list[Any]:
        """Every client process driving `target` over `window`; their results."""
        share = clients // processes
        jobs = [
            pool.submit(drive, port, requests_of, target, share, p * share, window)
            for p in range(processes)
        ]
        return [job.result() for job in jobs]

    warm = time.time() + 0.5
    send((warm, warm + 1))
    start = time.time() + 0.5
    pids = cpu_of()  # after the warm-up: the workers' pools have their connections
    before = {side: backend_cpu_s(side_pids) for side, side_pids in pids.items()}
    load = os.getloadavg()[0]
    results = send((start, start + seconds))
    after = {side: backend_cpu_s(side_pids) for side, side_pids in pids.items()}
    together = merged(results)
    statuses, latencies = together["statuses"], together["latencies"]
    answered = sum(count for (_, status), count in statuses.items() if status)
    cpu = {
        side: sum(used - before[side].get(pid, 0.0) for pid, used in after[side].items())
        for side in pids
    }
    cpu["clients"] = sum(result["cpu_s"] for result in results)
    every = [t for times in latencies.values() for t in times]
    return {
        "req/s": answered / seconds,
        # what a request cost the server and its database, which other work on a shared
        # machine inflates far less than it lowers the rate
        "cpu ms": (cpu["server"] + cpu["database"]) * 1000 / answered if answered else None,
        "answered": answered,
        "statuses": statuses,
        "p50 ms": statistics.median(every) * 1000 if every else None,
        "p95 ms": statistics.quantiles(every, n=20)[-1] * 1000 if len(every) > 1 else None,
        "by name": {
            name: (len(times), statistics.median(times) * 1000) for name, times in latencies.items()
        },
        "cpu": cpu,
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--port", type=int, default=18631)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients in all")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured, per target")
    parser.add_argument("--rounds", type=int, default=1, help="the three targets, this often")
    parser.add_argument("--list", choices=sorted(LIST_PATHS), default="numbered")
    parser.add_argument(
        "--floors",
        action="store_true",
        help="also drive a static file and the two made-up mixes that bound the mix's ratio "
        "(FLOORS)",
    )
    parser.add_argument(
        "--code",
        default=str(ROOT),
        metavar="CHECKOUT",
        help="serve another checkout's application code (the code before a change)",
    )
    parser.add_argument(
        "--log",
        default=str(Path(tempfile.gettempdir()) / "server_load_bench.log"),
        help="gunicorn's output",
    )
    args = parser.parse_args()
    if args.clients % args.client_processes:
        raise SystemExit("--clients must be a multiple of --client-processes")

    from bench.city_scale_bench import _reuse
    from commonground.app import create_app

    logging.disable(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench"})
    loaded = _reuse(app)
    facts = city_facts(app)
    requests_of = mix_requests(facts, loaded, args.list)
    with app.app_context():
        from commonground.extensions import db

        db.engine.dispose()  # the bench's own connections are not the server's
    print(
        f"{len(facts['open_ids'])} open needs; gunicorn {args.workers} workers x {args.threads} "
        f"threads on 127.0.0.1:{args.port} serving {args.code}; {args.clients} keep-alive "
        f"clients in {args.client_processes} processes on the same {os.cpu_count()} cores "
        f"(the clients share the CPU with the server and PostgreSQL); list: "
        f"{requests_of.list_path}",
        flush=True,
    )
    server = serve(
        Path(args.code).resolve(),
        args.database_url,
        args.port,
        args.workers,
        args.threads,
        Path(args.log),
    )
    rounds: list[dict[str, dict[str, Any]]] = []
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.client_processes, mp_context=context) as pool:
            for _ in range(args.rounds):
                figures: dict[str, dict[str, Any]] = {}
                floors = (STATIC_FILE, *FLOORS) if args.floors else ()
                for target in TARGETS + floors:

                    def cpu_of() -> dict[str, list[int]]:
                        return {
                            "server": server_pids(server),
                            "database": database_pids(args.database_url),
                        }

                    figures[target] = run_target(
                        pool,
                        args.client_processes,
                        args.clients,
                        args.port,
                        requests_of,
                        target,
                        args.seconds,
                        cpu_of,
                    )
                    report(target, figures[target], args.seconds)
                rounds.append(figures)
                ratios(figures)
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(target: str, figure: dict[str, Any], seconds: float) -> None:
    """One target's line: rate, latency, statuses, CPU by side, load average."""
    cpu = ", ".join(f"{side} {used / seconds:.2f}" for side, used in figure["cpu"].items())
    statuses = dict(
        sorted((f"{name} {status}", n) for (name, status), n in figure["statuses"].items())
    )
    print(
        f"  {target:12s} {figure['req/s']:8.1f} req/s  p50 {figure['p50 ms']:6.1f} ms  "
        f"p95 {figure['p95 ms']:6.1f} ms  server + database CPU {figure['cpu ms']:.2f} ms a "
        f"request; CPU cores used: {cpu}  load {figure['load']:.2f}",
        flush=True,
    )
    print(f"    answers: {statuses}", flush=True)
    if target == "mixed load":
        rows = [[name, str(n), f"{ms:.1f}"] for name, (n, ms) in sorted(figure["by name"].items())]
        print(markdown_table(["call in the mix", "answered", "p50 ms"], rows), flush=True)


def ratios(figures: dict[str, dict[str, Any]]) -> None:
    """The mix's throughput against the two others', and the inverse of what a request of
    each cost the server and the database in CPU."""
    mixed, cpu = figures["mixed load"]["req/s"], figures["mixed load"]["cpu ms"]
    print(
        "  ".join(
            f"mixed / {base}: {mixed / figures[base]['req/s']:.3f} (req/s), "
            f"{figures[base]['cpu ms'] / cpu:.3f} (CPU a request);"
            for base in ("/healthz", "/api/v1/me")
        ),
        flush=True,
    )
    trivial = figures["/healthz"]
    if STATIC_FILE in figures:
        static = figures[STATIC_FILE]
        print(
            f"mixed / {STATIC_FILE}: {mixed / static['req/s']:.3f} (req/s), "
            f"{static['cpu ms'] / cpu:.3f} (CPU a request)",
            flush=True,
        )
    for floor in (name for name in FLOORS if name in figures):
        print(
            f"{floor} / /healthz: {figures[floor]['req/s'] / trivial['req/s']:.3f} (req/s), "
            f"{trivial['cpu ms'] / figures[floor]['cpu ms']:.3f} (CPU a request): the most "
            "the mix could reach",
            flush=True,
        )


if __name__ == "__main__":
    main()
