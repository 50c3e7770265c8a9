"""Column presets for real exports, preset detection, and source category -> capability codes.

A `ColumnPreset` says which source column holds each canonical field of a need (`external_id`,
`category`, `title`, `address`, `latitude`, `opened_at` ...), which date formats the source
writes, and which status values mean "closed". Presets: `boston311` (the City of Boston's 311
export), `open311` (GeoReport v2 service requests) and `generic` (matched by header names such as
id, type, lat, lng, requested_datetime). `detect_preset(headers)` picks one.

A `ColumnMapping` is what the person importing says about a file no preset knows: which header
holds a field (`--column address="Property Address"`), a value for every row (`--set
category=board_up`), one column holding the point (`--location-column "Location 1"`) and a date
format. `choose_preset` lays it over the named preset, or over the first preset the header then
satisfies.

A `CategoryMap` turns a source's request type ("Illegal Dumping") into one of the capability
codes of the taxonomy, which the caller reads from the database and passes in (admins may add
codes); every code names itself. Matching is case-insensitive and whitespace-tolerant, and the
defaults can be extended or replaced by `CategoryOverrides` read from a JSON or TOML file.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "BOSTON_311",
    "CANONICAL_FIELDS",
    "DEFAULT_CATEGORIES",
    "GENERIC",
    "OPEN311",
    "PRESETS",
    "CategoryMap",
    "CategoryOverrides",
    "ColumnMapping",
    "ColumnPreset",
    "MappingError",
    "choose_preset",
    "detect_preset",
    "get_preset",
    "parse_assignments",
]

CANONICAL_FIELDS: tuple[str, ...] = (
    "external_id",
    "category",
    "title",
    "description",
    "address",
    "latitude",
    "longitude",
    "opened_at",
    "closed_at",
    "status",
    "neighbourhood",
    "zip_code",
    "parcel_id",
    "priority",
    "due_at",
)

# ISO 8601 is always tried as well (datetime.fromisoformat); these are the sources' own formats.
US_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
DEFAULT_CLOSED_STATUSES: frozenset[str] = frozenset(
    {"closed", "resolved", "completed", "complete", "done", "fixed"}
)


class MappingError(ValueError):
    """A preset or category map cannot be applied (unknown preset, missing columns, bad file)."""


def normalize_header(name: str) -> str:
    """`Service Request ID` / `service-request-id` -> `service_request_id`."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass(frozen=True)
class ColumnPreset:
    """Where each canonical field lives in one kind of export.

    `columns` maps canonical field -> source column (exact header). `aliases` (generic presets)
    maps canonical field -> candidate header names, matched after `normalize_header`.
    """

    name: str
    columns: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = US_FORMATS
    closed_statuses: frozenset[str] = DEFAULT_CLOSED_STATUSES
    required: tuple[str, ...] = ("external_id", "category")
    # The zone of the source's local times, when the preset knows it (else the city's zone).
    timezone: str | None = None

    def resolve(self, headers: Iterable[str]) -> dict[str, str]:
        """Canonical field -> actual header for these headers; raises if a required one lacks."""
        present = list(headers)
        resolved: dict[str, str] = {}
        for canonical, column in self.columns.items():
            if column in present:
                resolved[canonical] = column
        by_normal = {normalize_header(h): h for h in present}
        for canonical, candidates in self.aliases.items():
            if canonical in resolved:
                continue
            for candidate in candidates:
                if candidate in by_normal:
                    resolved[canonical] = by_normal[candidate]
                    break
        missing = [name for name in self.required if name not in resolved]
        if missing:
            raise MappingError(
                f"preset {self.name!r}: no column for {', '.join(missing)} in the header"
            )
        return resolved


BOSTON_311 = ColumnPreset(
    name="boston311",
    columns={
        "external_id": "CASE_ENQUIRY_ID",
        "category": "TYPE",
        "title": "CASE_TITLE",
        "address": "Location",
        "latitude": "LATITUDE",
        "longitude": "LONGITUDE",
        "opened_at": "OPEN_DT",
        "closed_at": "CLOSED_DT",
        "status": "CASE_STATUS",
        "neighbourhood": "neighborhood",
        "zip_code": "LOCATION_ZIPCODE",
        "due_at": "TARGET_DT",
    },
    required=("external_id", "category", "opened_at", "status"),
    timezone="America/New_York",
)

OPEN311 = ColumnPreset(
    name="open311",
    columns={
        "external_id": "service_request_id",
        "category": "service_code",
        "title": "service_name",
        "description": "description",
        "address": "address",
        "latitude": "lat",
        "longitude": "long",
        "opened_at": "requested_datetime",
        # updated_datetime is when the request last changed, not when it closed: not mapped.
        "status": "status",
        "zip_code": "zipcode",
        "due_at": "expected_datetime",
    },
    date_formats=(),
    required=("external_id", "category", "opened_at"),
)

GENERIC = ColumnPreset(
    name="generic",
    aliases={
        "external_id": ("external_id", "id", "service_request_id", "case_id", "request_id"),
        "category": ("category", "type", "service_code", "request_type", "service_name"),
        "title": ("title", "name", "summary", "case_title"),
        "description": ("description", "details", "notes"),
        "address": ("address", "address_string", "location", "street_address"),
        "latitude": ("latitude", "lat", "y"),
        "longitude": ("longitude", "lon", "lng", "long", "x"),
        "opened_at": (
            "opened_at",
            "opened",
            "requested_datetime",
            "created_at",
            "created",
            "open_dt",
            "reported_at",
            "date",
        ),
        "closed_at": ("closed_at", "closed", "closed_datetime", "closed_dt"),
        "status": ("status", "case_status"),
        "neighbourhood": ("neighbourhood", "neighborhood"),
        "zip_code": ("zip_code", "zip", "zipcode", "postal_code", "postcode"),
        "parcel_id": ("parcel_id", "parcel", "apn"),
        "priority": ("priority",),
        "due_at": ("due_at", "due", "due_date", "expected_datetime", "target_dt"),
    },
)

PRESETS: dict[str, ColumnPreset] = {p.name: p for p in (BOSTON_311, OPEN311, GENERIC)}


def get_preset(name: str) -> ColumnPreset:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise MappingError(
            f"unknown preset {name!r}; known presets: {', '.join(sorted(PRESETS))}"
        ) from None


def _first_that_reads(
    candidates: Iterable[ColumnPreset], present: list[str]
) -> ColumnPreset | None:
    """The first candidate preset whose required columns the header has, else None."""
    for preset in candidates:
        try:
            preset.resolve(present)
        except MappingError:
            continue
        return preset
    return None


def detect_preset(headers: Iterable[str]) -> ColumnPreset:
    """The most specific preset whose required columns the header has."""
    found = _first_that_reads((BOSTON_311, OPEN311, GENERIC), list(headers))
    if found is not None:
        return found
    raise MappingError(
        "cannot tell the file's layout from its header: it needs at least an id column "
        "(id, external_id, service_request_id ...) and a category column (type, category, "
        "service_code ...)"
    )


# -- column mapping given by the person importing ---------------------------------------------
@dataclass(frozen=True)
class ColumnMapping:
    """Columns named by hand: `columns` field -> header, `fixed` field -> the value of every
    row, `location_column` the header of a single point column, `date_format` strptime's."""

    columns: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)
    location_column: str | None = None
    date_format: str | None = None

    def __bool__(self) -> bool:
        return bool(self.columns or self.fixed or self.location_column or self.date_format)


def parse_assignments(items: Iterable[str], option: str) -> dict[str, str]:
    """`["FIELD=VALUE", ...]` -> {field: value}; the field must be a canonical one."""
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not value.strip():
            raise MappingError(f"{option} {item!r}: write FIELD=VALUE")
        if name not in CANONICAL_FIELDS:
            raise MappingError(
                f"{option} {item!r}: unknown field {name!r}; fields: {', '.join(CANONICAL_FIELDS)}"
            )
        result[name] = value.strip()
    return result


def _check_mapping(mapping: ColumnMapping, headers: list[str]) -> None:
    named = list(mapping.columns.values())
    if mapping.location_column:
        named.append(mapping.location_column)
    absent = [name for name in named if name not in headers]
    if absent:
        raise MappingError(
            f"no column {', '.join(repr(a) for a in absent)} in the header ({', '.join(headers)})"
        )
    both = sorted(set(mapping.columns) & set(mapping.fixed))
    if both:
        raise MappingError(f"{', '.join(both)}: give either a column or a fixed value, not both")


def mapped_preset(base: ColumnPreset, mapping: ColumnMapping) -> ColumnPreset:
    """`base` with the person's columns first; fixed fields and the point column count as
    present; the given date format is tried first."""
    if not mapping:
        return base
    given = set(mapping.fixed)
    if mapping.location_column:
        given |= {"latitude", "longitude"}
    formats = base.date_formats
    if mapping.date_format:
        formats = (mapping.date_format, *formats)
    columns = {k: v for k, v in base.columns.items() if k not in given}
    return replace(
        base,
        columns={**columns, **mapping.columns},
        aliases={k: v for k, v in base.aliases.items() if k not in given},
        required=tuple(name for name in base.required if name not in given),
        date_formats=formats,
    )


def choose_preset(
    headers: Iterable[str], name: str | None, mapping: ColumnMapping | None = None
) -> ColumnPreset:
    """The named preset, else the first (most specific) the header satisfies, with `mapping`
    laid over it; a `MappingError` says which columns are missing. A specific preset is not
    chosen when the mapping alone names every column it requires (its formats would be a guess).
    """
    present = list(headers)
    mapping = mapping or ColumnMapping()
    _check_mapping(mapping, present)
    if name:
        preset = mapped_preset(get_preset(name), mapping)
        preset.resolve(present)
        return preset
    given = set(mapping.columns) | set(mapping.fixed)
    candidates = (
        mapped_preset(base, mapping)
        for base in (BOSTON_311, OPEN311, GENERIC)
        # the file says nothing a specific preset knows: read it as generic
        if base is GENERIC or not (mapping and set(base.required) <= given)
    )
    found = _first_that_reads(candidates, present)
    if found is not None:
        return found
    raise MappingError(
        "cannot tell the file's layout from its header: it needs an id column and a category "
        "(name them with --column external_id=HEADER --column category=HEADER, or give every "
        "row one category with --set category=CODE)"
    )


# -- categories -------------------------------------------------------------------------------
def normalize_category(value: str) -> str:
    return " ".join(value.split()).casefold()


# City of Boston 311 request types; each applies when the taxonomy has its code.
DEFAULT_CATEGORIES: dict[str, str] = {
    "Illegal Dumping": "illegal_dumping",
    "Trash on Vacant Lot": "litter_cleanup",
    "Poor Conditions of Property": "property_maintenance_help",
    "Abandoned Building": "board_up",
}


@dataclass(frozen=True)
class CategoryOverrides:
    """What a category file says: source type -> capability code, and whether the defaults go.

    Plain data, read without knowing the taxonomy; `CategoryMap.with_overrides` checks the codes.
    """

    table: Mapping[str, str] = field(default_factory=dict)
    replace_defaults: bool = False

    @classmethod
    def from_file(cls, path: str | Path) -> CategoryOverrides:
        """Read overrides from JSON or TOML.

        Either a flat table `{"Source type": "capability_code"}` or
        `{"replace_defaults": true, "categories": {...}}`.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
            data: Any = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
        except (OSError, ValueError) as error:
            raise MappingError(f"cannot read category map {file}: {error}") from error
        if not isinstance(data, dict):
            raise MappingError(f"category map {file} must be a table/object")
        replace = bool(data.get("replace_defaults", False))
        table = data.get("categories", data)
        if not isinstance(table, dict):
            raise MappingError(f"category map {file}: 'categories' must be a table/object")
        table = {k: v for k, v in table.items() if k != "replace_defaults"}
        if not all(isinstance(v, str) for v in table.values()):
            raise MappingError(f"category map {file}: every value must be a capability code")
        return cls(table, replace_defaults=replace)


class CategoryMap:
    """Source request type -> capability code, over the taxonomy's `codes`; unknown types map to
    None.

    With `defaults`, every code names itself and the `DEFAULT_CATEGORIES` whose code is in the
    taxonomy apply; `mapping` adds to them (or replaces them, without `defaults`). A mapping to
    a code outside the taxonomy is a `MappingError`.
    """

    def __init__(
        self,
        codes: Iterable[str],
        mapping: Mapping[str, str] | None = None,
        *,
        defaults: bool = True,
    ) -> None:
        self.codes = frozenset(codes)
        self._map: dict[str, str] = {}
        if defaults:
            self.update({t: c for t, c in DEFAULT_CATEGORIES.items() if c in self.codes})
            self.update({code: code for code in sorted(self.codes)})
        if mapping:
            self.update(mapping)

    @classmethod
    def with_overrides(
        cls, codes: Iterable[str], overrides: CategoryOverrides | None
    ) -> CategoryMap:
        """The map for these taxonomy codes, with a category file's overrides (if any)."""
        if overrides is None:
            return cls(codes)
        return cls(codes, overrides.table, defaults=not overrides.replace_defaults)

    def update(self, mapping: Mapping[str, str]) -> None:
        for source_type, code in mapping.items():
            if code not in self.codes:
                raise MappingError(
                    f"category {source_type!r} maps to {code!r}, which is not a capability code"
                )
            self._map[normalize_category(source_type)] = code

    def resolve(self, source_type: str | None) -> str | None:
        if not source_type:
            return None
        return self._map.get(normalize_category(source_type))

    def as_dict(self) -> dict[str, str]:
        return dict(self._map)
