"""The need filters of the list, map and downloads, read from a page's query string.

Reads them with `needs.schemas.NeedQuerySchema`, as the API does; dates are whole days in the
city's time zone. Keeps the cleaned values so the form shows what was asked and links carry the
same filters. Must not import `api`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from needs.queries import NeedFilters
from needs.schemas import NeedQuerySchema
from web.form_input import field_messages

LIST_KEYS = ("status", "capability")
TEXT_KEYS = ("neighbourhood", "source", "q")
DATE_KEYS = ("from", "to")


@dataclass
class FilterChoice:
    """Filters as asked on a page: the query object, the form's values, a query string."""

    filters: NeedFilters = field(default_factory=NeedFilters)
    values: dict = field(default_factory=dict)
    query: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def read_need_filters(args: MultiDict, timezone: str, *, with_bbox: bool = False) -> FilterChoice:
    """Parse status, capability, neighbourhood, source, q, from/to dates (and bbox if asked)."""
    raw: dict = {}
    values: dict = {}
    for key in LIST_KEYS:
        chosen = [v for v in args.getlist(key) if v.strip()]
        values[key] = chosen
        if chosen:
            raw[key] = chosen
    for key in (*TEXT_KEYS, *DATE_KEYS, *(("bbox",) if with_bbox else ())):
        value = args.get(key, "").strip()
        values[key] = value
        if value and key not in DATE_KEYS:
            raw[key] = value
    errors: dict[str, list[str]] = {}
    try:
        filters = NeedQuerySchema().load(raw)
    except SchemaError as exc:
        errors = field_messages(exc.messages)
        filters = NeedFilters()
    after, before = _day(values["from"], errors, "from"), _day(values["to"], errors, "to")
    zone = ZoneInfo(timezone)
    filters = dataclasses.replace(
        filters,
        opened_after=datetime.combine(after, time(0), zone) if after else None,
        opened_before=datetime.combine(before + timedelta(days=1), time(0), zone)
        if before
        else None,
    )
    pairs = [(k, v) for k in LIST_KEYS for v in values[k]]
    pairs += [(k, values[k]) for k in (*TEXT_KEYS, *DATE_KEYS) if values[k]]
    return FilterChoice(filters=filters, values=values, query=urlencode(pairs), errors=errors)


def _day(value: str, errors: dict, key: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[key] = ["Use a date like 2026-05-31."]
        return None
