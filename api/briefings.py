"""Briefings over HTTP: generate one of each kind, list and reopen stored ones, get the PDF."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from api.fields import Id, Latitude, Longitude, Text
from api.partners import SECTORS
from briefings import services

blp = token_blueprint(
    "briefings",
    __name__,
    url_prefix="/api/v1/briefings",
    description="Partner briefings: what the city can do, and what you can do.",
)

BID = "<int(min=1, max=2147483647):briefing_id>"


class PartnerBriefingCreateSchema(Schema):
    """Which registered partner the briefing is for."""

    partner_id = Id(required=True)


class ProspectBriefingCreateSchema(Schema):
    """An organisation that is not registered yet, as outreach types it in."""

    name = Text(required=True, min_length=1, max_length=160)
    sector = fields.String(load_default="other", validate=validate.OneOf((*SECTORS, "other")))
    address = Text(load_default="", max_length=300)
    neighbourhood = Text(load_default=None, allow_none=True, max_length=80)
    latitude = Latitude(load_default=None, allow_none=True)
    longitude = Longitude(load_default=None, allow_none=True)
    radius_km = fields.Float(load_default=3.0, validate=validate.Range(0.2, 30), allow_nan=False)
    capabilities = fields.List(
        fields.String(validate=validate.Length(1, 40)),
        required=True,
        validate=validate.Length(1, 20),
    )
    tasks_per_week = fields.Integer(load_default=2, validate=validate.Range(1, 100))
    volunteer_hours_per_week = fields.Float(
        load_default=8.0, validate=validate.Range(0, 2000), allow_nan=False
    )


class NeighbourhoodBriefingCreateSchema(Schema):
    """A neighbourhood, for a community meeting, and how many tasks residents might take on."""

    neighbourhood = Text(required=True, min_length=1, max_length=80)
    weekly_tasks = fields.Integer(load_default=5, validate=validate.Range(1, 50))


class BriefingQuerySchema(Schema):
    """Filters for the list of stored briefings."""

    kind = fields.String(validate=validate.OneOf(services.KINDS))
    partner_id = Id(strict=False)  # query text: "12"


class BriefingSchema(Schema):
    """A stored briefing (without its HTML; see /html and /pdf)."""

    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    partner_id = fields.Integer(allow_none=True)
    neighbourhood = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class BriefingDetailSchema(BriefingSchema):
    """A stored briefing with the data it was made from."""

    snapshot = fields.Dict(metadata={"description": "The data the briefing was made from"})


class BatchCreateSchema(Schema):
    """Which partners: the given ids, or every active partner when omitted."""

    partner_ids = fields.List(Id(), load_default=None, validate=validate.Length(1, 500))


class BatchItemSchema(Schema):
    """One partner of a batch."""

    partner_id = fields.Integer()
    briefing_id = fields.Integer()
    subject = fields.String()
    error = fields.String()


class BatchResultSchema(Schema):
    """What a batch did: every failure is listed, none stops the batch."""

    total = fields.Integer()
    generated = fields.List(fields.Nested(BatchItemSchema))
    failures = fields.List(fields.Nested(BatchItemSchema))


def _detail(briefing) -> dict:
    return services.present_briefing(briefing, with_snapshot=True)


@blp.route("/")
class Briefings(MethodView):
    @blp.arguments(BriefingQuerySchema, location="query")
    @blp.response(200, BriefingSchema(many=True))
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Stored briefings, newest first."""
        rows, total = services.list_briefings(
            current_actor(),
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
            **filters,
        )
        pagination_parameters.item_count = total
        return [services.present_briefing(b) for b in rows]


@blp.route("/partner", methods=["POST"])
@blp.arguments(PartnerBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(404, schema=ErrorResponseSchema)
def partner_briefing(data):
    """Generate and store a briefing for a registered partner (staff)."""
    return _detail(services.generate_partner_briefing(current_actor(), data["partner_id"]))


@blp.route("/prospect", methods=["POST"])
@blp.arguments(ProspectBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
def prospect_briefing(data):
    """Generate and store a briefing for an organisation that is not registered yet."""
    return _detail(services.generate_prospect_briefing(current_actor(), data))


@blp.route("/neighbourhood", methods=["POST"])
@blp.arguments(NeighbourhoodBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
def neighbourhood_briefing(data):
    """Generate and store a briefing for a neighbourhood's community meeting."""
    return _detail(
        services.generate_neighbourhood_briefing(
            current_actor(), data["neighbourhood"], weekly_tasks=data["weekly_tasks"]
        )
    )


@blp.route("/batch", methods=["POST"])
@blp.arguments(BatchCreateSchema, required=False)
@blp.response(200, BatchResultSchema)
@blp.alt_response(403, schema=ErrorResponseSchema)
def batch(data):
    """A briefing for each partner given, or every active partner; failures are listed."""
    result = services.run_batch(current_actor(), data["partner_ids"])
    return {"total": result.total, "generated": result.generated, "failures": result.failures}


@blp.route(f"/{BID}")
class BriefingItem(MethodView):
    @blp.response(200, BriefingDetailSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, briefing_id):
        """One stored briefing and the data it was made from."""
        return _detail(services.get_briefing(current_actor(), briefing_id))


@blp.route(f"/{BID}/html")
@blp.doc(
    responses={"200": {"description": "The stored briefing page", "content": {"text/html": {}}}}
)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(404, schema=ErrorResponseSchema)
def briefing_html(briefing_id):
    """The stored briefing as HTML, exactly as it was handed over."""
    briefing = services.get_briefing(current_actor(), briefing_id)
    return Response(briefing.html, mimetype="text/html")


@blp.route(f"/{BID}/pdf")
@blp.doc(
    responses={"200": {"description": "The briefing as PDF", "content": {"application/pdf": {}}}}
)
@blp.alt_response(403, schema=ErrorResponseSchema)
@blp.alt_response(404, schema=ErrorResponseSchema)
def briefing_pdf(briefing_id):
    """The stored briefing as PDF (made with WeasyPrint from the stored HTML)."""
    actor = current_actor()
    briefing = services.get_briefing(actor, briefing_id)
    pdf = services.render_pdf(actor, briefing_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{services.pdf_filename(briefing)}"'},
    )
