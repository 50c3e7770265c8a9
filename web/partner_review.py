"""Coordinators review self-registered organisations: verify, pause, resume or archive.

Must not import `api`.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from accounts.onboarding import pending_partners
from partners.schemas import StatusActionSchema
from partners.services import change_partner_status
from partners.status import STATUS_ACTIONS
from web.access import current_actor, login_required
from web.actions import run_action
from web.form_input import read_form
from web.paging import page_count, page_number

bp = Blueprint("partner_review", __name__, url_prefix="/review/partners")

PAGE_SIZE = 50
ACTION = "<any(" + ", ".join(sorted(STATUS_ACTIONS)) + "):action>"
ACTION_ORDER = ("verify", "resume", "pause", "archive")
"""The order of a row's buttons: the usual step first, the one that ends a partnership last."""


@bp.get("")
@login_required
def index():
    """Organisations waiting for verification first, then the active and paused ones."""
    page = page_number() or 1
    total, partners = pending_partners(
        current_actor(), offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render_template(
        "partner_review/index.html",
        partners=partners,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        actions={
            status: sorted(
                (a for a, (sources, _) in STATUS_ACTIONS.items() if status in sources),
                key=ACTION_ORDER.index,
            )
            for status in ("pending", "active", "paused")
        },
    )


@bp.post(f"/<id:partner_id>/{ACTION}")
@login_required
def act(partner_id: int, action: str):
    """Apply a status action to one organisation (with the reason told to its members when it
    is verified or declined)."""
    sent = MultiDict({"action": action, "reason": request.form.get("reason", "")})

    def apply():
        data = read_form(StatusActionSchema(), sent)
        return change_partner_status(current_actor(), partner_id, action, reason=data["reason"])

    return run_action(
        apply,
        done=lambda partner: f"{partner.name} is now {partner.status}.",
        back=url_for("partner_review.index"),
        refusals=(),  # an illegal transition is a 409 page, a bad reason a 422
    )
