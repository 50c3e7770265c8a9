"""A point written in one column, in the forms public files use."""

import pytest

from intake.points import UNREADABLE, split_point


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(39.2956, -76.6184)", ("39.2956", "-76.6184")),
        ("39.2956, -76.6184", ("39.2956", "-76.6184")),
        ("[39.2956;-76.6184]", ("39.2956", "-76.6184")),
        ("POINT (-76.6184 39.2956)", ("39.2956", "-76.6184")),
        ("point z(-76.6184 39.2956 12)", ("39.2956", "-76.6184")),
        ('{"type": "Point", "coordinates": [-76.6184, 39.2956]}', ("39.2956", "-76.6184")),
        ("", ("", "")),
        ("  ", ("", "")),
    ],
)
def test_each_known_form_gives_latitude_then_longitude(text, expected):
    assert split_point(text) == expected


@pytest.mark.parametrize(
    "text",
    ["somewhere", "(39.2956)", "POINT EMPTY", '{"type": "Polygon"}', '{"type": "Point"}', "{"],
)
def test_anything_else_is_unreadable(text):
    assert split_point(text) == UNREADABLE
