"""The city resources catalogue over HTTP: everyone reads, coordinators edit."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.blueprint import token_blueprint
from briefings import catalogue as services
from briefings.schemas import (
    CatalogueEntryCreateSchema,
    CatalogueEntryUpdateSchema,
    CatalogueQuerySchema,
)
from capabilities.services import capability_labels

blp = token_blueprint(
    "catalogue",
    __name__,
    "What the city offers partners: supplies, dumpsters, fee waivers, tools, help.",
)

EID = "<id:entry_id>"


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
    @blp.errors(403, 409)
    def post(self, data):
        """Add a city resource (coordinators)."""
        return _out(services.add_catalogue_entry(current_actor(), data))


@blp.route(f"/{EID}")
class CatalogueItem(MethodView):
    @blp.response(200, CatalogueEntrySchema)
    @blp.errors(404)
    def get(self, entry_id):
        """One city resource."""
        return _out(services.get_catalogue_entry(current_actor(), entry_id))

    @blp.arguments(CatalogueEntryUpdateSchema)
    @blp.response(200, CatalogueEntrySchema)
    @blp.errors(403, 404, 409)
    def patch(self, data, entry_id):
        """Change a city resource (coordinators); is_active=false withdraws it."""
        return _out(services.update_catalogue_entry(current_actor(), entry_id, data))

    @blp.response(204)
    @blp.errors(403, 404)
    def delete(self, entry_id):
        """Remove a city resource (coordinators)."""
        services.delete_catalogue_entry(current_actor(), entry_id)
