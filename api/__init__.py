"""The JSON API under /api/v1: one flask-smorest blueprint per resource.

Every API route authenticates with a bearer token (see `api.auth`), so it is exempt from CSRF,
which protects cookie-authenticated forms only.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from api import (
    briefings,
    capabilities,
    catalogue,
    docs,
    exports,
    intake,
    me,
    needs,
    partners,
    performance,
    planning,
)
from commonground.extensions import csrf

RESOURCE_BLUEPRINTS = [
    capabilities.blp,
    partners.blp,
    needs.blp,
    planning.blp,
    me.blp,
    exports.blp,
    intake.blp,
    briefings.blp,
    catalogue.blp,
    performance.blp,
]


class CommonGroundApi(Api):
    """flask-smorest's Api, documenting the X-Pagination header as what it is: JSON text."""

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
