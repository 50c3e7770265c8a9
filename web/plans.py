"""Plans: run the city plan, review its assignments by partner, offer tasks to partners.

The plan itself belongs to the matching engine; this page shows it when the engine is enabled.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from web.access import current_actor, login_required
from web.planning import plans_overview

bp = Blueprint("plan_pages", __name__, url_prefix="/plans")


@bp.get("/")
@login_required
def index():
    """The latest plan, or a plain note that plans need the matching engine."""
    return render_template("plans/index.html", plan=plans_overview(current_actor()))
