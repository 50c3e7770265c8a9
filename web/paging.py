"""Page numbers of the paged lists (needs, the directory, partner review, a plan's partners):
read from the query string the same way everywhere, and the number of pages."""

from __future__ import annotations

from flask import request


def page_number(name: str = "page") -> int | None:
    """A page number (or an id to open, 1 or more) from the query string, or None when it is
    missing or not a plain number of at most nine digits (ignored, never an error)."""
    value = request.args.get(name, "")
    if value.isdigit() and len(value) < 10 and int(value) > 0:
        return int(value)
    return None


def page_count(total: int, size: int) -> int:
    """Pages of `size` rows that `total` rows fill (at least one)."""
    return max(1, -(-total // size))
