"""Turn one raw intake row into a validated `NeedRecord`, or the list of `RowError`s saying why not.

Rules (each one has a test):
- `external_id` and a category that maps to a capability code are required.
- Dates are read in the source's formats (Boston: `MM/DD/YYYY hh:mm:ss AM/PM`) or ISO 8601; a
  value without a zone is local time in the city's zone (zoneinfo); everything is stored as
  aware UTC. `opened_at` is required unless `allow_missing_opened_at`: a record then has no
  `opened_at`, and the need's opening time is set when it is created (a default is never part
  of what a row says, so it never makes a re-import look changed: docs/field-notes.md, trap 16).
  Likewise a row without a priority has `priority` None (the default applies on creation).
- Coordinates that are unreadable, out of range, (0, 0) or a known placeholder point (Boston
  City Hall by default, matched within `placeholder_tolerance_m`) count as missing: the record
  keeps its address, `location_problem` says why, and the address must be geocoded. No
  coordinates and no address is an error ("missing location that cannot be geocoded").
- A row without a title is named from its category and address ("Illegal Dumping at 1234
  Plank Rd"; a category given as a capability code reads as its label).
- `fixed` values (`--set FIELD=VALUE`) are every row's value of that field; a `location_column`
  holds the point in one column (`intake.points`); `unused_columns` lists the headers the import
  reads nothing from, so nothing is dropped without a word.
- Text: control characters (NUL and the other C0/C1 controls) are stripped; single-line fields
  have their whitespace collapsed; title <= 200, description <= 5000, address <= 300 characters,
  longer is an error (not silently cut).
- ZIP codes written as floats lose their ".0" and get back their leading zero ("2114.0" ->
  "02114").

Must not import Flask, SQLAlchemy or any Common Ground package except `intake`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from intake.mapping import CategoryMap, ColumnPreset, detect_preset
from intake.points import split_point
from intake.reader import RawRow

__all__ = [
    "BOSTON_CITY_HALL",
    "LIMITS",
    "NeedRecord",
    "RecordBuilder",
    "RowError",
    "clean_line",
    "clean_text",
    "normalize_zip",
    "parse_datetime",
]

BOSTON_CITY_HALL: tuple[float, float] = (42.3594, -71.0587)
MISSING_LOCATION = "missing location that cannot be geocoded"
DEFAULT_PRIORITY = 3
# The need table's column sizes (needs/models.py) and the brief's text limits.
LIMITS: dict[str, int] = {
    "external_id": 80,
    "title": 200,
    "description": 5000,
    "address": 300,
    "neighbourhood": 80,
    "parcel_id": 60,
}
_METRES_PER_DEGREE = 111_195.0
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FLOAT_ZIP = re.compile(r"^(\d{1,5})(?:\.0*)?$")
_ZIP_PLUS_4 = re.compile(r"^(\d{5})-?(\d{4})$")
_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_POSTCODE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,9}$")


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A need as an intake source describes it, validated and normalised; not yet stored."""

    source: str
    external_id: str
    capability: str
    title: str
    description: str
    address: str | None
    latitude: float | None
    longitude: float | None
    location_problem: str | None
    opened_at: datetime | None
    closed: bool
    closed_at: datetime | None
    neighbourhood: str | None
    zip_code: str | None
    parcel_id: str | None
    priority: int | None
    line: int
    due_at: datetime | None = None

    @property
    def needs_geocoding(self) -> bool:
        return self.latitude is None or self.longitude is None


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row (at physical `line`) was not imported: which field, why, and its value;
    `external_id` is the row's own id when it has one (an Open311 service_request_id...)."""

    line: int
    field: str
    reason: str
    value: str = ""
    external_id: str = dataclass_field(default="", compare=False)


# -- small pure helpers -----------------------------------------------------------------------
def clean_text(value: str | None) -> str:
    """Strip control characters (keeping tab and line breaks), normalise newlines, trim."""
    if not value:
        return ""
    if value.isprintable():  # the common case: no controls, no line breaks at all
        return value.strip()
    return _CONTROLS.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_line(value: str | None) -> str:
    """Strip control characters and collapse all whitespace to single spaces."""
    if not value:
        return ""
    if value.isprintable() and "  " not in value:
        return value.strip()
    return " ".join(clean_text(value).split())


def normalize_zip(value: str | None) -> str | None:
    """'2114.0' -> '02114', '021141234' -> '02114-1234'; other postcodes kept; junk -> None."""
    text = clean_line(value).upper()
    if not text:
        return None
    if match := _FLOAT_ZIP.match(text):
        return match.group(1).zfill(5)
    if match := _ZIP_PLUS_4.match(text):
        return f"{match.group(1)}-{match.group(2)}"
    if _POSTCODE.match(text):
        return text
    return None


def _us_datetime(text: str, zone: tzinfo | None = None) -> datetime | None:
    """`MM/DD/YYYY[ hh:mm[:ss][ AM|PM]]` without strptime (which costs ~20 us a call)."""
    match = _US_DATE.match(text)
    if match is None:
        return None
    month, day, year, hour, minute, second, half = match.groups()
    hours = int(hour or 0)
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half.upper() == "PM" else 0)
    try:
        return datetime(
            int(year), int(month), int(day), hours, int(minute or 0), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None


def parse_datetime(value: str, formats: Iterable[str], city_tz: tzinfo) -> datetime:
    """Parse in the given formats or ISO 8601; naive means `city_tz` local time; return UTC.

    The US formats (`%m/%d/%Y ...`) are read by a regular expression, much faster than
    strptime; other formats go through strptime.
    """
    text = value.strip()
    formats = tuple(formats)
    parsed: datetime | None = None
    if formats and formats[0].startswith("%m/%d/%Y"):
        parsed = _us_datetime(text, city_tz)
    for fmt in formats if parsed is None else ():
        try:
            parsed = datetime.strptime(text, fmt)  # naive: the zone is attached below
            break
        except ValueError:
            continue
    if parsed is None:
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        parsed = datetime.fromisoformat(iso)  # raises ValueError when it is not ISO either
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=city_tz)
    return parsed.astimezone(UTC)


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    mean_lat = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * _METRES_PER_DEGREE
    dx = (a[1] - b[1]) * _METRES_PER_DEGREE * math.cos(mean_lat)
    return math.hypot(dx, dy)


# -- the builder ------------------------------------------------------------------------------
class RecordBuilder:
    """Builds `NeedRecord`s from the rows of one file (one header, one preset, one source)."""

    def __init__(
        self,
        headers: Iterable[str],
        *,
        source: str,
        categories: CategoryMap,
        preset: ColumnPreset | None = None,
        city_tz: str | tzinfo = "America/New_York",
        placeholder_points: Iterable[tuple[float, float]] = (BOSTON_CITY_HALL,),
        placeholder_tolerance_m: float = 10.0,
        allow_missing_opened_at: bool = False,
        fixed: Mapping[str, str] | None = None,
        location_column: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        header_list = list(headers)
        self.preset = preset or detect_preset(header_list)
        self.columns: Mapping[str, str] = self.preset.resolve(header_list)
        self.fixed: Mapping[str, str] = dict(fixed or {})
        self.location_column = location_column
        self.labels: Mapping[str, str] = dict(labels or {})
        used = set(self.columns.values()) | {location_column}
        self.unused_columns: list[str] = [name for name in header_list if name not in used]
        self.source = source
        self.categories = categories
        self.city_tz = ZoneInfo(city_tz) if isinstance(city_tz, str) else city_tz
        self.placeholder_points = tuple(placeholder_points)
        self.placeholder_tolerance_m = placeholder_tolerance_m
        self.allow_missing_opened_at = allow_missing_opened_at

    def build(self, row: RawRow) -> NeedRecord | list[RowError]:
        """One row in; a record, or every reason the row cannot become one."""
        if row.values is None:
            return [RowError(row.line, "row", row.error or "unreadable row", row.raw)]
        return _RowParse(self, row).result()

    # column access
    def get(self, values: Mapping[str, str], name: str) -> str:
        if name in self.fixed:
            return self.fixed[name]
        return values.get(self.columns.get(name, ""), "")

    def coordinate_texts(self, values: Mapping[str, str]) -> tuple[str, str]:
        """(latitude, longitude) as written: two columns, or the one point column split."""
        if self.location_column:
            return split_point(values.get(self.location_column, ""))
        return self.get(values, "latitude"), self.get(values, "longitude")

    def default_title(self, category_text: str, capability: str | None, address: str) -> str:
        """A title for a row without one: its category (the capability's label when the
        category is a code) and its address."""
        label = self.labels.get(category_text, "") or category_text or capability or ""
        title = f"{label} at {address}" if address else label
        return title[: LIMITS["title"]]

    def coordinates(
        self, lat_text: str, lon_text: str
    ) -> tuple[float | None, float | None, str | None]:
        """(lat, lon, None) when usable, else (None, None, why they are treated as missing)."""
        if not lat_text.strip() and not lon_text.strip():
            return None, None, "no coordinates"
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            return None, None, "unreadable coordinates"
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None, None, "unreadable coordinates"
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None, None, "coordinates out of range"
        if lat == 0 and lon == 0:
            return None, None, "coordinates (0, 0)"
        for point in self.placeholder_points:
            if _distance_m((lat, lon), point) <= self.placeholder_tolerance_m:
                return None, None, "placeholder point"
        return lat, lon, None


class _RowParse:
    """The state of parsing one row: values read so far and errors met so far."""

    def __init__(self, builder: RecordBuilder, row: RawRow) -> None:
        self.b = builder
        self.row = row
        self.values = row.values or {}
        self.errors: list[RowError] = []
        self.external_id = clean_line(builder.get(self.values, "external_id"))[:80]

    def error(self, field: str, reason: str, value: str = "") -> None:
        self.errors.append(RowError(self.row.line, field, reason, value, self.external_id))

    def text(self, name: str, *, multiline: bool = False) -> str:
        raw = self.b.get(self.values, name)
        value = clean_text(raw) if multiline else clean_line(raw)
        limit = LIMITS.get(name)
        if limit is not None and len(value) > limit:
            self.error(name, f"longer than {limit} characters", value)
        return value

    def when(self, name: str, *, required: bool = False) -> datetime | None:
        raw = clean_line(self.b.get(self.values, name))
        if not raw:
            if required and not self.b.allow_missing_opened_at:
                self.error(name, "missing date")
            return None
        try:
            return parse_datetime(raw, self.b.preset.date_formats, self.b.city_tz)
        except ValueError:
            self.error(name, "unreadable date", raw)
            return None

    def priority(self) -> int | None:
        raw = clean_line(self.b.get(self.values, "priority"))
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not number.is_integer() or not 1 <= number <= 5:
            self.error("priority", "priority must be a whole number from 1 to 5", raw)
            return None
        return int(number)

    def result(self) -> NeedRecord | list[RowError]:
        external_id = self.text("external_id")
        if not external_id:
            self.error("external_id", "missing id")
        category_text = self.text("category")
        capability = self.b.categories.resolve(category_text)
        if not category_text:
            self.error("category", "missing category")
        elif capability is None:
            self.error("category", "unknown category (no capability mapped)", category_text)
        description = self.text("description", multiline=True)
        address = self.text("address")
        title = self.text("title") or self.b.default_title(category_text, capability, address)
        lat_text, lon_text = self.b.coordinate_texts(self.values)
        latitude, longitude, problem = self.b.coordinates(lat_text, lon_text)
        if problem and not address:
            shown = f"{lat_text},{lon_text} ({problem})" if lat_text or lon_text else problem
            self.error("location", MISSING_LOCATION, clean_line(shown))
        opened_at = self.when("opened_at", required=True)
        closed_at = self.when("closed_at")
        due_at = self.when("due_at")
        status = clean_line(self.b.get(self.values, "status")).casefold()
        closed = status in self.b.preset.closed_statuses if status else closed_at is not None
        neighbourhood = self.text("neighbourhood")
        parcel_id = self.text("parcel_id")
        priority = self.priority()
        if self.errors:
            return self.errors
        assert capability is not None
        return NeedRecord(
            source=self.b.source,
            external_id=external_id,
            capability=capability,
            title=title,
            description=description,
            address=address or None,
            latitude=latitude,
            longitude=longitude,
            location_problem=problem,
            opened_at=opened_at,
            closed=closed,
            closed_at=closed_at if closed else None,
            neighbourhood=neighbourhood or None,
            zip_code=normalize_zip(self.b.get(self.values, "zip_code")),
            parcel_id=parcel_id or None,
            priority=priority,
            line=self.row.line,
            due_at=due_at,
        )
