"""Job use cases: start a job (a record, then a message on the queue), read jobs as their
viewers may, run a job record in a worker under a lease, run a periodic routine, and put jobs
that lost their worker back in the queue.

Who may start a kind of job: whoever holds the kind's permission (`jobs.kinds`). Who may see a
job: the person who started it, anyone who may start that kind, and holders of `job.read_all`
(routine runs included).

Exactly once: a worker takes a job only by a conditional UPDATE from `queued` to `running`
that sets its lease, so a message delivered twice runs the work once; a heartbeat renews the
lease while the work goes on, and every write of the run (progress, saved results, the
outcome) is conditional on holding the lease. A worker killed mid-job stops renewing; when the
lease has run out `requeue_orphans` queues the job again and the next run skips what the dead
one had saved (docs/job-queue.md).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from accounts.actor import SYSTEM, Actor
from accounts.models import User
from accounts.services import actor_for
from commonground.db_types import utcnow
from commonground.errors import DomainError, NotFoundError, PermissionDeniedError
from commonground.extensions import db
from commonground.transaction import in_unit_of_work, unit_of_work
from jobs.kinds import KINDS, JobKind, JobOutcome
from jobs.models import Job
from jobs.periodic import ROUTINES
from jobs.queue import enqueue_run

log = logging.getLogger("commonground.jobs")

ROUTINE_KIND = "routine"
"""The kind of the records periodic routines leave."""

ACTIVE = ("queued", "running")
PROGRESS_EVERY_S = 0.5
"""Progress is written at most this often (and always at the end)."""

STALE_QUEUED = timedelta(minutes=10)
"""A job still queued this long after it was put on the queue is put on it again (a message
lost with a storage that was emptied); a second message is harmless, the claim is conditional."""


class JobLostError(Exception):
    """This worker no longer holds the job's lease: another run owns it now."""


def _kind(name: str) -> JobKind:
    kind = KINDS.get(name)
    if kind is None:
        raise NotFoundError(f"No such kind of job: {name}.")
    return kind


def _now() -> datetime:
    return current_app.config["CLOCK"]()


def start_job(
    actor: Actor, kind: str, params: dict[str, Any] | None = None, *, label: str = ""
) -> Job:
    """Record a job of `kind` started by `actor` and put it on the queue; a worker runs it."""
    job_kind = _kind(kind)
    actor.require(job_kind.permission)
    if in_unit_of_work():
        raise RuntimeError("start_job commits its record before queueing it: call it outside")
    now = _now()
    job = Job(
        kind=kind,
        label=label or job_kind.title,
        params=params or {},
        status="queued",
        started_by_id=actor.user_id,
        started_by_label=actor.label,
        created_at=now,
        heartbeat_at=now,
    )
    with unit_of_work():
        db.session.add(job)
    enqueue_run(job.id)
    return job


def may_see(actor: Actor, job: Job) -> bool:
    """Whether `actor` may see `job` (see the module doc)."""
    if actor.can("job.read_all"):
        return True
    if actor.user_id is not None and job.started_by_id == actor.user_id:
        return True
    kind = KINDS.get(job.kind)
    return kind is not None and actor.can(kind.permission)


def get_job(actor: Actor, job_id: int) -> Job:
    """One job, if `actor` may see it."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFoundError("No such job.")
    if not may_see(actor, job):
        raise PermissionDeniedError("You may not see this job.")
    return job


def _visible(actor: Actor):
    """The condition selecting the jobs `actor` may see."""
    if actor.can("job.read_all"):
        return None
    kinds = [k.name for k in KINDS.values() if actor.can(k.permission)]
    mine = Job.started_by_id == actor.user_id if actor.user_id is not None else None
    conditions = [c for c in (Job.kind.in_(kinds) if kinds else None, mine) if c is not None]
    return or_(*conditions) if conditions else Job.id.is_(None)


def list_jobs(
    actor: Actor, *, kind: str | None = None, active: bool = False, limit: int = 25
) -> list[Job]:
    """The newest jobs `actor` may see, of one kind if given, only queued/running if `active`."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    condition = _visible(actor)
    if condition is not None:
        query = query.where(condition)
    if kind:
        query = query.where(Job.kind == kind)
    if active:
        query = query.where(Job.status.in_(ACTIVE))
    return list(db.session.scalars(query))


def latest_job(actor: Actor, kind: str) -> Job | None:
    """The newest job of `kind` that `actor` may see (a page shows it when you come back)."""
    jobs = list_jobs(actor, kind=kind, limit=1)
    return jobs[0] if jobs else None


def present_job(job: Job) -> dict[str, Any]:
    """A job as plain data for pages and the API (links are the delivery layer's)."""
    total = job.progress_total
    percent = None
    if total:
        percent = min(100, round(100 * job.progress_done / total))
    elif job.status == "succeeded":
        percent = 100
    kind = KINDS.get(job.kind)
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_title": kind.title if kind else job.kind,
        "label": job.label,
        "status": job.status,
        "active": job.status in ACTIVE,
        "done": job.progress_done,
        "total": total,
        "percent": percent,
        "message": job.message,
        "result": job.result or {},
        "result_ref": job.result_ref,
        "started_by": job.started_by_label,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


# --- a run in a worker ---------------------------------------------------------------------


class _Run:
    """The handle a job kind's function gets: progress and saved results, under the lease."""

    def __init__(self, job: Job, token: str, lease: timedelta) -> None:
        self.job_id = job.id
        self.params = dict(job.params or {})
        self.saved = dict(job.result or {})
        self._token = token
        self._lease = lease
        self._last_progress = 0.0

    def _write(self, **values: Any) -> None:
        """Write to the job record while holding its lease, and renew the lease with it (a job
        that makes progress needs no heartbeat: on SQLite the heartbeat's own connection may
        wait behind the job's transactions)."""
        now = utcnow()
        values.update(heartbeat_at=now, lease_expires_at=now + self._lease)
        with unit_of_work():
            changed = db.session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.lease_token == self._token)
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
        if not changed:
            raise JobLostError(f"job {self.job_id} is no longer held by this worker")

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        finished = total is not None and done >= total
        if not finished and time.monotonic() - self._last_progress < PROGRESS_EVERY_S:
            return
        self._last_progress = time.monotonic()
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        if message is not None:
            values["message"] = message
        self._write(**values)

    def save(self, **items: Any) -> None:
        self.saved.update(items)
        self._write(result=dict(self.saved))


class _Heartbeat:
    """Renews a running job's lease from a thread of its own, on its own connection."""

    def __init__(self, app: Flask, job_id: int, token: str, lease: timedelta) -> None:
        self._app, self._job_id, self._token, self._lease = app, job_id, token, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat")

    def __enter__(self) -> _Heartbeat:
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        with self._app.app_context():
            while not self._stop.wait(self._lease.total_seconds() / 3):
                now = utcnow()
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(Job)
                            .where(Job.id == self._job_id, Job.lease_token == self._token)
                            .values(heartbeat_at=now, lease_expires_at=now + self._lease)
                        )
                except Exception:  # the next beat tries again; the lease has slack for it
                    log.warning("Heartbeat of job %s failed", self._job_id, exc_info=True)


def _actor_of(job: Job) -> Actor:
    """Whom the job runs as: the person who started it, with their role as it is now."""
    if job.started_by_id is None:
        return SYSTEM
    user = db.session.get(User, job.started_by_id)
    if user is None or not user.is_active:
        raise PermissionDeniedError("The account that started this job is no longer active.")
    return actor_for(user)


def _claim(job_id: int, token: str, lease: timedelta) -> bool:
    now = utcnow()
    with unit_of_work():
        return bool(
            db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(
                    status="running",
                    lease_token=token,
                    lease_expires_at=now + lease,
                    heartbeat_at=now,
                    started_at=now,
                    attempts=Job.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
        )


def _finish(job_id: int, token: str, status: str, **values: Any) -> None:
    with unit_of_work():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_token == token)
            .values(
                status=status,
                lease_token=None,
                lease_expires_at=None,
                finished_at=utcnow() if status in ("succeeded", "failed") else None,
                **values,
            )
            .execution_options(synchronize_session=False)
        )


def run_job(job_id: int, *, retries_left: int = 0) -> None:
    """Run job record `job_id` in this worker, if it is still queued (the Huey task's body).

    A refusal (a domain error: no permission, bad input) fails the job at once; any other
    error queues it again while Huey has retries left (and is raised for Huey to schedule the
    retry with its backoff), else fails it.
    """
    lease = timedelta(seconds=current_app.config["JOBS_LEASE_SECONDS"])
    token = secrets.token_hex(16)
    if not _claim(job_id, token, lease):
        log.info("Job %s is not queued (taken or finished already): nothing to do", job_id)
        return
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _Heartbeat(app, job_id, token, lease):
        try:
            kind = _kind(job.kind)
            outcome: JobOutcome = kind.run(_actor_of(job), _Run(job, token, lease))
        except JobLostError:
            log.warning("Job %s was taken over by another run; this one stops", job_id)
            db.session.close()  # drop what the failed run left unwritten
            return
        except DomainError as exc:
            db.session.close()  # drop what the failed run left unwritten
            _finish(job_id, token, "failed", message=exc.message)
            return
        except Exception as exc:
            db.session.close()  # drop what the failed run left unwritten
            log.exception("Job %s failed", job_id)
            if retries_left > 0:
                _finish(job_id, token, "queued", message=f"Failed ({exc}); will try again.")
                raise
            _finish(job_id, token, "failed", message=f"Failed: {type(exc).__name__}: {exc}")
            return
    values: dict[str, Any] = {"message": outcome.message, "result_ref": outcome.result_ref}
    if outcome.result:
        values["result"] = {**(job.result or {}), **outcome.result}
    total = db.session.scalar(select(Job.progress_total).where(Job.id == job_id))
    if total:
        values["progress_done"] = total
    _finish(job_id, token, "succeeded", **values)


def requeue_orphans(now: datetime | None = None) -> int:
    """Queue again the running jobs whose lease ran out (their worker died), or fail those
    that already had JOBS_MAX_ATTEMPTS runs; and put queued jobs whose message was lost back on
    the queue. One unit of work, then the messages. Returns how many jobs were queued again."""
    now = now or utcnow()
    max_attempts = current_app.config["JOBS_MAX_ATTEMPTS"]
    again: list[int] = []
    with unit_of_work():
        orphans = db.session.execute(
            select(Job.id, Job.attempts).where(Job.status == "running", Job.lease_expires_at < now)
        ).all()
        for job_id, attempts in orphans:
            gave_up = attempts >= max_attempts
            changed = db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running", Job.lease_expires_at < now)
                .values(
                    status="failed" if gave_up else "queued",
                    lease_token=None,
                    lease_expires_at=None,
                    heartbeat_at=now,
                    finished_at=now if gave_up else None,
                    message=(
                        f"Its worker stopped {attempts} times; given up."
                        if gave_up
                        else "Its worker stopped; queued again."
                    ),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed and not gave_up:
                again.append(job_id)
        lost = list(
            db.session.scalars(
                select(Job.id).where(Job.status == "queued", Job.heartbeat_at < now - STALE_QUEUED)
            )
        )
        if lost:
            db.session.execute(
                update(Job)
                .where(Job.id.in_(lost))
                .values(heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
        again += lost
    for job_id in again:
        enqueue_run(job_id)
    if again:
        log.warning("Queued again %s job(s) that lost their worker or message", len(again))
    return len(again)


def run_routine(name: str, now: datetime | None = None) -> str | None:
    """Run one periodic routine now; its outcome is recorded unless it is declared unrecorded."""
    routine = ROUTINES[name]
    now = now or utcnow()
    if not routine.record:
        return routine.run(now)
    job = Job(
        kind=ROUTINE_KIND,
        label=name,
        status="running",
        started_by_label=SYSTEM.label,
        attempts=1,
        created_at=now,
        started_at=now,
        heartbeat_at=now,
    )
    with unit_of_work():
        db.session.add(job)
    job_id = job.id
    try:
        message = routine.run(now) or "Done."
    except Exception as exc:
        db.session.close()  # drop what the failed run left unwritten
        log.exception("Routine %s failed", name)
        status, message = "failed", f"Failed: {type(exc).__name__}: {exc}"
    else:
        status = "succeeded"
    with unit_of_work():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=status, message=message[:2000], finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return message
