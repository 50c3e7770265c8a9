"""The coordinators' triage queue: residents' reports waiting to be accepted, merged into an
existing need, or closed as not actionable (the reason is shown publicly), oldest first with
their age and a likely duplicate. Must not import `api`.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from commonground.db_types import utcnow
from needs.schemas import MergeSchema, NoteSchema, ReasonSchema
from needs.triage import accept_report, dismiss_report, merge_report
from reports.queries import triage_queue
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import read_form

bp = Blueprint("triage_pages", __name__, url_prefix="/coordinator/triage")
NID = "<id:need_id>"


@bp.get("/")
@login_required
def index():
    """Reports awaiting triage."""
    return render_template("triage/index.html", reports=triage_queue(current_actor(), utcnow()))


def _back() -> str:
    return url_for("triage_pages.index")


@bp.post(f"/{NID}/accept")
@login_required
def accept(need_id: int):
    """Accept a report: it becomes an open need."""
    return run_action(
        lambda: accept_report(
            current_actor(), need_id, read_form(NoteSchema(), request.form)["note"]
        ),
        done=f"Report #{need_id} accepted: it is an open need now.",
        back=_back(),
    )


@bp.post(f"/{NID}/merge")
@login_required
def merge(need_id: int):
    """Merge a report into an existing need."""

    def merge_it():
        data = read_form(MergeSchema(), request.form)
        return merge_report(current_actor(), need_id, data["into"], data["note"])

    return run_action(
        merge_it,
        done=lambda need: f"Report #{need_id} merged into #{need.duplicate_of_id}.",
        back=_back(),
    )


@bp.post(f"/{NID}/dismiss")
@login_required
def dismiss(need_id: int):
    """Close a report as not actionable, with a reason shown publicly."""
    return run_action(
        lambda: dismiss_report(
            current_actor(), need_id, read_form(ReasonSchema(), request.form)["reason"]
        ),
        done=f"Report #{need_id} closed as not actionable.",
        back=_back(),
    )
