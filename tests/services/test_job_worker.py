"""A worker killed mid-job: the job is retried by the next worker and its work is done exactly
once. Real worker processes (`flask worker`) on the queue's real storage — Redis (db 1) and
the SQLite file — one killed with SIGKILL halfway through a briefing batch."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from briefings.models import Briefing
from commonground.app import create_app
from commonground.extensions import db
from jobs.models import Job
from jobs.services import requeue_orphans, start_job

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/1"
LEASE_SECONDS = 2.0
PARTNERS = 16


def _redis_is_running() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _storage(kind: str, tmp_path: Path) -> dict[str, str]:
    if kind == "redis":
        if not _redis_is_running():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        return {"JOBS_REDIS_URL": REDIS_URL, "JOBS_NAME": f"cg-test-{uuid.uuid4().hex[:8]}"}
    return {"JOBS_REDIS_URL": "", "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}


@pytest.fixture(params=["redis", "sqlite"])
def queue_settings(request, app: Flask, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The settings of a queue of its own, shared by this test and its worker processes."""
    settings = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key-not-for-production",
        "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        **_storage(request.param, tmp_path),
    }
    yield settings


@pytest.fixture
def queued_app(queue_settings: dict[str, str], make) -> Iterator[Flask]:
    """An app on that queue and the suite's database (the test's data is already there)."""
    overrides = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": queue_settings["DATABASE_URL"],
        "SECRET_KEY": queue_settings["SECRET_KEY"],
        "JOBS_LEASE_SECONDS": LEASE_SECONDS,
        "JOBS_REDIS_URL": queue_settings["JOBS_REDIS_URL"],
    }
    for key in ("JOBS_NAME", "JOBS_SQLITE_PATH"):
        if key in queue_settings:
            overrides[key] = queue_settings[key]
    other = create_app(overrides)
    yield other
    other.extensions["jobs"].huey.flush()


def _worker(settings: dict[str, str]) -> subprocess.Popen:
    """`flask worker` in a process of its own, without the schedule (the test requeues)."""
    env = {**os.environ, **settings, "FLASK_APP": "wsgi.py"}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", "--workers", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _peek(app: Flask, job_id: int) -> tuple[str, int]:
    """The job's status and how many briefings it has saved, read without taking SQLite's write
    lock (the app's connections begin IMMEDIATE: a poll would queue behind the worker)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as connection:
            status, result = connection.execute(
                "SELECT status, result FROM job WHERE id = ?", (job_id,)
            ).fetchone()
        return status, len(json.loads(result).get("generated", {}))
    job = _job(app, job_id)
    return job.status, len(job.result.get("generated", {}))


def _wait(app: Flask, job_id: int, ready, timeout: float = 90.0) -> tuple[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = _peek(app, job_id)
        if ready(*seen):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never got there: {seen}")


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stderr.read().decode(errors="replace") if process.stderr else ""


def test_a_worker_killed_mid_job_leaves_it_to_the_next_worker_which_finishes_it_once(
    make, queue_settings, queued_app
):
    for i in range(PARTNERS):
        make.partner(name=f"Crew {i:02d}")
    coordinator = make.user("coordinator")
    db.session.commit()
    with queued_app.app_context():
        job_id = start_job(coordinator.actor, "briefing_batch", label="Kill test").id

    first = _worker(queue_settings)
    try:
        _wait(queued_app, job_id, lambda _status, made: made >= 2)
        os.killpg(first.pid, signal.SIGKILL)  # no goodbye: mid-job, lease held
        first.wait(timeout=10)
    finally:
        _stop(first)
    status, made_before = _peek(queued_app, job_id)
    assert status == "running" and 2 <= made_before < PARTNERS

    time.sleep(LEASE_SECONDS + 0.5)  # nobody renews the lease: it runs out
    with queued_app.app_context():
        assert _job(queued_app, job_id).status == "running"
        assert requeue_orphans() == 1
        assert _job(queued_app, job_id).status == "queued"

    second = _worker(queue_settings)
    try:
        _wait(queued_app, job_id, lambda status, _made: status in ("succeeded", "failed"))
    finally:
        log = _stop(second)
    done = _job(queued_app, job_id)
    assert done.status == "succeeded", (done.message, log[-2000:])
    assert done.attempts == 2
    assert done.message == f"Generated {PARTNERS} of {PARTNERS} briefing(s); 0 failed."
    with queued_app.app_context():
        per_partner = db.session.execute(
            select(Briefing.partner_id, func.count()).group_by(Briefing.partner_id)
        ).all()
    assert len(per_partner) == PARTNERS and {count for _, count in per_partner} == {1}
    assert sorted(int(k) for k in done.result["generated"]) == sorted(p for p, _ in per_partner)
