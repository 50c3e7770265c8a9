"""Briefings over HTTP: generate one of each kind, list and reopen stored ones, get the PDF."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import one_page, token_blueprint
from api.jobs import JobSchema, accepted
from briefings import services
from briefings.schemas import (
    BatchCreateSchema,
    BriefingQuerySchema,
    NeighbourhoodBriefingCreateSchema,
    PartnerBriefingCreateSchema,
    ProspectBriefingCreateSchema,
)
from jobs.services import start_job
from jobs.work import with_pdf_made_later

blp = token_blueprint(
    "briefings", __name__, "Partner briefings: what the city can do, and what you can do."
)

BID = "<id:briefing_id>"


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


def _detail(briefing) -> dict:
    return services.present_briefing(briefing, with_snapshot=True)


@blp.route("/")
class Briefings(MethodView):
    @blp.arguments(BriefingQuerySchema, location="query")
    @blp.response(200, BriefingSchema(many=True))
    @blp.errors(403)
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Stored briefings, newest first."""
        rows = one_page(pagination_parameters, services.list_briefings, current_actor(), **filters)
        return [services.present_briefing(b) for b in rows]


@blp.route("/partner", methods=["POST"])
@blp.arguments(PartnerBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.errors(403, 404)
def partner_briefing(data):
    """Generate and store a briefing for a registered partner (staff)."""
    actor = current_actor()
    return _detail(
        with_pdf_made_later(actor, services.generate_partner_briefing(actor, data["partner_id"]))
    )


@blp.route("/prospect", methods=["POST"])
@blp.arguments(ProspectBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.errors(403)
def prospect_briefing(data):
    """Generate and store a briefing for an organisation that is not registered yet."""
    actor = current_actor()
    return _detail(with_pdf_made_later(actor, services.generate_prospect_briefing(actor, data)))


@blp.route("/neighbourhood", methods=["POST"])
@blp.arguments(NeighbourhoodBriefingCreateSchema)
@blp.response(201, BriefingDetailSchema)
@blp.errors(403)
def neighbourhood_briefing(data):
    """Generate and store a briefing for a neighbourhood's community meeting."""
    actor = current_actor()
    briefing = services.generate_neighbourhood_briefing(
        actor, data["neighbourhood"], weekly_tasks=data["weekly_tasks"]
    )
    return _detail(with_pdf_made_later(actor, briefing))


@blp.route("/batch", methods=["POST"])
@blp.arguments(BatchCreateSchema, required=False)
@blp.response(202, JobSchema)
@blp.errors(403)
def batch(data):
    """Start a briefing for each partner given, or every active partner, as a job: 202 with
    the job and its URL in Location; its result lists the briefings made and the failures."""
    params = {"partner_ids": data["partner_ids"]} if data["partner_ids"] else {}
    return accepted(start_job(current_actor(), "briefing_batch", params))


@blp.route(f"/{BID}")
class BriefingItem(MethodView):
    @blp.response(200, BriefingDetailSchema)
    @blp.errors(403, 404)
    def get(self, briefing_id):
        """One stored briefing and the data it was made from."""
        return _detail(services.get_briefing(current_actor(), briefing_id))


@blp.route(f"/{BID}/html")
@blp.doc(
    responses={"200": {"description": "The stored briefing page", "content": {"text/html": {}}}}
)
@blp.errors(403, 404)
def briefing_html(briefing_id):
    """The stored briefing as HTML, exactly as it was handed over."""
    briefing = services.get_briefing(current_actor(), briefing_id)
    return Response(briefing.html, mimetype="text/html")


@blp.route(f"/{BID}/pdf")
@blp.doc(
    responses={"200": {"description": "The briefing as PDF", "content": {"application/pdf": {}}}}
)
@blp.errors(403, 404)
def briefing_pdf(briefing_id):
    """The stored briefing as PDF (made with WeasyPrint from the stored HTML once, by a job
    started when the briefing was made, and stored)."""
    actor = current_actor()
    briefing = services.get_briefing(actor, briefing_id)
    pdf = services.briefing_pdf(actor, briefing_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{services.pdf_filename(briefing)}"'},
    )
