"""`geo.places.locate`, the one path from a form's "where" to a point, with the city's real
geocoder: the offline gazetteer of address points (seeds/data/address_points.csv). No network,
no stand-ins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commonground.errors import ValidationError
from commonground.extensions import db
from geo.models import GeocodeCache
from geo.places import DISAGREE_KM, AddressNotFoundError, locate

NORTH_ST = ("1000 North St", 30.450746, -91.191144)
SWAN_ST = (30.522033, -91.186117)  # 200 Swan St, 8 km north


def _cached() -> list[str]:
    return list(db.session.scalars(select(GeocodeCache.status)))


def test_an_address_alone_is_looked_up_and_remembered(app_context):
    place = locate(NORTH_ST[0], None, None)
    assert (place.latitude, place.longitude, place.source) == (*NORTH_ST[1:], "address")
    assert place.warning is None and place.matched_address
    assert _cached() == ["found"]  # the cache learnt it


def test_an_address_is_found_however_it_is_typed(app_context):
    place = locate("1000  north street, Baton Rouge LA 70802", None, None)
    assert (place.latitude, place.longitude) == NORTH_ST[1:]


def test_a_pin_alone_is_the_place(app_context):
    place = locate(None, 30.46, -91.19)
    assert (place.latitude, place.longitude, place.source, place.warning) == (
        30.46,
        -91.19,
        "pin",
        None,
    )


def test_a_pin_near_its_address_brings_no_warning(app_context):
    place = locate(NORTH_ST[0], 30.4509, -91.1912)  # 20 m away: where the pin was dropped
    assert place.source == "pin" and place.warning is None
    assert place.apart_km is not None and place.apart_km < DISAGREE_KM


def test_a_pin_far_from_its_address_is_kept_with_a_warning_in_words(app_context):
    place = locate(NORTH_ST[0], *SWAN_ST)
    assert (place.latitude, place.longitude) == SWAN_ST  # the pin wins: placed by hand
    assert place.apart_km == pytest.approx(7.94, abs=0.01)
    assert place.warning.startswith("The pin is 4.9 mi from where the address “1000 North St”")


def test_the_warning_uses_the_citys_units(app_context, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISTANCE_UNITS", "km")
    assert "The pin is 7.9 km from" in locate(NORTH_ST[0], *SWAN_ST).warning


def test_just_past_the_threshold_warns_and_just_inside_does_not(app_context):
    # One degree of latitude is 111.2 km: 0.45 km and 0.55 km north of the address point.
    inside = locate(NORTH_ST[0], NORTH_ST[1] + 0.45 / 111.2, NORTH_ST[2])
    outside = locate(NORTH_ST[0], NORTH_ST[1] + 0.55 / 111.2, NORTH_ST[2])
    assert inside.warning is None and outside.warning is not None


def test_an_unknown_address_with_a_pin_keeps_the_pin_quietly(app_context):
    place = locate("9 Nowhere Elm", *SWAN_ST)
    assert place.source == "pin" and place.warning is None and place.apart_km is None


def test_a_pin_is_not_checked_when_the_caller_will_not_tell_anyone(app_context):
    place = locate(NORTH_ST[0], *SWAN_ST, check_pin=False)
    assert place.warning is None and place.apart_km is None
    assert _cached() == []  # no geocoder call spent


def test_an_unknown_address_without_a_pin_is_refused_on_the_named_field(app_context):
    with pytest.raises(AddressNotFoundError) as refused:
        locate("9 Nowhere Elm", None, None, field="base_address")
    assert list(refused.value.errors) == ["base_address"]
    assert "check it, or place the pin" in refused.value.errors["base_address"][0]


def test_nothing_to_go_on_is_refused_when_a_place_is_required(app_context):
    with pytest.raises(ValidationError) as refused:
        locate("  ", None, None)
    assert "address" in refused.value.errors
    assert locate("", None, None, required=False) is None


def test_half_a_pin_is_no_pin(app_context):
    place = locate(NORTH_ST[0], 30.46, None)
    assert place.source == "address"


def test_outside_the_city_is_refused_only_when_asked(app_context, app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_BOUNDS", (30.3, -91.3, 30.6, -91.0))
    with pytest.raises(ValidationError) as refused:
        locate(None, 40.7, -74.0, within_city=True)
    assert "location" in refused.value.errors
    assert locate(None, 40.7, -74.0).latitude == 40.7


def test_a_geocoder_that_cannot_be_built_asks_for_the_pin(app_context, app, monkeypatch):
    from geo.geocoding import _EXTENSION_KEY

    monkeypatch.setitem(app.config, "GEOCODER", "no-such-geocoder")
    monkeypatch.setitem(app.extensions, _EXTENSION_KEY, None)
    with pytest.raises(AddressNotFoundError) as refused:
        locate(NORTH_ST[0], None, None)
    assert "cannot be looked up just now" in refused.value.errors["address"][0]
    assert locate(NORTH_ST[0], *SWAN_ST).warning is None  # the pin still stands
