"""Exports as HTTP downloads: an `exports.services.Export` streamed as CSV or as GeoJSON.

The need and partner blueprints serve /needs/export.* and /partners/export.* with these; the
same query parameters (filters) as their lists. CSV cells are guarded against formula injection;
GeoJSON follows RFC 7946 ([longitude, latitude]; null geometry while a need's location is
pending). Must not import `web`.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context

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
