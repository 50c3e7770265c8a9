"""Import profiles: `ImportOptions` written as plain data (a JSON/TOML file, a stored profile,
the `options` of `POST /api/v1/imports`, the web upload form), and back.

A profile is a table with any of: `source`, `preset`, `kind`, `columns` {field: header}, `set`
{field: value}, `location_column`, `date_format`, `timezone`, `categories` (a table of source
value -> capability code, or {"replace_defaults": ..., "categories": {...}}),
`duplicate_radius_m`, `geocode`. Unknown keys are refused, so a typo is not silently ignored.

Must not import Flask, SQLAlchemy or any Common Ground package except `intake`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from intake.mapping import CANONICAL_FIELDS, CategoryOverrides, ColumnMapping, MappingError
from intake.options import ImportOptions

__all__ = ["PROFILE_KEYS", "apply_profile", "profile_of", "read_profile_file"]

PROFILE_KEYS = frozenset(
    {"source", "preset", "kind", "columns", "set", "location_column", "date_format", "timezone",
     "categories", "duplicate_radius_m", "geocode"}
)  # fmt: skip


def read_profile_file(path: str | Path) -> dict[str, Any]:
    """A profile from a JSON or TOML file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise MappingError(f"cannot read import profile {file}: {error}") from error
    if not isinstance(data, dict):
        raise MappingError(f"import profile {file} must be a table/object")
    return data


def _fields(data: Any, key: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise MappingError(f"profile {key!r} must map field names to text")
    unknown = sorted(set(data) - set(CANONICAL_FIELDS))
    if unknown:
        raise MappingError(f"profile {key!r}: unknown field {', '.join(unknown)}")
    return {k: v.strip() for k, v in data.items()}


def _categories(data: Any) -> CategoryOverrides | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise MappingError("profile 'categories' must be a table of value -> capability code")
    replace_defaults = bool(data.get("replace_defaults", False))
    table = data.get("categories", data)
    table = {k: v for k, v in table.items() if k != "replace_defaults"}
    if not all(isinstance(v, str) for v in table.values()):
        raise MappingError("profile 'categories': every value must be a capability code")
    return CategoryOverrides(table, replace_defaults=replace_defaults)


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MappingError(f"profile {key!r} must be text")
    return value.strip()


def apply_profile(data: Mapping[str, Any], base: ImportOptions | None = None) -> ImportOptions:
    """`base` (default `ImportOptions()`) with what the profile says laid over it."""
    unknown = sorted(set(data) - PROFILE_KEYS)
    if unknown:
        raise MappingError(
            f"unknown import profile key {', '.join(unknown)}; "
            f"keys: {', '.join(sorted(PROFILE_KEYS))}"
        )
    options = base or ImportOptions()
    radius = data.get("duplicate_radius_m")
    if radius is not None and (isinstance(radius, bool) or not isinstance(radius, int | float)
                               or radius < 0):  # fmt: skip
        raise MappingError("profile 'duplicate_radius_m' must be a number of metres, 0 or more")
    mapping = ColumnMapping(
        columns=_fields(data.get("columns"), "columns") or dict(options.mapping.columns),
        fixed=_fields(data.get("set"), "set") or dict(options.mapping.fixed),
        location_column=_text(data, "location_column") or options.mapping.location_column,
        date_format=_text(data, "date_format") or options.mapping.date_format,
    )
    return replace(
        options,
        source=_text(data, "source") or options.source,
        preset=_text(data, "preset") or options.preset,
        kind=_text(data, "kind") or options.kind,
        timezone=_text(data, "timezone") or options.timezone,
        categories=_categories(data.get("categories")) or options.categories,
        duplicate_radius_m=options.duplicate_radius_m if radius is None else float(radius),
        geocode=bool(data.get("geocode", options.geocode)),
        mapping=mapping,
    )


def profile_of(options: ImportOptions) -> dict[str, Any]:
    """The profile (plain JSON data) that gives these options back through `apply_profile`."""
    data: dict[str, Any] = {"source": options.source, "geocode": options.geocode}
    for key in ("preset", "kind", "timezone", "duplicate_radius_m"):
        if getattr(options, key) is not None:
            data[key] = getattr(options, key)
    if options.mapping.columns:
        data["columns"] = dict(options.mapping.columns)
    if options.mapping.fixed:
        data["set"] = dict(options.mapping.fixed)
    if options.mapping.location_column:
        data["location_column"] = options.mapping.location_column
    if options.mapping.date_format:
        data["date_format"] = options.mapping.date_format
    if options.categories is not None:
        data["categories"] = {
            "replace_defaults": options.categories.replace_defaults,
            "categories": dict(options.categories.table),
        }
    return data
