"""The partner registry over HTTP."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from api.fields import Latitude, Longitude, Text, Url
from partners import services
from partners.models import Partner
from partners.status import STATUS_ACTIONS, STATUSES

blp = token_blueprint(
    "partners",
    __name__,
    url_prefix="/api/v1/partners",
    description="Organisations, what they can do, how much and where.",
)

SECTORS = (
    "nonprofit",
    "faith_based",
    "business",
    "neighbourhood_association",
    "school_university",
    "civic_group",
)
PID = "<int(min=1, max=2147483647):partner_id>"


class PartnerCapabilitySchema(Schema):
    """A capability with weekly capacity."""

    capability = fields.String(required=True, validate=validate.Length(1, 40))
    tasks_per_week = fields.Integer(load_default=1, validate=validate.Range(0, 1000))
    volunteer_hours_per_week = fields.Float(load_default=0.0, validate=validate.Range(0, 10000))
    equipment = Text(load_default="", max_length=500)


class ServiceAreaPolygonSchema(Schema):
    """A GeoJSON Polygon (RFC 7946: [lon, lat] positions)."""

    type = fields.String(required=True, validate=validate.Equal("Polygon"))
    coordinates = fields.List(
        fields.List(
            fields.List(fields.Float(allow_nan=False), validate=validate.Length(2, 3)),
            validate=validate.Length(4, 2000),
        ),
        required=True,
        validate=validate.Length(1, 20),
    )


class PartnerUpdateSchema(Schema):
    """Profile fields; what a member may change is decided by the service."""

    name = Text(max_length=160, min_length=2)
    sector = fields.String(validate=validate.OneOf(SECTORS))
    description = Text(max_length=5000, multiline=True)
    website = Url(allow_none=True)
    contact_name = Text(max_length=120, allow_none=True)
    contact_email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    contact_phone = Text(max_length=40, allow_none=True)
    base_address = Text(max_length=300, allow_none=True)
    base_latitude = Latitude()
    base_longitude = Longitude()
    service_radius_km = fields.Float(validate=validate.Range(0.1, 100), allow_nan=False)
    service_neighbourhoods = fields.List(Text(max_length=80), validate=validate.Length(max=100))
    service_area_geojson = fields.Nested(ServiceAreaPolygonSchema, allow_none=True)
    capabilities = fields.List(
        fields.Nested(PartnerCapabilitySchema), validate=validate.Length(max=50)
    )


class PartnerCreateSchema(PartnerUpdateSchema):
    """A new organisation (it starts pending verification)."""

    name = Text(max_length=160, min_length=2, required=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    base_latitude = Latitude(required=True)
    base_longitude = Longitude(required=True)


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


class PartnerQuerySchema(Schema):
    """Filters for the partner list."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    sector = fields.String(validate=validate.OneOf(SECTORS))
    capability = fields.String(validate=validate.Length(1, 40))
    neighbourhood = fields.String(validate=validate.Length(1, 80))


class StatusActionSchema(Schema):
    """A status change: verify, pause, resume or archive."""

    action = fields.String(required=True, validate=validate.OneOf(sorted(STATUS_ACTIONS)))


def _out(partner: Partner) -> dict:
    return services.present_partner(current_actor(), partner)


@blp.route("/")
class Partners(MethodView):
    @blp.arguments(PartnerQuerySchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """List partners (members see only their own organisation)."""
        partners, total = services.list_partners(
            current_actor(),
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
            **filters,
        )
        pagination_parameters.item_count = total
        return [_out(p) for p in partners]

    @blp.arguments(PartnerCreateSchema)
    @blp.response(201, PartnerSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def post(self, data):
        """Register an organisation (staff); it starts pending verification."""
        return _out(services.register_partner(current_actor(), data))


@blp.route(f"/{PID}")
class PartnerItem(MethodView):
    @blp.response(200, PartnerSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, partner_id):
        """One partner."""
        return _out(services.get_partner(current_actor(), partner_id))

    @blp.arguments(PartnerUpdateSchema, required=False)
    @blp.response(200, PartnerSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def patch(self, data, partner_id):
        """Change a profile (staff, or a member for their own organisation)."""
        return _out(services.update_partner(current_actor(), partner_id, data))


@blp.route(f"/{PID}/status")
class PartnerStatus(MethodView):
    @blp.arguments(StatusActionSchema)
    @blp.response(200, PartnerSchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def post(self, data, partner_id):
        """Verify, pause, resume or archive a partner (coordinators)."""
        return _out(services.change_partner_status(current_actor(), partner_id, data["action"]))
