"""A page that shows the OpenAPI document with Swagger UI, served from our own server."""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api.blueprint import API_ROOT

bp = Blueprint("api_docs", __name__, url_prefix=API_ROOT)


@bp.get("/docs")
def docs():
    """The interactive API documentation."""
    return render_template("api/docs.html")


@bp.get("/docs/assets/<path:filename>")
def assets(filename: str):
    """Swagger UI's files, from the swagger-ui-bundle package (no CDN)."""
    return send_from_directory(swagger_ui_path, filename, max_age=3600)
