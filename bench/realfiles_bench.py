"""Issue 12 figures: a 100k-row file no preset knows, imported with mapping options only; the
re-import; and two instances peering over Open311 with more requests in one window than a GET
returns.

    python bench/realfiles_bench.py [--rows 100000] [--peer 5000]

The file has the shape of a city's vacant-building notices (`blockLot, fullAddress,
neighborhood, policeDistrict, councilDistrict, noticeDate, Location 1` with the point written
"(lat, lon)"), adjacent parcels ~10 m apart, 1 % of rows without a point. Prints time, CPU and
memory (RSS) for the import, the re-import, and the peering counts. Uses scratch SQLite files.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake_bench import current_rss_mb, peak_rss_mb  # noqa: E402
from tests.live import served  # noqa: E402

HEADER = ["blockLot", "fullAddress", "neighborhood", "policeDistrict", "councilDistrict",
          "noticeDate", "Location 1"]  # fmt: skip


def write_notices(path: Path, rows: int, seed: int = 12) -> None:
    """`rows` notices on a grid of adjacent parcels (about 10 m apart)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            block, lot = divmod(n, 40)
            lat = 30.40 + block * 0.0004
            lon = -91.20 + lot * 0.0001
            point = "" if rng.random() < 0.01 else f"({lat:.6f}, {lon:.6f})"
            day = datetime(2007, 1, 1) + timedelta(days=n % 6000)
            address = f"{100 + lot * 2} BLOCK {block} ST"
            notice = day.strftime("%m/%d/%Y")
            parcel = f"{block:04d} {lot:03d}"
            writer.writerow([parcel, address, "BROADWAY EAST", "EASTERN", "12", notice, point])


def prepare(url: str):
    from flask_migrate import upgrade

    from commonground.app import create_app
    from commonground.extensions import db
    from geo.services import add_neighbourhoods
    from seeds.baton_rouge import NEIGHBOURHOODS
    from seeds.demo import ensure_taxonomy

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        ensure_taxonomy()
        add_neighbourhoods(NEIGHBOURHOODS)
        db.session.remove()
    return app


def bench_import(work: Path, rows: int) -> None:
    from accounts.actor import SYSTEM
    from intake.mapping import ColumnMapping
    from intake.services import ImportOptions, import_needs

    path = work / "notices.csv"
    write_notices(path, rows)
    app = prepare(f"sqlite:///{work / 'import.db'}")
    options = ImportOptions(
        source="vacant",
        geocode=False,
        mapping=ColumnMapping(
            columns={"external_id": "blockLot", "parcel_id": "blockLot",
                     "address": "fullAddress", "opened_at": "noticeDate"},
            fixed={"category": "board_up"},
            location_column="Location 1",
        ),
    )  # fmt: skip
    with app.app_context():
        before = current_rss_mb()
        cpu = time.process_time()
        report = import_needs(SYSTEM, path, options)
        cpu = time.process_time() - cpu
        s = report.summary()
        print(f"import {rows:,} rows ({path.stat().st_size / 2**20:.1f} MiB) with mapping: "
              f"{report.seconds:.1f} s wall, {cpu:.1f} s CPU; RSS {before:.0f} -> "
              f"{current_rss_mb():.0f} MiB, peak {peak_rss_mb():.0f} MiB")  # fmt: skip
        print(f"  created {s['created']:,}, location pending {s['location_pending']:,}, "
              f"probable duplicates {s['probable_duplicates']:,}, rejected {s['rows_rejected']:,}; "
              f"unused columns: {', '.join(s['unused_columns'])}")  # fmt: skip
        cpu = time.process_time()
        again = import_needs(SYSTEM, path, options)
        cpu = time.process_time() - cpu
        print(f"re-import: {again.seconds:.1f} s wall, {cpu:.1f} s CPU (created {again.created}, "
              f"updated {again.updated}, unchanged {again.unchanged:,})")  # fmt: skip


def bench_peering(work: Path, count: int) -> None:
    from sqlalchemy import func, select

    from commonground.extensions import db
    from needs.models import Need

    source, peer = prepare(f"sqlite:///{work / 'a.db'}"), prepare(f"sqlite:///{work / 'b.db'}")
    now = datetime.now(UTC).replace(microsecond=0)
    with source.app_context():
        db.session.execute(Need.__table__.insert(), [
            {"capability_code": "litter_cleanup", "title": f"Litter {n}", "status": "open",
             "latitude": 30.40 + (n % 100) / 1000, "longitude": -91.20 + (n // 100) / 1000,
             "source": "coordinator", "opened_at": now - timedelta(minutes=30, seconds=n % 1800),
             "created_at": now, "updated_at": now}
            for n in range(count)
        ])  # fmt: skip
        db.session.commit()
        db.session.remove()
    with served(source) as base_url:
        url = f"{base_url}/open311/v2"
        for fmt in ("json", "xml"):
            with peer.app_context():
                started = time.perf_counter()
                result = peer.test_cli_runner().invoke(args=[
                    "import-open311", url, "--format", fmt, "--source", f"peer_{fmt}",
                    "--window-days", "1", "--since", (now - timedelta(days=1)).strftime("%Y-%m-%d"),
                ])  # fmt: skip
                seconds = time.perf_counter() - started
                copied = db.session.scalar(
                    select(func.count(Need.id)).where(Need.source == f"peer_{fmt}")
                )
                db.session.remove()
            lines = [line.strip() for line in result.output.splitlines()[:3]]
            print(f"peering {fmt}: {count:,} requests in one window -> {copied:,} needs "
                  f"in {seconds:.1f} s; {lines[0]} | {lines[2]}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer", type=int, default=5_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="realfiles-bench-"))
    if args.rows:
        bench_import(work, args.rows)
    if args.peer:
        bench_peering(work, args.peer)


if __name__ == "__main__":
    main()
