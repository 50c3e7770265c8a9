"""Distances on pages follow the city's DISTANCE_UNITS and read like the engine's reasons."""

from __future__ import annotations

import pytest

from commonground.config import load_config
from geo.distance import display_distance
from matching.explain import format_distance


@pytest.mark.parametrize("km", [0.0, 0.04, 1.0, 1.609344, 2.0921472, 12.345, 80.0])
@pytest.mark.parametrize("units", ["mi", "km"])
def test_pages_and_reasons_write_a_distance_the_same_way(km, units):
    assert display_distance(km, units) == format_distance(km, units)


def test_a_mile_is_a_mile():
    assert display_distance(1.609344, "mi") == "1.0 mi"
    assert display_distance(2.0921472, "mi") == "1.3 mi"


def test_the_demo_city_counts_in_miles_and_other_cities_may_choose_km(monkeypatch):
    monkeypatch.delenv("DISTANCE_UNITS", raising=False)
    assert load_config({"SECRET_KEY": "x"})["DISTANCE_UNITS"] == "mi"
    monkeypatch.setenv("DISTANCE_UNITS", " KM ")
    assert load_config({"SECRET_KEY": "x"})["DISTANCE_UNITS"] == "km"


def test_unknown_units_stop_the_app_at_start(monkeypatch):
    monkeypatch.setenv("DISTANCE_UNITS", "furlongs")
    with pytest.raises(RuntimeError, match="DISTANCE_UNITS"):
        load_config({"SECRET_KEY": "x"})
    with pytest.raises(ValueError, match="units"):
        display_distance(1.0, "furlongs")
