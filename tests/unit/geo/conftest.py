"""Fixtures for the geo unit tests: a small gazetteer and the demo city's address points."""

from pathlib import Path

import pytest

from geo.gazetteer import AddressPoint, GazetteerGeocoder

REPO = Path(__file__).resolve().parents[3]
DEMO_POINTS = REPO / "seeds" / "data" / "address_points.csv"

SMALL_POINTS = (
    AddressPoint("1234 Plank Rd", 30.500942, -91.147001, "Zion City", "70805"),
    AddressPoint("1240 Plank Rd", 30.501300, -91.147010, "Zion City", "70805"),
    AddressPoint("222 St Louis St", 30.451684, -91.186335, "Downtown", "70802"),
    AddressPoint("1500 North Blvd", 30.449500, -91.170000, "Mid City", "70802"),
    AddressPoint("700 E Sixth Street", 30.456000, -91.180000, "Spanish Town", "70802"),
    AddressPoint("25 Chesterton St", 42.329900, -71.071500, "Roxbury", "02119"),
    # the same street address in two ZIPs
    AddressPoint("100 Main St", 30.450000, -91.187000, "Downtown", "70802"),
    AddressPoint("100 Main St", 30.520000, -91.180000, "Scotlandville", "70807"),
)


@pytest.fixture
def small_gazetteer() -> GazetteerGeocoder:
    return GazetteerGeocoder(SMALL_POINTS)


@pytest.fixture(scope="session")
def demo_points_path() -> Path:
    return DEMO_POINTS


@pytest.fixture(scope="session")
def demo_gazetteer() -> GazetteerGeocoder:
    return GazetteerGeocoder.from_csv(DEMO_POINTS)
