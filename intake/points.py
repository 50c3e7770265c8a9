"""Reading a point written in one column: `(39.2956, -76.6184)`, `39.2956, -76.6184`,
`POINT (-76.6184 39.2956)` (WKT, longitude first) or a GeoJSON Point object.

`split_point(text)` gives the (latitude, longitude) texts for `RecordBuilder.coordinates`, which
judges them (range, (0, 0), placeholder points) like two separate columns.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import json
import re

__all__ = ["UNREADABLE", "split_point"]

UNREADABLE = ("?", "?")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_WKT = re.compile(
    rf"^POINT\s*(?:Z|M|ZM)?\s*\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER})*\s*\)$", re.IGNORECASE
)
_PAIR = re.compile(rf"^[(\[]?\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*[)\]]?$")


def _geojson(text: str) -> tuple[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return UNREADABLE
    if not isinstance(data, dict) or data.get("type") != "Point":
        return UNREADABLE
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return UNREADABLE
    lon, lat = coordinates[0], coordinates[1]
    if not all(isinstance(c, int | float) and not isinstance(c, bool) for c in (lon, lat)):
        return UNREADABLE
    return repr(float(lat)), repr(float(lon))


def split_point(text: str) -> tuple[str, str]:
    """(latitude text, longitude text) from one column; ("", "") when empty; `UNREADABLE`
    ("?", "?") when it is none of the known forms."""
    value = text.strip()
    if not value:
        return "", ""
    if value.startswith("{"):
        return _geojson(value)
    if match := _WKT.match(value):
        return match.group(2), match.group(1)
    if match := _PAIR.match(value):
        return match.group(1), match.group(2)
    return UNREADABLE
