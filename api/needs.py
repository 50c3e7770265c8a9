"""City needs over HTTP, every route under /api/v1/needs: list and filter, post, read, edit,
history, lifecycle actions, who can act here, probable duplicates, and CSV/GeoJSON exports.

Input schemas come from `needs.schemas`; the output schemas are here. Must not import `web` or
touch the database session: views call services and present what they return.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import NOT_COUNTED, token_blueprint
from api.dumping import FastDumpSchema
from api.exports import add_export_routes
from api.planning import NeedSuggestionSchema
from commonground.errors import ValidationError
from commonground.fields import Id
from commonground.rate_limits import per_organisation_shared
from exports.services import need_export
from intake.services import separate_duplicate
from needs import services
from needs.presenters import present_claim, present_event, present_need
from needs.queries import (
    NeedFilters,
    after_need,
    counted_page,
    filtered_needs,
    page,
    readable_by,
)
from needs.schemas import (
    CloseSchema,
    CompletionReportSchema,
    NeedCreateSchema,
    NeedQuerySchema,
    NeedUpdateSchema,
    NoteSchema,
    ReasonSchema,
)
from planning.services import suggest_partners_for_need

blp = token_blueprint("needs", __name__, "Geolocated city needs and their lifecycle.")

NID = "<id:need_id>"


class ClaimSchema(FastDumpSchema):
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


class NeedSchema(FastDumpSchema):
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


def _out(need, near=None) -> dict:
    return present_need(current_actor(), need, near=near)


class NeedCursorSchema(Schema):
    """Keyset paging of the newest-first list (no `near`): its first page without a total
    (`count=false`), then the rows after a need (`after`)."""

    after = Id(
        strict=False,
        metadata={
            "description": "continue after this need (the X-Pagination header's `next_after`): "
            "no total is counted, `page` is ignored and the header holds `page_size` and "
            "`next_after` (null on the last page)"
        },
    )
    count = fields.Boolean(
        load_default=True,
        metadata={
            "description": "false: the first keyset page, newest first, with no total counted "
            "(counting reads every matching need): `page` is ignored and the header holds "
            "`page_size` and `next_after`, as after a cursor. Not with `near`."
        },
    )


@blp.route("/")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query", as_kwargs=False)
    @blp.arguments(NeedCursorSchema, location="query", as_kwargs=True)
    @blp.response(200, NeedSchema(many=True))
    @blp.paginate()
    def get(
        self,
        filters: NeedFilters,
        pagination_parameters,
        after: int | None = None,
        count: bool = True,
    ):
        """List needs with filters; with `near`, nearest first within `radius_km`. Pages by
        `page` (with the total in X-Pagination) or, newest first, by keyset: `count=false` for
        the first page, then `after` (no count, the same cost on every page)."""
        actor = current_actor()
        actor.require("need.read")
        query = filtered_needs(filters).where(*readable_by(actor))
        size = pagination_parameters.page_size
        if after is None and count:
            rows, pagination_parameters.item_count = counted_page(
                query, pagination_parameters.first_item, size
            )
            return [_out(n, filters.near) for n in rows]
        if filters.near:
            name = "after" if after is not None else "count"
            raise ValidationError(
                "Keyset pages (`after`, `count=false`) walk the newest-first list; nearest "
                "first pages by `page`, with its total.",
                {name: ["Not with near."]},
            )
        rows = page(query if after is None else after_need(query, after), 0, size)
        pagination_parameters.item_count = NOT_COUNTED
        pagination_parameters.next_after = rows[-1].id if len(rows) == size else None
        return [_out(n) for n in rows]

    @blp.arguments(NeedCreateSchema)
    @blp.response(201, NeedSchema)
    @blp.errors(403, 409)
    def post(self, data):
        """Post a need (coordinators)."""
        return _out(services.post_need(current_actor(), data))


@blp.route(f"/{NID}")
class NeedItem(MethodView):
    @blp.response(200, NeedSchema)
    @blp.errors(404)
    def get(self, need_id):
        """One need with its active claim and the actions allowed now."""
        return _out(services.get_need(current_actor(), need_id))

    @blp.arguments(NeedUpdateSchema, required=False)
    @blp.response(200, NeedSchema)
    @blp.errors(403, 404)
    def patch(self, data, need_id):
        """Correct a need's details (coordinators)."""
        return _out(services.update_need(current_actor(), need_id, data))


@blp.route(f"/{NID}/events")
class NeedEvents(MethodView):
    @blp.response(200, EventSchema(many=True))
    @blp.errors(404)
    def get(self, need_id):
        """The need's full history, oldest first."""
        return [present_event(e) for e in services.need_history(current_actor(), need_id)]


@blp.route(f"/{NID}/suggestions")
class NeedSuggestions(MethodView):
    @blp.response(200, NeedSuggestionSchema(many=True))
    @blp.errors(403, 404)
    def get(self, need_id):
        """Who can act here: feasible partners for an open need, best first.

        The first 10, plus the partner the latest plan chose when it ranks lower (`planned`);
        partners ranked above it say why the plan did not choose them (`not_chosen`). Reasons
        are in a coordinator's words ("their base is 1.3 mi away").
        """
        return suggest_partners_for_need(current_actor(), need_id)


@blp.route("/probable-duplicates")
@blp.response(200, NeedSchema(many=True))
@blp.paginate()
def probable_duplicates(pagination_parameters):
    """Open needs linked as probable duplicates, awaiting a coordinator's decision: every one,
    a page at a time (`page`, `page_size`; the X-Pagination header has the total)."""
    total, rows = services.list_probable_duplicates(
        current_actor(),
        first=pagination_parameters.first_item,
        size=pagination_parameters.page_size,
    )
    pagination_parameters.item_count = total
    return [_out(need) for need in rows]


@blp.route(f"/{NID}/separate", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(200, NeedSchema)
@blp.errors(403, 404, 409)
def separate(data, need_id):
    """Not a duplicate after all: remove the probable-duplicate link (coordinators)."""
    return _out(separate_duplicate(current_actor(), need_id, note=data["note"]))


add_export_routes(blp, NeedQuerySchema, need_export, what="Needs")


# --- lifecycle -------------------------------------------------------------------------------


@blp.route(f"/{NID}/claim", methods=["POST"])
@blp.response(201, ClaimSchema)
@blp.errors(403, 404, 409, 429)
@per_organisation_shared("RATELIMIT_CLAIM", "claim")
def claim(need_id):
    """Claim an open need for your organisation (partner members)."""
    return present_claim(services.claim_need(current_actor(), need_id))


def _lifecycle_route(path: str, summary: str, schema=None):
    """Decorate a lifecycle action view with its route, input schema and documented errors."""

    def decorate(view):
        if schema is not None:
            view = blp.arguments(schema)(view)
        view = blp.errors(403, 404, 409)(blp.response(200, NeedSchema)(view))
        view.__doc__ = summary
        return blp.route(f"/{NID}/{path}", methods=["POST"], endpoint=path.replace("-", "_"))(view)

    return decorate


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
