"""Job records and the queue, through the services and the API: a message delivered twice runs
the work once, a failure is retried with a growing delay and then recorded, people see only
the jobs they may, routines leave a record, and `flask schedule` says what runs when.
Jobs run through Huey in this process (`tests.jobs.run_queued_jobs`), on the real SQLite queue."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from commonground.db_types import utcnow
from commonground.extensions import db
from jobs.models import Job
from jobs.queue import enqueue_run
from jobs.services import run_routine, start_job
from needs.services import claim_need
from planning.models import Plan
from tests.jobs import run_queued_jobs


def _huey():
    return current_app.extensions["jobs"].huey


def test_a_job_whose_message_is_delivered_twice_runs_once(make):
    make.partner()
    make.need()
    job = start_job(make.user("coordinator").actor, "city_plan")
    enqueue_run(job.id)  # the same job on the queue twice (e.g. requeued while it waited)
    assert run_queued_jobs(current_app) == 2
    stored = db.session.get(Job, job.id)
    assert stored.status == "succeeded" and stored.attempts == 1
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
    assert stored.result_ref == f"plan/{stored.result['plan_id']}"


def test_a_failing_job_is_retried_with_a_growing_delay_and_then_recorded_as_failed(make):
    job = start_job(make.user("coordinator").actor, "import_file", {})  # no file: it breaks
    run_queued_jobs(current_app)
    record = db.session.get(Job, job.id)
    assert record.status == "queued" and record.attempts == 1
    assert "will try again" in record.message
    db.session.commit()  # end this read: SQLite's lock must be free for the retries
    delays = []
    failed_at = utcnow().replace(tzinfo=None)
    for _ in range(2):
        (retry,) = _huey().read_schedule(failed_at + timedelta(days=1))
        delays.append(round((retry.eta - failed_at).total_seconds()))
        failed_at = utcnow().replace(tzinfo=None)
        _huey().execute(retry, timestamp=retry.eta)  # the retry, run when it is due
    first = current_app.config["JOBS_RETRY_DELAY_SECONDS"]
    assert abs(delays[0] - first) <= 1 and abs(delays[1] - 2 * first) <= 1
    db.session.expire_all()
    record = db.session.get(Job, job.id)
    assert record.status == "failed" and record.attempts == 3
    assert record.message.startswith("Failed: KeyError") and record.finished_at is not None
    assert _huey().scheduled_count() == 0


def test_a_refused_job_fails_at_once_with_the_reason(make):
    coordinator = make.user("coordinator")
    job = start_job(coordinator.actor, "import_file", {"path": "/nonexistent/file.csv"})
    run_queued_jobs(current_app)
    record = db.session.get(Job, job.id)
    assert record.status == "failed" and record.attempts == 1 and record.message
    assert _huey().scheduled_count() == 0


def test_people_see_their_jobs_and_the_kinds_they_may_start_and_no_others(make, api):
    coordinator, colleague = make.user("coordinator"), make.user("coordinator")
    outreach, viewer = make.user("outreach"), make.user("viewer")
    plan = api(coordinator.token).post("/api/v1/plans", json={}).json
    batch = api(outreach.token).post("/api/v1/briefings/batch", json={}).json
    assert api(colleague.token).get(plan["url"]).status_code == 200
    assert api(outreach.token).get(plan["url"]).status_code == 403  # outreach may not plan
    assert api(outreach.token).get(batch["url"]).status_code == 200
    assert api(coordinator.token).get(batch["url"]).status_code == 200
    assert api(viewer.token).get(batch["url"]).status_code == 403
    assert api(viewer.token).get("/api/v1/jobs/").json == []
    seen = [j["id"] for j in api(outreach.token).get("/api/v1/jobs/").json]
    assert seen == [batch["id"]]
    active = api(coordinator.token).get("/api/v1/jobs/?active=true&kind=city_plan").json
    assert [j["id"] for j in active] == [plan["id"]]


def test_geocoding_what_is_pending_is_started_through_the_api(make, api):
    coordinator = api(make.user("coordinator").token)
    started = coordinator.post("/api/v1/jobs/", json={"kind": "geocode_pending"})
    assert started.status_code == 202
    run_queued_jobs(current_app)
    job = coordinator.get(started.headers["Location"]).json
    assert job["status"] == "succeeded" and job["message"].startswith("geocode-pending: 0 needs")
    refused = coordinator.post("/api/v1/jobs/", json={"kind": "import_file"})
    assert refused.status_code == 422  # an import is started by uploading its file


def test_a_routine_run_is_recorded_and_shown_on_the_jobs_page(make, browser):
    member = make.user("partner", partner=make.partner())
    claim_need(member.actor, make.need(title="Forgotten").id, now=utcnow() - timedelta(days=20))
    assert run_routine("release-stale-claims") == "Released 1 stale claim(s)."
    record = db.session.scalar(select(Job).where(Job.kind == "routine"))
    assert (record.label, record.status) == ("release-stale-claims", "succeeded")
    page = browser(make.user("coordinator")).text("/jobs/")
    assert "release-stale-claims" in page and "Released 1 stale claim(s)." in page
    assert "release-stale-claims" not in browser(make.user("outreach")).text("/jobs/")


def test_flask_schedule_lists_each_routine_with_its_next_run(app):
    output = app.test_cli_runner().invoke(args=["schedule"]).output
    lines = {line.split()[0]: line for line in output.splitlines()[1:] if line.strip()}
    assert set(lines) >= {
        "requeue-orphans",
        "geocode-pending",
        "release-stale-claims",
        "pull-open311-peers",
        "nightly-city-plan",
        "deliver-mail",
        "daily-notices",
    }
    assert (
        "daily at 03:00" in lines["release-stale-claims"] and "CST" in lines["release-stale-claims"]
    ) or "CDT" in lines["release-stale-claims"]
    assert "off" in lines["nightly-city-plan"] and "off" in lines["pull-open311-peers"]
    assert "every minute" in lines["requeue-orphans"] and "every minute" in lines["deliver-mail"]
    assert "daily at 07:00" in lines["daily-notices"]
