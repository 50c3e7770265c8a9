"""The public front door for residents, no account needed: the report form (`/report`) with its
address look-up and "nearby reports" JSON, each report's status page (`/reports/<id>`), its
public photos, and the one-click unsubscribe from a report's emails. Must not import `api`.

The form works without JavaScript (address alone); with it, a pin to drag, "use my location"
and the nearby reports while typing (static/js/report.js). Abuse: CSRF (as every form), a
honeypot field, a rate limit per client address (RATELIMIT_REPORT), size limits per photo
(PHOTO_MAX_BYTES) and per request (MAX_CONTENT_LENGTH).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from briefings import charts
from commonground.db_types import utcnow
from commonground.errors import DomainError, ValidationError
from commonground.extensions import limiter
from commonground.rate_limits import configured, per_address
from commonground.text import control_character_problem
from exports.geojson import point_feature
from geo.services import list_neighbourhoods
from media.services import Upload, photo_bytes
from needs.notices import report_for_token, stop_notices
from reports.queries import nearby_reports, public_reports
from reports.schemas import ReportCreateSchema
from reports.services import MAX_PHOTOS, RESIDENT, public_capabilities, submit_report
from reports.status import public_photo, report_status
from web.city_map import city_map, outlines_for_pages
from web.form_input import domain_messages, read_form
from web.map import lookup_address
from web.needs import map_settings

bp = Blueprint("report_pages", __name__)

RID = "<id:report_id>"
FIELDS = (
    "capability",
    "description",
    "address",
    "latitude",
    "longitude",
    "reporter_name",
    "reporter_email",
    "notify",
)
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it


def _capabilities() -> list[dict[str, str]]:
    return [{"code": c.code, "label": c.label, "badge": ""} for c in public_capabilities()]


def _uploads() -> list[Upload]:
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    return [Upload(f.filename or "", f.read()) for f in files]


@bp.route("/report", methods=["GET", "POST"])
@per_address("RATELIMIT_REPORT")
def new():
    """Report a problem: what, where, a description, up to 3 photos, optionally an email."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if request.form.get(HONEYPOT):
            current_app.logger.info("report form honeypot filled; nothing stored")
            flash("Thank you for your report.", "success")
            return redirect(url_for("report_pages.new"))
        try:
            data = read_form(ReportCreateSchema(), request.form, FIELDS)
            if data.get("notify") and not data.get("reporter_email"):
                raise ValidationError(
                    "Give an email address to hear back.",
                    {"reporter_email": ["Give an address, or untick the box."]},
                )
            submitted = submit_report(RESIDENT, data, _uploads())
        except DomainError as exc:
            errors = domain_messages(exc)
        else:
            flash(f"Thank you: your report #{submitted.need.id} is in.", "success")
            for refused in submitted.refused:
                flash(refused.message, "error")
            return redirect(url_for("report_pages.status", report_id=submitted.need.id))
    return render_template(
        "reports/new.html",
        form=request.form,
        errors=errors,
        capabilities=_capabilities(),
        max_photos=MAX_PHOTOS,
        max_mb=current_app.config["PHOTO_MAX_BYTES"] // 1_048_576,
        map=map_settings(),
        outlines=[] if map_settings()["tile_url"] else outlines_for_pages(),
    ), (422 if errors else 200)


@bp.get("/report/geocode")
@limiter.limit(configured("RATELIMIT_REPORT_LOOKUP"))
def geocode():
    """Look an address up for the report's pin: {latitude, longitude, matched_address}."""
    query = request.args.get("q", "").strip()
    if not query or len(query) > 300 or control_character_problem(query, multiline=False):
        raise ValidationError("Give an address to look up.", {"q": ["Give an address."]})
    return lookup_address(RESIDENT, query, "report.submit")


@bp.get("/report/nearby")
@limiter.limit(configured("RATELIMIT_REPORT_LOOKUP"))
def nearby():
    """Open reports of the same kind near a point: {"reports": [...]} with status page links."""
    try:
        lat = float(request.args["lat"])
        lon = float(request.args["lon"])
    except (KeyError, ValueError):
        raise ValidationError("Give lat and lon.", {"lat": ["A number."]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError("Give lat and lon.", {"lat": ["Out of range."]})
    found = nearby_reports(request.args.get("capability", "")[:40], lat, lon)
    for row in found:
        row["url"] = url_for("report_pages.status", report_id=row["id"])
    return jsonify(reports=found)


@bp.get("/reports")
def index():
    """The public map and list of open and recently fixed reports, by kind and neighbourhood:
    drawn on the server without tiles; where tiles are configured, a tiled map replaces the
    drawing for people with JavaScript."""
    capabilities = _capabilities()
    labels = {c["code"]: c["label"] for c in capabilities}
    kind = request.args.get("kind", "")
    kind = kind if kind in labels else ""
    names = [n.name for n in list_neighbourhoods()]
    place = request.args.get("neighbourhood", "")
    place = place if place in names else ""
    rows, truncated = public_reports(utcnow(), capability=kind or None, neighbourhood=place or None)
    for row in rows:
        row["kind"] = labels.get(row["capability_code"], row["capability_code"])
        row["fixed"] = row["status"] in ("completed", "verified")
        row["url"] = url_for("report_pages.status", report_id=row["id"])
    drawn = city_map(
        [
            charts.MapPoint(
                r["latitude"], r["longitude"], "done" if r["fixed"] else "open",
                f"Report #{r['id']}: {r['title']} ({'fixed' if r['fixed'] else 'open'})",
                r["url"],
            )
            for r in rows
        ],
        title="Reports in the city: open in blue, fixed in green",
    )  # fmt: skip
    return render_template(
        "reports/index.html",
        rows=rows,
        truncated=truncated,
        drawn=drawn,
        capabilities=capabilities,
        neighbourhoods=names,
        kind=kind,
        place=place,
        map=map_settings(),
        query=urlencode({k: v for k, v in (("kind", kind), ("neighbourhood", place)) if v}),
    )


@bp.get("/reports.geojson")
def reports_geojson():
    """The reports the map shows, as GeoJSON, for the tiled map (where tiles are configured)."""
    kind = request.args.get("kind", "")[:40] or None
    place = request.args.get("neighbourhood", "")[:80] or None
    rows, truncated = public_reports(utcnow(), capability=kind, neighbourhood=place)
    features = [
        point_feature(
            r["id"],
            r["latitude"],
            r["longitude"],
            {"title": r["title"], "status": r["status"], "capability": r["capability_code"]},
        )
        for r in rows
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": truncated}
    return Response(json.dumps(body, separators=(",", ":")), mimetype="application/geo+json")


@bp.get(f"/reports/{RID}")
def status(report_id: int):
    """Where a report stands, in plain words; no personal data."""
    return render_template(
        "reports/status.html", report=report_status(report_id), map=map_settings()
    )


@bp.get(f"/reports/{RID}/photos/<id:photo_id>/<any(full, thumb):size>.jpg")
def photo(report_id: int, photo_id: int, size: str):
    """A public photo of a public report (or its thumbnail)."""
    data = photo_bytes(public_photo(report_id, photo_id), thumbnail=size == "thumb")
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/reports/stop/<token>", methods=["GET", "POST"])
def stop_notices_page(token: str):
    """Unsubscribe from one report's emails: the link opens a page with one button (a link
    alone must not change anything: mail scanners open links)."""
    report_id = report_for_token(token[:200])
    if request.method == "POST":
        stop_notices(token[:200])
        return render_template("reports/stopped.html", report_id=report_id)
    return render_template("reports/stop.html", report_id=report_id, token=token)
