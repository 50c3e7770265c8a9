"""Probable duplicates: the same capability within the radius, found as an import goes."""

import random

import pytest

from intake.duplicates import ProximityIndex, distance_m

PLANK = (30.500942, -91.147001)
METRE = 1 / 111_195.0


def test_a_need_of_the_same_capability_within_30_m_is_found():
    index = ProximityIndex()
    index.add("need-1", "illegal_dumping", *PLANK)
    assert index.nearest("illegal_dumping", PLANK[0] + 20 * METRE, PLANK[1]) == "need-1"
    assert index.nearest("illegal_dumping", PLANK[0] + 40 * METRE, PLANK[1]) is None


def test_another_capability_at_the_same_spot_is_not_a_duplicate():
    index = ProximityIndex()
    index.add("need-1", "illegal_dumping", *PLANK)
    assert index.nearest("board_up", *PLANK) is None


def test_the_closest_of_several_is_chosen_and_a_need_never_matches_itself():
    index = ProximityIndex(50)
    index.add("far", "litter_cleanup", PLANK[0] + 40 * METRE, PLANK[1])
    index.add("near", "litter_cleanup", PLANK[0] + 10 * METRE, PLANK[1])
    assert index.nearest("litter_cleanup", *PLANK) == "near"
    assert index.nearest("litter_cleanup", PLANK[0] + 10 * METRE, PLANK[1], exclude="near") == (
        "far"
    )


def test_a_removed_or_moved_need_is_no_longer_found_where_it_was():
    index = ProximityIndex()
    index.add("need-1", "greening", *PLANK)
    index.add("need-1", "greening", 30.45, -91.18)  # moved
    assert index.nearest("greening", *PLANK) is None
    assert len(index) == 1
    index.discard("need-1")
    assert index.nearest("greening", 30.45, -91.18) is None


@pytest.mark.parametrize("radius", [5.0, 30.0, 120.0])
def test_the_grid_agrees_with_brute_force(radius):
    rng = random.Random(7)
    points = [
        (30.45 + rng.uniform(-0.01, 0.01), -91.15 + rng.uniform(-0.01, 0.01)) for _ in range(400)
    ]
    index = ProximityIndex(radius)
    for number, (lat, lon) in enumerate(points):
        index.add(number, "lot_mowing", lat, lon)
    for _ in range(300):
        lat, lon = 30.45 + rng.uniform(-0.01, 0.01), -91.15 + rng.uniform(-0.01, 0.01)
        within = [
            (distance_m(lat, lon, *p), n)
            for n, p in enumerate(points)
            if distance_m(lat, lon, *p) <= radius
        ]
        expected = min(within)[1] if within else None
        assert index.nearest("lot_mowing", lat, lon) == expected


def test_a_negative_radius_is_refused():
    with pytest.raises(ValueError, match="positive"):
        ProximityIndex(-1)


def test_a_radius_of_0_turns_the_check_off():
    index = ProximityIndex(0)
    index.add(1, "board_up", 39.2956, -76.6184, "0001-001")
    assert index.nearest("board_up", 39.2956, -76.6184, parcel="0001-001") is None
    assert index.nearest("board_up", 39.2956, -76.6184) is None


def test_different_parcels_at_one_point_are_never_probable_duplicates():
    index = ProximityIndex(30)
    index.add(1, "board_up", 39.2956, -76.6184, "0001-001")
    assert index.nearest("board_up", 39.2956, -76.6184, parcel="0001-002") is None


def test_the_same_parcel_is_the_same_place_at_any_distance_and_spelling():
    index = ProximityIndex(30)
    index.add(1, "board_up", 39.2956, -76.6184, "0001-001")
    assert index.nearest("board_up", 39.30, -76.62, parcel="0001 001") == 1
    assert index.nearest("lot_mowing", 39.2956, -76.6184, parcel="0001-001") is None


def test_a_row_without_a_parcel_falls_back_to_the_radius():
    index = ProximityIndex(30)
    index.add(1, "board_up", 39.2956, -76.6184, "0001-001")
    assert index.nearest("board_up", 39.29561, -76.6184) == 1
    index.add(2, "board_up", 39.4, -76.6)
    assert index.nearest("board_up", 39.40001, -76.6, parcel="0002-002") == 2


def test_discarding_a_parcel_s_need_keeps_the_other_on_that_parcel():
    index = ProximityIndex(30)
    index.add(1, "board_up", 39.2956, -76.6184, "P1")
    index.add(2, "board_up", 39.2957, -76.6184, "P1")
    index.discard(1)
    assert index.nearest("board_up", 39.2956, -76.6184, parcel="P1") == 2
