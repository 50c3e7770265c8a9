"""City needs over HTTP: list and filter, post, read, edit, history and lifecycle actions."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.auth import current_actor, token_blueprint
from api.common import CloseSchema, ErrorResponseSchema, NoteSchema, ReasonSchema
from api.fields import Latitude, Longitude, Text
from commonground.rate_limits import per_organisation_shared
from needs import services
from needs.lifecycle import STATUSES
from needs.presenters import present_claim, present_event, present_need
from needs.queries import NeedFilters, count, filtered_needs, page

blp = token_blueprint(
    "needs",
    __name__,
    url_prefix="/api/v1/needs",
    description="Geolocated city needs and their lifecycle.",
)

NID = "<int(min=1, max=2147483647):need_id>"
SOURCES = ("coordinator", "311", "blight_survey", "public", "open311")


class NeedUpdateSchema(Schema):
    """Need fields a coordinator may set or correct."""

    capability = fields.String(validate=validate.Length(1, 40))
    title = Text(max_length=200, min_length=3)
    description = Text(max_length=5000, multiline=True)
    address = Text(max_length=300, allow_none=True)
    latitude = Latitude(allow_none=True)
    longitude = Longitude(allow_none=True)
    neighbourhood = Text(max_length=80, allow_none=True)
    parcel_id = Text(max_length=60, allow_none=True)
    priority = fields.Integer(strict=True, validate=validate.Range(1, 5))
    effort_hours = fields.Float(validate=validate.Range(0.1, 1000), allow_nan=False)
    due_date = fields.Date(allow_none=True)

    @validates_schema
    def _both_coordinates(self, data, **_kwargs):
        if ("latitude" in data) != ("longitude" in data) or (
            (data.get("latitude") is None) != (data.get("longitude") is None)
        ):
            raise ValidationError("Give latitude and longitude together.", "latitude")


class NeedCreateSchema(NeedUpdateSchema):
    """A new need."""

    capability = fields.String(required=True, validate=validate.Length(1, 40))
    title = Text(max_length=200, min_length=3, required=True)
    priority = fields.Integer(strict=True, validate=validate.Range(1, 5), load_default=3)
    effort_hours = fields.Float(
        validate=validate.Range(0.1, 1000), allow_nan=False, load_default=None, allow_none=True
    )
    source = fields.String(validate=validate.OneOf(SOURCES), load_default="coordinator")
    external_id = Text(max_length=80, allow_none=True)
    reporter_name = Text(max_length=120, allow_none=True)
    reporter_email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    reporter_phone = Text(max_length=40, allow_none=True)


class ClaimSchema(Schema):
    """A claim and its completion report."""

    id = fields.Integer()
    need_id = fields.Integer()
    partner_id = fields.Integer()
    partner_name = fields.String()
    status = fields.String()
    claimed_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)
    release_reason = fields.String(allow_none=True)
    volunteers = fields.Integer(allow_none=True)
    hours = fields.Float(allow_none=True)
    units = fields.Float(allow_none=True)
    unit_kind = fields.String(allow_none=True)
    report_notes = fields.String(allow_none=True)


class NeedSchema(Schema):
    """A need as returned; reporter contacts are null unless the caller may see them."""

    id = fields.Integer()
    capability = fields.String()
    title = fields.String()
    description = fields.String()
    address = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    location_status = fields.String()
    neighbourhood = fields.String(allow_none=True)
    parcel_id = fields.String(allow_none=True)
    priority = fields.Integer()
    effort_hours = fields.Float()
    source = fields.String()
    external_id = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    status = fields.String()
    duplicate_of_id = fields.Integer(allow_none=True)
    reporter_name = fields.String(allow_none=True)
    reporter_email = fields.String(allow_none=True)
    reporter_phone = fields.String(allow_none=True)
    claim = fields.Nested(ClaimSchema, allow_none=True)
    allowed_actions = fields.List(fields.String())
    distance_km = fields.Float()
    opened_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EventSchema(Schema):
    """One step in a need's history."""

    id = fields.Integer()
    need_id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String()
    partner_id = fields.Integer(allow_none=True)
    note = fields.String()
    at = fields.DateTime()


class CompletionReportSchema(Schema):
    """What the partner did."""

    volunteers = fields.Integer(strict=True, validate=validate.Range(0, 10000), load_default=None)
    hours = fields.Float(validate=validate.Range(0, 100000), allow_nan=False, load_default=None)
    units = fields.Float(validate=validate.Range(0, 1000000), allow_nan=False, load_default=None)
    unit_kind = Text(max_length=40, load_default=None, allow_none=True)
    notes = Text(max_length=5000, multiline=True, load_default=None, allow_none=True)


def _comma_floats(value: str, n: int, name: str) -> tuple[float, ...]:
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        raise ValidationError(f"{name} takes {n} comma-separated numbers.") from None
    if len(parts) != n or any(p != p or abs(p) == float("inf") for p in parts):
        raise ValidationError(f"{name} takes {n} comma-separated numbers.")
    return parts


class NeedQuerySchema(Schema):
    """Filters for the need list, map and exports."""

    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    capability = fields.List(fields.String(validate=validate.Length(1, 40)))
    neighbourhood = fields.String(validate=validate.Length(1, 80))
    # Imports may name their own sources (blight_survey, open311, ...): any short name.
    source = fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,20}$"))
    bbox = fields.String(metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    near = fields.String(metadata={"description": "lat,lon"})
    radius_km = fields.Float(validate=validate.Range(0.01, 100), allow_nan=False, load_default=5.0)
    opened_after = fields.AwareDateTime(default_timezone=None)
    opened_before = fields.AwareDateTime(default_timezone=None)
    q = fields.String(validate=validate.Length(1, 100))

    @post_load
    def _to_filters(self, data, **_kwargs) -> NeedFilters:
        bbox = near = None
        if "bbox" in data:
            bbox = _comma_floats(data["bbox"], 4, "bbox")
            if not (-180 <= bbox[0] <= bbox[2] <= 180 and -90 <= bbox[1] <= bbox[3] <= 90):
                raise ValidationError(
                    "bbox must be min_lon,min_lat,max_lon,max_lat in range.", "bbox"
                )
        if "near" in data:
            near = _comma_floats(data["near"], 2, "near")
            if not (-90 <= near[0] <= 90 and -180 <= near[1] <= 180):
                raise ValidationError("near must be lat,lon in range.", "near")
        return NeedFilters(
            status=tuple(data.get("status", ())),
            capability=tuple(data.get("capability", ())),
            neighbourhood=data.get("neighbourhood"),
            source=data.get("source"),
            bbox=bbox,
            near=near,
            radius_km=data["radius_km"],
            opened_after=data.get("opened_after"),
            opened_before=data.get("opened_before"),
            q=data.get("q"),
        )


def _out(need, near=None) -> dict:
    return present_need(current_actor(), need, near=near)


@blp.route("/")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query", as_kwargs=False)
    @blp.response(200, NeedSchema(many=True))
    @blp.paginate()
    def get(self, filters: NeedFilters, pagination_parameters):
        """List needs with filters; with `near`, nearest first within `radius_km`."""
        current_actor().require("need.read")
        query = filtered_needs(filters)
        pagination_parameters.item_count = count(query)
        rows = page(query, pagination_parameters.first_item, pagination_parameters.page_size)
        return [_out(n, filters.near) for n in rows]

    @blp.arguments(NeedCreateSchema)
    @blp.response(201, NeedSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def post(self, data):
        """Post a need (coordinators)."""
        return _out(services.post_need(current_actor(), data))


@blp.route(f"/{NID}")
class NeedItem(MethodView):
    @blp.response(200, NeedSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, need_id):
        """One need with its active claim and the actions allowed now."""
        return _out(services.get_need(current_actor(), need_id))

    @blp.arguments(NeedUpdateSchema, required=False)
    @blp.response(200, NeedSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def patch(self, data, need_id):
        """Correct a need's details (coordinators)."""
        return _out(services.update_need(current_actor(), need_id, data))


@blp.route(f"/{NID}/events")
class NeedEvents(MethodView):
    @blp.response(200, EventSchema(many=True))
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, need_id):
        """The need's full history, oldest first."""
        return [present_event(e) for e in services.need_history(current_actor(), need_id)]


LIFECYCLE_ERRORS = ((403, "not allowed"), (404, "no such need"), (409, "illegal transition"))


def _lifecycle_route(path: str, summary: str, schema=None):
    """Decorate a lifecycle action view with its route, input schema and documented errors."""

    def decorate(view):
        if schema is not None:
            view = blp.arguments(schema)(view)
        view = blp.response(200, NeedSchema)(view)
        for status, description in LIFECYCLE_ERRORS:
            view = blp.alt_response(status, schema=ErrorResponseSchema, description=description)(
                view
            )
        view.__doc__ = summary
        return blp.route(f"/{NID}/{path}", methods=["POST"], endpoint=path.replace("-", "_"))(view)

    return decorate


@blp.route(f"/{NID}/claim", methods=["POST"])
@blp.response(201, ClaimSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(404, schema=ErrorResponseSchema)
@blp.alt_response(409, schema=ErrorResponseSchema)
@blp.alt_response(429, schema=ErrorResponseSchema, description="too many claims")
@per_organisation_shared("RATELIMIT_CLAIM", "claim")
def claim(need_id):
    """Claim an open need for your organisation (partner members)."""
    return present_claim(services.claim_need(current_actor(), need_id))


@_lifecycle_route("start", "Start work on a need you claimed.")
def start(need_id):
    return _out(services.start_need(current_actor(), need_id))


@_lifecycle_route("complete", "Report a claimed need done.", CompletionReportSchema)
def complete(report, need_id):
    return _out(services.complete_need(current_actor(), need_id, report))


@_lifecycle_route("release", "Give a claimed need back, with a reason.", ReasonSchema)
def release(data, need_id):
    return _out(services.release_need(current_actor(), need_id, data["reason"]))


@_lifecycle_route("verify", "Confirm a completion (coordinators).", NoteSchema)
def verify(data, need_id):
    return _out(services.verify_need(current_actor(), need_id, data["note"]))


@_lifecycle_route("reopen", "Reject a completion: closed, not fixed (coordinators).", ReasonSchema)
def reopen(data, need_id):
    return _out(services.reopen_need(current_actor(), need_id, data["reason"]))


def _closing_view(action: str):
    def view(data, need_id):
        return _out(
            services.close_need(
                current_actor(),
                need_id,
                action,
                data["reason"],
                duplicate_of=data.get("duplicate_of"),
            )
        )

    view.__name__ = action
    return view


for _path, _action, _summary in (
    ("cancel", "cancel", "Cancel an open need, with a reason (coordinators)."),
    ("mark-duplicate", "mark_duplicate", "Close an open need as a duplicate (coordinators)."),
    (
        "mark-not-actionable",
        "mark_not_actionable",
        "Close an open need as not actionable (coordinators).",
    ),
):
    _lifecycle_route(_path, _summary, CloseSchema)(_closing_view(_action))
