"""Plans: run the city plan, review its assignments grouped by partner, offer tasks to partners.

The plan itself belongs to the matching engine (`planning.services`); each page calls one of
its use cases. Running a plan is a job (`jobs.work.city_plan`): the button starts it and shows
its page; the plans page shows the latest plan job while it runs.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from jobs.services import latest_job, start_job
from planning.services import offer_assignments, plan_by_partner, recent_plans
from web.access import current_actor, login_required
from web.actions import run_action
from web.jobs import REFRESH_SECONDS, job_view

bp = Blueprint("plan_pages", __name__, url_prefix="/plans")

PLAN = "<id:plan_id>"


@bp.get("/")
@login_required
def index():
    """Recent plans, and the button to run a new one."""
    actor = current_actor()
    plans = recent_plans(actor)
    latest = latest_job(actor, "city_plan")
    job = job_view(latest) if latest is not None else None
    return render_template(
        "plans/index.html",
        plans=plans,
        can=actor.can,
        job=job,
        refresh=REFRESH_SECONDS if job and job["active"] else None,
    )


@bp.post("/run")
@login_required
def run():
    """Start the city plan for every open need as a job, and show its progress."""
    return run_action(
        lambda: start_job(current_actor(), "city_plan").id,
        done="The city plan is being computed; this page shows how far it got.",
        back=lambda job_id: url_for("job_pages.show", job_id=job_id),
        refusals=(),
        status=303,
    )


@bp.get(f"/{PLAN}")
@login_required
def show(plan_id: int):
    """A plan's assignments grouped by partner, with their reasons."""
    actor = current_actor()
    return render_template("plans/show.html", plan=plan_by_partner(actor, plan_id), can=actor.can)


@bp.post(f"/{PLAN}/offer")
@login_required
def offer_tasks(plan_id: int):
    """Offer the chosen planned tasks to their partners."""
    ids = [int(v) for v in request.form.getlist("assignment") if v.isdigit() and len(v) < 10]
    return run_action(
        lambda: offer_assignments(current_actor(), plan_id, ids),
        done=lambda offered: f"Offered {offered} task{'' if offered == 1 else 's'}.",
        back=url_for("plan_pages.show", plan_id=plan_id),
        refusals=(),
    )
