"""The capability taxonomy over HTTP: read by everyone signed in, managed by admins."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import token_blueprint
from capabilities import services
from capabilities.schemas import CapabilityCreateSchema, CapabilityUpdateSchema

blp = token_blueprint(
    "capabilities", __name__, "The shared vocabulary of what partners do and needs require."
)


class CapabilitySchema(Schema):
    """A capability as returned."""

    code = fields.String()
    label = fields.String()
    description = fields.String()
    default_effort_hours = fields.Float()
    stale_start_days = fields.Integer(allow_none=True)
    stale_complete_days = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


@blp.route("/")
class Capabilities(MethodView):
    @blp.response(200, CapabilitySchema(many=True))
    def get(self):
        """List the active capabilities."""
        return services.list_capabilities(current_actor())

    @blp.arguments(CapabilityCreateSchema)
    @blp.response(201, CapabilitySchema)
    @blp.errors(403, 409)
    def post(self, data):
        """Add a capability (admins)."""
        return services.add_capability(current_actor(), data)


@blp.route("/<string:code>")
class CapabilityItem(MethodView):
    @blp.response(200, CapabilitySchema)
    @blp.errors(404)
    def get(self, code):
        """One capability."""
        return services.get_capability(current_actor(), code)

    @blp.arguments(CapabilityUpdateSchema, required=False)
    @blp.response(200, CapabilitySchema)
    @blp.errors(403, 404)
    def patch(self, data, code):
        """Change a capability (admins)."""
        return services.update_capability(current_actor(), code, data)
