"""Fixtures for the intake unit tests: the real Boston 311 files and small hand-made files."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
BOSTON = DATA / "boston311"

GENERIC_HEADER = (
    "id,type,title,description,address,lat,lng,requested_datetime,status,neighborhood,zip,"
    "parcel_id,priority,due\n"
)


@pytest.fixture(scope="session")
def boston_dir() -> Path:
    return BOSTON


@pytest.fixture(scope="session")
def boston_files() -> dict[str, Path]:
    """Boston 311 exports by short name: dumping, trash, poor_conditions, abandoned."""
    return {
        "dumping": BOSTON / "boston311_2015_illegal_dumping.csv",
        "trash": BOSTON / "boston311_2015_trash_on_vacant_lot.csv",
        "poor_conditions": BOSTON / "boston311_2015_poor_conditions_of_property.csv",
        "abandoned": BOSTON / "boston311_2015_abandoned_building.csv",
    }


@pytest.fixture
def write_file(tmp_path):
    """Write bytes (or text, as UTF-8) to a file in tmp_path and return its path."""

    def write(content: bytes | str, name: str = "input.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def generic_header() -> str:
    return GENERIC_HEADER
