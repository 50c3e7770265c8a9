"""Job pages: where a long piece of work stands (progress, message, what it produced) and the
latest jobs a person may see. A page of a running job reloads itself every few seconds (a meta
refresh: no JavaScript needed), so closing the tab loses nothing: the job goes on in a worker
and the page shows it again when you come back.

Who may see which job is decided by `jobs.services`. Must not import `api`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from jobs.kinds import parse_result_ref
from jobs.services import get_job, list_jobs, present_job
from web.access import current_actor, login_required

bp = Blueprint("job_pages", __name__, url_prefix="/jobs")

REFRESH_SECONDS = 2
"""How often the page of a running job reloads itself."""


def result_link(ref: str | None) -> dict[str, str] | None:
    """Where a job's result is shown: {"url", "text"}, or None."""
    found = parse_result_ref(ref)
    if found is None:
        return None
    kind, item = found
    if kind == "plan":
        return {"url": url_for("plan_pages.show", plan_id=item), "text": f"Plan #{item}"}
    if kind == "briefings":
        return {"url": url_for("briefing_pages.index"), "text": "The briefings"}
    return {"url": url_for("need_pages.index"), "text": "The needs"}


def job_view(job: Any) -> dict[str, Any]:
    """A job as the templates show it: its data, its page and its result's link."""
    data = present_job(job)
    data["url"] = url_for("job_pages.show", job_id=data["id"])
    data["link"] = result_link(data["result_ref"])
    return data


@bp.get("/")
@login_required
def index():
    """The latest jobs this person may see."""
    jobs = [job_view(job) for job in list_jobs(current_actor(), limit=50)]
    refresh = REFRESH_SECONDS if any(job["active"] for job in jobs) else None
    return render_template("jobs/index.html", jobs=jobs, refresh=refresh)


@bp.get("/<id:job_id>")
@login_required
def show(job_id: int):
    """One job: status, progress, message and result; reloads itself while it runs."""
    job = job_view(get_job(current_actor(), job_id))
    return render_template(
        "jobs/show.html", job=job, refresh=REFRESH_SECONDS if job["active"] else None
    )
