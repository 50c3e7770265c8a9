"""Exports as HTTP downloads: an `exports.services.Export` streamed as CSV or as GeoJSON.

`add_export_routes` gives a resource blueprint its GET /export.csv and /export.geojson (the
need and partner blueprints), taking the same query parameters (filters) as its list. CSV
cells are guarded against formula injection; GeoJSON follows RFC 7946 ([longitude, latitude];
null geometry while a need's location is pending). Must not import `web`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Response, stream_with_context
from marshmallow import Schema

from accounts.actor import Actor
from api.auth import current_actor
from api.blueprint import ApiBlueprint
from exports.csv_safety import iter_csv
from exports.geojson import iter_feature_collection, point_feature
from exports.services import Export

CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"


def _attachment(body: Iterator[str], content_type: str, filename: str) -> Response:
    return Response(
        stream_with_context(body),
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _features(export: Export) -> Iterator[dict]:
    lat_at = export.columns.index(export.latitude)
    lon_at = export.columns.index(export.longitude)
    for row in export.rows:
        properties = dict(zip(export.columns, row, strict=True))
        yield point_feature(row[0], row[lat_at], row[lon_at], properties)


def csv_download(export: Export, filename: str) -> Response:
    """The export as a streamed CSV attachment."""
    return _attachment(iter_csv(export.columns, export.rows), CSV_TYPE, filename)


def geojson_download(export: Export, filename: str) -> Response:
    """The export as a streamed GeoJSON FeatureCollection attachment."""
    return _attachment(iter_feature_collection(_features(export)), GEOJSON_TYPE, filename)


def add_export_routes(
    blp: ApiBlueprint,
    query: type[Schema],
    export: Callable[[Actor, Any], Export],
    *,
    what: str,
    where: str = "",
) -> None:
    """Serve `export(actor, filters)` at /export.csv and /export.geojson of the blueprint;
    `what` names the rows in the documentation ("Needs"), `where` their point if not obvious."""
    stem = what.lower()

    def export_csv(filters: Any) -> Response:
        return csv_download(export(current_actor(), filters), f"{stem}.csv")

    def export_geojson(filters: Any) -> Response:
        return geojson_download(export(current_actor(), filters), f"{stem}.geojson")

    export_csv.__doc__ = f"{what} matching the filters, as CSV."
    export_geojson.__doc__ = f"{what} matching the filters{where}, as a GeoJSON FeatureCollection."
    for path, view, content_type, description in (
        ("/export.csv", export_csv, "text/csv", "CSV"),
        ("/export.geojson", export_geojson, GEOJSON_TYPE, "GeoJSON"),
    ):
        documented = blp.doc(
            responses={"200": {"description": description, "content": {content_type: {}}}}
        )(view)
        blp.route(path)(blp.arguments(query, location="query", as_kwargs=False)(documented))
