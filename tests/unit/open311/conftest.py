"""Fixtures for the Open311 format tests: Helsinki's real GeoReport v2 service list."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "open311"


@pytest.fixture(scope="session")
def helsinki_json() -> bytes:
    return (DATA / "helsinki_open311_services_en.json").read_bytes()


@pytest.fixture(scope="session")
def helsinki_xml() -> bytes:
    return (DATA / "helsinki_open311_services_en.xml").read_bytes()
