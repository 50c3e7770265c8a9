"""From a raw row to a NeedRecord or the reasons why not - on the real Boston files and by rule."""

from datetime import UTC, datetime

import pytest

from intake.mapping import GENERIC, OPEN311, CategoryMap
from intake.reader import CsvFile, RawRow
from intake.records import (
    MISSING_LOCATION,
    NeedRecord,
    RecordBuilder,
    RowError,
    clean_line,
    clean_text,
    normalize_zip,
    parse_datetime,
)
from intake.report import IntakeReport
from seeds.taxonomy import CAPABILITIES

CATEGORIES = CategoryMap(c["code"] for c in CAPABILITIES)  # the starting taxonomy's

HEADER = [
    "id",
    "type",
    "title",
    "description",
    "address",
    "lat",
    "lng",
    "requested_datetime",
    "status",
    "closed",
    "neighborhood",
    "zip",
    "parcel_id",
    "priority",
    "due",
]


def builder(**options) -> RecordBuilder:
    options.setdefault("categories", CATEGORIES)
    return RecordBuilder(HEADER, source="survey", city_tz="America/Chicago", **options)


def row(line: int = 2, **values: str) -> RawRow:
    base = {
        "id": "S-1",
        "type": "Illegal Dumping",
        "address": "1234 Plank Rd",
        "lat": "30.500942",
        "lng": "-91.147001",
        "requested_datetime": "2026-07-15 14:30",
    }
    base.update(values)
    return RawRow(line, {name: base.get(name, "") for name in HEADER})


def import_file(path) -> tuple[list[NeedRecord], IntakeReport]:
    report = IntakeReport()
    records = []
    with CsvFile(path) as rows:
        build = RecordBuilder(rows.header, source="boston311", categories=CATEGORIES).build
        for raw in rows:
            outcome = build(raw)
            report.add(outcome)
            if isinstance(outcome, NeedRecord):
                records.append(outcome)
    return records, report


# -- the real Boston exports ------------------------------------------------------------------
BOSTON_EXPECTED = {
    # name: (rows, records, placeholder rows to geocode, rejected lines: no address at all)
    "dumping": (45, 45, [27, 32, 36], []),
    "abandoned": (168, 168, [16, 31, 109], []),
    "poor_conditions": (173, 173, [31, 49, 64, 67, 116, 122, 134, 157, 162], []),
    "trash": (381, 376, [77, 80, 105, 108, 302, 354], [3, 7, 128, 171, 243]),
}


@pytest.mark.parametrize("name", sorted(BOSTON_EXPECTED))
def test_every_boston_row_is_imported_or_explained(boston_files, name):
    rows, ok, to_geocode, rejected = BOSTON_EXPECTED[name]
    records, report = import_file(boston_files[name])
    assert (report.rows_read, report.records_ok, report.rows_rejected) == (rows, ok, len(rejected))
    assert sorted(r.line for r in records if r.needs_geocoding) == to_geocode
    assert all(r.location_problem == "placeholder point" for r in records if r.needs_geocoding)
    assert all(r.address for r in records if r.needs_geocoding)
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (line, "location", MISSING_LOCATION) for line in rejected
    ]
    assert all(e.value == "42.3594,-71.0587 (placeholder point)" for e in report.errors)


def test_boston_records_are_normalised(boston_files):
    records, _ = import_file(boston_files["dumping"])
    first = records[0]
    assert first == NeedRecord(
        source="boston311",
        external_id="101001253231",
        capability="illegal_dumping",
        title="Illegal Dumping",
        description="",
        address="145 Pinckney St Boston MA 02114",
        latitude=42.359,
        longitude=-71.0717,
        location_problem=None,
        opened_at=datetime(2015, 1, 24, 19, 36, 52, tzinfo=UTC),  # 2:36:52 PM EST
        closed=True,
        closed_at=datetime(2015, 1, 27, 13, 34, 4, tzinfo=UTC),
        neighbourhood="Back Bay",
        zip_code="02114",
        parcel_id=None,
        priority=None,
        line=2,
        due_at=datetime(2015, 1, 27, 13, 30, tzinfo=UTC),
    )


def test_boston_capabilities_follow_the_request_type(boston_files):
    expected = {
        "dumping": "illegal_dumping",
        "trash": "litter_cleanup",
        "poor_conditions": "property_maintenance_help",
        "abandoned": "board_up",
    }
    for name, code in expected.items():
        records, _ = import_file(boston_files[name])
        assert {r.capability for r in records} == {code}


def test_open_boston_cases_are_open_and_have_no_closing_time(boston_files):
    records, _ = import_file(boston_files["abandoned"])
    open_ones = [r for r in records if not r.closed]
    assert len(open_ones) == 26
    assert all(r.closed_at is None for r in open_ones)
    assert all(r.closed_at is not None for r in records if r.closed)


def test_the_real_city_hall_address_is_not_a_placeholder(boston_files):
    records, _ = import_file(boston_files["poor_conditions"])
    city_hall = [r for r in records if r.address and r.address.startswith("1 City Hall Plz")]
    assert len(city_hall) == 2  # about 100 m from the placeholder point: a real location
    assert all(not r.needs_geocoding for r in city_hall)


# -- dates and time zones ---------------------------------------------------------------------
def test_a_boston_local_time_in_july_is_utc_minus_4():
    boston = RecordBuilder(
        ["CASE_ENQUIRY_ID", "TYPE", "OPEN_DT", "CASE_STATUS", "Location"],
        source="311",
        categories=CATEGORIES,
    )
    record = boston.build(
        RawRow(
            2,
            {
                "CASE_ENQUIRY_ID": "1",
                "TYPE": "Illegal Dumping",
                "CASE_STATUS": "Open",
                "OPEN_DT": "07/15/2015 02:30:00 PM",
                "Location": "1 Main St",
            },
        )
    )
    assert record.opened_at == datetime(2015, 7, 15, 18, 30, tzinfo=UTC)
    assert record.opened_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/24/2015 02:36:52 PM", datetime(2015, 1, 24, 19, 36, 52, tzinfo=UTC)),  # EST, -5
        ("07/04/2015 12:00:00 AM", datetime(2015, 7, 4, 4, 0, tzinfo=UTC)),  # EDT, -4
        ("07/04/2015", datetime(2015, 7, 4, 4, 0, tzinfo=UTC)),
        ("2015-07-04T12:00:00", datetime(2015, 7, 4, 16, 0, tzinfo=UTC)),  # naive ISO: local
        ("2015-07-04T12:00:00Z", datetime(2015, 7, 4, 12, 0, tzinfo=UTC)),
        ("2015-07-04T12:00:00-05:00", datetime(2015, 7, 4, 17, 0, tzinfo=UTC)),
        ("2015-07-04 12:00:00+02:00", datetime(2015, 7, 4, 10, 0, tzinfo=UTC)),
    ],
)
def test_dates_are_read_in_the_city_zone_and_stored_as_utc(text, expected):
    from zoneinfo import ZoneInfo

    formats = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")
    assert parse_datetime(text, formats, ZoneInfo("America/New_York")) == expected


def test_an_unreadable_or_missing_opening_date_is_an_error():
    assert builder().build(row(requested_datetime="yesterday")) == [
        RowError(2, "opened_at", "unreadable date", "yesterday")
    ]
    assert builder().build(row(requested_datetime="")) == [
        RowError(2, "opened_at", "missing date", "")
    ]


def test_a_missing_date_may_be_left_to_the_need_s_creation():
    record = builder(allow_missing_opened_at=True).build(row(requested_datetime=""))
    assert record.opened_at is None


# -- coordinates and locations ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("lat", "lng", "problem"),
    [
        ("", "", "no coordinates"),
        ("30.5", "", "unreadable coordinates"),
        ("north", "west", "unreadable coordinates"),
        ("nan", "1", "unreadable coordinates"),
        ("91", "-91.1", "coordinates out of range"),
        ("30.5", "-181", "coordinates out of range"),
        ("0", "0", "coordinates (0, 0)"),
        ("0.0", "0.000", "coordinates (0, 0)"),
        ("42.3594", "-71.0587", "placeholder point"),
        ("42.35942", "-71.05875", "placeholder point"),  # about 4 m away
    ],
)
def test_unusable_coordinates_mean_the_address_must_be_geocoded(lat, lng, problem):
    record = builder().build(row(lat=lat, lng=lng))
    assert isinstance(record, NeedRecord)
    assert (record.latitude, record.longitude, record.location_problem) == (None, None, problem)
    assert record.needs_geocoding
    assert record.address == "1234 Plank Rd"


def test_a_point_100_m_from_the_placeholder_is_kept():
    record = builder().build(row(lat="42.3601", lng="-71.0579"))
    assert (record.latitude, record.longitude, record.location_problem) == (
        42.3601,
        -71.0579,
        None,
    )


def test_placeholder_points_are_configurable():
    build = builder(placeholder_points=[(30.4485, -91.1871)]).build  # e.g. a city hall
    assert build(row(lat="30.4485", lng="-91.1871")).location_problem == "placeholder point"
    assert build(row(lat="42.3594", lng="-71.0587")).location_problem is None


def test_no_coordinates_and_no_address_cannot_be_geocoded():
    assert builder().build(row(lat="", lng="", address="  ")) == [
        RowError(2, "location", MISSING_LOCATION, "no coordinates")
    ]
    assert builder().build(row(lat="0", lng="0", address="")) == [
        RowError(2, "location", MISSING_LOCATION, "0,0 (coordinates (0, 0))")
    ]


def test_good_coordinates_without_an_address_are_fine():
    record = builder().build(row(address=""))
    assert (record.address, record.latitude, record.location_problem) == (None, 30.500942, None)


# -- categories, ids, text --------------------------------------------------------------------
def test_an_unknown_category_is_an_error():
    assert builder().build(row(type="Pothole")) == [
        RowError(2, "category", "unknown category (no capability mapped)", "Pothole")
    ]


def test_a_custom_category_map_is_used():
    categories = CategoryMap(CATEGORIES.codes, {"Overgrown Lot": "lot_mowing"})
    assert builder(categories=categories).build(row(type="overgrown  lot")).capability == (
        "lot_mowing"
    )


def test_every_problem_of_a_row_is_reported_at_once():
    errors = builder().build(row(id="", type="", lat="", lng="", address="", priority="9"))
    assert [(e.field, e.reason) for e in errors] == [
        ("external_id", "missing id"),
        ("category", "missing category"),
        ("location", MISSING_LOCATION),
        ("priority", "priority must be a whole number from 1 to 5"),
    ]


def test_an_unreadable_raw_row_becomes_one_row_error():
    bad = RawRow(9, None, "expected 15 fields, found 3", "a,b,c")
    assert builder().build(bad) == [RowError(9, "row", "expected 15 fields, found 3", "a,b,c")]


def test_control_characters_are_stripped_from_text():
    record = builder().build(
        row(
            title="Tyres\x00 dumped\x07",
            description="line one\r\nline\x1b two\x00",
            address="1234\tPlank\x00 Rd\n",
        )
    )
    assert record.title == "Tyres dumped"
    assert record.description == "line one\nline two"
    assert record.address == "1234 Plank Rd"


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 200), ("description", 5000), ("address", 300)]
)
def test_text_longer_than_its_limit_is_an_error(field, limit):
    assert isinstance(builder().build(row(**{field: "x" * limit})), NeedRecord)
    errors = builder().build(row(**{field: "x" * (limit + 1)}))
    assert [(e.field, e.reason) for e in errors] == [(field, f"longer than {limit} characters")]


def test_a_row_without_a_title_is_named_from_its_category_and_address():
    assert builder().build(row(title="")).title == "Illegal Dumping at 1234 Plank Rd"
    assert builder().build(row(title="", address="")).title == "Illegal Dumping"


def test_a_category_given_as_a_code_names_the_row_by_the_capability_s_label():
    labelled = builder(labels={"illegal_dumping": "Illegal dumping removal"})
    record = labelled.build(row(title="", type="illegal_dumping"))
    assert record.title == "Illegal dumping removal at 1234 Plank Rd"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2114.0", "02114"),
        ("2114", "02114"),
        ("02114", "02114"),
        (" 70805 ", "70805"),
        ("70805.0", "70805"),
        ("021141234", "02114-1234"),
        ("02114-1234", "02114-1234"),
        ("", None),
        ("nan?", None),
        ("00100", "00100"),
        ("k1a 0b1", "K1A 0B1"),
    ],
)
def test_zip_codes_are_normalised(raw, expected):
    assert normalize_zip(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("1", 1), ("5.0", 5)])
def test_priority_is_left_to_the_need_s_default_and_accepts_1_to_5(raw, expected):
    assert builder().build(row(priority=raw)).priority == expected


@pytest.mark.parametrize("raw", ["0", "6", "2.5", "high"])
def test_a_priority_outside_1_to_5_is_an_error(raw):
    assert builder().build(row(priority=raw)) == [
        RowError(2, "priority", "priority must be a whole number from 1 to 5", raw)
    ]


def test_status_decides_closed_and_the_closing_time():
    closed = builder().build(row(status="Closed", closed="2026-07-20T09:00:00Z"))
    assert (closed.closed, closed.closed_at) == (True, datetime(2026, 7, 20, 9, tzinfo=UTC))
    reopened = builder().build(row(status="open", closed="2026-07-20T09:00:00Z"))
    assert (reopened.closed, reopened.closed_at) == (False, None)
    no_status = builder().build(row(closed="2026-07-20T09:00:00Z"))
    assert no_status.closed


def test_generic_optional_fields_are_read():
    record = builder().build(
        row(
            neighborhood=" Zion  City ",
            zip="70805",
            parcel_id="P-77",
            priority="2",
            due="2026-08-01",
            description="Tyres and a sofa",
        )
    )
    assert (record.neighbourhood, record.zip_code, record.parcel_id, record.priority) == (
        "Zion City",
        "70805",
        "P-77",
        2,
    )
    assert record.due_at == datetime(2026, 8, 1, 5, 0, tzinfo=UTC)  # CDT midnight
    assert record.description == "Tyres and a sofa"
    assert record.source == "survey"
    assert builder().preset is GENERIC


def test_clean_helpers():
    assert clean_line("  a \t b\n c\x00 ") == "a b c"
    assert clean_text(None) == ""
    assert clean_text("x\x85y\u2028z") == "xy\u2028z"


def test_a_row_error_carries_the_row_s_own_id():
    (error,) = builder().build(row(requested_datetime="yesterday"))
    assert error.external_id == "S-1"


def test_an_open311_updated_datetime_is_not_read_as_a_closing_time():
    assert "closed_at" not in OPEN311.columns
