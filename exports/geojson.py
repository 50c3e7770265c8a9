"""Streaming GeoJSON (RFC 7946) FeatureCollections.

RFC 7946: positions are [longitude, latitude] (WGS 84), a feature without a location has a
null geometry, and coordinates need no more than 6 decimals (about 10 cm). The collection is
produced piece by piece so a large export never sits whole in memory.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["iter_feature_collection", "point_feature"]

COORDINATE_DECIMALS = 6


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} in GeoJSON")


def point_feature(
    feature_id: str | int | None,
    latitude: float | None,
    longitude: float | None,
    properties: Mapping[str, Any],
) -> dict[str, Any]:
    """A Feature with a Point at (longitude, latitude) - RFC 7946 order - or no geometry."""
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {
            "type": "Point",
            "coordinates": [
                round(float(longitude), COORDINATE_DECIMALS),
                round(float(latitude), COORDINATE_DECIMALS),
            ],
        }
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": geometry,
        "properties": dict(properties),
    }
    if feature_id is not None:
        feature["id"] = feature_id
    return feature


def iter_feature_collection(features: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A FeatureCollection as text chunks: the opening, one feature per chunk, the closing."""
    yield '{"type":"FeatureCollection","features":['
    for number, feature in enumerate(features):
        text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"), default=_default)
        yield ("," if number else "") + text
    yield "]}"
