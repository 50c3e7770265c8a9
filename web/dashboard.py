"""The coordinator's home: what needs attention, with actions in the rows — completions to
verify, stale claims to release, the latest plan's tasks to offer, needs no partner can reach,
and open needs by capability and neighbourhood.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from commonground.db_types import utcnow
from planning.services import coordinator_home, offers_waiting
from web.access import current_actor, login_required
from web.needs import capability_choices

bp = Blueprint("dashboard", __name__, url_prefix="/coordinator")

ROWS_SHOWN = 10
"""Rows each list with actions shows before linking to the whole list (a phone's screenful)."""


@bp.get("/")
@login_required
def index():
    """Everything that is waiting on the city's coordinators, with the actions in the rows:
    verify a completion, release stale claims, offer the latest plan's tasks."""
    actor = current_actor()
    return render_template(
        "dashboard/index.html",
        attention=coordinator_home(actor, now=utcnow()),
        offers=offers_waiting(actor),
        capabilities={c["code"]: c for c in capability_choices()},
        rows_shown=ROWS_SHOWN,
    )
