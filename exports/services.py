"""Exports of needs and partners as rows: the same filters and redactions as the list API.

`need_export(actor, filters)` and `partner_export(actor, filters)` check the actor's role, then
return the column names and a lazy iterator of rows (needs are read in batches with
`yield_per`, so an export of 100k needs never sits whole in memory). Rendering as CSV or GeoJSON
is `exports.csv_safety` and `exports.geojson`; the HTTP side is `api.exports`.

Imports SQLAlchemy and the feature packages' queries and services; must not import web code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accounts.actor import Actor
from commonground.extensions import db
from needs.models import Need
from needs.queries import NeedFilters, filtered_needs, readable_by
from partners.services import list_partners, present_partner

__all__ = ["NEED_COLUMNS", "PARTNER_COLUMNS", "Export", "need_export", "partner_export"]

NEED_COLUMNS = (
    "id", "status", "capability_code", "title", "description", "address", "latitude",
    "longitude", "location_status", "neighbourhood", "parcel_id", "priority", "effort_hours",
    "source", "external_id", "due_date", "duplicate_of_id", "opened_at", "updated_at",
)  # fmt: skip
REPORTER_COLUMNS = ("reporter_name", "reporter_email", "reporter_phone")
PARTNER_COLUMNS = (
    "id", "name", "sector", "status", "description", "website", "contact_name", "contact_email",
    "contact_phone", "base_address", "base_latitude", "base_longitude", "service_radius_km",
    "service_neighbourhoods", "capabilities", "created_at", "updated_at",
)  # fmt: skip
BATCH = 1000
PARTNER_PAGE = 500


@dataclass
class Export:
    """Column names and the rows (tuples in column order), read lazily."""

    columns: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]
    latitude: str
    longitude: str


def need_export(actor: Actor, filters: NeedFilters) -> Export:
    """Needs matching the list API's filters; reporter contacts only for those allowed."""
    actor.require("need.read")
    columns = NEED_COLUMNS + (REPORTER_COLUMNS if actor.can("need.read_reporter") else ())
    query = (
        filtered_needs(filters)
        .with_only_columns(*(getattr(Need, c) for c in columns))
        .where(*readable_by(actor))
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in db.session.execute(query.execution_options(yield_per=BATCH)):
            yield tuple(row)

    names = tuple("capability" if c == "capability_code" else c for c in columns)
    return Export(names, rows(), "latitude", "longitude")


def partner_export(actor: Actor, filters: dict[str, Any]) -> Export:
    """Partners matching the list API's filters, contacts redacted as the API redacts them."""
    list_partners(actor, limit=1, **filters)  # checks the role before anything is streamed

    def rows() -> Iterator[tuple[Any, ...]]:
        offset = 0
        while True:
            partners, _total = list_partners(actor, offset=offset, limit=PARTNER_PAGE, **filters)
            for partner in partners:
                data = present_partner(actor, partner)
                data["service_neighbourhoods"] = ";".join(data["service_neighbourhoods"] or [])
                data["capabilities"] = ";".join(
                    f"{c['capability']}:{c['tasks_per_week']}" for c in data["capabilities"]
                )
                yield tuple(data[c] for c in PARTNER_COLUMNS)
            if len(partners) < PARTNER_PAGE and offset + PARTNER_PAGE >= _total:
                return
            offset += PARTNER_PAGE

    return Export(PARTNER_COLUMNS, rows(), "base_latitude", "base_longitude")
