"""The city resources catalogue over HTTP: everyone reads, coordinators edit."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor, token_blueprint
from api.common import ErrorResponseSchema
from api.fields import Text
from briefings import catalogue as services
from capabilities.services import capability_labels

blp = token_blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1/catalogue",
    description="What the city offers partners: supplies, dumpsters, fee waivers, tools, help.",
)

EID = "<int(min=1, max=2147483647):entry_id>"


class CatalogueEntryUpdateSchema(Schema):
    """Fields of a city resource; all optional when changing one."""

    title = Text(min_length=1, max_length=160)
    description = Text(max_length=2000, multiline=True)
    who_qualifies = Text(max_length=1000, multiline=True)
    how_to_request = Text(max_length=1000, multiline=True)
    lead_time_days = fields.Integer(validate=validate.Range(0, 365))
    capabilities = fields.List(fields.String(validate=validate.Length(1, 40)))
    is_active = fields.Boolean()


class CatalogueEntryCreateSchema(CatalogueEntryUpdateSchema):
    """A new city resource."""

    title = Text(required=True, min_length=1, max_length=160)
    description = Text(load_default="", max_length=2000, multiline=True)
    who_qualifies = Text(load_default="", max_length=1000, multiline=True)
    how_to_request = Text(load_default="", max_length=1000, multiline=True)
    lead_time_days = fields.Integer(load_default=0, validate=validate.Range(0, 365))
    capabilities = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list)
    is_active = fields.Boolean(load_default=True)


class CatalogueEntrySchema(Schema):
    """A city resource."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    who_qualifies = fields.String()
    how_to_request = fields.String()
    lead_time_days = fields.Integer()
    capabilities = fields.List(fields.String())
    capability_labels = fields.List(fields.String())
    is_active = fields.Boolean()


class CatalogueQuerySchema(Schema):
    """Whether to include withdrawn entries (coordinators only)."""

    include_inactive = fields.Boolean(load_default=False)


def _out(entry) -> dict:
    return services.present_entry(entry, capability_labels())


@blp.route("/")
class Catalogue(MethodView):
    @blp.arguments(CatalogueQuerySchema, location="query")
    @blp.response(200, CatalogueEntrySchema(many=True))
    def get(self, query):
        """The catalogue, by title."""
        labels = capability_labels()
        return [
            services.present_entry(e, labels)
            for e in services.list_catalogue(current_actor(), **query)
        ]

    @blp.arguments(CatalogueEntryCreateSchema)
    @blp.response(201, CatalogueEntrySchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def post(self, data):
        """Add a city resource (coordinators)."""
        return _out(services.add_catalogue_entry(current_actor(), data))


@blp.route(f"/{EID}")
class CatalogueItem(MethodView):
    @blp.response(200, CatalogueEntrySchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def get(self, entry_id):
        """One city resource."""
        return _out(services.get_catalogue_entry(current_actor(), entry_id))

    @blp.arguments(CatalogueEntryUpdateSchema)
    @blp.response(200, CatalogueEntrySchema)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    @blp.alt_response(409, schema=ErrorResponseSchema)
    def patch(self, data, entry_id):
        """Change a city resource (coordinators); is_active=false withdraws it."""
        return _out(services.update_catalogue_entry(current_actor(), entry_id, data))

    @blp.response(204)
    @blp.alt_response(403, schema=ErrorResponseSchema)
    @blp.alt_response(404, schema=ErrorResponseSchema)
    def delete(self, entry_id):
        """Remove a city resource (coordinators)."""
        services.delete_catalogue_entry(current_actor(), entry_id)
