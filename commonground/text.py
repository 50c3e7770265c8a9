"""Rules for free text that every edge applies: no control characters, bounded length.

A NUL byte crashes PostgreSQL inserts while SQLite accepts it (FIELD-NOTES trap 2), so text is
checked before it reaches any database. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re

# Control characters other than tab, line feed and carriage return.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n]")


def control_character_problem(value: str, *, multiline: bool = True) -> str | None:
    """A reason the text is unacceptable, or None when it is fine."""
    if CONTROL_CHARS.search(value):
        return "Control characters are not allowed."
    if not multiline and LINE_BREAKS.search(value):
        return "Line breaks are not allowed here."
    return None


def single_line(value: str) -> str:
    """Collapse line breaks so user text cannot forge extra lines (logs, CSV, headers)."""
    return LINE_BREAKS.sub(" ", value)
