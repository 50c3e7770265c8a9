"""Intake benchmark: import a generated 100k-row 311-style CSV with 5 % bad rows, then again.

    python bench/intake_bench.py [--rows 100000] [--bad-share 0.05] [--database-url URL]

Prints the import time, the process's peak memory (RSS) and how much it grew during the import,
rows in, rows created and reported (rejected, by reason), and the re-import time (every row
unchanged). Without --database-url it uses a scratch SQLite file; with one (PostgreSQL) the
database's schema is DROPPED and rebuilt: give it a scratch database.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import text

    from accounts.actor import SYSTEM
    from bench.intake_data import write_csv
    from commonground.app import create_app
    from commonground.extensions import db
    from geo.services import add_neighbourhoods
    from intake.services import ImportOptions, import_needs
    from seeds.baton_rouge import NEIGHBOURHOODS
    from seeds.demo import ensure_taxonomy

    work = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    csv_path = work / "requests.csv"
    started = time.perf_counter()
    bad = write_csv(csv_path, args.rows, args.bad_share)
    print(
        f"generated {args.rows:,} rows ({sum(bad.values()):,} bad: {bad}) "
        f"{csv_path.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - started:.1f} s"
    )

    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        ensure_taxonomy()
        add_neighbourhoods(NEIGHBOURHOODS)
        db.session.remove()

        options = ImportOptions(source="bench", geocode=False)
        before = current_rss_mb()
        cpu = time.process_time()
        report = import_needs(SYSTEM, csv_path, options)
        cpu = time.process_time() - cpu
        after = current_rss_mb()
        summary = report.summary()
        print(f"database: {db.engine.dialect.name}")
        print(
            f"import: {report.seconds:.1f} s wall, {cpu:.1f} s CPU, "
            f"{args.rows / report.seconds:,.0f} rows/s; load average {os.getloadavg()[0]:.1f}"
        )
        print(
            f"memory: RSS {before:.0f} MiB before, {after:.0f} MiB after, "
            f"peak {peak_rss_mb():.0f} MiB"
        )
        print(
            f"rows in {summary['rows_read']:,}, created {summary['created']:,}, "
            f"reported {summary['rows_rejected']:,}, "
            f"probable duplicates {summary['probable_duplicates']:,}"
        )
        for reason, count in sorted(summary["errors"].items(), key=lambda item: -item[1]):
            print(f"  {count:6,}  {reason}")
        db.session.remove()

        cpu = time.process_time()
        again = import_needs(SYSTEM, csv_path, options)
        cpu = time.process_time() - cpu
        print(
            f"re-import: {again.seconds:.1f} s wall, {cpu:.1f} s CPU (created {again.created}, "
            f"updated {again.updated}, unchanged {again.unchanged:,})"
        )
        print(f"peak memory over both: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
