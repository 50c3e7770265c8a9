"""Coordinator and shared need pages: the list and map with filters, posting a need, a need's
page with its timeline and suggestions, and the coordinator's actions on it (verify, reopen,
cancel, duplicate, not actionable), each confirmed before it is sent.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from capabilities.services import list_capabilities
from commonground.db_types import utcnow
from commonground.errors import DomainError, ValidationError
from geo.services import list_neighbourhoods
from matching.explain import format_distance
from media.services import photo_bytes
from needs import services
from needs.detail import need_detail
from needs.lifecycle import STATUSES
from needs.mapdata import list_page
from needs.schemas import SOURCES, CloseSchema, NeedCreateSchema, NoteSchema, ReasonSchema
from needs.tasks import lost_claim, our_full_capabilities
from planning.services import need_page_suggestions
from web.access import current_actor, login_required
from web.actions import back_to, run_action
from web.filters import read_need_filters
from web.form_input import domain_messages, read_form
from web.legend import capability_badges
from web.paging import page_count, page_number

bp = Blueprint("need_pages", __name__, url_prefix="/needs")

NID = "<id:need_id>"
PAGE_SIZE = 50
POST_FIELDS = (
    "title",
    "description",
    "capability",
    "address",
    "latitude",
    "longitude",
    "parcel_id",
    "priority",
    "effort_hours",
    "due_date",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
)
CLOSING = {
    "cancel": "Cancel",
    "mark_duplicate": "Mark as duplicate",
    "mark_not_actionable": "Mark as not actionable",
}


def capability_choices() -> list[dict[str, str]]:
    """The taxonomy as (code, label, badge) for selects and legends."""
    capabilities = list_capabilities(current_actor())
    badges = capability_badges({c.code: c.label for c in capabilities})
    return [{"code": c.code, "label": c.label, "badge": badges[c.code]} for c in capabilities]


def map_settings() -> dict[str, Any]:
    """What the map script needs to start (read from data-* attributes: no inline script)."""
    config = current_app.config
    return {
        "center": list(config["MAP_CENTER"]),
        "zoom": config["MAP_ZOOM"],
        "tile_url": config["MAP_TILE_URL"] or "",
        "attribution": config["MAP_TILE_ATTRIBUTION"] or "",
    }


@bp.get("/")
@login_required
def index():
    """Needs as a map and a list, with filters and downloads of what is shown."""
    choice = read_need_filters(request.args, current_app.config["CITY_TIMEZONE"])
    for field_name, messages in choice.errors.items():
        flash(f"Filter {field_name}: {' '.join(messages)}", "error")
    page = page_number() or 1
    rows, total = list_page(current_actor(), choice.filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "needs/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        choice=choice,
        capabilities=capability_choices(),
        neighbourhoods=[n.name for n in list_neighbourhoods()],
        statuses=STATUSES,
        sources=SOURCES,
        map=map_settings(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Post a need: address (looked up on submit) and/or a pin on the map, capability,
    priority, effort, due date. An address not found is refused on its field, what was typed
    kept; a pin far from the address is kept, with a warning on the need's page."""
    actor = current_actor()
    actor.require("need.post")  # before reading the form: a refusal is a 403, not a form error
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            data = read_form(NeedCreateSchema(), request.form, POST_FIELDS)
            warnings: list[str] = []
            need = services.post_need(actor, data, wait_for_geocoder=False, warnings=warnings)
        except DomainError as exc:
            errors = domain_messages(exc)
        else:
            flash(f"Need #{need.id} posted: {need.title}", "success")
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for("need_pages.show", need_id=need.id))
    return render_template(
        "needs/new.html",
        form=request.form if request.method == "POST" else MultiDict({"priority": "3"}),
        errors=errors,
        capabilities=capability_choices(),
        map=map_settings(),
    ), (422 if errors else 200)


@bp.get(f"/{NID}")
@login_required
def show(need_id: int):
    """A need: details, who holds it, its history, suggestions and the actions allowed now."""
    actor = current_actor()
    need = need_detail(actor, need_id)
    return render_template(
        "needs/show.html",
        need=need,
        who_can_act=need_page_suggestions(actor, need_id),
        can=actor.can,
        closing=CLOSING,
        capabilities=capability_choices(),
        map=map_settings(),
        now=utcnow(),
        full=our_full_capabilities(actor, utcnow()),
        lost=_lost(actor, need_id, need["status"]),
    )


@bp.get(f"/{NID}/photos/<id:photo_id>/<any(full, thumb):size>.jpg")
@login_required
def photo(need_id: int, photo_id: int, size: str):
    """A photo of a need (the resident's, or a partner's before and after), for signed-in users."""
    data = photo_bytes(
        services.need_photo(current_actor(), need_id, photo_id), thumbnail=size == "thumb"
    )
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _lost(actor, need_id: int, status: str) -> dict[str, Any] | None:
    """For a partner member, when another organisation holds the need: who, and the similar
    tasks nearby with their distance in the city's units."""
    if not actor.can("need.claim") or status not in ("claimed", "in_progress"):
        return None
    lost = lost_claim(actor, need_id, utcnow())
    units = current_app.config["DISTANCE_UNITS"]
    for task in lost["similar"] if lost else []:
        task["distance"] = format_distance(task["distance_km"], units)
    return lost


@bp.post(f"/{NID}/verify")
@login_required
def verify(need_id: int):
    """Confirm a completion."""
    return run_action(
        lambda: services.verify_need(current_actor(), need_id, _read(NoteSchema())["note"]),
        done="Completion verified.",
        back=back_to(url_for("need_pages.show", need_id=need_id), url_for("dashboard.index")),
    )


@bp.post(f"/{NID}/release")
@login_required
def release(need_id: int):
    """Release a partner's claim (a stale one, usually) with a reason the partner is told."""
    return run_action(
        lambda: services.release_claim(current_actor(), need_id, _read(ReasonSchema())["reason"]),
        done="Claim released: the need is open again and the partner is told why.",
        back=url_for("need_pages.show", need_id=need_id),
    )


@bp.post(f"/{NID}/reopen")
@login_required
def reopen(need_id: int):
    """Reject a completion: closed, not fixed. The need is open again."""
    return run_action(
        lambda: services.reopen_need(current_actor(), need_id, _read(ReasonSchema())["reason"]),
        done="Need reopened: closed, not fixed.",
        back=url_for("need_pages.show", need_id=need_id),
    )


@bp.post(f"/{NID}/close")
@login_required
def close(need_id: int):
    """Cancel, mark duplicate or not actionable, with a reason."""
    action = request.form.get("action", "")
    if action not in CLOSING:
        raise ValidationError("Choose how to close the need.", {"action": ["Unknown action."]})

    def close_it() -> Any:
        data = _read(CloseSchema())
        return services.close_need(
            current_actor(), need_id, action, data["reason"], duplicate_of=data["duplicate_of"]
        )

    return run_action(
        close_it,
        done=f"Need closed: {CLOSING[action].lower()}.",
        back=url_for("need_pages.show", need_id=need_id),
    )


def _read(schema) -> dict[str, Any]:
    return read_form(schema, request.form)
