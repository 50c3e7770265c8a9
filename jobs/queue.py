"""The job queue as an unbound extension: `queue = JobQueue()` here, `queue.init_app(app)` in
the app factory, which builds the Huey instance the configuration asks for and registers on it
the one task that runs job records (`run-job`) and one periodic task per enabled routine.

Storage: `JOBS_REDIS_URL` set -> RedisHuey (production; jobs survive a restart in Redis);
otherwise SqliteHuey in the file `JOBS_SQLITE_PATH` (instance/jobs.sqlite3 by default), so
`make demo` needs nothing running and queued jobs survive a restart too.

Huey executes task messages; what a job is, who may see it and how far it got live in the job
record (`jobs.models.Job`), which the task body (`jobs.services.run_job`) claims with a lease.
Must not import web or api.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task, TaskWrapper

log = logging.getLogger("commonground.jobs")

RUN_JOB = "run-job"
"""The Huey task name of a job record's run."""


class JobQueue:
    """The Flask extension holding each app's Huey instance."""

    def init_app(self, app: Flask) -> None:
        """Build the Huey instance from the configuration and register the tasks on it."""
        huey = self._huey(app.config)
        config = app.config

        @huey.task(
            retries=config["JOBS_RETRIES"],
            retry_delay=config["JOBS_RETRY_DELAY_SECONDS"],
            retry_backoff=2,
            context=True,
            name=RUN_JOB,
        )
        def run_job(job_id: int, task: Task) -> None:
            from jobs.services import run_job as run

            with app.app_context():
                run(job_id, retries_left=task.retries)

        app.extensions["jobs"] = BoundQueue(huey, run_job)
        import jobs.work  # noqa: F401 - declares the job kinds
        from jobs.schedule import ROUTINES

        zone = ZoneInfo(config["CITY_TIMEZONE"])
        for routine in ROUTINES.values():
            if not routine.enabled(config):
                continue

            def runs_now(moment: datetime, when=routine.when) -> bool:
                return when.matches(moment.replace(tzinfo=ZoneInfo("UTC")), zone)

            def body(name: str = routine.name) -> None:
                from jobs.services import run_routine

                with app.app_context():
                    run_routine(name)

            huey.periodic_task(runs_now, name=f"routine:{routine.name}")(body)

    @staticmethod
    def _huey(config) -> Huey:
        name = config["JOBS_NAME"]
        if config["JOBS_REDIS_URL"]:
            return RedisHuey(name, url=config["JOBS_REDIS_URL"], results=False)
        path = Path(config["JOBS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)


@dataclass(frozen=True)
class BoundQueue:
    """One app's Huey instance and its `run-job` task."""

    huey: Huey
    run_job: TaskWrapper


def current_huey() -> Huey:
    """The current app's Huey instance."""
    return current_app.extensions["jobs"].huey


def enqueue_run(job_id: int) -> None:
    """Put a run of job record `job_id` on the queue (a worker picks it up)."""
    current_app.extensions["jobs"].run_job(job_id)


def storage_description() -> str:
    """Where the queue keeps its messages, for the worker's first log line."""
    config = current_app.config
    if config["JOBS_REDIS_URL"]:
        return f"Redis ({_without_password(config['JOBS_REDIS_URL'])})"
    return f"SQLite ({config['JOBS_SQLITE_PATH']})"


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + sep + rest


queue = JobQueue()
"""The extension, bound to each app by `create_app`."""
