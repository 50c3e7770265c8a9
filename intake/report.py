"""Accumulating what an import did with each row, and writing the rejected rows as CSV.

`IntakeReport` counts rows read, records accepted (and how many of them need their address
geocoded, by reason), and keeps every `RowError`. `ImportReport` adds what the database side
did (created, updated, unchanged, closed at the source, geocoded, probable duplicates).
It also lists the columns the import read nothing from and, for a dry run, the first rows as the
needs they would become (`preview_row`). `write_errors_csv` writes the errors as
`line, field, reason, value, external_id` (the row's own id, e.g. an Open311
service_request_id) with every cell guarded against spreadsheet formula injection
(`exports.csv_safety`).

Must not import Flask, SQLAlchemy or any Common Ground package except `intake` and `exports`.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from exports.csv_safety import guard_row
from intake.records import NeedRecord, RowError

__all__ = ["ERROR_COLUMNS", "ImportReport", "IntakeReport", "preview_row", "write_errors_csv"]

ERROR_COLUMNS = ("line", "field", "reason", "value", "external_id")


@dataclass
class IntakeReport:
    """Counts and errors for one file. Add each row's outcome with `add`."""

    rows_read: int = 0
    records_ok: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_lines: set[int] = field(default_factory=set)
    location_problems: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: NeedRecord | list[RowError]) -> None:
        self.rows_read += 1
        if isinstance(outcome, NeedRecord):
            self.records_ok += 1
            if outcome.location_problem:
                self.location_problems[outcome.location_problem] += 1
            return
        self.reject(outcome)

    def reject(self, errors: list[RowError]) -> None:
        """Count a row as rejected, with its errors."""
        self.errors.extend(errors)
        self.rejected_lines.update(error.line for error in errors)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected_lines)

    @property
    def needs_geocoding(self) -> int:
        return sum(self.location_problems.values())

    def reasons(self) -> Counter[str]:
        """How many errors of each (field, reason)."""
        return Counter(f"{error.field}: {error.reason}" for error in self.errors)

    def summary(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "records_ok": self.records_ok,
            "rows_rejected": self.rows_rejected,
            "needs_geocoding": self.needs_geocoding,
            "location_problems": dict(self.location_problems),
            "errors": dict(self.reasons()),
        }

    def write_errors_csv(self, stream: IO[str]) -> int:
        return write_errors_csv(self.errors, stream)


MAX_ROW_ERRORS_SHOWN = 1000
"""How many bad rows an import's report lists (the counts cover them all)."""


@dataclass
class ImportReport:
    """What one import did. `intake` holds the row counts and every row error."""

    source: str
    preset: str
    filename: str
    intake: IntakeReport = field(default_factory=IntakeReport)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed_at_source: int = 0
    located_by_geocoder: int = 0
    location_pending: int = 0
    probable_duplicates: int = 0
    seconds: float = 0.0
    unused_columns: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows_read(self) -> int:
        return self.intake.rows_read

    @property
    def rows_rejected(self) -> int:
        return self.intake.rows_rejected

    @property
    def errors(self) -> list[RowError]:
        return self.intake.errors

    def reject(self, errors: list[RowError]) -> None:
        """A row the core accepted but the database cannot take (counted as rejected)."""
        self.intake.records_ok -= 1
        self.intake.reject(errors)

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "preset": self.preset,
            "file": self.filename,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed_at_source": self.closed_at_source,
            "rows_rejected": self.rows_rejected,
            "located_by_geocoder": self.located_by_geocoder,
            "location_pending": self.location_pending,
            "probable_duplicates": self.probable_duplicates,
            "errors": dict(self.intake.reasons()),
            "seconds": round(self.seconds, 2),
            "unused_columns": list(self.unused_columns),
            "dry_run": self.dry_run,
        }

    def write_errors_csv(self, stream: IO[str]) -> int:
        return write_errors_csv(self.errors, stream)

    def as_data(self, max_errors: int = MAX_ROW_ERRORS_SHOWN) -> dict[str, Any]:
        """The report as the API and the import job's result show it: the counts, the preview
        rows, and the first `max_errors` bad rows, each with its line number."""
        data = self.summary()
        data["preview"] = list(self.preview)
        data["row_errors"] = [
            {
                "line": e.line,
                "external_id": e.external_id,
                "field": e.field,
                "reason": e.reason,
                "value": e.value,
            }
            for e in self.errors[:max_errors]
        ]
        return data


PREVIEW_FIELDS = (
    "line",
    "external_id",
    "capability",
    "title",
    "address",
    "latitude",
    "longitude",
    "location_problem",
    "opened_at",
    "closed",
    "neighbourhood",
    "zip_code",
    "parcel_id",
    "priority",
)
"""What a dry run's preview shows of each record, in its columns' order."""


def preview_row(record: NeedRecord) -> dict[str, Any]:
    """A record as the need it would become, for a dry run's preview (plain JSON values)."""
    row = {name: getattr(record, name) for name in PREVIEW_FIELDS}
    row["opened_at"] = record.opened_at.isoformat() if record.opened_at else None
    return row


def write_errors_csv(errors: Iterable[RowError], stream: IO[str]) -> int:
    """Write errors as CSV (guarded cells); return how many error lines were written."""
    writer = csv.writer(stream)
    writer.writerow(ERROR_COLUMNS)
    count = 0
    for error in sorted(errors, key=lambda e: (e.line, e.field)):
        writer.writerow(
            guard_row((error.line, error.field, error.reason, error.value, error.external_id))
        )
        count += 1
    return count
