"""The coordinator's home: what needs attention — open needs by capability and neighbourhood,
needs no partner can reach, stale claims, and completions waiting for verification.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from commonground.db_types import utcnow
from planning.services import coordinator_home
from web.access import current_actor, login_required
from web.needs import capability_choices

bp = Blueprint("dashboard", __name__, url_prefix="/coordinator")


@bp.get("/")
@login_required
def index():
    """Everything that is waiting on the city's coordinators."""
    return render_template(
        "dashboard/index.html",
        attention=coordinator_home(current_actor(), now=utcnow()),
        capabilities={c["code"]: c for c in capability_choices()},
    )
