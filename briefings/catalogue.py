"""Use cases for the city resources catalogue: what the city offers partners.

Coordinators edit it as data; briefings pick the entries that fit a reader's capabilities.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.actor import Actor
from briefings.models import CatalogueEntry
from capabilities.services import require_known_capabilities
from commonground.db_types import utcnow
from commonground.extensions import db
from commonground.lookup import get_or_not_found
from commonground.transaction import unit_of_work

FIELDS = (
    "title",
    "description",
    "who_qualifies",
    "how_to_request",
    "lead_time_days",
    "capabilities",
    "is_active",
)


def list_catalogue(actor: Actor, *, include_inactive: bool = False) -> list[CatalogueEntry]:
    """The catalogue by title; inactive entries only for those who manage it."""
    actor.require("catalogue.read")
    query = select(CatalogueEntry).order_by(CatalogueEntry.title, CatalogueEntry.id)
    if not (include_inactive and actor.can("catalogue.manage")):
        query = query.where(CatalogueEntry.is_active.is_(True))
    return list(db.session.scalars(query))


def get_catalogue_entry(actor: Actor, entry_id: int) -> CatalogueEntry:
    """One entry, or NotFoundError (inactive ones are hidden from those who cannot manage)."""
    actor.require("catalogue.read")
    return get_or_not_found(
        CatalogueEntry,
        entry_id,
        f"No catalogue entry with id {entry_id}.",
        visible=lambda entry: entry.is_active or actor.can("catalogue.manage"),
    )


def add_catalogue_entry(actor: Actor, data: dict[str, Any]) -> CatalogueEntry:
    """Add a city resource (coordinators)."""
    actor.require("catalogue.manage")
    values = {k: v for k, v in data.items() if k in FIELDS}
    values["capabilities"] = sorted(set(values.get("capabilities") or []))
    require_known_capabilities(values["capabilities"], field="capabilities")
    with _unique_title(values.get("title", "")):
        entry = CatalogueEntry(**values)
        db.session.add(entry)
    return entry


def update_catalogue_entry(actor: Actor, entry_id: int, data: dict[str, Any]) -> CatalogueEntry:
    """Change a city resource (coordinators); `is_active=False` withdraws it from briefings."""
    actor.require("catalogue.manage")
    entry = get_catalogue_entry(actor, entry_id)
    with _unique_title(data.get("title", entry.title)):
        for key, value in data.items():
            if key not in FIELDS:
                continue
            if key == "capabilities":
                value = sorted(set(value or []))
                require_known_capabilities(value, field="capabilities")
            setattr(entry, key, value)
        entry.updated_at = utcnow()
    return entry


def delete_catalogue_entry(actor: Actor, entry_id: int) -> None:
    """Remove a city resource for good (coordinators). Stored briefings keep their copy."""
    actor.require("catalogue.manage")
    entry = get_catalogue_entry(actor, entry_id)
    with unit_of_work():
        db.session.delete(entry)


def present_entry(entry: CatalogueEntry, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """An entry as plain data, with capability labels when given."""
    labels = labels or {}
    return {
        "id": entry.id,
        **{name: getattr(entry, name) for name in FIELDS},
        "capability_labels": [labels.get(c, c) for c in entry.capabilities or []],
    }


def entries_for(entries: Iterable[dict[str, Any]], capabilities: Iterable[str]) -> list[dict]:
    """The active entries that support any of `capabilities`, or every kind of work."""
    wanted = set(capabilities)
    return [
        e
        for e in entries
        if e["is_active"] and (not e["capabilities"] or wanted & set(e["capabilities"]))
    ]


def _unique_title(title: str) -> AbstractContextManager[Session]:
    """A unit of work in which a title used meanwhile is a conflict on the title field."""
    return unit_of_work(
        f"A catalogue entry titled '{title}' already exists.", {"title": ["Already used."]}
    )
