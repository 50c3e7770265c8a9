"""The map's data and files: a GeoJSON endpoint filtered by bounding box, status and capability,
downloads of the filtered needs (CSV and GeoJSON), address look-up for the "post a need" pin,
and Leaflet with marker clustering served from the xstatic packages (no CDN).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    send_from_directory,
    stream_with_context,
)
from xstatic.pkg import leaflet, leaflet_markercluster

from accounts.actor import Actor
from commonground.errors import ValidationError
from commonground.text import control_character_problem
from geo import places
from needs.mapdata import EXPORT_HEADER, export_rows, map_points
from web.access import current_actor, json_login_required, login_required
from web.filters import read_need_filters

bp = Blueprint("map", __name__, url_prefix="/map")

MAP_LIMIT = 20000
VENDOR_DIRS = {"leaflet": leaflet.BASE_DIR, "markercluster": leaflet_markercluster.BASE_DIR}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/vendor/<any(leaflet, markercluster):package>/<path:filename>")
def vendor(package: str, filename: str):
    """Leaflet and Leaflet.markercluster files, from their xstatic packages."""
    return send_from_directory(VENDOR_DIRS[package], filename, max_age=86400)


@bp.get("/needs.geojson")
@json_login_required
def needs_geojson():
    """Needs matching bbox/status/capability/... as a GeoJSON FeatureCollection (capped)."""
    choice = read_need_filters(request.args, current_app.config["CITY_TIMEZONE"], with_bbox=True)
    if choice.errors:
        raise ValidationError("The filters are not valid.", choice.errors)
    limit = _bounded_int(request.args.get("limit"), MAP_LIMIT)
    features, truncated = map_points(current_actor(), choice.filters, limit)
    body = {"type": "FeatureCollection", "features": features, "truncated": truncated}
    return Response(json.dumps(body, separators=(",", ":")), mimetype="application/geo+json")


@bp.get("/export.csv")
@login_required
def export_csv():
    """Download the needs the list shows (same filters) as CSV."""
    rows = _export(request.args)
    return Response(
        stream_with_context(csv_lines(EXPORT_HEADER, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=needs.csv"},
    )


@bp.get("/export.geojson")
@login_required
def export_geojson():
    """Download the needs the list shows (same filters) as GeoJSON, streamed."""
    rows = _export(request.args)
    return Response(
        stream_with_context(_geojson_chunks(rows)),
        mimetype="application/geo+json",
        headers={"Content-Disposition": "attachment; filename=needs.geojson"},
    )


@bp.get("/geocode")
@json_login_required
def geocode():
    """Look an address up for the "post a need" pin: {latitude, longitude, matched_address}."""
    query = request.args.get("q", "").strip()
    if not query or len(query) > 300 or control_character_problem(query, multiline=False):
        raise ValidationError("Give an address to look up.", {"q": ["Give an address."]})
    return lookup_address(current_actor(), query)


def lookup_address(
    actor: Actor, query: str, permission: str = "need.post"
) -> tuple[Response, int] | Response:
    """The pin's address look-up for the pages' forms, through `geo.places` as on submit: for
    posting a need, or (`report.submit`) for the public forms (a resident's report, an
    organisation's registration, a partner's base)."""
    actor.require(permission)
    result = places.find_address(query)  # the forms' own path on submit, through the cache
    if result is None:
        return _no_geocoder()
    if result.status == "found":
        return jsonify(
            latitude=result.latitude,
            longitude=result.longitude,
            matched_address=result.matched_address or query,
        )
    status = 404 if result.status == "not_found" else 503
    message = (
        "That address was not found; place the pin by hand."
        if status == 404
        else "The geocoder did not answer; place the pin by hand."
    )
    return jsonify(code=status, message=message, errors={}), status


def _no_geocoder() -> tuple[Response, int]:
    message = "Addresses cannot be looked up just now: place the pin on the map."
    return jsonify(code=503, status="Service Unavailable", message=message, errors={}), 503


def _export(args) -> Iterator[dict[str, Any]]:
    choice = read_need_filters(args, current_app.config["CITY_TIMEZONE"])
    if choice.errors:
        raise ValidationError("The filters are not valid.", choice.errors)
    return export_rows(current_actor(), choice.filters)


def _bounded_int(value: str | None, maximum: int) -> int:
    if value and value.isdigit():
        return max(1, min(int(value), maximum))
    return maximum


def csv_cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text that could start a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(header: Iterable[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The one CSV writer of the pages: a header line, then one guarded line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = list(header)
    writer.writerow(names)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in names])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _geojson_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows:
        lat, lon = row["latitude"], row["longitude"]
        properties = {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in row.items()
            if key not in ("latitude", "longitude")
        }
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": None
            if lat is None or lon is None
            else {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties,
        }
        yield ("" if first else ",") + json.dumps(feature, separators=(",", ":"))
        first = False
    yield "]}"
