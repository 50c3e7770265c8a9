"""GeoJSON exports follow RFC 7946: [longitude, latitude], null geometry when unknown."""

import json
from datetime import UTC, datetime

from exports.geojson import iter_feature_collection, point_feature


def test_positions_are_longitude_then_latitude():
    feature = point_feature(7, 30.500942, -91.147001, {"title": "Tyres"})
    assert feature == {
        "type": "Feature",
        "id": 7,
        "geometry": {"type": "Point", "coordinates": [-91.147001, 30.500942]},
        "properties": {"title": "Tyres"},
    }


def test_a_feature_without_a_location_has_a_null_geometry():
    assert point_feature(None, None, -91.1, {})["geometry"] is None
    assert "id" not in point_feature(None, None, None, {})


def test_the_collection_streams_and_parses_as_one_document():
    features = (
        point_feature(n, 30.0 + n / 1000, -91.0, {"opened_at": datetime(2026, 1, 1, tzinfo=UTC)})
        for n in range(3)
    )
    chunks = list(iter_feature_collection(features))
    assert len(chunks) == 5
    document = json.loads("".join(chunks))
    assert document["type"] == "FeatureCollection"
    assert [f["id"] for f in document["features"]] == [0, 1, 2]
    assert document["features"][0]["properties"]["opened_at"] == "2026-01-01T00:00:00+00:00"


def test_an_empty_collection_is_valid():
    assert json.loads("".join(iter_feature_collection([]))) == {
        "type": "FeatureCollection",
        "features": [],
    }
