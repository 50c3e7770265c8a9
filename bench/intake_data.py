"""Synthetic 311-style CSV for the intake benchmark: Boston 311 columns, Baton Rouge places.

`write_csv(path, rows, bad_share)` writes `rows` records (plus the header) in the layout of the
City of Boston's 311 export (leading unnamed index column, `MM/DD/YYYY hh:mm:ss AM/PM` local
dates, float ZIPs), spread over the demo city's neighbourhoods, with `bad_share` of the rows
broken in one of several ways. Deterministic for a given seed.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

HEADER = [
    "",
    "CASE_ENQUIRY_ID",
    "OPEN_DT",
    "TARGET_DT",
    "CLOSED_DT",
    "CASE_STATUS",
    "CASE_TITLE",
    "TYPE",
    "Location",
    "neighborhood",
    "LOCATION_ZIPCODE",
    "LATITUDE",
    "LONGITUDE",
    "Source",
]
TYPES = [
    "Illegal Dumping",
    "Trash on Vacant Lot",
    "Poor Conditions of Property",
    "Abandoned Building",
]
STREETS = [
    "Plank Rd",
    "Scenic Hwy",
    "Swan St",
    "Gus Young Ave",
    "Government St",
    "North Blvd",
    "Highland Rd",
    "Nicholson Dr",
    "Perkins Rd",
    "Florida Blvd",
    "Greenwell St",
    "Airline Hwy",
    "Harding Blvd",
    "Choctaw Dr",
    "Winbourne Ave",
    "Jefferson Hwy",
]
CENTRES = [
    ("Zion City", 30.4966, -91.1469, 70805),
    ("Mid City", 30.4497, -91.1553, 70806),
    ("Scotlandville", 30.5214, -91.1829, 70807),
    ("Gardere", 30.3570, -91.0960, 70810),
    ("Merrydale", 30.4980, -91.1050, 70811),
    ("Broadmoor", 30.4442, -91.0760, 70815),
]
BAD_KINDS = ("ragged", "encoding", "unknown_type", "no_location", "bad_date", "long_title")


def _date(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def _good_row(rng: random.Random, number: int) -> list[str]:
    name, lat, lon, zip_code = rng.choice(CENTRES)
    opened = datetime(2025, 1, 1) + timedelta(minutes=rng.randrange(0, 525_600))
    closed = rng.random() < 0.6
    title = rng.choice(TYPES)
    if rng.random() < 0.01:
        title = f"{title}\nreported again by phone"  # a quoted field with a line break
    return [
        str(number),
        f"BR{number:09d}",
        _date(opened),
        _date(opened + timedelta(days=3)),
        _date(opened + timedelta(days=rng.randrange(1, 30))) if closed else "",
        "Closed" if closed else "Open",
        title,
        rng.choice(TYPES),
        f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}  Baton Rouge  LA  {zip_code}",
        name,
        f"{zip_code}.0",
        f"{lat + rng.uniform(-0.03, 0.03):.6f}",
        f"{lon + rng.uniform(-0.03, 0.03):.6f}",
        rng.choice(["Constituent Call", "Self Service", "Employee Generated"]),
    ]


def _line(values: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


def write_csv(path: Path, rows: int, bad_share: float = 0.05, seed: int = 311) -> dict[str, int]:
    """Write the file; return how many rows of each bad kind it holds."""
    rng = random.Random(seed)
    bad_counts = dict.fromkeys(BAD_KINDS, 0)
    with path.open("wb") as handle:
        handle.write(_line(HEADER))
        for number in range(rows):
            values = _good_row(rng, number)
            if rng.random() >= bad_share:
                handle.write(_line(values))
                continue
            kind = BAD_KINDS[number % len(BAD_KINDS)]
            bad_counts[kind] += 1
            if kind == "ragged":
                handle.write(_line(values[:-3]))
                continue
            if kind == "encoding":
                handle.write(_line(values).replace(b"Baton Rouge", b"Baton Rouge \xe9t\xe9", 1))
                continue
            if kind == "unknown_type":
                values[7] = "Pothole"
            elif kind == "no_location":
                values[8], values[11], values[12] = "", "42.3594", "-71.0587"
            elif kind == "bad_date":
                values[2] = "31/31/2025 99:00:00 XM"
            elif kind == "long_title":
                values[6] = "x" * 250
            handle.write(_line(values))
    return bad_counts
