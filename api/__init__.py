"""The JSON API under /api/v1: one flask-smorest blueprint per resource path.

Every API route authenticates with a bearer token (see `api.auth`), so it is exempt from CSRF,
which protects cookie-authenticated forms only. Error responses are documented once: each
status is flask-smorest's named response, with `ErrorResponseSchema` as its body.
The API is a delivery layer: must not import `web`, nor touch `db.session` (services do).
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from api import (
    briefings,
    capabilities,
    catalogue,
    docs,
    intake,
    jobs,
    me,
    needs,
    partners,
    performance,
    planning,
)
from api.blueprint import ErrorResponseSchema
from commonground.extensions import csrf

RESOURCE_BLUEPRINTS = [
    capabilities.blp,
    partners.blp,
    needs.blp,
    planning.blp,
    me.blp,
    intake.blp,
    briefings.blp,
    catalogue.blp,
    performance.blp,
    jobs.blp,
]


class CommonGroundApi(Api):
    """flask-smorest's Api with our one error shape, documenting the X-Pagination header as
    what it is: JSON text."""

    ERROR_SCHEMA = ErrorResponseSchema

    def _register_pagination_header(self) -> None:
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata as JSON text: total, total_pages, "
                "first_page, last_page, page, previous_page, next_page.",
                "schema": {"type": "string"},
            },
            lazy=True,
        )


def register_api(app: Flask, extra_blueprints: list | None = None) -> Api:
    """Bind a flask-smorest Api to the app and register every resource blueprint.

    The Api is made per app: it holds the OpenAPI document built from the blueprints.
    """
    api = CommonGroundApi(app)
    for blueprint in RESOURCE_BLUEPRINTS + list(extra_blueprints or []):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    return api
