"""Plans: run the city plan, review its assignments grouped by partner, offer tasks to partners.

The plan itself belongs to the matching engine (`planning.services`); each page calls one of
its use cases. Running a plan is a job (`jobs.work.city_plan`): the button starts it and shows
its page; the plans page shows the latest plan job while it runs.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from jobs.services import latest_job, start_job
from planning.services import (
    GROUPS_PER_PAGE,
    GroupFilters,
    offer_assignments,
    offer_partner_tasks,
    plan_review,
    plan_unassigned,
    recent_plans,
)
from web.access import current_actor, login_required
from web.actions import back_to, run_action
from web.jobs import REFRESH_SECONDS, job_view
from web.needs import capability_choices
from web.paging import page_number

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
    """One page of a plan's tasks grouped by partner, with their reasons; `?open=<partner id>`
    lists all of that partner's tasks, on its page (where the coordinator was when offering)."""
    actor = current_actor()
    capabilities = capability_choices()
    chosen = _group_filters({c["code"] for c in capabilities})
    opened = page_number("open")
    review = plan_review(actor, plan_id, filters=chosen, page=page_number() or 0, opened=opened)
    query = {
        "partner": chosen.partner,
        "capability": chosen.capability,
        "waiting": "1" if chosen.waiting else "",
        "page": review["page"] if review["page"] > 1 else "",
    }
    query = {name: value for name, value in query.items() if value}
    return render_template(
        "plans/show.html",
        plan=review,
        groups=review["groups"],
        chosen=chosen,
        query=query,
        filters_query=urlencode({k: v for k, v in query.items() if k != "page"}),
        page_size=GROUPS_PER_PAGE,
        capabilities=capabilities,
        can=actor.can,
        opened=opened,
    )


@bp.get(f"/{PLAN}/unassigned")
@login_required
def unassigned(plan_id: int):
    """The open needs a plan assigns to nobody: the list behind its "left unassigned" count."""
    return render_template(
        "plans/unassigned.html",
        found=plan_unassigned(current_actor(), plan_id),
        capabilities={c["code"]: c for c in capability_choices()},
    )


def _group_filters(capability_codes: set[str]) -> GroupFilters:
    """The plan page's filters from the query string (unknown values dropped): part of a
    partner's name, a capability, and whether to show only partners with tasks not offered."""
    capability = request.args.get("capability", "")
    return GroupFilters(
        partner=request.args.get("partner", "").strip().lower()[:160],
        capability=capability if capability in capability_codes else "",
        waiting=request.args.get("waiting") == "1",
    )


@bp.post(f"/{PLAN}/offer")
@login_required
def offer_tasks(plan_id: int):
    """Offer the chosen planned tasks to their partners."""
    ids = [int(v) for v in request.form.getlist("assignment") if v.isdigit() and len(v) < 10]
    return run_action(
        lambda: offer_assignments(current_actor(), plan_id, ids),
        done=lambda offered: f"Offered {offered} task{'' if offered == 1 else 's'}.",
        back=_back_in_plan(plan_id),
        refusals=(),
    )


def _back_in_plan(plan_id: int) -> str:
    """Back to the plan page where the form was: its partner group (`?open=<id>#partner-<id>`
    from the form's `next`), or the top."""
    here = url_for("plan_pages.show", plan_id=plan_id)
    target = request.form.get("next", "")
    group = re.fullmatch(re.escape(here) + r"\?open=(\d{1,9})#partner-(\d{1,9})", target)
    if group and group.group(1) == group.group(2):
        return target
    return here


@bp.post(f"/{PLAN}/partners/<id:partner_id>/offer")
@login_required
def offer_partner(plan_id: int, partner_id: int):
    """Offer a partner every task the plan proposes for it; back to where the button was."""
    return run_action(
        lambda: offer_partner_tasks(current_actor(), plan_id, partner_id),
        done=lambda offered: f"Offered {offered} task{'' if offered == 1 else 's'}.",
        back=back_to(url_for("plan_pages.show", plan_id=plan_id), url_for("dashboard.index")),
        refusals=(),
    )
