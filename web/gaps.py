"""The coverage-gap page for coordinators and outreach: demand against reachable capacity by
neighbourhood and capability, needs no partner can reach, and where to recruit."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from performance.services import coverage_page_report
from web.access import current_actor, login_required

bp = Blueprint("gaps", __name__, url_prefix="/coverage")


def _radius(raw: str | None) -> float:
    try:
        value = float(raw or 3.0)
    except ValueError:
        return 3.0
    return min(50.0, max(0.1, value)) if value == value else 3.0  # NaN falls back


@bp.get("/gaps")
@login_required
def index():
    """The gap matrix, the unreachable needs and the recruitment targets."""
    capability = (request.args.get("capability") or "").strip()[:40] or None
    report = coverage_page_report(
        current_actor(), capability=capability, radius_km=_radius(request.args.get("radius_km"))
    )
    return render_template("gaps/index.html", report=report)
