"""The database side of one import: `NeedWriter` turns validated records into needs.

Lookups (the source's known needs, open needs for the duplicate index, capabilities' efforts,
neighbourhood centres) are loaded once; new needs and their "import" events are written through
SQLAlchemy Core in batches of BATCH_SIZE with ids allocated up front; changed rows update their
need with an "edit" event; rows closed at the source close their needs through
`needs.services.close_needs` (the lifecycle's `close_at_source`; claims released), a batch at a
time. Counts go to the `ImportReport` from our own tallies, never from a bulk statement's
rowcount (docs/field-notes.md, trap 8). The writer never commits: the caller's transaction is
the file.

Imports SQLAlchemy and the needs and geo services; must not import web code or `open311`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text, update

from accounts.actor import Actor
from capabilities.models import Capability
from commonground.extensions import db
from geo.geocoding import CachedGeocoder
from geo.services import nearest_neighbourhood, neighbourhood_centres
from intake.duplicates import ProximityIndex
from intake.records import DEFAULT_PRIORITY, NeedRecord, RowError
from intake.report import ImportReport
from needs.models import Need, NeedEvent
from needs.services import Closing, close_needs, need_event_row

__all__ = ["BATCH_SIZE", "NeedWriter", "fingerprint", "open_needs_index"]

BATCH_SIZE = 1000


def open_needs_index(radius_m: float) -> ProximityIndex:
    """Every open, located need in a `ProximityIndex`, for finding probable duplicates."""
    index = ProximityIndex(radius_m)
    if not index.enabled:
        return index
    for nid, code, lat, lon, parcel in db.session.execute(
        select(Need.id, Need.capability_code, Need.latitude, Need.longitude, Need.parcel_id).where(
            Need.status == "open", Need.latitude.is_not(None), Need.longitude.is_not(None)
        )
    ):
        index.add(nid, code, lat, lon, parcel)
    return index


@dataclass(frozen=True, slots=True)
class _Known:
    """An existing need of this source, as much as the import needs to know."""

    id: int
    status: str
    fingerprint: str | None


def fingerprint(record: NeedRecord) -> str:
    """A digest of everything a row says about its need (not where in the file it was).

    Only what the row says: a value it leaves out is None here, never the default the need is
    created with (the import's time, priority 3), so an unchanged file is unchanged whatever
    columns it has (docs/field-notes.md, trap 16).
    """
    parts = (
        record.capability, record.title, record.description, record.address,
        record.latitude, record.longitude,
        record.opened_at.isoformat() if record.opened_at else None, record.closed,
        record.closed_at.isoformat() if record.closed_at else None, record.neighbourhood,
        record.zip_code, record.parcel_id, record.priority,
        record.due_at.isoformat() if record.due_at else None,
    )  # fmt: skip
    return hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


class NeedWriter:
    """The database side of one import: lookups loaded once, writes batched."""

    def __init__(
        self,
        actor: Actor,
        report: ImportReport,
        *,
        now: datetime,
        geocoder: CachedGeocoder | None,
        radius_m: float,
        city_tz: ZoneInfo,
    ) -> None:
        self.actor = actor
        self.report = report
        self.source = report.source
        self.now = now
        self.geocoder = geocoder
        self.city_tz = city_tz
        self.known: dict[str, _Known] = {
            ext: _Known(nid, status, fp)
            for ext, nid, status, fp in db.session.execute(
                select(Need.external_id, Need.id, Need.status, Need.import_fingerprint).where(
                    Need.source == self.source, Need.external_id.is_not(None)
                )
            )
        }
        self.index = open_needs_index(radius_m)
        self.efforts: dict[str, float] = dict(
            db.session.execute(
                select(Capability.code, Capability.default_effort_hours).where(
                    Capability.is_active.is_(True)
                )
            ).all()
        )
        self.centres = neighbourhood_centres()
        self.first_line: dict[str, int] = {}
        self.inserts: list[dict[str, Any]] = []
        self.insert_meta: list[tuple[tuple[str, int], NeedRecord, Any, str | None]] = []
        self.changed: list[tuple[NeedRecord, _Known, str]] = []
        self.new_ids: dict[tuple[str, int], int] = {}
        self.new_count = 0
        self._id_sequence: str | None = None
        self._next_id: int | None = None

    # -- one record ---------------------------------------------------------------------------
    def add(self, record: NeedRecord) -> None:
        """Take one validated record: refused, new, unchanged or changed (written in batches)."""
        problem = self._refuse(record)
        if problem:
            self.report.reject([problem])
            return
        self.first_line[record.external_id] = record.line
        known = self.known.get(record.external_id)
        digest = fingerprint(record)
        if known is None:
            self._add_new(record, digest)
        elif known.fingerprint == digest:
            self.report.unchanged += 1
        else:
            self.changed.append((record, known, digest))
            if len(self.changed) >= BATCH_SIZE:
                self._flush_changed()

    def _refuse(self, record: NeedRecord) -> RowError | None:
        if record.external_id in self.first_line:
            first = self.first_line[record.external_id]
            reason = f"the same id is on line {first} of this file"
            return RowError(record.line, "external_id", reason, record.external_id,
                            record.external_id)  # fmt: skip
        if record.capability not in self.efforts:
            reason = "the capability is not in the taxonomy (or not active)"
            return RowError(record.line, "category", reason, record.capability, record.external_id)
        return None

    def _locate(self, record: NeedRecord) -> tuple[float | None, float | None, str]:
        if not record.needs_geocoding:
            return record.latitude, record.longitude, "ok"
        if self.geocoder is not None and record.address:
            result = self.geocoder.lookup(record.address)
            if result.found:
                self.report.located_by_geocoder += 1
                return result.latitude, result.longitude, "ok"
        self.report.location_pending += 1
        return None, None, "pending"

    def _neighbourhood(self, record: NeedRecord, lat: float | None, lon: float | None) -> Any:
        if record.neighbourhood or lat is None or lon is None:
            return record.neighbourhood
        return nearest_neighbourhood(lat, lon, centres=self.centres)

    def _due_date(self, record: NeedRecord) -> date | None:
        return record.due_at.astimezone(self.city_tz).date() if record.due_at else None

    def _add_new(self, record: NeedRecord, digest: str) -> None:
        lat, lon, location_status = self._locate(record)
        status = "closed" if record.closed else "open"
        self.new_count += 1
        key = ("new", self.new_count)
        duplicate_key = None
        if status == "open" and lat is not None and lon is not None:
            duplicate_key = self.index.nearest(record.capability, lat, lon, parcel=record.parcel_id)
            self.index.add(key, record.capability, lat, lon, record.parcel_id)
        if duplicate_key is not None:
            self.report.probable_duplicates += 1
        self.inserts.append(
            {
                "capability_code": record.capability,
                "title": record.title,
                "description": record.description,
                "address": record.address,
                "latitude": lat,
                "longitude": lon,
                "location_status": location_status,
                "neighbourhood": self._neighbourhood(record, lat, lon),
                "parcel_id": record.parcel_id,
                "zip_code": record.zip_code,
                "priority": record.priority or DEFAULT_PRIORITY,
                "effort_hours": self.efforts[record.capability],
                "source": self.source,
                "external_id": record.external_id,
                "due_date": self._due_date(record),
                "status": status,
                "duplicate_of_id": duplicate_key if isinstance(duplicate_key, int) else None,
                "posted_by_id": self.actor.user_id,
                "opened_at": record.opened_at or self.now,
                "created_at": self.now,
                "updated_at": self.now,
                "import_fingerprint": digest,
            }
        )
        self.insert_meta.append((key, record, duplicate_key, location_status))
        self.report.created += 1
        if len(self.inserts) >= BATCH_SIZE:
            self._flush_new()

    # -- batches ------------------------------------------------------------------------------
    def _allocate_ids(self, connection: Any, count: int) -> list[int]:
        """Ids for `count` new needs, known before they are inserted.

        RETURNING in row order costs a statement a row on SQLite and heavy client-side work on
        PostgreSQL; reading ids back by (source, external_id) defeats PostgreSQL's planner
        mid-transaction. PostgreSQL hands out a block of the id sequence; on SQLite the import's
        transaction holds the database's write lock from its first statement (BEGIN
        IMMEDIATE), so counting on from the highest id is safe.
        """
        if connection.dialect.name == "postgresql":
            if self._id_sequence is None:
                self._id_sequence = connection.execute(
                    text("SELECT pg_get_serial_sequence('need', 'id')")
                ).scalar_one()
            return list(
                connection.execute(
                    text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)"),
                    {"sequence": self._id_sequence, "n": count},
                ).scalars()
            )
        if self._next_id is None:
            self._next_id = (connection.execute(select(func.max(Need.id))).scalar() or 0) + 1
        first, self._next_id = self._next_id, self._next_id + count
        return list(range(first, first + count))

    def _flush_new(self) -> None:
        if not self.inserts:
            return
        connection = db.session.connection()
        ids = self._allocate_ids(connection, len(self.inserts))
        for row, need_id in zip(self.inserts, ids, strict=True):
            row["id"] = need_id
        connection.execute(Need.__table__.insert(), self.inserts)  # a plain executemany
        events, late_duplicates = [], []
        for (key, record, duplicate_key, location_status), need_id in zip(
            self.insert_meta, ids, strict=True
        ):
            self.new_ids[key] = need_id
            target = (
                self.new_ids.get(duplicate_key)
                if isinstance(duplicate_key, tuple)
                else duplicate_key
            )
            if isinstance(duplicate_key, tuple) and target is not None:
                late_duplicates.append({"id": need_id, "duplicate_of_id": target})
            events.append(
                self._event(need_id, "import", None, "closed" if record.closed else "open",
                            self._import_note(record, location_status, target))
            )  # fmt: skip
        if late_duplicates:  # an ORM bulk UPDATE by primary key
            db.session.execute(update(Need), late_duplicates)
        connection.execute(NeedEvent.__table__.insert(), events)
        self.inserts, self.insert_meta = [], []

    def _import_note(self, record: NeedRecord, location_status: str, duplicate: int | None) -> str:
        note = f"Imported from {self.source}, line {record.line}"
        if record.closed:
            note += "; closed at the source"
        if location_status == "pending":
            note += f"; location pending ({record.location_problem})"
        elif record.location_problem:
            note += f"; located by the geocoder ({record.location_problem})"
        if duplicate is not None:
            note += f"; probable duplicate of need {duplicate}"
        return note

    def _event(
        self, need_id: int, action: str, from_status: str | None, to_status: str, note: str
    ) -> dict[str, Any]:
        return need_event_row(need_id, self.actor, action, from_status, to_status, now=self.now,
                              note=note)  # fmt: skip

    _COMPARED = ("title", "description", "address", "neighbourhood", "parcel_id", "zip_code",
                 "priority", "capability_code", "due_date", "opened_at", "latitude",
                 "longitude")  # fmt: skip

    def _flush_changed(self) -> None:
        if not self.changed:
            return
        ids = [known.id for _record, known, _digest in self.changed]
        columns = [getattr(Need, name) for name in self._COMPARED]
        olds = {
            row.id: row
            for row in db.session.execute(
                select(Need.id, Need.status, Need.location_status, *columns).where(Need.id.in_(ids))
            )
        }
        edits: list[dict[str, Any]] = []
        closings: list[Closing] = []
        lines: dict[int, int] = {}
        for record, known, digest in self.changed:
            old = olds[known.id]
            edit = self._update_one(record, old, digest)
            if edit is not None:
                edits.append(edit)
            if record.closed and old.status != "closed":
                closings.append(Closing(old.id, old.status, self._closing_reason(record)))
                lines[old.id] = record.line
        if edits:
            db.session.connection().execute(NeedEvent.__table__.insert(), edits)
        if closings:
            self._close_at_source(closings, lines)
        self.changed = []

    def _update_one(self, record: NeedRecord, old: Any, digest: str) -> dict[str, Any] | None:
        """Update one need from its changed row; its "edit" event, if a value changed."""
        values: dict[str, Any] = {
            "title": record.title,
            "description": record.description,
            "address": record.address,
            "parcel_id": record.parcel_id,
            "zip_code": record.zip_code,
            "due_date": self._due_date(record),
        }
        # What the row leaves out keeps the need's value (set from the defaults on creation).
        if record.priority is not None:
            values["priority"] = record.priority
        if record.opened_at is not None:
            values["opened_at"] = record.opened_at
        if old.status == "open":
            values["capability_code"] = record.capability
        if not record.needs_geocoding or record.address != old.address:
            lat, lon, location_status = self._locate(record)
            values.update(latitude=lat, longitude=lon, location_status=location_status)
        lat, lon = values.get("latitude", old.latitude), values.get("longitude", old.longitude)
        values["neighbourhood"] = self._neighbourhood(record, lat, lon) or old.neighbourhood
        changed = sorted(name for name, value in values.items() if getattr(old, name) != value)
        values.update(import_fingerprint=digest, updated_at=self.now)
        db.session.execute(
            update(Need)
            .where(Need.id == old.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not changed:
            self.report.unchanged += 1
            return None
        self.report.updated += 1
        note = f"Updated from {self.source}, line {record.line}: " + ", ".join(changed)
        return self._event(old.id, "edit", old.status, old.status, note)

    def _closing_reason(self, record: NeedRecord) -> str:
        when = record.closed_at.date().isoformat() if record.closed_at else "an unknown date"
        return f"Closed at the source ({self.source}) on {when}"

    def _close_at_source(self, closings: list[Closing], lines: dict[int, int]) -> None:
        """Close needs their source closed, through the needs services (claims released).

        A need already finished here (completed, verified, cancelled...) is left alone; one
        that changed meanwhile is left alone and its row reported."""
        outcome = close_needs(self.actor, "close_at_source", closings, now=self.now)
        for need_id in outcome.changed:
            reason = "the need changed meanwhile; not closed"
            self.report.reject([RowError(lines[need_id], "status", reason, "", str(need_id))])
        for need_id in outcome.closed:
            self.index.discard(need_id)
        self.report.closed_at_source += len(outcome.closed)

    def finish(self) -> None:
        """Write what is still batched; the caller then commits (or rolls back) the file."""
        self._flush_new()
        self._flush_changed()
