"""Running queued jobs in a test: what a worker does, step by step, in this process.

`run_queued_jobs(app)` takes every message off the app's real Huey queue (the SQLite file of
the test run, or Redis) and executes it through Huey, which calls the `run-job` task in an
application context of its own, as a worker thread does. No worker process is needed for
tests of pages and the API that start jobs; tests of the worker itself start real ones.
"""

from __future__ import annotations

import re

from flask import Flask, current_app

from commonground.extensions import db


def run_queued_jobs(app: Flask, *, limit: int = 100) -> int:
    """Execute the queued job messages (at most `limit`); returns how many ran."""
    huey = app.extensions["jobs"].huey
    db.session.commit()  # a test's open read must not hold SQLite's lock against the job
    ran = 0
    while ran < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)  # logs a failure and schedules Huey's retry, as a worker does
        ran += 1
    db.session.expire_all()
    return ran


def empty_queue(app: Flask) -> None:
    """Forget every message left on the queue (a test starts with none)."""
    app.extensions["jobs"].huey.flush()


def finish_job(browser, response) -> str:
    """After a page's button started a job (303 to its page): run the queued jobs as a worker
    would, check the job's page says it succeeded, and return the path of what it produced
    (the page its result links to, e.g. the plan)."""
    location = response.headers["Location"]
    assert response.status_code == 303 and "/jobs/" in location, (response.status_code, location)
    run_queued_jobs(current_app)
    page = browser.text(location)
    assert 'data-status="succeeded"' in page, page[page.find("job-status") :][:800]
    return re.search(r'class="job-result" href="([^"]+)"', page).group(1)


def finish_api_job(client, response) -> dict:
    """After an API call started a job (202, its URL in Location): run the queued jobs as a
    worker would and return the job as `GET` then shows it, checked to have succeeded."""
    assert response.status_code == 202, (response.status_code, response.json)
    location = response.headers["Location"]
    assert response.json["url"] == location and response.json["status"] == "queued"
    run_queued_jobs(current_app)
    job = client.get(location).json
    assert job["status"] == "succeeded", job
    return job


def run_plan(client, body: dict | None = None) -> dict:
    """Run a city plan through the API as a job, then read the plan it made and its
    assignments page by page into `assignments`."""
    job = finish_api_job(client, client.post("/api/v1/plans", json=body or {}))
    plan = client.get(job["result_url"]).json
    return {**plan, "assignments": all_assignments(client, plan)}


def all_assignments(client, plan: dict, page_size: int = 2) -> list[dict]:
    """Every assignment of a plan through its paged sub-resource (small pages on purpose)."""
    found, page = [], 1
    while True:
        answer = client.get(f"{plan['assignments_url']}?page={page}&page_size={page_size}")
        assert answer.status_code == 200
        found += answer.json
        if len(answer.json) < page_size:
            return found
        page += 1
