"""Streaming CSV and GeoJSON readers: physical line numbers, bad rows explained, flat memory."""

import io
import json
import tracemalloc

import pytest

from intake.reader import (
    CsvFile,
    FileTooLargeError,
    GeoJsonFile,
    IntakeFileError,
    open_intake_file,
    read_csv,
    read_geojson,
)

BOSTON_ROWS = {"dumping": 45, "trash": 381, "poor_conditions": 173, "abandoned": 168}


@pytest.mark.parametrize("name", sorted(BOSTON_ROWS))
def test_every_boston_row_reads_with_its_physical_line(boston_files, name):
    with CsvFile(boston_files[name]) as rows:
        assert rows.header[0] == "CASE_ENQUIRY_ID"  # the unnamed index column is dropped
        assert len(rows.header) == 33  # 34 columns with the index
        read = list(rows)
    assert len(read) == BOSTON_ROWS[name]
    assert all(row.ok for row in read)
    assert [row.line for row in read] == list(range(2, BOSTON_ROWS[name] + 2))


def test_a_quoted_field_with_line_breaks_keeps_later_line_numbers_right(write_file):
    path = write_file(
        "id,description,type\n"
        '1,"first line\nsecond line\nthird line",Illegal Dumping\n'
        "2,plain,Illegal Dumping\n"
        '3,"say ""hi""\r\nthere",Illegal Dumping\r\n'
        "4,last,Illegal Dumping\n"
    )
    rows = list(read_csv(path))
    assert [(row.line, row.values["id"]) for row in rows] == [
        (2, "1"),
        (5, "2"),
        (6, "3"),
        (8, "4"),
    ]
    assert rows[0].values["description"] == "first line\nsecond line\nthird line"
    assert rows[2].values["description"] == 'say "hi"\r\nthere'


def test_a_ragged_row_is_reported_and_the_rest_kept(write_file):
    path = write_file("id,type,address\n1,a,x\n2,b\n3,c,z,extra\n4,d,w\n")
    rows = list(read_csv(path))
    assert [row.line for row in rows] == [2, 3, 4, 5]
    assert [row.ok for row in rows] == [True, False, False, True]
    assert rows[1].error == "expected 3 fields, found 2"
    assert rows[2].error == "expected 3 fields, found 4"
    assert rows[2].raw == "3,c,z,extra"


def test_an_undecodable_row_is_reported_and_the_rest_kept(write_file):
    path = write_file(b"id,address\n1,caf\xc3\xa9\n2,caf\xe9 latin-1\n3,ok\n")
    rows = list(read_csv(path))
    assert [(row.line, row.ok) for row in rows] == [(2, True), (3, False), (4, True)]
    assert rows[0].values["address"] == "café"
    assert "undecodable bytes" in rows[1].error
    assert "caf\ufffd latin-1" in rows[1].raw


def test_a_utf8_bom_and_crlf_line_ends_are_fine(write_file):
    path = write_file(b"\xef\xbb\xbfid,type\r\n1,a\r\n\r\n2,b\r\n")
    with CsvFile(path) as rows:
        assert rows.header == ["id", "type"]
        assert [(row.line, row.values) for row in rows] == [
            (2, {"id": "1", "type": "a"}),
            (4, {"id": "2", "type": "b"}),
        ]


def test_an_unterminated_quote_costs_one_row_not_the_file(write_file):
    path = write_file('id,note\n1,"never closed\n2,fine\n3,also fine\n', "q.csv")
    rows = list(read_csv(path, max_record_bytes=1_000))
    assert [(row.line, row.ok) for row in rows] == [(2, False), (3, True), (4, True)]
    assert rows[0].error == "unterminated quoted field"


def test_an_oversized_record_is_cut_off_and_reading_resumes(write_file):
    body = "".join(f"{n},filler\n" for n in range(3, 200))
    path = write_file('id,note\n1,"opens here\n' + body)
    rows = list(read_csv(path, max_record_bytes=500))
    assert rows[0].line == 2 and rows[0].error == "unterminated quoted field"
    assert [row.line for row in rows[1:]] == list(range(3, 200))
    assert all(row.ok for row in rows[1:])


def test_duplicate_and_blank_header_names_are_made_unique(write_file):
    path = write_file("id,x,x,,type\n1,2,3,4,5\n")
    with CsvFile(path) as rows:
        assert rows.header == ["id", "x", "x_2", "column_4", "type"]


def test_a_file_over_the_size_limit_is_refused_with_a_clear_error(write_file):
    path = write_file("id,type\n" + "1,a\n" * 100)
    with pytest.raises(FileTooLargeError, match="limit is 100 bytes"):
        list(read_csv(path, max_bytes=100))


def test_a_stream_over_the_size_limit_is_refused_while_reading():
    stream = io.BytesIO(b"id,type\n" + b"1,a\n" * 100)
    with pytest.raises(FileTooLargeError):
        list(read_csv(stream, max_bytes=100))


def test_an_empty_file_or_a_text_stream_is_refused(write_file):
    with pytest.raises(IntakeFileError, match="empty"):
        list(read_csv(write_file(b"")))
    with pytest.raises(TypeError, match="binary"):
        list(read_csv(io.StringIO("id\n1\n")))


class _LazyCsv:
    """A binary 'stream' that makes its lines on demand (never all in memory)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    def __iter__(self):
        yield b",id,type,description,address,lat,lon\n"
        for n in range(self.rows):
            yield (
                f'{n},{n},Illegal Dumping,"a fairly long description of row {n} '
                f'with, commas",{n} Plank Rd,30.45,-91.15\n'
            ).encode()


def test_memory_stays_flat_however_many_rows():
    def peak(rows: int) -> int:
        tracemalloc.start()
        count = sum(1 for _ in read_csv(_LazyCsv(rows)))  # type: ignore[arg-type]
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == rows
        return top

    small, large = peak(1_000), peak(30_000)
    assert large < small * 2 + 64_000


def test_geojson_features_become_rows_with_coordinates(write_file):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "A-1",
                "geometry": {"type": "Point", "coordinates": [-91.147001, 30.500942]},
                "properties": {"type": "Illegal Dumping", "address": "1234 Plank Rd", "n": 2},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"id": "A-2", "type": "Trash on Vacant Lot", "address": "x"},
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]],
                },
                "properties": {"id": "A-3"},
            },
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}},
            ["not a feature"],
        ],
    }
    path = write_file(json.dumps(collection), "needs.geojson")
    with open_intake_file(path) as rows:
        assert isinstance(rows, GeoJsonFile)
        assert {"id", "type", "address", "latitude", "longitude"} <= set(rows.header)
        read = list(rows)
    assert read[0].values == {
        "type": "Illegal Dumping",
        "address": "1234 Plank Rd",
        "n": "2",
        "id": "A-1",
        "longitude": "-91.147001",
        "latitude": "30.500942",
    }
    assert "latitude" not in read[1].values
    assert (read[2].values["longitude"], read[2].values["latitude"]) == ("1.0", "1.0")
    assert [(row.line, row.error) for row in read[3:]] == [
        (4, "bad geometry: unsupported geometry type 'LineString'"),
        (5, "not a GeoJSON Feature"),
    ]


def test_geojson_that_is_not_a_feature_collection_is_refused(write_file):
    with pytest.raises(IntakeFileError, match="FeatureCollection"):
        list(read_geojson(write_file('{"type": "Feature"}', "x.geojson")))
    with pytest.raises(IntakeFileError, match="not a JSON"):
        list(read_geojson(write_file("{nope", "y.geojson")))


def test_geojson_is_capped_in_size(write_file):
    path = write_file(json.dumps({"type": "FeatureCollection", "features": []}), "z.geojson")
    with pytest.raises(FileTooLargeError):
        list(read_geojson(path, max_bytes=10))


def test_open_intake_file_picks_csv_by_default(write_file):
    assert isinstance(open_intake_file(write_file("id\n")), CsvFile)
    with pytest.raises(IntakeFileError, match="unknown intake file kind"):
        open_intake_file(write_file("id\n"), kind="xlsx")


def test_a_field_over_the_csv_field_size_limit_is_reported_for_its_row(write_file):
    long_field = "x" * 140_000  # the csv module refuses fields over 131,072 characters
    path = write_file(f"id,description\n1,short\n2,{long_field}\n3,fine\n")
    rows = list(read_csv(path))
    assert [(row.line, row.ok) for row in rows] == [(2, True), (3, False), (4, True)]
    assert "field larger than field limit" in rows[1].error


def test_a_header_over_the_csv_field_size_limit_is_a_file_error(write_file):
    path = write_file("id," + "h" * 140_000 + "\n1,2\n")
    with pytest.raises(IntakeFileError, match="header line cannot be read"):
        list(read_csv(path))
