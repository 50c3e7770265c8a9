"""Guarding CSV cells against spreadsheet formula injection (CSV injection).

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and
a leading tab or carriage return can hide such a start). Every CSV this service writes - error
reports, exports - passes its text cells through `guard_cell`, which prefixes such a cell with a
single quote (OWASP's advice). Numbers written as numbers are left alone, so a longitude of
-71.05 stays a number; the same value arriving as text is guarded.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

__all__ = ["FORMULA_PREFIXES", "csv_line", "guard_cell", "guard_row", "iter_csv"]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: Any) -> Any:
    """The value to write for one cell: dangerous text gets a leading `'`; None becomes ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def guard_row(values: Iterable[Any]) -> list[Any]:
    return [guard_cell(value) for value in values]


def csv_line(values: Iterable[Any]) -> str:
    """One guarded CSV record as text (with its CRLF), for streaming responses."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(guard_row(values))
    return buffer.getvalue()


def iter_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A header and guarded rows, one CSV line at a time (flat memory)."""
    yield csv_line(header)
    for row in rows:
        yield csv_line(row)
