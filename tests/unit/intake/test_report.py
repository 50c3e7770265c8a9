"""The intake report: counts, reasons, and the rejected rows as a formula-safe CSV."""

import csv
import io
from datetime import UTC, datetime

from intake.records import NeedRecord, RowError
from intake.report import IntakeReport


def record(line: int, problem: str | None = None) -> NeedRecord:
    return NeedRecord(
        source="311",
        external_id=str(line),
        capability="litter_cleanup",
        title="t",
        description="",
        address="1 Main St",
        latitude=None if problem else 30.0,
        longitude=None if problem else -91.0,
        location_problem=problem,
        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        closed=False,
        closed_at=None,
        neighbourhood=None,
        zip_code=None,
        parcel_id=None,
        priority=3,
        line=line,
    )


def test_the_report_counts_rows_records_rejections_and_geocoding():
    report = IntakeReport()
    report.add(record(2))
    report.add(record(3, "placeholder point"))
    report.add(record(4, "no coordinates"))
    report.add(
        [
            RowError(5, "category", "unknown category", "Pothole"),
            RowError(5, "priority", "bad", "9"),
        ]
    )
    report.add([RowError(6, "row", "expected 3 fields, found 2", "a,b")])
    assert report.summary() == {
        "rows_read": 5,
        "records_ok": 3,
        "rows_rejected": 2,
        "needs_geocoding": 2,
        "location_problems": {"placeholder point": 1, "no coordinates": 1},
        "errors": {
            "category: unknown category": 1,
            "priority: bad": 1,
            "row: expected 3 fields, found 2": 1,
        },
    }


def test_bad_rows_are_written_as_csv_with_formula_cells_guarded():
    report = IntakeReport()
    report.add([RowError(7, "title", "longer than 200 characters", '=HYPERLINK("http://x")')])
    report.add([RowError(3, "category", "unknown category", "+1-555")])
    report.add([RowError(4, "location", "missing", "-71.05,@SUM(A1)")])
    report.add([RowError(5, "row", "bad", "\tcmd")])
    report.add([RowError(6, "row", "bad", "plain value", "=CMD")])
    out = io.StringIO()
    assert report.write_errors_csv(out) == 5
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [
        ["line", "field", "reason", "value", "external_id"],
        ["3", "category", "unknown category", "'+1-555", ""],
        ["4", "location", "missing", "'-71.05,@SUM(A1)", ""],
        ["5", "row", "bad", "'\tcmd", ""],
        ["6", "row", "bad", "plain value", "'=CMD"],
        ["7", "title", "longer than 200 characters", '\'=HYPERLINK("http://x")', ""],
    ]
