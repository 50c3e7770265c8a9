"""A coordinator runs the city plan and a briefing batch in a real browser: each becomes a job
whose page shows where it stands, the plans page shows the job again after the tab was closed,
and the pages update themselves (a meta refresh, no script) until the worker has finished."""

from __future__ import annotations

import re

from commonground.extensions import db


def test_a_plan_and_a_briefing_batch_show_their_progress_until_a_worker_finishes_them(
    make, visitor, worker
):
    for name in ("Alpha Crew", "Beta Crew", "Gamma Crew"):
        make.partner(name=name)
    for _ in range(3):
        make.need()
    coordinator = make.user("coordinator")
    db.session.commit()
    tab = visitor()
    tab.sign_in(coordinator.user.email)
    page = tab.page

    tab.go("/plans/")
    page.get_by_role("button", name="Run the city plan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_url = page.url
    state = page.locator(".job-state")
    assert state.get_attribute("data-status") == "queued"
    assert page.locator("progress").count() == 1
    tab.screenshot("city-plan-job-queued")

    other = visitor()  # the first tab closed; the coordinator comes back later
    other.sign_in(coordinator.user.email)
    other.go("/plans/")
    assert "City plan (job #" in other.page.locator(".job-status").inner_text()

    worker.start()
    # The job's page reloads itself every REFRESH_SECONDS while the job is active: it shows the
    # result without anyone navigating (a goto raced that reload and was aborted under load).
    assert page.url == job_url
    page.wait_for_selector('.job-state[data-status="succeeded"]', timeout=30000)
    tab.screenshot("city-plan-job-done")
    assert "(100%)" in page.locator(".job-state").inner_text()
    page.locator("a.job-result").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert "Proven best plan" in page.content()

    tab.go("/briefings/batch")
    page.get_by_role("button", name="Generate 3 briefings").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.wait_for_selector('.job-state[data-status="succeeded"]', timeout=30000)
    assert "3 of 3" in page.locator(".job-state").inner_text()
    assert page.locator("progress").get_attribute("value") == "3"
    assert "Generated 3 of 3 briefing(s); 0 failed." in page.locator(".job-message").inner_text()
    tab.screenshot("briefing-batch-job-done")
    tab.go("/briefings/batch")
    assert "Generated 3 of 3" in page.content()
    assert tab.unexpected_errors() == [] and other.unexpected_errors() == []
