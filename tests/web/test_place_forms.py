"""Addresses become places on the organisation forms, through the test client: registering
(no coordinates asked; the base address looked up on submit; a pin optional) and the profile
(a changed base address moves the base; a pin far from the address is kept with a warning).
The city's geocoder is the offline gazetteer (seeds/data/address_points.csv): no network."""

from __future__ import annotations

from sqlalchemy import select

from commonground.extensions import db
from partners.models import Partner

NORTH_ST = ("1000 North St", 30.450746, -91.191144)  # Downtown
SWAN_ST = ("200 Swan St", 30.522033, -91.186117)  # Scotlandville, 8 km north


def _register(web, **overrides: str):
    data = {
        "name": "Mid City Gardeners",
        "sector": "civic_group",
        "description": "We mow and plant.",
        "base_address": NORTH_ST[0],
        "base_latitude": "",
        "base_longitude": "",
        "service_radius_km": "4",
        "member_name": "Gail Gardener",
        "email": "gail@gardeners.example",
        "password": "gardens grow slowly",
        "confirm": "gardens grow slowly",
    }
    data.update(overrides)
    return web.post("/register", data)


def _base(name: str = "Mid City Gardeners") -> tuple[str | None, float, float] | None:
    partner = db.session.scalar(select(Partner).where(Partner.name == name))
    return partner and (partner.base_address, partner.base_latitude, partner.base_longitude)


def test_registration_asks_for_an_address_not_coordinates(make, browser):
    page = browser().text("/register")
    assert 'for="base_address"' in page and 'id="pick-map"' in page
    assert 'for="base_latitude"' not in page and 'for="base_longitude"' not in page
    assert 'type="hidden" id="base_latitude"' in page


def test_registering_with_an_address_alone_places_the_base(make, browser):
    response = _register(browser())
    assert response.status_code == 302
    assert _base() == NORTH_ST


def test_registering_at_an_unknown_address_is_refused_with_what_was_typed(make, browser):
    response = _register(browser(), base_address="9 Nowhere Elm")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="base_address-error"' in page and "We could not find this address" in page
    assert 'aria-describedby="base_address-hint base_address-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="9 Nowhere Elm"' in page and 'value="Mid City Gardeners"' in page
    assert 'value="gail@gardeners.example"' in page and "gardens grow slowly" not in page
    assert _base() is None


def test_a_registration_pin_far_from_the_address_is_kept_with_a_warning(make, browser):
    web = browser()
    response = _register(web, base_latitude=str(SWAN_ST[1]), base_longitude=str(SWAN_ST[2]))
    assert response.status_code == 302
    assert "The pin is 4.9 mi from where the address" in web.text(response.headers["Location"])
    assert _base() == (NORTH_ST[0], SWAN_ST[1], SWAN_ST[2])


def _crew(make, browser):
    partner = make.partner(
        name="Crew", base_address=NORTH_ST[0], base_latitude=NORTH_ST[1], base_longitude=NORTH_ST[2]
    )
    return browser(make.user("partner", partner=partner))


def _profile(client, **overrides: str):
    data = {
        "description": "We clean.",
        "base_address": NORTH_ST[0],
        "base_latitude": str(NORTH_ST[1]),  # the hidden inputs hold the saved base
        "base_longitude": str(NORTH_ST[2]),
        "service_radius_km": "5",
        "capability": ["litter_cleanup"],
        "tasks_per_week-litter_cleanup": "3",
    }
    data.update(overrides)
    return client.post("/profile/", data)


def test_the_profile_asks_for_no_coordinates(make, browser):
    page = _crew(make, browser).text("/profile/")
    assert 'for="base_latitude"' not in page
    assert 'id="base_latitude" name="base_latitude" type="hidden"' in page


def test_a_changed_base_address_moves_the_base(make, browser):
    client = _crew(make, browser)
    response = _profile(client, base_address=SWAN_ST[0])
    assert response.status_code == 302
    assert _base("Crew") == SWAN_ST
    assert "The pin is" not in client.text("/profile/")


def test_an_unknown_base_address_is_refused_and_the_base_stays(make, browser):
    client = _crew(make, browser)
    response = _profile(client, base_address="9 Nowhere Elm", description="Kept words")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="base_address-error"' in page and 'value="9 Nowhere Elm"' in page
    assert "Kept words" in page
    assert _base("Crew") == NORTH_ST


def test_a_base_pin_moved_far_from_the_address_is_kept_with_a_warning(make, browser):
    client = _crew(make, browser)
    response = _profile(client, base_latitude=str(SWAN_ST[1]), base_longitude=str(SWAN_ST[2]))
    assert response.status_code == 302
    assert "The pin is 4.9 mi from where the address" in client.text("/profile/")
    assert _base("Crew") == (NORTH_ST[0], SWAN_ST[1], SWAN_ST[2])


def test_a_new_address_with_a_pin_moved_to_it_keeps_the_pin_quietly(make, browser):
    client = _crew(make, browser)
    response = _profile(
        client, base_address=SWAN_ST[0], base_latitude="30.5221", base_longitude="-91.1862"
    )
    assert response.status_code == 302
    assert _base("Crew") == (SWAN_ST[0], 30.5221, -91.1862)
    assert "The pin is" not in client.text("/profile/")
