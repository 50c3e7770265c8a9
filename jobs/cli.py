"""Job commands: `flask worker` runs a worker (jobs and, unless told not to, the periodic
routines); `flask schedule` lists the routines and their next run; `flask jobs` lists the
latest job records."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from commonground.db_types import utcnow


@click.command("worker")
@with_appcontext
@click.option("--workers", type=int, default=None, help="Worker threads (default JOBS_WORKERS, 1).")
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not run the schedule (run it in exactly one worker process).",
)
def worker(workers: int | None, no_periodic: bool) -> None:
    """Run a worker: take jobs off the queue until stopped (Ctrl-C waits for running jobs)."""
    from jobs.queue import current_huey, storage_description

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    count = workers or current_app.config["JOBS_WORKERS"]
    click.echo(
        f"Worker: {count} thread(s) on {storage_description()}; "
        f"schedule {'off' if no_periodic else 'on'}."
    )
    consumer = current_huey().create_consumer(
        workers=count,
        worker_type="thread",
        periodic=not no_periodic,
        initial_delay=0.1,
        backoff=1.15,
        max_delay=2.0,
    )
    consumer.run()


@click.command("schedule")
@with_appcontext
def schedule() -> None:
    """List the periodic routines, when each runs and its next run."""
    from jobs.periodic import next_run
    from jobs.schedule import ROUTINES

    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    now = utcnow()
    click.echo(f"{'routine':22} {'when':22} {'next run (' + zone.key + ')':34} what")
    for routine in ROUTINES.values():
        if routine.enabled(current_app.config):
            upcoming = next_run(routine.when, now, zone).astimezone(zone)
            nxt = upcoming.strftime("%Y-%m-%d %H:%M %Z")
        else:
            nxt = "off (see its setting)"
        click.echo(f"{routine.name:22} {routine.when.describe():22} {nxt:34} {routine.description}")


@click.command("jobs")
@with_appcontext
@click.option("--limit", default=10, show_default=True)
def jobs(limit: int) -> None:
    """List the latest job records: status, progress and message."""
    from accounts.actor import SYSTEM
    from jobs.services import list_jobs, present_job

    for job in map(present_job, list_jobs(SYSTEM, limit=limit)):
        progress = f"{job['done']}/{job['total']}" if job["total"] else ""
        click.echo(
            f"#{job['id']:<5} {job['kind']:16} {job['status']:10} {progress:10} "
            f"{job['label']}: {job['message']}"
        )


JOB_COMMANDS = [worker, schedule, jobs]
