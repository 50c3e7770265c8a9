"""Benchmark of briefings on the demo city: one briefing as HTML and as PDF, and the batch.

Run: .venv/bin/python bench/briefings_bench.py [--repeat 3] [--batch 100]

Builds a scratch SQLite database in a temporary folder (never the project's), migrates it,
loads the demo city (40 partners, ~600 needs, the catalogue), then times:
- one partner briefing rendered as HTML (content, engine calls, charts, template, stored);
- the PDF of that briefing made by WeasyPrint from the stored HTML;
- the batch (`run_batch`, what `flask briefings --all-active` runs) after adding fictional
  partners through the service until `--batch` partners are active.
Nothing generated is written outside the temporary folder, which is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _add_partners(count: int, rng: random.Random) -> None:
    from accounts.actor import SYSTEM
    from geo.services import list_neighbourhoods
    from partners.services import change_partner_status, register_partner
    from seeds.taxonomy import CAPABILITIES

    hoods = [(n.name, n.latitude, n.longitude) for n in list_neighbourhoods()]
    codes = [c["code"] for c in CAPABILITIES]
    for i in range(count):
        name, lat, lon = hoods[i % len(hoods)]
        partner = register_partner(
            SYSTEM,
            {
                "name": f"Bench Partner {i + 1}",
                "sector": rng.choice(["nonprofit", "business", "faith_based"]),
                "base_latitude": lat + rng.uniform(-0.01, 0.01),
                "base_longitude": lon + rng.uniform(-0.01, 0.01),
                "service_radius_km": rng.choice([2.0, 3.0, 5.0]),
                "service_neighbourhoods": [name],
                "capabilities": [
                    {"capability": c, "tasks_per_week": rng.randint(1, 4)}
                    for c in rng.sample(codes, 2)
                ],
            },
        )
        change_partner_status(SYSTEM, partner.id, "verify")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--batch", type=int, default=100, help="active partners in the batch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="briefings-bench-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.db'}"
        from flask_migrate import upgrade

        from accounts.actor import SYSTEM
        from briefings import services
        from commonground.app import create_app
        from seeds.demo import load_demo_city

        app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            load_demo_city(today=date.today())
            print(f"demo city loaded in {time.perf_counter() - started:.1f} s")
            partner_id = services.active_partner_ids(SYSTEM)[0]
            services.html_to_pdf(
                services.generate_partner_briefing(SYSTEM, partner_id).html
            )  # warm-up: imports, fonts, templates

            html_s, briefing = _timed(
                lambda: services.generate_partner_briefing(SYSTEM, partner_id), args.repeat
            )
            pdf_s, pdf = _timed(lambda: services.render_pdf(SYSTEM, briefing.id), args.repeat)
            print(f"one briefing as HTML: {html_s:.3f} s ({len(briefing.html) / 1024:.0f} KiB)")
            print(f"one briefing as PDF:  {pdf_s:.3f} s ({len(pdf) / 1024:.0f} KiB)")
            hood_s, _ = _timed(
                lambda: services.generate_neighbourhood_briefing(SYSTEM, "Scotlandville"),
                args.repeat,
            )
            print(f"one neighbourhood briefing as HTML: {hood_s:.3f} s")

            missing = args.batch - len(services.active_partner_ids(SYSTEM))
            if missing > 0:
                _add_partners(missing, random.Random(7))
            ids = services.active_partner_ids(SYSTEM)
            started = time.perf_counter()
            result = services.run_batch(SYSTEM, ids)
            batch_s = time.perf_counter() - started
            print(
                f"batch of {result.total} partners (HTML, stored): {batch_s:.1f} s, "
                f"{batch_s / max(1, result.total):.3f} s each; "
                f"{len(result.failures)} failure(s)"
            )
            started = time.perf_counter()
            for item in result.generated:
                services.render_pdf(SYSTEM, item["briefing_id"])
            pdf_batch_s = time.perf_counter() - started
            print(f"PDFs of the batch: {pdf_batch_s:.1f} s for {len(result.generated)}")


if __name__ == "__main__":
    main()
