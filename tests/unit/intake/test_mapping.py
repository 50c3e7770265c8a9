"""Column presets, preset detection and the source category -> capability code map."""

import json

import pytest

from intake.mapping import (
    BOSTON_311,
    GENERIC,
    OPEN311,
    CategoryMap,
    CategoryOverrides,
    ColumnMapping,
    MappingError,
    choose_preset,
    detect_preset,
    get_preset,
    parse_assignments,
)
from intake.reader import CsvFile
from seeds.taxonomy import CAPABILITIES

CODES = frozenset(c["code"] for c in CAPABILITIES)  # the starting taxonomy


def test_every_code_of_the_taxonomy_names_itself_and_no_other_code_does():
    categories = CategoryMap(CODES)
    assert all(categories.resolve(code) == code for code in CODES)
    assert CategoryMap(CODES | {"snow_clearing"}).resolve("snow_clearing") == "snow_clearing"
    assert CategoryMap(CODES - {"board_up"}).resolve("board_up") is None


def test_a_default_applies_only_when_the_taxonomy_has_its_code():
    assert CategoryMap(CODES).resolve("Abandoned Building") == "board_up"
    assert CategoryMap(CODES - {"board_up"}).resolve("Abandoned Building") is None


def test_a_boston_export_is_detected_as_boston311(boston_files):
    for path in boston_files.values():
        with CsvFile(path) as rows:
            preset = detect_preset(rows.header)
            columns = preset.resolve(rows.header)
        assert preset is BOSTON_311
        assert columns["external_id"] == "CASE_ENQUIRY_ID"
        assert columns["zip_code"] == "LOCATION_ZIPCODE"
        assert columns["address"] == "Location"


def test_generic_headers_are_matched_by_name_whatever_their_case_and_spacing():
    header = [
        "ID",
        "Category",
        "Title",
        "Address",
        "Lat",
        "LNG",
        "Requested DateTime",
        "Status",
        "Neighbourhood",
        "ZIP",
        "Parcel-ID",
        "Priority",
        "Due",
    ]
    assert detect_preset(header) is GENERIC
    assert GENERIC.resolve(header) == {
        "external_id": "ID",
        "category": "Category",
        "title": "Title",
        "address": "Address",
        "latitude": "Lat",
        "longitude": "LNG",
        "opened_at": "Requested DateTime",
        "status": "Status",
        "neighbourhood": "Neighbourhood",
        "zip_code": "ZIP",
        "parcel_id": "Parcel-ID",
        "priority": "Priority",
        "due_at": "Due",
    }


def test_open311_service_requests_are_detected_as_open311():
    header = [
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "requested_datetime",
        "updated_datetime",
        "address",
        "zipcode",
        "lat",
        "long",
    ]
    assert detect_preset(header) is OPEN311


def test_a_header_without_id_or_category_cannot_be_mapped():
    with pytest.raises(MappingError, match="id column"):
        detect_preset(["address", "lat", "lon"])
    with pytest.raises(MappingError, match="no column for external_id"):
        BOSTON_311.resolve(["TYPE", "OPEN_DT", "CASE_STATUS"])


def test_presets_are_found_by_name():
    assert get_preset(" Boston311 ") is BOSTON_311
    with pytest.raises(MappingError, match="known presets: boston311, generic, open311"):
        get_preset("chicago")


@pytest.mark.parametrize(
    ("source_type", "code"),
    [
        ("Illegal Dumping", "illegal_dumping"),
        ("illegal   dumping ", "illegal_dumping"),
        ("TRASH ON VACANT LOT", "litter_cleanup"),
        ("Poor Conditions of Property", "property_maintenance_help"),
        ("Abandoned Building", "board_up"),
        ("graffiti_removal", "graffiti_removal"),
        ("Pothole", None),
        ("", None),
        (None, None),
    ],
)
def test_boston_types_map_to_capabilities_case_and_space_insensitively(source_type, code):
    assert CategoryMap(CODES).resolve(source_type) == code


def test_categories_can_be_added_from_json(tmp_path):
    path = tmp_path / "categories.json"
    path.write_text(json.dumps({"Overgrown Grass": "lot_mowing"}))
    categories = CategoryMap.with_overrides(CODES, CategoryOverrides.from_file(path))
    assert categories.resolve("overgrown grass") == "lot_mowing"
    assert categories.resolve("Illegal Dumping") == "illegal_dumping"  # defaults kept


def test_categories_can_replace_the_defaults_from_toml(tmp_path):
    path = tmp_path / "categories.toml"
    path.write_text(
        'replace_defaults = true\n[categories]\n"Graffiti" = "graffiti_removal"\n'
        '"Illegal Dumping" = "bulk_trash_hauling"\n'
    )
    categories = CategoryMap.with_overrides(CODES, CategoryOverrides.from_file(path))
    assert categories.resolve("graffiti") == "graffiti_removal"
    assert categories.resolve("Illegal Dumping") == "bulk_trash_hauling"
    assert categories.resolve("Abandoned Building") is None


def test_a_category_map_naming_an_unknown_capability_is_refused(tmp_path):
    path = tmp_path / "categories.json"
    path.write_text(json.dumps({"Potholes": "pothole_filling"}))
    overrides = CategoryOverrides.from_file(path)
    with pytest.raises(MappingError, match="not a capability code"):
        CategoryMap.with_overrides(CODES, overrides)
    assert CategoryMap.with_overrides(CODES | {"pothole_filling"}, overrides).resolve("potholes")
    path.write_text("[1, 2]")
    with pytest.raises(MappingError, match="table/object"):
        CategoryOverrides.from_file(path)
    with pytest.raises(MappingError, match="cannot read"):
        CategoryOverrides.from_file(tmp_path / "missing.json")


# -- column mapping given by the person importing -----------------------------------------------
NOTICES = ["noticeNum", "blockLot", "fullAddress", "neighborhood", "noticeDate", "Location 1"]


def test_assignments_name_known_fields_only():
    assert parse_assignments(["address=Property Address"], "--column") == {
        "address": "Property Address"
    }
    with pytest.raises(MappingError, match="unknown field 'adress'"):
        parse_assignments(["adress=Property Address"], "--column")
    with pytest.raises(MappingError, match="FIELD=VALUE"):
        parse_assignments(["address"], "--column")


def test_a_mapping_makes_a_file_no_preset_knows_readable_as_generic():
    mapping = ColumnMapping(
        columns={"external_id": "blockLot", "address": "fullAddress", "opened_at": "noticeDate"},
        fixed={"category": "board_up"},
        location_column="Location 1",
        date_format="%d.%m.%Y",
    )
    preset = choose_preset(NOTICES, None, mapping)
    columns = preset.resolve(NOTICES)
    assert preset.name == "generic"
    assert columns["external_id"] == "blockLot"
    assert columns["neighbourhood"] == "neighborhood"
    assert "category" not in columns and "latitude" not in columns
    assert preset.date_formats[0] == "%d.%m.%Y"


def test_without_a_mapping_the_file_is_refused_with_what_to_say():
    with pytest.raises(MappingError, match="--column external_id=HEADER"):
        choose_preset(NOTICES, None, ColumnMapping())


def test_a_column_and_a_fixed_value_for_one_field_is_refused():
    mapping = ColumnMapping(columns={"category": "noticeNum"}, fixed={"category": "board_up"})
    with pytest.raises(MappingError, match="either a column or a fixed value"):
        choose_preset(NOTICES, None, mapping)
