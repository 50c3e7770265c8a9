"""Pure pieces of the pages: capability badges, the status legend, CSV cell guarding and
form-message flattening."""

from __future__ import annotations

from web.form_input import field_messages
from web.legend import STATUS_LEGEND, capability_badges, status_label
from web.map import csv_cell, csv_lines


def test_capability_badges_are_short_and_unique():
    badges = capability_badges(
        {"a": "Litter cleanup", "b": "Lot mowing", "c": "Litter collection", "d": "Lx"}
    )
    assert badges["a"] == "LC" and badges["b"] == "LM"
    assert len(set(badges.values())) == 4


def test_every_status_has_a_shape_and_words_not_only_a_colour():
    for _, (shape, words) in STATUS_LEGEND.items():
        assert shape and words
    shapes_of_live_statuses = {STATUS_LEGEND[s][0] for s in ("open", "claimed", "in_progress")}
    assert len(shapes_of_live_statuses) == 3
    assert status_label("in_progress") == "In progress"


def test_csv_cells_that_could_start_a_formula_are_quoted():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Main St") == "Main St"
    assert csv_cell(-91.5) == -91.5
    assert csv_cell(None) == ""


def test_csv_lines_writes_a_header_and_rows():
    text = "".join(csv_lines(["id", "title"], [{"id": 1, "title": "=bad"}]))
    assert text.splitlines() == ["id,title", "1,'=bad"]


def test_field_messages_flatten_list_items_onto_their_field():
    messages = {"status": {0: ["Must be one of: open."]}, "bbox": ["Bad."], "x": {"y": ["z"]}}
    assert field_messages(messages) == {
        "status": ["Must be one of: open."],
        "bbox": ["Bad."],
        "y": ["z"],
    }
