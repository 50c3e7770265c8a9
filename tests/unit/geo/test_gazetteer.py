"""The offline gazetteer geocoder: normalised forward look-ups and nearest-point reverse."""

import csv

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import AddressPoint, GazetteerGeocoder, normalize_address


def test_the_gazetteer_is_a_real_geopy_geocoder(small_gazetteer):
    assert isinstance(small_gazetteer, Geocoder)
    location = small_gazetteer.geocode("1234 Plank Rd")
    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == (30.500942, -91.147001)
    assert location.address == "1234 Plank Rd"
    assert location.raw["neighbourhood"] == "Zion City"


@pytest.mark.parametrize(
    "query",
    [
        "1234 plank road, Baton Rouge LA 70805",
        "1234 Plank Rd",
        "1234 PLANK RD.",
        "  1234   Plank    Road  ",
        "1234 Plank Road, Baton Rouge, Louisiana 70805-1234",
        "1234 Plank Rd Apt 5",
        "1234 Plank Rd #5",
        "1234 Plank Rd, Unit 5B, Baton Rouge LA",
        "1234 Plank Rd Baton Rouge",
        "1234 Plank Rd, Baton Rouge, LA, USA",
    ],
)
def test_an_address_is_found_whatever_its_spelling(small_gazetteer, query):
    assert small_gazetteer.geocode(query).address == "1234 Plank Rd"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("222 Saint Louis Street", "222 St Louis St"),
        ("1500 North Boulevard", "1500 North Blvd"),
        ("1500 N. Blvd.", "1500 North Blvd"),
        ("700 East 6th St", "700 E Sixth Street"),
        ("700 e sixth st, Baton Rouge LA 70802", "700 E Sixth Street"),
    ],
)
def test_suffixes_directions_and_ordinals_are_folded(small_gazetteer, query, expected):
    assert small_gazetteer.geocode(query).address == expected


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("1234 plank road, Baton Rouge LA 70805", "1234 PLANK RD BATON ROUGE"),
        ("145 Pinckney St  Boston  MA  02114", "145 PINCKNEY ST BOSTON"),
        ("10 Oak Lane Apt. 3", "10 OAK LN"),
        ("9 Elm Highway, Suite 200", "9 ELM HWY"),
        ("1 Court Place #12", "1 CT PL"),
        ("5 Main Drive, Miami FL 33101", "5 MAIN DR MIAMI"),
        ("3 Harding Boulevard", "3 HARDING BLVD"),
    ],
)
def test_normalize_address(raw, normal):
    assert normalize_address(raw) == normal


def test_an_unknown_address_is_none_and_a_wrong_number_is_not_a_match(small_gazetteer):
    assert small_gazetteer.geocode("1 Nowhere Ln") is None
    assert small_gazetteer.geocode("1236 Plank Rd") is None
    assert small_gazetteer.geocode("") is None


def test_a_house_number_range_tries_each_end(small_gazetteer):
    assert small_gazetteer.geocode("25-35 Chesterton St Roxbury MA 02119").address == (
        "25 Chesterton St"
    )


def test_a_zip_chooses_between_equal_street_addresses(small_gazetteer):
    assert small_gazetteer.geocode("100 Main St 70807").raw["zip"] == "70807"
    assert small_gazetteer.geocode("100 Main St Baton Rouge LA 70802").raw["zip"] == "70802"
    both = small_gazetteer.geocode("100 Main St", exactly_one=False)
    assert [loc.raw["zip"] for loc in both] == ["70802", "70807"]


def test_geocode_accepts_the_timeout_argument(small_gazetteer):
    assert small_gazetteer.geocode("1234 Plank Rd", exactly_one=True, timeout=3) is not None


def test_reverse_returns_the_nearest_address_point(small_gazetteer):
    near_1234 = (30.50096, -91.14701)  # about 2 m away
    assert small_gazetteer.reverse(near_1234).address == "1234 Plank Rd"
    assert small_gazetteer.reverse("30.50128, -91.14701").address == "1240 Plank Rd"


def test_reverse_with_exactly_one_false_lists_nearest_first(small_gazetteer):
    found = small_gazetteer.reverse((30.50100, -91.14700), exactly_one=False, limit=3)
    assert [loc.address for loc in found] == ["1234 Plank Rd", "1240 Plank Rd"]


def test_reverse_far_from_every_point_finds_nothing(small_gazetteer):
    assert small_gazetteer.reverse((48.8566, 2.3522)) is None
    unbounded = GazetteerGeocoder(small_gazetteer.points, reverse_max_distance_m=None)
    assert unbounded.reverse((42.33, -71.07)).address == "25 Chesterton St"


def test_an_empty_gazetteer_answers_none():
    empty = GazetteerGeocoder([])
    assert empty.geocode("1234 Plank Rd") is None
    assert empty.reverse((30.5, -91.1)) is None


def test_the_gazetteer_never_uses_the_network(small_gazetteer):
    with pytest.raises(RuntimeError, match="offline"):
        small_gazetteer.adapter.get_json("https://example.org", timeout=1, headers={})


def test_from_csv_refuses_a_file_without_coordinates(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("address,zip\n1 Main St,70802\n")
    with pytest.raises(ValueError, match="lacks columns"):
        GazetteerGeocoder.from_csv(path)


def test_every_demo_address_point_geocodes_to_itself(demo_gazetteer, demo_points_path):
    with demo_points_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(demo_gazetteer) >= 1400
    for row in rows:
        location = demo_gazetteer.geocode(f"{row['address']}, Baton Rouge LA {row['zip']}")
        assert location is not None, row["address"]
        assert (location.latitude, location.longitude) == (
            float(row["latitude"]),
            float(row["longitude"]),
        )


def test_reverse_of_a_demo_point_is_that_point(demo_gazetteer):
    for point in demo_gazetteer.points[::50]:
        assert demo_gazetteer.reverse((point.latitude, point.longitude)).address == point.address


def test_the_brief_example_is_in_the_demo_city(demo_gazetteer):
    location = demo_gazetteer.geocode("1234 plank road, Baton Rouge LA 70805")
    assert location.address == "1234 Plank Rd"
    assert location.raw["neighbourhood"] == "Zion City"


def test_address_point_raw_has_the_csv_columns():
    point = AddressPoint("1 A St", 1.0, 2.0)
    assert point.raw() == {
        "address": "1 A St",
        "latitude": 1.0,
        "longitude": 2.0,
        "neighbourhood": None,
        "zip": None,
    }
