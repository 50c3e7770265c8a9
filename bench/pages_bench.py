"""Every page of every role at city scale: p50 / p95 ms per page, and the pages over 1 s.

Issue 14 asks for every page within 1 s at 100k needs x 5k partners on PostgreSQL. The pages
are those the browser test opens for each role (`tests.pages.PAGES`); they are fetched through
the Flask test client, signed in through /login like a person, on a city that
`bench/city_scale_bench.py` loaded (with `--plan-first`, so a plan is stored). What a page
needs is made first if the city lacks it: a started claim of the bench partner, a briefing, a
resident's report, the outreach and viewer users.

    .venv/bin/python bench/pages_bench.py --database-url postgresql://.../scale_l [--samples 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.city_scale_bench import (
    COORDINATOR,
    DEFAULT_URL,
    MEMBER,
    PASSWORD,
    percentiles,
)
from bench.tables import markdown_table

LIMIT_MS = 1000.0
STAFF = {"outreach": "bench.outreach@example.test", "viewer": "bench.viewer@example.test"}


def prepare(app) -> tuple[dict[str, int], dict[str, str]]:
    """The ids the pages' paths take and the email of each role's person, made when missing."""
    from sqlalchemy import func, select

    from accounts.actor import SYSTEM
    from accounts.models import User
    from accounts.services import actor_for, create_user
    from briefings.models import Briefing
    from briefings.services import generate_partner_briefing
    from commonground.extensions import db
    from needs.models import Claim, Need
    from needs.services import claim_need, start_need
    from planning.models import Plan
    from planning.services import suggest_needs_for_partner
    from reports.services import submit_report

    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        member.is_partner_admin = True  # the organisation's members page is its admins'
        partner = member.partner_id
        for role, email in STAFF.items():
            if db.session.scalar(select(User).where(User.email == email)) is None:
                create_user(SYSTEM, email=email, name=role, role=role, password=PASSWORD)
        started = db.session.scalar(
            select(Claim.need_id)
            .join(Need, Need.id == Claim.need_id)
            .where(
                Claim.partner_id == partner,
                Claim.status == "active",
                Need.status == "in_progress",
            )
            .limit(1)
        )
        if started is None:
            actor = actor_for(member)
            found = suggest_needs_for_partner(actor, partner, limit=1)
            started = found[0]["need_id"] if found else None
            if started is None:
                raise SystemExit("the bench partner has no task near it to claim")
            claim_need(actor, started)
            start_need(actor, started)
        briefing = (
            db.session.scalar(select(func.max(Briefing.id)).where(Briefing.partner_id == partner))
            or generate_partner_briefing(SYSTEM, partner).id
        )
        report = db.session.scalar(select(func.max(Need.id)).where(Need.source == "resident"))
        if report is None:
            lat, lon = db.session.execute(
                select(Need.latitude, Need.longitude).where(Need.id == started)
            ).one()
            report = submit_report(
                SYSTEM,
                {
                    "capability": "litter_cleanup",
                    "latitude": lat,
                    "longitude": lon,
                    "description": "Bags of rubbish by the kerb.",
                },
            ).need.id
        ids = {
            "need": db.session.scalar(select(func.min(Need.id)).where(Need.status == "open")),
            "claimed": started,
            "partner": partner,
            "plan": db.session.scalar(select(func.max(Plan.id))),
            "briefing": briefing,
            "report": report,
        }
        db.session.commit()
    people = {"coordinator": COORDINATOR, "partner": MEMBER, **STAFF, "signed out": ""}
    return ids, people


def time_pages(app, samples: int, roles: list[str], only: set[str]) -> list[list[str]]:
    """Each page of each role: one untimed visit, then `samples` timed ones."""
    from tests.browser import Browser, sign_in
    from tests.pages import PAGES

    ids, people = prepare(app)
    rows = []
    for role in roles:
        client = app.test_client()
        browser = sign_in(client, people[role], PASSWORD) if people[role] else Browser(client)
        for template in PAGES[role]:
            if only and template not in only:
                continue
            path = template.format(**ids)
            times = []
            for i in range(samples + 1):
                started = time.perf_counter()
                response = browser.client.get(path, follow_redirects=True)
                took = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{role} {path}: {response.status_code}")
                if i:
                    times.append(took)
            p50, p95 = percentiles(times)
            over = "**over 1 s**" if p95 > LIMIT_MS else ""
            rows.append([role, template, f"{p50:.0f}", f"{p95:.0f}", over])
            print(
                f"  {role:12s} {template:34s} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms {over}",
                flush=True,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--roles", default="coordinator,partner,outreach,viewer,signed out")
    parser.add_argument("--only", default="", help="page templates to time, comma-separated")
    args = parser.parse_args()

    from commonground.app import create_app

    logging.disable(logging.WARNING)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": False,
        }
    )
    print(f"load average {_load()}", flush=True)
    only = {t for t in args.only.split(",") if t}
    rows = time_pages(app, args.samples, args.roles.split(","), only)
    print(markdown_table(["role", "page", "p50 ms", "p95 ms", ""], rows))
    print(f"load average {_load()}", flush=True)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
