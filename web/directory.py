"""Outreach and coordinator pages: the partner directory with filters, and a partner's page
with its service area on the map and its record. Contacts are shown only to roles that may see
them (the service redacts them).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from geo.services import list_neighbourhoods
from needs.tasks import partner_record
from partners.sectors import SECTORS
from partners.services import list_partners, present_partner
from partners.status import STATUSES
from performance.services import partner_impact
from web.access import current_actor, login_required
from web.needs import capability_choices, map_settings

bp = Blueprint("directory", __name__, url_prefix="/partners")

PID = "<id:partner_id>"
PAGE_SIZE = 50
FILTERS = {"sector": SECTORS, "status": STATUSES}
NAME_SEARCH_MAX = 160
"""The longest name search read (a partner's name is at most 160 characters)."""


@bp.get("/")
@login_required
def index():
    """Partners by name (or part of it), filtered by sector, capability, neighbourhood and
    status."""
    actor = current_actor()
    capabilities = capability_choices()
    neighbourhoods = [n.name for n in list_neighbourhoods()]
    allowed = {
        **FILTERS,
        "capability": [c["code"] for c in capabilities],
        "neighbourhood": neighbourhoods,
    }
    chosen = {
        key: request.args.get(key) if request.args.get(key) in values else None
        for key, values in allowed.items()
    }
    chosen["name"] = request.args.get("name", "").strip()[:NAME_SEARCH_MAX] or None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 6 and int(page) > 0 else 1
    partners, total = list_partners(actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, **chosen)
    return render_template(
        "directory/index.html",
        partners=[present_partner(actor, p) for p in partners],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        chosen=chosen,
        query=urlencode({key: value for key, value in chosen.items() if value}),
        sectors=SECTORS,
        statuses=STATUSES,
        capabilities=capabilities,
        neighbourhoods=neighbourhoods,
    )


@bp.get(f"/{PID}")
@login_required
def show(partner_id: int):
    """A partner: description, contacts (when allowed), capabilities, service area, record
    (its impact read as its briefings read it)."""
    actor = current_actor()
    return render_template(
        "directory/show.html",
        record=partner_record(actor, partner_id),
        impact=partner_impact(actor, partner_id),
        capabilities=capability_choices(),
        map=map_settings(),
    )
