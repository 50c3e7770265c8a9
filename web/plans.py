"""Plans: run the city plan, review its assignments grouped by partner, offer tasks to partners.

The plan itself belongs to the matching engine (`planning.services`); each page calls one of
its use cases.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planning.services import offer_assignments, plan_by_partner, recent_plans, run_city_plan
from web.access import current_actor, login_required

bp = Blueprint("plan_pages", __name__, url_prefix="/plans")

PLAN = "<int(min=1, max=2147483647):plan_id>"


@bp.get("/")
@login_required
def index():
    """Recent plans, and the button to run a new one."""
    actor = current_actor()
    return render_template("plans/index.html", plans=recent_plans(actor), can=actor.can)


@bp.post("/run")
@login_required
def run():
    """Run the city plan for every open need now."""
    plan_id = run_city_plan(current_actor()).id
    flash(f"Plan #{plan_id} is ready: review it, then offer tasks to partners.", "success")
    return redirect(url_for("plan_pages.show", plan_id=plan_id))


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
    offered = offer_assignments(current_actor(), plan_id, ids)
    flash(f"Offered {offered} task{'' if offered == 1 else 's'}.", "success")
    return redirect(url_for("plan_pages.show", plan_id=plan_id))
