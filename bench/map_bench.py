"""Map benchmark: 10k needs, the coordinator's map in headless Chromium, the GeoJSON endpoint.

Loads N needs (default 10,000) into a scratch SQLite database made by the migrations (taxonomy,
neighbourhoods and users through the services; the needs through one bulk INSERT of the same
columns `post_need` writes, since posting 10k one by one only measures the seed), serves it with
gunicorn on 127.0.0.1, signs a coordinator in with Debian's Chromium and prints:

- time to first markers on /needs/ (navigation start -> the clustered markers are on the map),
- the GeoJSON endpoint's p50/p95 latency for a city-wide bounding box.

    .venv/bin/python bench/map_bench.py [--needs 10000] [--loads 5] [--requests 50]

Never downloads a browser and never leaves 127.0.0.1 (no map tiles are configured).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

EMAIL, PASSWORD = "bench.coordinator@example.test", "bench-password-long-enough"
SECRET = secrets.token_hex(16)
CENTRE = (30.4515, -91.1871)
SPREAD_DEG = 0.13  # about 30 km across, like the seeded cities of docs/field-notes.md
STATUSES = ["open"] * 70 + ["claimed"] * 8 + ["in_progress"] * 7 + ["completed"] * 5
STATUSES += ["verified"] * 8 + ["cancelled"] * 2


def load_city(database_url: str, count: int) -> None:
    """Migrate a scratch database and load the users, taxonomy and `count` needs."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from accounts.actor import SYSTEM
    from accounts.services import create_user
    from capabilities.models import Capability
    from commonground.app import create_app
    from commonground.db_types import utcnow
    from commonground.extensions import db
    from geo.services import add_neighbourhoods, nearest_neighbourhood
    from needs.models import Need
    from seeds.baton_rouge import NEIGHBOURHOODS
    from seeds.demo import ensure_taxonomy

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        ensure_taxonomy()
        add_neighbourhoods(NEIGHBOURHOODS)
        create_user(
            SYSTEM, email=EMAIL, name="Bench Coordinator", role="coordinator", password=PASSWORD
        )
        codes = list(db.session.scalars(select(Capability.code)))
        rng = random.Random(2026)
        now = utcnow()
        rows = []
        for n in range(count):
            lat = CENTRE[0] + rng.uniform(-SPREAD_DEG, SPREAD_DEG) / 2
            lon = CENTRE[1] + rng.uniform(-SPREAD_DEG, SPREAD_DEG) / 2
            opened = now - timedelta(days=rng.randint(0, 365))
            rows.append(
                {
                    "capability_code": rng.choice(codes),
                    "title": f"Bench need {n}",
                    "description": "",
                    "address": f"{n} Bench St",
                    "latitude": lat,
                    "longitude": lon,
                    "location_status": "ok",
                    "neighbourhood": nearest_neighbourhood(lat, lon),
                    "priority": rng.randint(1, 5),
                    "effort_hours": 2.0,
                    "source": "coordinator",
                    "status": rng.choice(STATUSES),
                    "opened_at": opened,
                    "created_at": opened,
                    "updated_at": opened,
                }
            )
        db.session.execute(insert(Need), rows)
        db.session.commit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(database_url: str, port: int) -> subprocess.Popen:
    """gunicorn on 127.0.0.1 with no tile server configured."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET, MAP_TILE_URL="")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(base: str, loads: int, requests: int) -> dict:
    from playwright.sync_api import sync_playwright

    result: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        first, wall, markers = [], [], 0
        for _ in range(loads):
            started = time.perf_counter()
            page.goto(base + "/needs/")
            page.wait_for_selector("#needs-map[data-markers]", state="attached", timeout=60000)
            wall.append((time.perf_counter() - started) * 1000)
            first.append(
                page.evaluate("performance.getEntriesByName('first-markers')[0].startTime")
            )
            markers = int(page.get_attribute("#needs-map", "data-markers"))
        said = page.locator("#needs-map + .map-status").inner_text()
        result.update(
            first_markers_ms=first, wall_ms=wall, markers=markers, js_errors=errors, said=said
        )
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()
    half = SPREAD_DEG / 2 + 0.01
    bbox = f"{CENTRE[1] - half},{CENTRE[0] - half},{CENTRE[1] + half},{CENTRE[0] + half}"
    url = f"{base}/map/needs.geojson?bbox={bbox}"
    latencies, size = [], 0
    for _ in range(requests):
        request = urllib.request.Request(
            url, headers={"Cookie": cookie, "Accept": "application/json"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            size = len(response.read())
        latencies.append((time.perf_counter() - started) * 1000)
    result.update(latencies_ms=latencies, geojson_bytes=size)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=10000)
    parser.add_argument("--loads", type=int, default=5, help="map page loads to time")
    parser.add_argument("--requests", type=int, default=50, help="GeoJSON requests to time")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="cg-map-bench-") as scratch:
        database_url = f"sqlite:///{scratch}/bench.db"
        started = time.perf_counter()
        load_city(database_url, args.needs)
        print(f"loaded {args.needs} needs in {time.perf_counter() - started:.1f} s")
        port = free_port()
        server = serve(database_url, port)
        try:
            result = measure(f"http://127.0.0.1:{port}", args.loads, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
    first, wall, lat = result["first_markers_ms"], result["wall_ms"], result["latencies_ms"]
    errors = len(result["js_errors"])
    print(f"markers on the map: {result['markers']} (clustered), JS errors: {errors}")
    print(f"the map says: {result['said']}")
    print(
        f"time to first markers (navigation start -> markers drawn), {len(first)} loads: "
        f"median {statistics.median(first):.0f} ms, max {max(first):.0f} ms"
    )
    print(f"  page load to markers as the test sees it: median {statistics.median(wall):.0f} ms")
    print(
        f"GeoJSON city-wide bbox, {len(lat)} requests, {result['geojson_bytes'] / 1e6:.2f} MB: "
        f"p50 {percentile(lat, 0.5):.0f} ms, p95 {percentile(lat, 0.95):.0f} ms"
    )


if __name__ == "__main__":
    main()
