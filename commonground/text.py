"""Rules for free text that every edge applies: no control characters, bounded length.

A NUL byte crashes PostgreSQL inserts while SQLite accepts it (docs/field-notes.md, trap 2), so
text is checked before it reaches any database. Pure: must not import Flask, SQLAlchemy or any
feature package.
"""

from __future__ import annotations

import re

# Control characters other than tab, line feed and carriage return.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n]")
# Lone UTF-16 surrogates (JSON "\ud800" escapes) cannot be encoded for either database.
SURROGATES = re.compile("[\ud800-\udfff]")
# The same rules as JSON Schema patterns, for the OpenAPI document.
MULTILINE_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"
SINGLE_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f]*$"


def control_character_problem(value: str, *, multiline: bool = True) -> str | None:
    """A reason the text is unacceptable, or None when it is fine."""
    if CONTROL_CHARS.search(value):
        return "Control characters are not allowed."
    if SURROGATES.search(value):
        return "The text is not valid Unicode."
    if not multiline and LINE_BREAKS.search(value):
        return "Line breaks are not allowed here."
    return None


def single_line(value: str) -> str:
    """Collapse line breaks so user text cannot forge extra lines (logs, CSV, headers)."""
    return LINE_BREAKS.sub(" ", value)
