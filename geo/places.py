"""Where a form says something is: an address, a pin, or both, made into one place.

`locate(address, latitude, longitude)` is the one path by which every form that asks "where"
(the resident's report, posting a need, registering an organisation, the profile's base, a
briefing prospect) and the services behind the API turn what was typed into a point:

- a pin (both coordinates) is the point; when an address is given too it is looked up, and
  a pin more than `DISAGREE_KM` (0.5 km: further than a long block, nearer than the next
  neighbourhood) from the address's point comes back with a `warning` in plain words, so the
  person checks the one that is wrong. The pin wins: it is what they placed by hand.
- an address alone is looked up on submit through the city's geocoder (`configured_geocoder`,
  through the persistent cache); not found, or no geocoder, is an `AddressNotFoundError` on
  the address field, in words that say what to do next.
- neither is refused when a place is `required`, else there is no place (None).

`within_city=True` refuses a point outside the city's bounds (CITY_BOUNDS).

Imports Flask (current_app), SQLAlchemy through `geo.geocoding`, and `geo`; must not import web
code or other feature packages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from commonground.errors import ValidationError
from geo.distance import display_distance, haversine_km
from geo.geocoders import GeocoderConfigError, GeocodeResult
from geo.geocoding import CachedGeocoder, configured_geocoder
from geo.services import city_bounds, within

__all__ = [
    "DISAGREE_KM",
    "OUTSIDE",
    "AddressNotFoundError",
    "Place",
    "find_address",
    "locate",
]

DISAGREE_KM = 0.5
"""A pin further than this from its address's point is worth a second look."""
OUTSIDE = "This place is outside the city, so the city cannot act on it. Check the pin or address."


class AddressNotFoundError(ValidationError):
    """The address could not be made a point (not found, or no geocoder) and no pin was given."""


@dataclass(frozen=True)
class Place:
    """A located place: the point, how it was found, and a warning when pin and address differ."""

    latitude: float
    longitude: float
    source: str  # "pin" or "address"
    matched_address: str | None = None  # the geocoder's wording of the address, when looked up
    apart_km: float | None = None  # pin to the address's point, when both are known
    warning: str | None = None


def find_address(address: str) -> GeocodeResult | None:
    """The address through the city's geocoder and its cache; None when no geocoder can be
    built (misconfiguration is logged, never shown)."""
    try:
        geocoder = configured_geocoder()  # GEOCODER, GAZETTEER_PATH...: built once per app
    except (GeocoderConfigError, OSError, ValueError):
        current_app.logger.exception("could not build the geocoder")
        return None
    return CachedGeocoder(geocoder).lookup(address)


def locate(
    address: str | None,
    latitude: float | None,
    longitude: float | None,
    *,
    field: str = "address",
    required: bool = True,
    within_city: bool = False,
    check_pin: bool = True,
) -> Place | None:
    """The place a form describes (see the module's docstring); errors name `field`.

    `check_pin=False` takes a pin without looking its address up (a caller that shows no
    warning, such as the seeds, need not spend a geocoder call on one)."""
    address = (address or "").strip()
    pinned = latitude is not None and longitude is not None
    if not pinned and not address:
        if not required:
            return None
        raise ValidationError(
            "Say where it is.", {field: ["Give an address, or place the pin on the map."]}
        )
    if pinned:
        place = _pinned(address if check_pin else "", latitude, longitude)
    else:
        place = _looked_up(address, field)
    bounds = city_bounds(current_app.config.get("CITY_BOUNDS")) if within_city else None
    if bounds is not None and not within(bounds, place.latitude, place.longitude):
        raise ValidationError(OUTSIDE, {"location": [OUTSIDE]})
    return place


def _looked_up(address: str, field: str) -> Place:
    result = find_address(address)
    if result is None or result.status == "failed":
        raise AddressNotFoundError(
            "Addresses cannot be looked up just now.",
            {field: ["Addresses cannot be looked up just now: place the pin on the map."]},
        )
    if not result.found:
        raise AddressNotFoundError(
            "We could not find that address.",
            {field: ["We could not find this address: check it, or place the pin on the map."]},
        )
    return Place(result.latitude, result.longitude, "address", result.matched_address)


def _pinned(address: str, latitude: float, longitude: float) -> Place:
    if not address:
        return Place(latitude, longitude, "pin")
    result = find_address(address)
    if result is None or not result.found:
        return Place(latitude, longitude, "pin")  # nothing to compare the pin with
    apart = haversine_km(latitude, longitude, result.latitude, result.longitude)
    warning = None
    if apart > DISAGREE_KM:
        units = current_app.config.get("DISTANCE_UNITS", "mi")
        warning = (
            f"The pin is {display_distance(apart, units)} from where the address "
            f"“{address}” is. The pin was kept: if the address is right, move the pin there."
        )
    return Place(latitude, longitude, "pin", result.matched_address, round(apart, 3), warning)
