"""What runs when: the city's periodic routines, declared with `jobs.periodic.routine`.

| routine | when (city time) | what |
|---|---|---|
| requeue-orphans | every minute | jobs whose worker died go back on the queue |
| geocode-pending | every hour | locate needs still waiting for the geocoder |
| release-stale-claims | daily 03:00 | release claims not started or completed in time |
| pull-open311-peers | daily 04:00 | import the last 3 days from each of OPEN311_PEERS |
| nightly-city-plan | daily 02:00 | a city plan for coordinators to review (JOBS_NIGHTLY_PLAN) |
| deliver-mail | every minute | send the due outbox messages over SMTP (when SMTP_HOST is set) |
| daily-notices | daily 07:00 | release warnings, partners' weekly and coordinators' daily digests |

A routine is a function of `now` returning the message its run records; declare another one
in this module the same way.

The worker that runs the schedule (`flask worker`, without `--no-periodic`) reads this module
when it starts; `flask schedule` lists it with each routine's next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import current_app

from accounts.actor import SYSTEM
from jobs.periodic import ROUTINES, daily, every, routine

__all__ = ["ROUTINES"]


@routine("requeue-orphans", every(1), record=False)
def requeue_orphans(now: datetime) -> str:
    """Queue again the jobs whose worker died (their lease ran out)."""
    from jobs.services import requeue_orphans as requeue

    return f"{requeue(now)} job(s) queued again."


@routine("geocode-pending", every(60))
def geocode_pending(now: datetime) -> str:
    """Locate needs still waiting for the geocoder."""
    from intake.services import geocode_pending as geocode

    return geocode(SYSTEM, now=now).line()


@routine("release-stale-claims", daily("03:00"))
def release_stale_claims(now: datetime) -> str:
    """Release claims not started or not completed in time."""
    from needs.services import release_stale_claims as release

    return f"Released {len(release(SYSTEM, now=now))} stale claim(s)."


def _has_peers(config: Mapping) -> bool:
    return bool(config.get("OPEN311_PEERS"))


@routine("pull-open311-peers", daily("04:00"), enabled=_has_peers)
def pull_open311_peers(now: datetime) -> str:
    """Import the last three days of requests from each of OPEN311_PEERS."""
    from open311.peers import pull_from_peer

    lines = []
    for url in current_app.config["OPEN311_PEERS"]:
        pulled = pull_from_peer(
            SYSTEM,
            url,
            start=now - timedelta(days=3),
            end=now,
            timezone=current_app.config["CITY_TIMEZONE"],
        )
        summary = pulled.report.summary()
        lines.append(
            f"{url}: {pulled.requests} requests, {summary['created']} new, "
            f"{summary['updated']} updated"
        )
    return "; ".join(lines)


def _nightly_plan_on(config: Mapping) -> bool:
    return bool(config.get("JOBS_NIGHTLY_PLAN"))


@routine("nightly-city-plan", daily("02:00"), enabled=_nightly_plan_on)
def nightly_city_plan(_now: datetime) -> str:
    """Start a city plan for coordinators to review in the morning."""
    from jobs.services import start_job

    job = start_job(SYSTEM, "city_plan", label="Nightly city plan")
    return f"City plan started as job #{job.id}."


@routine("deliver-mail", every(1), record=False)
def deliver_mail(now: datetime) -> str:
    """Send the emails due in the outbox (retries wait for their time)."""
    from notifications.delivery import deliver_due_emails

    return f"{deliver_due_emails(now)} email(s) sent."


@routine("daily-notices", daily("07:00"))
def daily_notices(now: datetime) -> str:
    """Queue the clock-driven notices: release warnings and the digests, once per period."""
    from notifications.routines import send_scheduled_notices

    queued = send_scheduled_notices(now)
    return "Queued " + ", ".join(f"{count} {kind}" for kind, count in queued.items()) + "."
