"""The coordinator's home: what needs attention, with actions in the rows — completions to
verify, stale claims to release, the latest plan's tasks to offer, needs no partner can reach,
and open needs by capability and neighbourhood.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from commonground.db_types import utcnow
from commonground.errors import ValidationError
from needs.schemas import ReasonSchema
from needs.services import release_claims
from planning.services import coordinator_home, offers_waiting
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import read_form
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
        offers=offers_waiting(actor, limit=ROWS_SHOWN),
        capabilities={c["code"]: c for c in capability_choices()},
        rows_shown=ROWS_SHOWN,
    )


@bp.post("/release-stale")
@login_required
def release_stale():
    """Release the ticked stale claims at once, with one reason each partner is told."""
    ids = [int(v) for v in request.form.getlist("need") if v.isdigit() and len(v) < 10]

    def release() -> list[int]:
        if not ids:
            raise ValidationError("Tick at least one claim to release.")
        reason = read_form(ReasonSchema(), request.form)["reason"]
        return release_claims(current_actor(), ids, reason)

    return run_action(
        release,
        done=lambda released: (
            f"Released {len(released)} claim{'' if len(released) == 1 else 's'}: "
            "the needs are open again and each partner is told why."
        ),
        back=url_for("dashboard.index") + "#stale",
    )
