"""Outreach and coordinator pages: the partner directory with filters, a list and a map of the
listed partners' bases, and a partner's page with its service area on the map and its record.
Contacts are shown only to roles that may see them (the service redacts them); the map's data
holds only each partner's name, sector, status and base point.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from exports.geojson import point_feature
from geo.services import list_neighbourhoods
from needs.tasks import partner_record
from partners.sectors import SECTOR_LABELS, SECTORS
from partners.services import list_partners, present_partner
from partners.status import STATUSES
from performance.services import partner_impact
from web.access import current_actor, json_login_required, login_required
from web.needs import capability_choices, map_settings
from web.paging import page_count, page_number

bp = Blueprint("directory", __name__, url_prefix="/partners")

PID = "<id:partner_id>"
PAGE_SIZE = 50
MAP_LIMIT = 1000
"""The most partners the map's data holds (a city has tens or hundreds)."""
FILTERS = {"sector": SECTORS, "status": STATUSES}
NAME_SEARCH_MAX = 160
"""The longest name search read (a partner's name is at most 160 characters)."""

SECTOR_BADGES = {
    "nonprofit": "NP",
    "faith_based": "FB",
    "business": "B",
    "neighbourhood_association": "NA",
    "school_university": "S",
    "civic_group": "C",
}
"""The letters on a partner's marker: its sector (the shape says its status)."""
STATUS_SHAPES = {"active": "circle", "pending": "square", "paused": "triangle", "archived": "bar"}
STATUS_WORDS = {
    "active": "active",
    "pending": "waiting for verification",
    "paused": "paused",
    "archived": "archived",
}


def _chosen(args: MultiDict, neighbourhoods: list[str], capabilities: list[dict]) -> dict:
    """The filters asked for that name something that exists (anything else is ignored)."""
    allowed = {
        **FILTERS,
        "capability": [c["code"] for c in capabilities],
        "neighbourhood": neighbourhoods,
    }
    chosen: dict[str, Any] = {
        key: args.get(key) if args.get(key) in values else None for key, values in allowed.items()
    }
    chosen["name"] = args.get("name", "").strip()[:NAME_SEARCH_MAX] or None
    return chosen


@bp.get("/")
@login_required
def index():
    """Partners by name (or part of it), filtered by sector, capability, neighbourhood and
    status: a list, and a map of their bases (the map loads the same filters' data)."""
    actor = current_actor()
    capabilities = capability_choices()
    neighbourhoods = [n.name for n in list_neighbourhoods()]
    chosen = _chosen(request.args, neighbourhoods, capabilities)
    page = page_number() or 1
    partners, total = list_partners(actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, **chosen)
    query = urlencode({key: value for key, value in chosen.items() if value})
    return render_template(
        "directory/index.html",
        partners=[present_partner(actor, p) for p in partners],
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        chosen=chosen,
        query=query,
        sectors=SECTORS,
        statuses=STATUSES,
        capabilities=capabilities,
        neighbourhoods=neighbourhoods,
        map=map_settings(),
        partner_map={
            "badges": SECTOR_BADGES,
            "sectors": SECTOR_LABELS,
            "shapes": STATUS_SHAPES,
            "statuses": STATUS_WORDS,
        },
    )


@bp.get("/map.geojson")
@json_login_required
def map_geojson():
    """The bases of the partners the directory lists for the same filters, as GeoJSON: name
    (`title`), status and sector (as `capability`, the marker's letters), nothing else."""
    actor = current_actor()
    chosen = _chosen(request.args, [n.name for n in list_neighbourhoods()], capability_choices())
    partners, total = list_partners(actor, limit=MAP_LIMIT, **chosen)
    features = [
        point_feature(
            p.id,
            p.base_latitude,
            p.base_longitude,
            {"title": p.name, "status": p.status, "capability": p.sector},
        )
        for p in partners
        if p.base_latitude is not None and p.base_longitude is not None
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": total > MAP_LIMIT}
    return Response(json.dumps(body, separators=(",", ":")), mimetype="application/geo+json")


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
