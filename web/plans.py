"""Plans: run the city plan, review its assignments grouped by partner, offer tasks to partners.

The plan itself belongs to the matching engine (`planning`); these pages reach it through
`web.planning` and say plainly when the engine is not enabled.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from commonground.errors import NotFoundError
from web.access import current_actor, login_required
from web.actions import run_action
from web.planning import engine_enabled, offer, plan_by_partner, plans_overview, run_plan

bp = Blueprint("plan_pages", __name__, url_prefix="/plans")

PLAN = "<id:plan_id>"


def _require_engine() -> None:
    if not engine_enabled():
        raise NotFoundError("Plans appear when the matching engine is enabled.")


@bp.get("/")
@login_required
def index():
    """Recent plans, and the button to run a new one."""
    actor = current_actor()
    return render_template("plans/index.html", plans=plans_overview(actor), can=actor.can)


@bp.post("/run")
@login_required
def run():
    """Run the city plan for every open need now."""
    _require_engine()
    return run_action(
        lambda: run_plan(current_actor()),
        done=lambda plan_id: f"Plan #{plan_id} is ready: review it, then offer tasks to partners.",
        back=lambda plan_id: url_for("plan_pages.show", plan_id=plan_id),
        refusals=(),
    )


@bp.get(f"/{PLAN}")
@login_required
def show(plan_id: int):
    """A plan's assignments grouped by partner, with their reasons."""
    _require_engine()
    actor = current_actor()
    return render_template("plans/show.html", plan=plan_by_partner(actor, plan_id), can=actor.can)


@bp.post(f"/{PLAN}/offer")
@login_required
def offer_tasks(plan_id: int):
    """Offer the chosen planned tasks to their partners."""
    _require_engine()
    ids = [int(v) for v in request.form.getlist("assignment") if v.isdigit() and len(v) < 10]
    return run_action(
        lambda: offer(current_actor(), plan_id, ids),
        done=lambda offered: f"Offered {offered} task{'' if offered == 1 else 's'}.",
        back=url_for("plan_pages.show", plan_id=plan_id),
        refusals=(),
    )
