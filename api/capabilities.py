"""The capability taxonomy over HTTP: read by everyone signed in, managed by admins."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from api.fields import Flag, Text
from capabilities import services

blp = token_blueprint(
    "capabilities",
    __name__,
    url_prefix="/api/v1/capabilities",
    description="The shared vocabulary of what partners do and needs require.",
)

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="Lower-case letters, digits, underscores.")


class CapabilitySchema(Schema):
    """A capability as returned."""

    code = fields.String()
    label = fields.String()
    description = fields.String()
    default_effort_hours = fields.Float()
    stale_start_days = fields.Integer(allow_none=True)
    stale_complete_days = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class CapabilityUpdateSchema(Schema):
    """Fields an admin may change."""

    label = Text(max_length=80, min_length=1)
    description = Text(max_length=2000, multiline=True)
    default_effort_hours = fields.Float(validate=validate.Range(0.1, 1000))
    stale_start_days = fields.Integer(validate=validate.Range(1, 365), allow_none=True)
    stale_complete_days = fields.Integer(validate=validate.Range(1, 730), allow_none=True)
    is_active = Flag()


class CapabilityCreateSchema(CapabilityUpdateSchema):
    """A new taxonomy entry."""

    code = fields.String(required=True, validate=CODE)
    label = Text(max_length=80, min_length=1, required=True)


@blp.route("/")
class Capabilities(MethodView):
    @blp.response(200, CapabilitySchema(many=True))
    def get(self):
        """List the active capabilities."""
        return services.list_capabilities(current_actor())

    @blp.arguments(CapabilityCreateSchema)
    @blp.response(201, CapabilitySchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def post(self, data):
        """Add a capability (admins)."""
        return services.add_capability(current_actor(), data)


@blp.route("/<string:code>")
class CapabilityItem(MethodView):
    @blp.response(200, CapabilitySchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, code):
        """One capability."""
        return services.get_capability(current_actor(), code)

    @blp.arguments(CapabilityUpdateSchema, required=False)
    @blp.response(200, CapabilitySchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def patch(self, data, code):
        """Change a capability (admins)."""
        return services.update_capability(current_actor(), code, data)
