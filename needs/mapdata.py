"""Needs as light rows for maps and downloads: only the columns a marker or a CSV line needs.

Selected with SQLAlchemy Core columns (no ORM objects), so a city-wide map of 10k needs stays
fast (ORM objects cost 4-5x: docs/field-notes.md, "Queries over 100k needs"). Never includes
residents' contact details, so every role that may read needs may receive these rows. Must not
import Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from accounts.actor import Actor
from commonground.extensions import db
from needs.models import Need
from needs.queries import NeedFilters, count, filtered_needs, readable_by

MAP_COLUMNS = (
    Need.id,
    Need.title,
    Need.status,
    Need.capability_code,
    Need.priority,
    Need.latitude,
    Need.longitude,
)
EXPORT_COLUMNS = (
    Need.id,
    Need.title,
    Need.capability_code,
    Need.status,
    Need.priority,
    Need.effort_hours,
    Need.address,
    Need.neighbourhood,
    Need.parcel_id,
    Need.latitude,
    Need.longitude,
    Need.source,
    Need.external_id,
    Need.due_date,
    Need.opened_at,
)
EXPORT_HEADER = tuple(column.key for column in EXPORT_COLUMNS)


def _located(actor: Actor, filters: NeedFilters, columns: tuple) -> Select:
    return (
        filtered_needs(filters)
        .with_only_columns(*columns)
        .where(*readable_by(actor), Need.latitude.is_not(None), Need.longitude.is_not(None))
    )


def map_points(actor: Actor, filters: NeedFilters, limit: int) -> tuple[list[dict], bool]:
    """GeoJSON features for the located needs matching `filters`, at most `limit` of them.

    Returns the features and whether more needs matched than were returned. The most urgent
    (priority 1) come first when the cap cuts the list.
    """
    actor.require("need.read")
    query = _located(actor, filters, MAP_COLUMNS).order_by(None).order_by(Need.priority, Need.id)
    rows = db.session.execute(query.limit(limit + 1)).all()
    truncated = len(rows) > limit
    features = [
        {
            "type": "Feature",
            "id": need_id,
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {"title": title, "status": status, "capability": cap, "priority": prio},
        }
        for need_id, title, status, cap, prio, lat, lon in rows[:limit]
    ]
    return features, truncated


def export_rows(actor: Actor, filters: NeedFilters) -> Iterator[dict[str, Any]]:
    """Every need matching `filters` (located or not) as a flat dict, streamed from the database."""
    actor.require("need.read")
    query = filtered_needs(filters).with_only_columns(*EXPORT_COLUMNS).where(*readable_by(actor))
    result = db.session.execute(query.execution_options(yield_per=1000))
    for row in result:
        yield dict(zip(EXPORT_HEADER, row, strict=True))


LIST_COLUMNS = (
    Need.id,
    Need.title,
    Need.capability_code,
    Need.status,
    Need.priority,
    Need.neighbourhood,
    Need.address,
    Need.source,
    Need.due_date,
    Need.opened_at,
)


def list_page(
    actor: Actor, filters: NeedFilters, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of needs matching `filters` as light rows (newest first), and the total."""
    actor.require("need.read")
    query = filtered_needs(filters).where(*readable_by(actor))
    total = count(query)
    rows = db.session.execute(query.with_only_columns(*LIST_COLUMNS).offset(offset).limit(limit))
    return [dict(row._mapping) for row in rows], total
