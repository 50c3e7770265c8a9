"""Spreadsheet formula injection guard for every CSV the service writes."""

import csv
import io
from datetime import UTC, datetime

import pytest

from exports.csv_safety import csv_line, guard_cell, iter_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (-71.0587, -71.0587),  # a number stays a number
        (3, 3),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00+00:00"),
    ],
)
def test_guard_cell(value, written):
    assert guard_cell(value) == written


def test_csv_lines_are_guarded_and_quoted():
    assert csv_line(["=cmd", 'say "x"', -1.5]) == '\'=cmd,"say ""x""",-1.5\r\n'
    text = "".join(iter_csv(["a", "b"], [["-2", 2], ["@x", None]]))
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'-2", "2"], ["'@x", ""]]
