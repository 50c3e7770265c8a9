"""The SQL statements a block of test code sends: what the cost tests count and read (issue 14:
a read whose statements grow with the city, or that reads rows it does not show)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from commonground.extensions import db


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL text of every statement the app's engine runs inside the block, in order."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
