"""Exports over HTTP: needs and partners as CSV and GeoJSON, streamed.

    GET /api/v1/needs/export.csv        GET /api/v1/needs/export.geojson
    GET /api/v1/partners/export.csv     GET /api/v1/partners/export.geojson

The same query parameters (filters) as the list routes; CSV cells are guarded against formula
injection; GeoJSON follows RFC 7946 ([longitude, latitude]; null geometry while a need's location
is pending). Views parse, call one service, and stream the rendering.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context

from api.auth import current_actor, token_blueprint
from api.needs import NeedQuerySchema
from api.partners import PartnerQuerySchema
from exports.csv_safety import iter_csv
from exports.geojson import iter_feature_collection, point_feature
from exports.services import Export, need_export, partner_export
from needs.queries import NeedFilters

blp = token_blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1",
    description="Needs and partners as CSV or GeoJSON files (same filters as the lists).",
)

CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"


def _csv(export: Export, filename: str) -> Response:
    body = stream_with_context(iter_csv(export.columns, export.rows))
    return Response(
        body,
        content_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _features(export: Export) -> Iterator[dict]:
    lat_at = export.columns.index(export.latitude)
    lon_at = export.columns.index(export.longitude)
    for row in export.rows:
        properties = dict(zip(export.columns, row, strict=True))
        yield point_feature(row[0], row[lat_at], row[lon_at], properties)


def _geojson(export: Export, filename: str) -> Response:
    body = stream_with_context(iter_feature_collection(_features(export)))
    return Response(
        body,
        content_type=GEOJSON_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/needs/export.csv")
@blp.arguments(NeedQuerySchema, location="query", as_kwargs=False)
@blp.doc(responses={"200": {"description": "CSV", "content": {"text/csv": {}}}})
def needs_csv(filters: NeedFilters) -> Response:
    """Needs matching the filters, as CSV."""
    return _csv(need_export(current_actor(), filters), "needs.csv")


@blp.route("/needs/export.geojson")
@blp.arguments(NeedQuerySchema, location="query", as_kwargs=False)
@blp.doc(responses={"200": {"description": "GeoJSON", "content": {GEOJSON_TYPE: {}}}})
def needs_geojson(filters: NeedFilters) -> Response:
    """Needs matching the filters, as a GeoJSON FeatureCollection."""
    return _geojson(need_export(current_actor(), filters), "needs.geojson")


@blp.route("/partners/export.csv")
@blp.arguments(PartnerQuerySchema, location="query", as_kwargs=False)
@blp.doc(responses={"200": {"description": "CSV", "content": {"text/csv": {}}}})
def partners_csv(filters: dict) -> Response:
    """Partners matching the filters, as CSV."""
    return _csv(partner_export(current_actor(), filters), "partners.csv")


@blp.route("/partners/export.geojson")
@blp.arguments(PartnerQuerySchema, location="query", as_kwargs=False)
@blp.doc(responses={"200": {"description": "GeoJSON", "content": {GEOJSON_TYPE: {}}}})
def partners_geojson(filters: dict) -> Response:
    """Partners matching the filters (at their base), as a GeoJSON FeatureCollection."""
    return _geojson(partner_export(current_actor(), filters), "partners.geojson")
