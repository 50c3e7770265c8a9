"""One `ImportOptions` says what an import was asked to do: plain, frozen data."""

import dataclasses

import pytest

from intake.mapping import CategoryOverrides
from intake.options import ImportOptions


def test_by_default_a_311_file_is_imported_with_its_layout_detected_and_geocoded():
    options = ImportOptions()
    assert (options.source, options.preset, options.kind, options.categories) == (
        "311", None, None, None
    )  # fmt: skip
    assert options.geocode is True
    assert (options.timezone, options.duplicate_radius_m) == (None, None)


def test_options_are_values_a_caller_copies_with_changes_but_never_alters():
    base = ImportOptions(
        source="blight_survey", categories=CategoryOverrides({"Weeds": "greening"})
    )
    quiet = dataclasses.replace(base, geocode=False)
    assert (quiet.source, quiet.categories, quiet.geocode) == (
        "blight_survey",
        base.categories,
        False,
    )
    assert base.geocode is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.source = "other"  # type: ignore[misc]
