"""Coordinators review self-registered organisations: verify, pause, resume or archive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from accounts.onboarding import pending_partners
from accounts.services import actor_for
from partners.services import change_partner_status
from partners.status import STATUS_ACTIONS

bp = Blueprint("partner_review", __name__, url_prefix="/review/partners")

ACTION = "<any(" + ", ".join(sorted(STATUS_ACTIONS)) + "):action>"


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token."""


@bp.get("")
@login_required
def index():
    """Organisations waiting for verification first, then the active and paused ones."""
    partners = pending_partners(actor_for(current_user))
    return render_template(
        "partner_review/index.html",
        partners=partners,
        actions={
            status: sorted(a for a, (sources, _) in STATUS_ACTIONS.items() if status in sources)
            for status in ("pending", "active", "paused")
        },
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post(f"/<int(min=1, max=2147483647):partner_id>/{ACTION}")
@login_required
def act(partner_id: int, action: str):
    """Apply a status action to one organisation."""
    partner = change_partner_status(actor_for(current_user), partner_id, action)
    flash(f"{partner.name} is now {partner.status}.", "success")
    return redirect(url_for("partner_review.index"))
