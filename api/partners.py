"""The partner registry over HTTP, every route under /api/v1/partners: list and filter,
register, read, change, status actions, what a partner can do nearby, its offers, and
CSV/GeoJSON exports.

Input schemas come from `partners.schemas`; the output schema is here. Must not import `web`
or touch the database session.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import one_page, token_blueprint
from api.exports import add_export_routes
from api.planning import AssignmentSchema, SuggestionSchema
from exports.services import partner_export
from partners import services
from partners.models import Partner
from partners.schemas import (
    PartnerCapabilitySchema,
    PartnerCreateSchema,
    PartnerQuerySchema,
    PartnerUpdateSchema,
    StatusActionSchema,
)
from planning.schemas import LimitSchema
from planning.services import offers_for_partner, suggest_needs_for_partner

blp = token_blueprint("partners", __name__, "Organisations, what they can do, how much and where.")

PID = "<id:partner_id>"


class PartnerSchema(Schema):
    """A partner as returned; contacts are null when redacted for the caller's role."""

    id = fields.Integer()
    name = fields.String()
    sector = fields.String()
    description = fields.String()
    website = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contacts_redacted = fields.Boolean()
    show_name_publicly = fields.Boolean()
    base_address = fields.String(allow_none=True)
    base_latitude = fields.Float()
    base_longitude = fields.Float()
    service_radius_km = fields.Float()
    service_neighbourhoods = fields.List(fields.String())
    service_area_geojson = fields.Dict(allow_none=True)
    status = fields.String()
    capabilities = fields.List(fields.Nested(PartnerCapabilitySchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def _out(partner: Partner) -> dict:
    return services.present_partner(current_actor(), partner)


@blp.route("/")
class Partners(MethodView):
    @blp.arguments(PartnerQuerySchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """List partners (members see only their own organisation)."""
        partners = one_page(
            pagination_parameters, services.list_partners, current_actor(), **filters
        )
        return [_out(p) for p in partners]

    @blp.arguments(PartnerCreateSchema)
    @blp.response(201, PartnerSchema)
    @blp.errors(403, 409)
    def post(self, data):
        """Register an organisation (staff); it starts pending verification."""
        return _out(services.register_partner(current_actor(), data))


@blp.route(f"/{PID}")
class PartnerItem(MethodView):
    @blp.response(200, PartnerSchema)
    @blp.errors(404)
    def get(self, partner_id):
        """One partner."""
        return _out(services.get_partner(current_actor(), partner_id))

    @blp.arguments(PartnerUpdateSchema, required=False)
    @blp.response(200, PartnerSchema)
    @blp.errors(403, 404)
    def patch(self, data, partner_id):
        """Change a profile (staff, or a member for their own organisation)."""
        return _out(services.update_partner(current_actor(), partner_id, data))


@blp.route(f"/{PID}/status")
class PartnerStatus(MethodView):
    @blp.arguments(StatusActionSchema)
    @blp.response(200, PartnerSchema)
    @blp.errors(403, 409)
    def post(self, data, partner_id):
        """Verify, pause, resume or archive a partner (coordinators)."""
        return _out(
            services.change_partner_status(
                current_actor(), partner_id, data["action"], reason=data["reason"]
            )
        )


@blp.route(f"/{PID}/suggestions")
class PartnerSuggestions(MethodView):
    @blp.arguments(LimitSchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @blp.errors(404)
    def get(self, query, partner_id):
        """What this partner can do nearby, best first (by default sized to its capacity).

        Reasons are in the partner's words ("1.3 mi from your base").
        """
        return suggest_needs_for_partner(current_actor(), partner_id, **query)


@blp.route(f"/{PID}/offers")
class PartnerOffers(MethodView):
    @blp.response(200, AssignmentSchema(many=True))
    @blp.errors(404)
    def get(self, partner_id):
        """Planned tasks offered to this partner and still open."""
        return offers_for_partner(current_actor(), partner_id)


add_export_routes(
    blp, PartnerQuerySchema, partner_export, what="Partners", where=" (at their base)"
)
